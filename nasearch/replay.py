"""Resume: drive a fresh search through a recorded history without evaluating anything.

The optimizer is re-created from the run's seed, then every recorded trial is
told again in its recorded order, each after the asks that preceded it, and each
checked against what the optimizer proposes. So no evaluation is lost or
repeated, and the finished history equals that of an uninterrupted run. It is
exact whenever the optimizer is deterministic given its generator and the
sequence of tells, whatever order results arrived in: every trial carries its
hand-out number (``handed``) and the number of trials recorded before it was
handed out (``told_before``).
"""
from __future__ import annotations

from .errors import DataError, NasearchError
from .fidelity import Job
from .objective import Evaluation


def _job_text(search, arch) -> str:
    fidelity = search.fidelity_of(arch)
    return search.space.to_string(arch) + ("" if fidelity is None else f" at fidelity {fidelity:g}")


def diverged(trial, got: str) -> NasearchError:
    at = "" if trial.fidelity is None else f" at fidelity {trial.fidelity:g}"
    return NasearchError(
        f"resume diverged at evaluation {trial.query}: the history has {trial.arch}{at} but the run proposes "
        f"{got}; the code, config or environment changed since the run started (or its history.jsonl was "
        "edited), start a new run")


def outcome_of(trial, objective) -> Evaluation:
    """The evaluation a recorded trial stands for (0.1.0 records without metrics included)."""
    if not trial.ok:
        return Evaluation(None, {}, trial.status, trial.error)
    metrics = trial.metrics or {objective.metric: trial.value, objective.report_metric: trial.report}
    return Evaluation(trial.value, metrics)


#: Fields a replayed trial re-derives from the recorded outcome; each must equal the recorded one.
DERIVED = ("status", "value", "report", "incumbent", "incumbent_report", "feasible", "front_size",
           "hypervolume_ratio", "fidelity", "cost")


def damaged(trial, what: str) -> DataError:
    return DataError(f"history.jsonl line {trial.query + 1}: {what}; the file was edited or damaged, restore it "
                     "from a backup or start a new run")


def check_order(trials: list, space) -> list:
    """Trials are numbered 0, 1, ... in file order, each a member of ``space``, each handed out once,
    after the trials it counts. Returns their architectures."""
    handed, archs = set(), []
    for line, trial in enumerate(trials):
        try:
            archs.append(space.from_string(trial.arch))
        except NasearchError as error:
            raise damaged(trial, f"architecture {trial.arch!r} is not one of {space.name!r} ({error})") from None
        if trial.query != line:
            raise DataError(f"history.jsonl line {line + 1}: query is {trial.query}, expected {line}; the file was "
                            "edited or damaged, restore it from a backup or start a new run")
        if trial.handed in handed or trial.handed < 0 or not 0 <= trial.told_before <= trial.query:
            raise damaged(trial, f"hand-out {trial.handed} after {trial.told_before} trials does not fit "
                                 "the lines before it")
        handed.add(trial.handed)
    return archs


def replay(search, trials: list) -> None:
    """Replay ``trials`` (recorded by an earlier run of the same config) into ``search``.

    Asks are re-issued in hand-out order, each after the tells that preceded it. An
    architecture handed out but never told (in flight when the run stopped) is handed
    out again first when the search continues. Every replayed trial must re-derive its
    recorded value, incumbent and front exactly, so a damaged line is never resumed.
    """
    space = search.space
    lost = {}   # (architecture string, fidelity) -> Job handed out during the replay, never told
    told = 0
    archs = check_order(trials, space)

    def tell_recorded(trial):
        arch = archs[trial.query]
        if not search.is_pending(arch):
            raise diverged(trial, "it before it was handed out")
        again = search.record(arch, outcome_of(trial, search.objective), wall=trial.wall, persist=False)
        for field in DERIVED:
            if getattr(again, field) != getattr(trial, field):
                raise damaged(trial, f"{field} is {getattr(trial, field)!r} but its outcome gives "
                                     f"{getattr(again, field)!r}")

    for trial in sorted(trials, key=lambda t: t.handed):
        while told < trial.told_before:
            tell_recorded(trials[told])
            told += 1
        if (trial.arch, trial.fidelity) in lost:
            job = lost.pop((trial.arch, trial.fidelity))
            search.hand_out(job.arch, trial.predicted, trial.handed, job.fidelity)
            continue
        while search.handed_count < trial.handed:   # handed out in the original run, lost when it stopped
            extra = search.ask(1)
            if not extra:
                raise diverged(trial, "nothing")
            job = Job(extra[0], search.fidelity_of(extra[0]))
            lost[(space.to_string(job.arch), job.fidelity)] = job
            search.withdraw(extra[0])
        got = search.ask(1)
        if not got or space.to_string(got[0]) != trial.arch or search.fidelity_of(got[0]) != trial.fidelity:
            raise diverged(trial, _job_text(search, got[0]) if got else "nothing")
    while told < len(trials):
        tell_recorded(trials[told])
        told += 1
    search.requeue_pending(list(lost.values()))
