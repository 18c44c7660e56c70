"""The run history: every :class:`~nasearch.runs.trial.Trial` of one search and what follows from them.

:class:`RunHistory` is the one owner of a run's record. It appends trials to
``history.jsonl`` (each line flushed and fsynced before the next evaluation, so a
killed run loses at most the line being written), and keeps what the trials
imply: the incumbent, the non-dominated set with its hypervolume ratio, the
:class:`~nasearch.runs.summary.RunSummary` and the output files. Every other part
of nasearch asks it; nothing else reads or writes the file.

:func:`read_trials` reads a history back, dropping a torn last line (and
truncating the file to the last complete one) so a resume continues exactly
after the last recorded trial; any other damage is an error naming the line.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import numpy as np

from ..errors import DataError
from ..objective import Evaluation
from .directory import HISTORY, INCUMBENT_PLOT, PARETO_CSV, PARETO_PLOT, SUMMARY, RunDirectory
from .summary import RunSummary
from .trial import Trial


@dataclass(frozen=True)
class Incumbent:
    """The best feasible architecture so far: its value and its report metric."""

    arch: object
    value: float
    report: Optional[float]


@dataclass(frozen=True)
class FrontMember:
    """One architecture of the non-dominated set: ``vector`` is its ``(m,)`` signed term values."""

    arch: object
    vector: np.ndarray
    metrics: dict


def read_trials(path, repair: bool = True) -> list:
    """The trials of a ``history.jsonl`` file, in record order (``[]`` when there is none).

    A last line without its newline, or that is not JSON, was being written when the run
    stopped: it is dropped and (with ``repair``, as a resume does) the file truncated before
    it. Any other bad line is a :class:`~nasearch.errors.DataError` naming the file and
    line, and nothing is changed.
    """
    path = Path(path)
    if not path.exists():
        return []
    raw = path.read_bytes()
    lines = raw.splitlines(keepends=True)
    trials, good_length = [], 0
    for number, line in enumerate(lines, start=1):
        last = number == len(lines)
        where = f"{path} line {number}"
        try:
            data = json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError):
            if last:
                break
            raise DataError(f"{where} is not valid JSON; restore the file from a backup, or start a new "
                            "run") from None
        if not line.endswith(b"\n"):
            break
        trials.append(Trial.from_json(data, where))
        good_length += len(line)
    if repair and good_length != len(raw):
        with open(path, "r+b") as handle:
            handle.truncate(good_length)
    return trials


def plain_metrics(metrics: dict) -> dict:
    """Metrics as JSON-safe numbers where possible (other values as their ``repr``)."""
    plain = {}
    for key, value in metrics.items():
        if isinstance(value, (np.floating, np.integer)):
            value = value.item()
        if isinstance(value, (list, tuple, np.ndarray)) and all(isinstance(v, (int, float, np.number)) for v in value):
            value = [float(v) for v in value]   # a learning curve (one value per epoch)
        plain[str(key)] = value if isinstance(value, (int, float, str, bool, list, type(None))) else repr(value)
    return plain


class RunHistory:
    """The trials of one search and their incumbent, front and summary.

    ``goal`` is the search's :class:`~nasearch.goal.Goal`; ``reference`` its
    :class:`~nasearch.goal.TableReference` (exact optimum and true front) or ``None``;
    ``path`` the ``history.jsonl`` file (``None``: kept in memory only); ``on_file`` the trials it
    already holds (a resumed run's), which a replay records again without writing them twice.
    """

    def __init__(self, space, objective, goal, reference=None, path=None, on_file: list = ()):
        self.space, self.objective, self.goal, self.reference = space, objective, goal, reference
        self.path = None if path is None else Path(path)
        self.on_file = list(on_file)
        self.trials: list = []
        self.incumbent: Optional[Incumbent] = None
        self.front: list = []                    #: FrontMembers of the non-dominated feasible set
        self.hypervolume_ratio: Optional[float] = None
        self.spent = 0.0   #: budget units spent: one per trial, or the trials' costs in a multi-fidelity search
        self.fidelity_unit: Optional[str] = None   #: set by a multi-fidelity search (its budget's unit)
        self.full_fidelity: Optional[float] = None  #: set by a multi-fidelity search
        self.journal = None   #: an OptunaJournal that receives each persisted trial (dashboard: true)

    def __len__(self) -> int:
        return len(self.trials)

    # ------------------------------------------------------------------ adding
    def record(self, arch, outcome: Evaluation, predicted: Optional[float], handed: int, told_before: int,
               wall: float, fidelity: Optional[float] = None, cost: Optional[float] = None,
               full: bool = True) -> Trial:
        """Add the outcome of evaluating ``arch`` as the next trial; returns it.

        The value becomes the first goal term (signed, maximised); an outcome missing a
        term is recorded as failed. A trial the file already holds (a resume's replay) is
        not written again, and keeps the wall time and seconds it was recorded with. In a multi-fidelity search,
        ``fidelity`` and ``cost`` are the job's, and only a ``full``-fidelity result can
        become the incumbent.
        """
        outcome, vector = self._score(outcome)
        feasible = outcome.ok and self.goal.feasible(outcome.metrics)
        if outcome.ok and feasible and full:
            report = outcome.metrics.get(self.objective.report_metric)
            if self.incumbent is None or outcome.value > self.incumbent.value:
                self.incumbent = Incumbent(arch, outcome.value, report)
            if self.goal.multi:
                self._update_front(arch, vector, outcome.metrics)
        best = self.incumbent
        on_file = len(self.trials) < len(self.on_file)
        if on_file:   # when it ran, not when it was replayed
            wall, seconds = self.on_file[len(self.trials)].wall, self.on_file[len(self.trials)].seconds
        else:
            seconds = round(outcome.seconds, 6)
        trial = Trial(query=len(self.trials), arch=self.space.to_string(arch), status=outcome.status,
                      value=outcome.value, report=outcome.metrics.get(self.objective.report_metric),
                      metrics=plain_metrics(outcome.metrics), incumbent=None if best is None else best.value,
                      incumbent_report=None if best is None else best.report, predicted=predicted,
                      handed=handed, told_before=told_before, seconds=seconds, wall=wall,
                      error=outcome.error, feasible=bool(feasible) if self.goal.constraints else None,
                      front_size=len(self.front) if self.goal.multi else None,
                      hypervolume_ratio=self.hypervolume_ratio if self.goal.multi else None,
                      fidelity=None if fidelity is None else float(fidelity),
                      cost=None if cost is None else float(cost))
        self.trials.append(trial)
        self.spent += 1.0 if cost is None else float(cost)
        if not on_file and self.path is not None:
            with open(self.path, "a") as handle:
                handle.write(json.dumps(trial.to_json()) + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            if self.journal is not None:   # derived from the history, so written after it
                self.journal.add(trial, arch)
        return trial

    def told_value(self, trial: Trial):
        """What an optimizer is told for an ok trial: its value, or with several objectives
        the ``(m,)`` signed term vector."""
        return self.goal.vector(trial.metrics) if self.goal.multi else trial.value

    def _score(self, outcome: Evaluation):
        """The outcome with ``value`` = the first goal term, and the ``(m,)`` term vector."""
        if not outcome.ok:
            return outcome, None
        vector = self.goal.vector(outcome.metrics)
        if vector is None:
            missing = self.goal.missing(outcome.metrics)
            return Evaluation(None, outcome.metrics, "failed", f"the evaluation has no value for {missing}",
                              outcome.seconds), None
        if vector[0] != outcome.value:
            outcome = Evaluation(float(vector[0]), outcome.metrics, outcome.status, outcome.error, outcome.seconds)
        return outcome, vector

    def _update_front(self, arch, vector: np.ndarray, metrics: dict) -> None:
        from ..pareto import is_dominated, non_dominated

        if is_dominated(vector, np.array([m.vector for m in self.front])):
            return   # neither the front nor the hypervolume changes
        front = self.front + [FrontMember(arch, vector, metrics)]
        keep = non_dominated(np.array([m.vector for m in front]))
        self.front = [member for member, kept in zip(front, keep) if kept]
        if self.reference is not None and self.reference.front is not None:
            found = self.reference.scale.hypervolume(np.array([m.vector for m in self.front]))
            self.hypervolume_ratio = round(found / self.reference.true_hypervolume, 6)

    # ----------------------------------------------------------------- summary
    def optimum(self) -> Optional[float]:
        """The best feasible value the goal allows, when a table says so cheaply."""
        if self.reference is not None:
            return self.reference.optimum
        if self.goal.constraints or self.goal.terms[0].metric != self.objective.metric:
            return None
        return self.objective.optimum()

    def sorted_front(self) -> list:
        """The front's members, best first term first."""
        return sorted(self.front, key=lambda member: -member.vector[0])

    def summary(self, optimizer: str, seed: int, optimizer_stats: dict, optimizer_options: dict,
                rejected: int = 0) -> RunSummary:
        """The run's :class:`RunSummary`; ``rejected`` counts proposals refused before evaluation."""
        trials, best, goal = self.trials, self.incumbent, self.goal
        optimum = self.optimum()
        at_optimum = next((t for t in trials if optimum is not None and t.ok and t.incumbent is not None
                           and t.incumbent >= optimum - 1e-9), None)
        reached = None if at_optimum is None else at_optimum.query + 1
        stats = {k: v for k, v in optimizer_stats.items() if not isinstance(v, list)}
        for key in ("fit_seconds", "propose_seconds"):
            if optimizer_stats.get(key):
                series = optimizer_stats[key]
                stats[key] = {"mean": float(np.mean(series)), "max": float(np.max(series)), "rounds": len(series)}
        extra = {}
        if goal.constraints or goal.multi:
            extra["goal"] = goal.describe()
        if goal.constraints:
            extra.update(constraints=[c.label for c in goal.constraints],
                         infeasible_queries=sum(t.feasible is False for t in trials), rejected_before_query=rejected)
            if self.reference is not None:
                extra["feasible_fraction"] = float(self.reference.feasible.mean())
        if self.fidelity_unit is not None:
            costs = np.cumsum([t.cost for t in trials])
            extra.update(fidelity_unit=self.fidelity_unit, spent=float(self.spent),
                         full_fidelity_queries=sum(t.fidelity == self.full_fidelity for t in trials),
                         spent_to_optimum=None if at_optimum is None else float(costs[at_optimum.query]))
        if goal.multi:
            extra.update(objectives=[t.label for t in goal.terms], front_size=len(self.front),
                         front=[{"arch": self.space.to_string(m.arch), **{t.metric: m.metrics[t.metric]
                                                                           for t in goal.terms}}
                                for m in self.sorted_front()],
                         hypervolume_ratio=self.hypervolume_ratio,
                         true_front_size=None if self.reference is None else len(self.reference.front))
        return RunSummary(
            optimizer=optimizer, space=self.space.name, objective=self.objective.describe(),
            metric=self.objective.metric, report_metric=self.objective.report_metric, seed=seed,
            dataset=self.objective.dataset, queries=len(trials), failed=sum(not t.ok for t in trials),
            best_value=None if best is None else best.value,
            best_arch=None if best is None else self.space.to_string(best.arch),
            report_of_best=None if best is None else best.report, optimum=optimum,
            regret=None if optimum is None or best is None else optimum - best.value,
            queries_to_optimum=reached, wall_seconds=trials[-1].wall if trials else 0.0,
            evaluation_seconds=float(sum(t.seconds for t in trials)), optimizer_stats=stats,
            optimizer_options=optimizer_options, unit=self.objective.unit(self.objective.metric),
            best_export=None if best is None else self.space.export(best.arch), **extra)

    # ----------------------------------------------------------------- outputs
    def write_outputs(self, directory, summary: RunSummary, budget_changes: tuple = ()) -> None:
        """``summary.json`` and ``incumbent.png`` (marking each change of ``budget_changes``); with
        several objectives also ``pareto.csv`` (the found non-dominated set) and ``pareto.png``
        (over the true front)."""
        from ..plots import incumbent_plot

        directory = Path(directory)
        files = RunDirectory(directory)
        files.write_json(SUMMARY, summary.to_json())
        incumbent_plot(files.file(INCUMBENT_PLOT), self.trials, summary, budget_changes)
        if self.goal.multi:
            self._write_front(directory, summary)

    def _write_front(self, directory: Path, summary: RunSummary) -> None:
        import csv

        from ..plots import pareto_plot

        true_front = None if self.reference is None else self.reference.front
        on_true = set() if true_front is None else {tuple(np.round(p, 9)) for p in true_front}
        terms = self.goal.terms
        with open(RunDirectory(directory).file(PARETO_CSV), "w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["arch", *[t.metric for t in terms], "on_true_front"])
            for member in self.sorted_front():
                on = "" if true_front is None else tuple(np.round(member.vector, 9)) in on_true
                writer.writerow([self.space.to_string(member.arch), *[member.metrics[t.metric] for t in terms], on])
        evaluated = [self.goal.vector(t.metrics) for t in self.trials if t.ok and t.feasible is not False]
        pareto_plot(RunDirectory(directory).file(PARETO_PLOT), terms, np.array([v for v in evaluated if v is not None]),
                    np.array([m.vector for m in self.front]), true_front, [self.objective.unit(t.metric) for t in terms],
                    f"{self.space.name} {summary.dataset or ''}: {summary.optimizer}, {len(self.trials)} evaluations")


def history_file(directory) -> Optional[Path]:
    """The history file of run directory ``directory``, which is created if missing; None without one."""
    if directory is None:
        return None
    Path(directory).mkdir(parents=True, exist_ok=True)
    return RunDirectory(directory).file(HISTORY)


def read_summary(directory) -> Optional[RunSummary]:
    """The ``summary.json`` of a run directory, or ``None`` when it has none."""
    path = RunDirectory(directory).file(SUMMARY)
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise DataError(f"{path} is not valid JSON; delete it and resume the run to rewrite it") from None
    return RunSummary.from_json(data, str(path))

