"""The search facade: optimizer + objective + budget + append-only history + resume.

:class:`Search` owns one search. ``run()`` is the whole loop; ``ask()`` /
``tell()`` are the same loop for users who evaluate architectures themselves.
The objective is called exactly once per architecture handed out, and never on
anything else. Every evaluation is one history record with a status; a failed
one (exception, NaN, timeout) counts against the budget, is never proposed
again, and never reaches a predictor as a value.

Resume: with a ``directory`` that already holds ``history.jsonl``, the
optimizer is re-created from the same seed and the recorded results are told
again in their recorded order, each checked against what the optimizer
proposes, so no evaluation is lost or repeated and the finished history equals
that of an uninterrupted run. This is exact whenever results were told in the
order the architectures were handed out (``run()`` with one worker, or an
ask-one/tell-one loop).

The CLI's ``search`` command builds a :class:`Search` from a
:class:`SearchConfig`.
"""
from __future__ import annotations

import functools
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import numpy as np

from .config import build
from .errors import ConfigError, NasearchError
from .history import History
from .objective import Evaluation, Objective, TabularObjective, as_evaluation, as_objective, evaluate
from .goal import Goal, table_reference
from .search_space import describe_size
from .seeding import component_rng

#: Consecutive optimizer rounds without one new architecture before a search gives up.
STALE_ROUNDS = 20


@dataclass(frozen=True)
class SearchConfig:
    """One search run from the CLI. Values are percent; the budget counts evaluations."""

    space: str = "nasbench201"
    data: Optional[str] = None          #: benchmark table (after --data and $NASEARCH_NB201); None = packaged
    dataset: str = ""                   #: "" = the space's first dataset
    metric: str = ""                    #: the objective; "" = val when the table has it; "test" needs allow_test_objective
    epochs: Optional[int] = None        #: None = the table's default fidelity
    report_metric: Optional[str] = None  #: reported for the best architecture; None = test when the table has it
    allow_test_objective: bool = False
    objectives: Optional[list] = None   #: several terms = multi-objective, e.g. [val, -latency@edgegpu]; None = [metric]
    constraints: dict = field(default_factory=dict)  #: e.g. {latency@pixel3: "<= 5"}: maximise among feasible cells
    objective: str = "table"            #: "table" (the space's benchmark) or "train" (real training)
    training: dict = field(default_factory=dict)  #: with objective "train": TrainingConfig options
    optimizer: str = "emprox_nao"
    options: dict = field(default_factory=dict)   #: optimizer options
    budget: int = 100
    seed: int = 0
    timeout: float = 0.0                #: seconds per evaluation; 0 = none
    workers: int = 1                    #: evaluations run concurrently (1 = in this process)
    executor: str = "local"             #: with workers > 1: "local" processes or "ray"
    output: str = ""                    #: run directory; "" = runs/search/<space>-<dataset>-<optimizer>-s<seed>-<time>

    def __post_init__(self):
        if self.budget < 1:
            raise ConfigError(f"budget must be >= 1 evaluation, got {self.budget}")
        if self.timeout < 0:
            raise ConfigError(f"timeout must be >= 0 seconds, got {self.timeout}")
        if self.workers < 1:
            raise ConfigError(f"workers must be >= 1, got {self.workers}")
        if self.objective not in ("table", "train"):
            raise ConfigError(f"objective must be 'table' or 'train', got {self.objective!r}")
        if self.executor not in ("local", "ray"):
            raise ConfigError(f"executor must be 'local' or 'ray', got {self.executor!r}")


def load_search_config(data: dict) -> SearchConfig:
    return build(SearchConfig, data)


@dataclass
class SearchResult:
    """What :meth:`Search.run` returns: the best architecture and the full history."""

    best_arch: object
    best_value: Optional[float]
    history: list        #: one dict per evaluation: arch (string), status, value, metrics, ...
    summary: dict


class Search:
    """One search: ``Search(space, objective, optimizer="emprox_nao", budget=100, seed=0).run()``.

    ``space`` is a :class:`~nasearch.SearchSpace` or a registered name.
    ``objective`` is a callable ``arch -> float | dict``, an
    :class:`~nasearch.objective.Objective`, or ``None`` for the space's own
    benchmark table on its first dataset. ``options`` are the optimizer's.
    ``directory`` (optional) receives ``history.jsonl``, ``summary.json`` and
    ``incumbent.png``; a directory with a history resumes it. ``timeout`` is
    seconds per evaluation (0 = none).

    ``objectives`` (a list of metric names, ``-`` to minimise, e.g. ``["val",
    "-latency@edgegpu"]``) makes the search multi-objective: it tracks the
    non-dominated set (``summary["front"]``, ``pareto.csv``/``pareto.png``) and, when
    tables cover the space, the hypervolume ratio to the true front. ``constraints``
    (``{"latency@pixel3": "<= 5"}``) restrict the search to feasible architectures; see
    :mod:`nasearch.goal`.

    ``workers > 1`` evaluates that many architectures at once in ``executor``
    ``"local"`` worker processes (the objective must be picklable) or as ``"ray"``
    tasks (on the cluster at ``ray_address``, else a local instance), recording each
    result as it arrives. One worker with a seed is reproducible; with more, which
    architecture is proposed next depends on which evaluation finishes first, so
    runs differ, but each run's history still resumes exactly.
    """

    def __init__(self, space, objective=None, optimizer: str = "emprox_nao", budget: int = 100, seed: int = 0,
                 directory=None, options: Optional[dict] = None, timeout: float = 0.0, progress: bool = False,
                 workers: int = 1, executor: str = "local", ray_address: Optional[str] = None,
                 objectives: Optional[list] = None, constraints: Optional[dict] = None):
        from .optimizers import create_optimizer
        from .registry import get_search_space

        self.space = get_search_space(space) if isinstance(space, str) else space
        self.objective: Objective = as_objective(objective, self.space)
        if int(budget) < 1:
            raise ConfigError(f"budget must be >= 1 evaluation, got {budget}")
        if self.space.size is not None and budget > self.space.size:
            raise ConfigError(f"budget {budget} exceeds the {describe_size(self.space.size)} architectures of "
                              f"{self.space.name!r}; lower the budget")
        self.budget, self.seed, self.timeout = int(budget), int(seed), float(timeout or 0)
        self.optimizer_name, self.progress = optimizer, progress
        if int(workers) < 1:
            raise ConfigError(f"workers must be >= 1, got {workers}")
        self.workers, self.executor, self.ray_address = int(workers), executor, ray_address
        if isinstance(self.objective, TabularObjective):
            self.objective.check_data()   # missing or broken data fails before any pretraining
        self.goal = Goal.build(objectives, constraints, self.objective.metric)
        self.objective.require(self.goal.metrics)   # an unknown metric or device fails here, naming the valid ones
        self.reference = table_reference(self.goal, self.objective)
        self.optimizer = create_optimizer(optimizer, self.space, options or {}, component_rng(seed, "optimizer"),
                                          self.budget, seed, progress)
        self.optimizer.bind(self.goal, functools.partial(self.objective.known_metrics, metrics=self.goal.metrics))
        self.directory = None if directory is None else Path(directory)
        if self.directory is not None:
            self.directory.mkdir(parents=True, exist_ok=True)
        history_path = None if self.directory is None else self.directory / "history.jsonl"
        recorded = History.load(history_path).records if history_path is not None else []
        self.history = History(history_path)   # refilled by the replay below
        self._buffer: list = []          # proposals of the optimizer's last round, not yet handed out
        self._pending: dict = {}         # arch id -> (arch, predicted, hand-out number, tells before it)
        self._handed = 0                 # architectures handed out so far
        self._stale = 0
        self._best: Optional[dict] = None
        self._front: list = []           # [(arch, signed term vector, metrics)] of the non-dominated feasible set
        self._hypervolume: Optional[float] = None
        self._rejected = 0               # proposals rejected before evaluation (a known cost broke a constraint)
        self._clock_offset = recorded[-1]["wall"] if recorded else 0.0
        self._start = time.perf_counter()
        self._replay(recorded)

    # ------------------------------------------------------------ accounting
    @property
    def told(self) -> int:
        return len(self.history.records)

    @property
    def pending(self) -> list:
        """Architectures handed out by :meth:`ask` and not yet told."""
        return [arch for arch, *_ in self._pending.values()]

    @property
    def remaining(self) -> int:
        """Evaluations left to hand out: budget minus told minus pending."""
        return self.budget - self.told - len(self._pending)

    @property
    def finished(self) -> bool:
        return self.told >= self.budget

    def _wall(self) -> float:
        return round(self._clock_offset + time.perf_counter() - self._start, 4)

    # -------------------------------------------------------------- ask/tell
    def ask(self, count: int = 1) -> list:
        """Up to ``count`` new architectures (fewer only when the budget runs out).

        Each is pending until told; no architecture is ever handed out twice.
        """
        handed = []
        while len(handed) < count and self.remaining > 0:
            if not self._buffer:
                proposals = self.optimizer.ask(self.remaining)
                fresh = []
                for proposal in proposals:
                    if self.optimizer.is_known(proposal.arch):
                        continue
                    if self.optimizer.admissible(proposal.arch):
                        fresh.append(proposal)
                    else:   # a cost known without evaluation breaks a constraint: no evaluation spent
                        self.optimizer.tell_rejected(proposal.arch)
                        self._rejected += 1
                if not fresh and not proposals and self._pending:
                    break   # the optimizer waits for results still out (a generation in flight)
                self._stale = 0 if fresh else self._stale + 1
                if self._stale >= STALE_ROUNDS:
                    why = ("every proposal broke the constraints; loosen them" if self._rejected else
                           "the space may be exhausted, lower the budget")
                    raise NasearchError(
                        f"optimizer {self.optimizer_name!r} proposed nothing new for {STALE_ROUNDS} rounds after "
                        f"{self.told} evaluations; {why}")
                self._buffer = fresh
                continue
            proposal = self._buffer.pop(0)
            if self.optimizer.is_known(proposal.arch):
                continue
            self._hand_out(proposal.arch, proposal.predicted)
            handed.append(proposal.arch)
        return handed

    def _hand_out(self, arch, predicted, handed: Optional[int] = None) -> None:
        # The hand-out number and the tells completed before it let a resume replay the exact
        # interleaving of asks and tells, even when results arrived out of order.
        self.optimizer.reserve(arch)
        number = self._handed if handed is None else handed
        self._pending[self.space.arch_id(arch)] = (arch, predicted, number, self.told)
        self._handed = max(self._handed, number + 1)

    def tell(self, arch, result) -> dict:
        """Record the result of a pending architecture: a number, a metrics dict (holding the
        objective's metric), an exception or an :class:`~nasearch.objective.Evaluation`.

        Returns the history record. A non-finite or missing value is recorded as a failure.
        """
        key = self.space.arch_id(arch)
        if key not in self._pending:
            raise ConfigError(f"{self.space.to_string(arch)} is not pending; tell only architectures "
                              "that ask() handed out, once each")
        return self._record(key, as_evaluation(result, self.objective.metric))

    def _record(self, key, outcome: Evaluation, wall: Optional[float] = None, persist: bool = True) -> dict:
        arch, predicted, handed, told_before = self._pending.pop(key)
        outcome, vector = self._score(outcome)
        feasible = outcome.ok and self.goal.feasible(outcome.metrics)
        if outcome.ok and feasible:
            self.optimizer.tell(arch, vector if self.goal.multi else outcome.value)
            if self._best is None or outcome.value > self._best["value"]:
                self._best = {"arch": arch, "value": outcome.value,
                              "report": outcome.metrics.get(self.objective.report_metric)}
            if self.goal.multi:
                self._update_front(arch, vector, outcome.metrics)
        elif outcome.ok:
            self.optimizer.tell_infeasible(arch, vector if self.goal.multi else outcome.value)
        else:
            self.optimizer.tell_failure(arch)
        record = {"query": self.told, "arch": self.space.to_string(arch), "status": outcome.status,
                  "value": outcome.value, "test": outcome.metrics.get(self.objective.report_metric),
                  "metrics": _plain(outcome.metrics),
                  "incumbent": None if self._best is None else self._best["value"],
                  "incumbent_test": None if self._best is None else self._best["report"],
                  "predicted": predicted, "handed": handed, "told_before": told_before,
                  "seconds": round(outcome.seconds, 6), "wall": self._wall() if wall is None else wall}
        if outcome.error:
            record["error"] = outcome.error
        if self.goal.constraints:
            record["feasible"] = bool(feasible)
        if self.goal.multi:
            record["front_size"] = len(self._front)
            record["hypervolume_ratio"] = self._hypervolume
        if persist:
            self.history.append(record)
        else:
            self.history.records.append(record)
        return record

    def _score(self, outcome: Evaluation):
        """The outcome with ``value`` = the first goal term (signed, maximised), and the ``(m,)``
        term vector; an evaluation missing a term becomes a failure."""
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
        from .pareto import non_dominated

        if any(np.all(v >= vector) and np.any(v > vector) for _, v, _ in self._front):
            return   # dominated: neither the front nor the hypervolume changes
        front = self._front + [(arch, vector, metrics)]
        keep = non_dominated(np.array([v for _, v, _ in front]))
        self._front = [member for member, kept in zip(front, keep) if kept]
        if self.reference is not None and self.reference.front is not None:
            found = self.reference.scale.hypervolume(np.array([v for _, v, _ in self._front]))
            self._hypervolume = round(found / self.reference.true_hypervolume, 6)

    def _replay(self, recorded: list) -> None:
        """Drive a fresh optimizer through a recorded history without evaluating anything.

        Asks are re-issued in hand-out order, each after the tells that preceded it; an
        architecture handed out but never told (in flight when the run stopped) is handed out
        again first when the search continues.
        """
        from .optimizers import Proposal

        lost = {}   # architecture string -> architecture handed out during the replay, never told
        told = 0

        def diverged(record, got):
            return NasearchError(
                f"resume diverged at evaluation {record['query']}: the history has {record['arch']} but the run "
                f"proposes {got}; the code, config or environment changed since the run started, start a new run")

        def tell_recorded(record):
            key = self.space.arch_id(self.space.from_string(record["arch"]))
            if key not in self._pending:
                raise diverged(record, "it before it was handed out")
            if record.get("status", "ok") == "ok":
                metrics = record.get("metrics") or {self.objective.metric: record["value"],
                                                    self.objective.report_metric: record.get("test")}
                outcome = Evaluation(record["value"], metrics)
            else:
                outcome = Evaluation(None, {}, record["status"], record.get("error", ""))
            self._record(key, outcome, wall=record["wall"], persist=False)

        order = sorted(range(len(recorded)), key=lambda i: recorded[i].get("handed", recorded[i]["query"]))
        for index in order:
            record = recorded[index]
            handed = record.get("handed", record["query"])
            while told < record.get("told_before", record["query"]):
                tell_recorded(recorded[told])
                told += 1
            if record["arch"] in lost:
                self._hand_out(lost.pop(record["arch"]), record.get("predicted"), handed)
                continue
            while self._handed < handed:   # handed out in the original run, lost when it stopped
                extra = self.ask(1)
                if not extra:
                    raise diverged(record, "nothing")
                lost[self.space.to_string(extra[0])] = extra[0]
                self._pending.pop(self.space.arch_id(extra[0]))
            got = self.ask(1)
            if not got or self.space.to_string(got[0]) != record["arch"]:
                raise diverged(record, self.space.to_string(got[0]) if got else "nothing")
        while told < len(recorded):
            tell_recorded(recorded[told])
            told += 1
        leftover = [Proposal(arch, None) for arch in lost.values()]
        leftover += [Proposal(arch, predicted) for arch, predicted, *_ in self._pending.values()]
        for proposal in leftover:
            self.optimizer.known_ids.discard(self.space.arch_id(proposal.arch))
        self._pending.clear()
        self._buffer = leftover + self._buffer

    # ------------------------------------------------------------------ run
    def run(self) -> SearchResult:
        """Evaluate until the budget is spent; write the run directory's outputs; return the result."""
        bar = self._progress_bar()

        def show(record):
            if bar is not None:
                bar.update()
                best = "–" if record["incumbent"] is None else f"{record['incumbent']:.3f}"
                front = ""
                if "front_size" in record:
                    ratio = record.get("hypervolume_ratio")
                    front = f", front {record['front_size']}" + ("" if ratio is None else f" (hv {ratio:.3f})")
                bar.set_postfix_str(f"best {best}{front}, {record['wall']:.0f}s")
        try:
            if self.workers == 1:
                while not self.finished:
                    handed = self.ask(1)
                    if not handed:
                        break
                    show(self.tell(handed[0], evaluate(self.objective, handed[0], self.timeout)))
            else:
                self._run_parallel(show)
        finally:
            if bar is not None:
                bar.close()
        return self.result()

    def _run_parallel(self, show) -> None:
        from .executors import create_workers
        from .threads import configured_threads

        pool = create_workers(self.executor, self.objective, self.workers, self.timeout, self.ray_address,
                              configured_threads())
        try:
            while not self.finished:
                while pool.free and self.remaining > 0:
                    handed = self.ask(1)
                    if not handed:
                        break
                    pool.submit(handed[0])
                if not pool.running:
                    break
                for arch, outcome in pool.wait():
                    show(self.tell(arch, outcome))
        finally:
            pool.close()

    def _progress_bar(self):
        if not self.progress:
            return None
        from tqdm import tqdm

        return tqdm(total=self.budget, initial=self.told, desc=f"{self.optimizer_name} evaluations", unit="eval")

    def result(self) -> SearchResult:
        """The result so far; with a directory, also writes ``summary.json`` and ``incumbent.png``."""
        summary = self.summary()
        if self.directory is not None and self.history.records:
            (self.directory / "summary.json").write_text(json.dumps(summary, indent=2))
            from .plots import incumbent_plot
            incumbent_plot(self.directory / "incumbent.png", self.history.records, summary)
            if self.goal.multi:
                self._write_front()
        best_arch = None if self._best is None else self._best["arch"]
        best_value = None if self._best is None else self._best["value"]
        return SearchResult(best_arch, best_value, list(self.history.records), summary)

    def _write_front(self) -> None:
        """``pareto.csv`` (the found non-dominated set) and ``pareto.png`` (over the true front)."""
        import csv

        from .plots import pareto_plot

        true_front = None if self.reference is None else self.reference.front
        on_true = set()
        if true_front is not None:
            on_true = {tuple(np.round(p, 9)) for p in true_front}
        with open(self.directory / "pareto.csv", "w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["arch", *[t.metric for t in self.goal.terms], "on_true_front"])
            for arch, vector, metrics in sorted(self._front, key=lambda m: -m[1][0]):
                on = "" if true_front is None else tuple(np.round(vector, 9)) in on_true
                writer.writerow([self.space.to_string(arch), *[metrics[t.metric] for t in self.goal.terms], on])
        evaluated = [self.goal.vector(r["metrics"]) for r in self.history.records
                     if r["status"] == "ok" and r.get("feasible", True)]
        pareto_plot(self.directory / "pareto.png", self.goal.terms,
                    np.array([v for v in evaluated if v is not None]),
                    np.array([v for _, v, _ in self._front]), true_front,
                    f"{self.space.name} {getattr(self.objective, 'dataset', '') or ''}: {self.optimizer_name}, "
                    f"{self.told} evaluations")

    def summary(self) -> dict:
        """Best value and architecture, optimum (when known cheaply), failures, timing and optimizer stats.

        With constraints, the best value and the optimum are over feasible architectures; with
        several objectives, ``front`` lists the non-dominated set found and
        ``hypervolume_ratio`` compares it with the true front (when a table covers the space).
        """
        records = self.history.records
        if self.reference is not None:
            optimum = self.reference.optimum
        else:
            optimum = None if self.goal.constraints or self.goal.terms[0].metric != self.objective.metric \
                else self.objective.optimum()
        reached = next((r["query"] + 1 for r in records if optimum is not None and r["status"] == "ok"
                        and r["value"] >= optimum - 1e-9), None)
        stats = {k: v for k, v in self.optimizer.stats.items() if not isinstance(v, list)}
        for key in ("fit_seconds", "propose_seconds"):
            if self.optimizer.stats.get(key):
                series = self.optimizer.stats[key]
                stats[key] = {"mean": float(np.mean(series)), "max": float(np.max(series)), "rounds": len(series)}
        best = self._best
        return {
            "optimizer": self.optimizer_name, "space": self.space.name, "objective": self.objective.describe(),
            "metric": self.objective.metric, "report_metric": self.objective.report_metric, "seed": self.seed,
            "dataset": getattr(self.objective, "dataset", None),
            "queries": len(records), "failed": sum(r["status"] != "ok" for r in records),
            "best_value": None if best is None else best["value"],
            "best_arch": None if best is None else self.space.to_string(best["arch"]),
            "test_of_best": None if best is None else best["report"], "optimum": optimum,
            "regret": None if optimum is None or best is None else optimum - best["value"],
            "queries_to_optimum": reached, "wall_seconds": records[-1]["wall"] if records else 0.0,
            "evaluation_seconds": float(sum(r.get("seconds", 0.0) for r in records)),
            "optimizer_stats": stats,
            **self._goal_summary(),
        }

    def _goal_summary(self) -> dict:
        records = self.history.records
        extra = {}
        if self.goal.constraints or self.goal.multi:
            extra["goal"] = self.goal.describe()
        if self.goal.constraints:
            extra.update({"constraints": [c.label for c in self.goal.constraints],
                          "infeasible_queries": sum(r.get("feasible") is False for r in records),
                          "rejected_before_query": self._rejected})
            if self.reference is not None:
                extra["feasible_fraction"] = float(self.reference.feasible.mean())
        if self.goal.multi:
            extra.update({"objectives": [t.label for t in self.goal.terms], "front_size": len(self._front),
                          "front": [{"arch": self.space.to_string(a), **{t.metric: m[t.metric] for t in self.goal.terms}}
                                    for a, v, m in sorted(self._front, key=lambda member: -member[1][0])],
                          "hypervolume_ratio": self._hypervolume,
                          "true_front_size": None if self.reference is None else len(self.reference.front)})
        return extra


def _plain(metrics: dict) -> dict:
    """Metrics as JSON-safe numbers where possible."""
    plain = {}
    for key, value in metrics.items():
        if isinstance(value, (np.floating, np.integer)):
            value = value.item()
        plain[str(key)] = value if isinstance(value, (int, float, str, bool, type(None))) else repr(value)
    return plain


def build_search(config: SearchConfig, directory=None, data_override: Optional[str] = None,
                 progress: bool = False, ray_address: Optional[str] = None) -> Search:
    """A :class:`Search` for a CLI config; fails fast on any bad name, option or data."""
    from .registry import get_search_space
    from .run_directory import data_path

    space = get_search_space(config.space, data=data_path(data_override, config.data), dataset=config.dataset or None)
    if config.objective == "train":
        from .training import TrainingObjective

        objective = TrainingObjective(space, config.training)
    else:
        objective = TabularObjective(space, config.dataset, config.metric, config.epochs, config.report_metric,
                                     config.allow_test_objective)
    return Search(space, objective, config.optimizer, config.budget, config.seed, directory, config.options,
                  config.timeout, progress, config.workers, config.executor, ray_address,
                  config.objectives, config.constraints)


def run_search(config: SearchConfig, directory, data_override: Optional[str] = None, progress: bool = True) -> dict:
    """Run (or resume, when ``directory`` holds a history) a CLI search; return its summary."""
    return build_search(config, directory, data_override, progress).run().summary
