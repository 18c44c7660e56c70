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
from .objective import Evaluation
from .runs.requeues import damaged as requeue_damaged


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
DERIVED = ("handed", "told_before", "status", "value", "report", "incumbent", "incumbent_report", "feasible",
           "front_size", "hypervolume_ratio", "fidelity", "cost")


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


def _make_recorded_requeues(search, requeues) -> None:
    """Make again each recorded requeue due at the search's hand-out count."""
    space = search.space
    while (upcoming := requeues.upcoming()) is not None and upcoming.handed == search.handed_count:
        archs = []
        for text, fidelity in upcoming.jobs:
            arch = space.from_string(text)
            if not search.is_pending(arch) or search.fidelity_of(arch) != fidelity:
                raise requeue_damaged(requeues.made + 1, f"{text} is not in flight at that point")
            archs.append(arch)
        search.requeue(archs)


def _old_resume_point(search, trial):
    """A run recorded before ``requeues.jsonl`` existed requeued every job in flight at a stop when
    it resumed, promotions first, and logged nothing. If ``trial`` hands out again such a job
    (already handed out, and pending, in the replay), the hand-out count at which that requeue
    happened: the trial's number less the job's place in the requeue order (else ``None``)."""
    space = search.space
    arch = space.from_string(trial.arch)
    if not search.is_pending(arch) or search.fidelity_of(arch) != trial.fidelity:
        return None
    lost = search.pending
    order = ([a for a in lost if not search.scheduler.is_new(search.fidelity_of(a))]
             + [a for a in lost if search.scheduler.is_new(search.fidelity_of(a))])
    return trial.handed - next(i for i, a in enumerate(order) if space.arch_id(a) == space.arch_id(arch))


def replay(search, trials: list, requeues) -> None:
    """Replay ``trials`` (recorded by an earlier run of the same config) into ``search``, through its
    public ask, tell and requeue only.

    Asks are re-issued in hand-out order, each after the tells that preceded it, and each
    recorded requeue (``requeues``, a :class:`~nasearch.runs.requeues.RequeueLog`) is made again
    at its hand-out count. An architecture handed out but never told stays pending, as it was
    in flight in the original run; those in flight when the run stopped are requeued at the
    end, so the search continues by handing them out again. Every replayed trial must
    re-derive its recorded value, incumbent and front exactly, so a damaged line is never resumed.
    """
    space = search.space
    told = 0
    archs = check_order(trials, space)

    def tell_recorded(trial):
        arch = archs[trial.query]
        if not search.is_pending(arch):
            raise diverged(trial, "it before it was handed out")
        again = search.tell(arch, outcome_of(trial, search.objective))
        for field in DERIVED:
            if getattr(again, field) != getattr(trial, field):
                raise damaged(trial, f"{field} is {getattr(trial, field)!r} but its outcome gives "
                                     f"{getattr(again, field)!r}")

    def ask_next():
        _make_recorded_requeues(search, requeues)
        got = search.ask(1)
        return got[0] if got else None

    for trial in sorted(trials, key=lambda t: t.handed):
        while told < trial.told_before:
            tell_recorded(trials[told])
            told += 1
        requeue_at = None   # a run recorded before requeues.jsonl: where its stop requeued
        while True:
            if requeue_at is None and requeues.upcoming() is None:
                requeue_at = _old_resume_point(search, trial)
            if requeue_at == search.handed_count:
                search.requeue(search.pending)
            if search.handed_count >= trial.handed:
                break
            if ask_next() is None:   # handed out in the original run, lost when it stopped
                raise diverged(trial, "nothing")
        got = ask_next()
        if got is None or space.to_string(got) != trial.arch or search.fidelity_of(got) != trial.fidelity:
            raise diverged(trial, _job_text(search, got) if got is not None else "nothing")
    while told < len(trials):
        tell_recorded(trials[told])
        told += 1
    _make_recorded_requeues(search, requeues)
    if requeues.upcoming() is not None:
        raise requeue_damaged(requeues.made + 1, f"its requeue after {requeues.upcoming().handed} hand-outs does not "
                                                 "fit history.jsonl")
    search.requeue(search.pending)   # in flight when the run stopped
