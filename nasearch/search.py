"""The search facade: ask, tell, and the loop that runs them.

:class:`Search` owns one search: an optimizer proposes, an objective scores, and
a :class:`~nasearch.run_history.RunHistory` records. ``run()`` is the whole loop;
``ask()`` / ``tell()`` are the same loop for users who evaluate architectures
themselves. The objective is called exactly once per architecture handed out,
and never on anything else. Every evaluation is one
:class:`~nasearch.trial.Trial` with a status; a failed one (exception, NaN,
timeout) counts against the budget, is never proposed again, and never reaches
a predictor as a value.

With a ``directory`` that already holds ``history.jsonl``, the search resumes it
(:mod:`nasearch.replay`). The CLI builds a :class:`Search` from a
:class:`~nasearch.experiment.SearchConfig`.
"""
from __future__ import annotations

import functools
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from .budget_changes import BudgetChange, append_change, budget_in_force, open_budget
from .config import to_dict
from .errors import ConfigError, NasearchError, SearchWarning
from .goal import Goal, table_reference
from .objective import Evaluation, Objective, as_evaluation, as_objective, evaluate, failure
from .replay import replay
from .run_history import HISTORY_FILE, RunHistory, read_trials
from .run_summary import RunSummary
from .search_space import describe_size
from .seeding import component_rng
from .trial import Trial

#: Consecutive optimizer rounds without one new architecture before a search gives up.
STALE_ROUNDS = 20


@dataclass(frozen=True)
class SearchResult:
    """What :meth:`Search.run` returns: the best architecture, every trial and the summary."""

    best_arch: object
    best_value: Optional[float]
    history: list        #: the Trials, in record order
    summary: RunSummary


@dataclass(frozen=True)
class _Pending:
    arch: object
    predicted: Optional[float]
    handed: int          #: hand-out number
    told_before: int     #: trials recorded before it was handed out


class Search:
    """One search: ``Search(space, objective, optimizer="emprox_nao", budget=100, seed=0).run()``.

    ``space`` is a :class:`~nasearch.SearchSpace` or a registered name; ``optimizer`` a
    registered name (configured by ``options``) or an :class:`~nasearch.optimizers.Optimizer`
    object, which keeps its own generator and config.
    ``objective`` is a callable ``arch -> float | dict``, an
    :class:`~nasearch.objective.Objective`, or ``None`` for the space's own
    benchmark table on its first dataset. ``options`` are the optimizer's.
    ``directory`` (optional) receives ``history.jsonl``, ``summary.json`` and
    ``incumbent.png``; a directory with a history resumes it. ``timeout`` is
    seconds per evaluation (0 = none).

    ``objectives`` (metric names, ``-`` to minimise, e.g. ``["val", "-latency@edgegpu"]``)
    makes the search multi-objective; ``constraints`` (``{"latency@pixel3": "<= 5"}``)
    restrict it to feasible architectures (see :mod:`nasearch.goal`).

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
        from .optimizers import Optimizer, create_optimizer, registry as optimizers
        from .registry import get_search_space

        self.space = get_search_space(space) if isinstance(space, str) else space
        self.objective: Objective = as_objective(objective, self.space)
        self.budget, self.seed, self.timeout = _budget(budget, self.space), int(seed), float(timeout or 0)
        if int(workers) < 1:
            raise ConfigError(f"workers must be >= 1, got {workers}")
        if self.timeout < 0:
            raise ConfigError(f"timeout must be >= 0 seconds, got {timeout}")
        self.progress = progress
        self.workers, self.executor, self.ray_address = int(workers), executor, ray_address
        self.objective.check_data()   # missing or broken data fails before any pretraining
        self.goal = Goal.build(objectives, constraints, self.objective.metric)
        self.objective.require(self.goal.metrics)   # an unknown metric or device fails here, naming the valid ones
        reference = table_reference(self.goal, self.objective)
        given = optimizer if isinstance(optimizer, Optimizer) else None
        if given is not None:   # an optimizer built by the caller (a plug-in under test, say)
            if options:
                raise ConfigError("options configure an optimizer by name; an optimizer object brings its own "
                                  "config, so pass options=None")
            optimizer, factory, config = given.name or type(given).__name__, type(given), given.config
        else:
            factory = optimizers.factory(optimizer)
            config = factory.configure(options or {})
        initial = factory.initial_evaluations(config)
        if initial > self.budget:   # checked before the optimizer's set-up, which may pretrain
            key = factory.initial_evaluations_key
            raise ConfigError(f"budget {self.budget} is smaller than the {initial} initial evaluations of "
                              f"{optimizer!r} (option {key}); raise the budget or lower {key}")
        if initial and initial == self.budget:
            key = factory.initial_evaluations_key
            warnings.warn(f"budget {self.budget} equals the {initial} initial evaluations of {optimizer!r} "
                          f"(option {key}), so every evaluation is a random one; raise the budget or lower {key}",
                          SearchWarning, stacklevel=2)
        self.optimizer_name = optimizer
        self.optimizer = given if given is not None else create_optimizer(
            optimizer, self.space, config, component_rng(seed, "optimizer"), seed, progress)
        self.optimizer.bind(self.goal, functools.partial(self.objective.known_metrics, metrics=self.goal.metrics))
        self.directory = None if directory is None else Path(directory)
        path = None
        if self.directory is not None:
            self.directory.mkdir(parents=True, exist_ok=True)
            path = self.directory / HISTORY_FILE
        recorded = read_trials(path) if path is not None else []
        requested = self.budget   # replayed under the recorded budget, then changed to this one
        self.budget_changes, self.budget = open_budget(self.directory, requested, new_run=not recorded)
        self.history = RunHistory(self.space, self.objective, self.goal, reference, path)
        self._buffer: list = []          # proposals of the optimizer's last round, not yet handed out
        self._pending: dict = {}         # arch id -> _Pending
        self.handed_count = 0            # architectures handed out so far
        self._stale = 0
        self._rejected = 0               # proposals rejected before evaluation (a known cost broke a constraint)
        self._clock_offset = recorded[-1].wall if recorded else 0.0
        self._start = time.perf_counter()
        replay(self, recorded)
        self.change_budget(requested)

    # ------------------------------------------------------------ accounting
    @property
    def told(self) -> int:
        return len(self.history)

    @property
    def pending(self) -> list:
        """Architectures handed out by :meth:`ask` and not yet told."""
        return [p.arch for p in self._pending.values()]

    @property
    def remaining(self) -> int:
        """Evaluations left to hand out: budget minus told minus pending."""
        return self.budget - self.told - len(self._pending)

    @property
    def finished(self) -> bool:
        return self.told >= self.budget

    def is_pending(self, arch) -> bool:
        return self.space.arch_id(arch) in self._pending

    def change_budget(self, budget: int) -> None:
        """Continue under ``budget`` evaluations (at least those already recorded); with a
        directory the change is recorded there, so a later resume replays it exactly. (A
        ``Search`` on a directory whose recorded budget differs from its ``budget`` calls it.)"""
        budget = _budget(budget, self.space)
        if budget < self.told + len(self._pending):
            raise ConfigError(f"budget {budget} is below the {self.told + len(self._pending)} evaluations this run "
                              "already recorded or handed out; a run cannot shrink below them")
        if budget == self.budget:
            return
        change = BudgetChange(self.handed_count, self.budget, budget)
        if self.directory is not None:
            append_change(self.directory, change)
        self.budget_changes += (change,)
        self.budget = budget

    # -------------------------------------------------------------- ask/tell
    def ask(self, count: int = 1) -> list:
        """Up to ``count`` new architectures (fewer only when the budget runs out, or while the
        optimizer waits for results still out). Each is pending until told; no architecture
        is ever handed out twice."""
        handed = []
        while len(handed) < count and self.remaining > 0:
            if not self._buffer:
                # the budget this ask was made under (an earlier one, when a replayed run was extended)
                budget = budget_in_force(self.budget_changes, self.budget, self.handed_count)
                proposals = self.optimizer.ask(max(1, budget - self.told - len(self._pending)))
                if not proposals and self._pending:
                    break   # the optimizer waits for results still out (a generation in flight)
                self._buffer = self._admitted(proposals)
                continue
            proposal = self._buffer.pop(0)
            if not self.optimizer.is_known(proposal.arch):
                self.hand_out(proposal.arch, proposal.predicted)
                handed.append(proposal.arch)
        return handed

    def _admitted(self, proposals: list) -> list:
        """The proposals worth an evaluation; the others are told to the optimizer as rejected."""
        fresh = []
        for proposal in proposals:
            if self.optimizer.is_known(proposal.arch):
                continue
            if self.optimizer.admissible(proposal.arch):
                fresh.append(proposal)
            else:   # a cost known without evaluation breaks a constraint: no evaluation spent
                self.optimizer.tell_rejected(proposal.arch)
                self._rejected += 1
        self._stale = 0 if fresh else self._stale + 1
        if self._stale >= STALE_ROUNDS:
            why = ("every proposal broke the constraints; loosen them" if self._rejected else
                   "the space may be exhausted, lower the budget")
            raise NasearchError(f"optimizer {self.optimizer_name!r} proposed nothing new for {STALE_ROUNDS} "
                                f"rounds after {self.told} evaluations; {why}")
        return fresh

    def hand_out(self, arch, predicted: Optional[float], number: Optional[int] = None) -> None:
        """Make ``arch`` pending under hand-out ``number`` (default: the next)."""
        self.optimizer.reserve(arch)
        number = self.handed_count if number is None else number
        self._pending[self.space.arch_id(arch)] = _Pending(arch, predicted, number, self.told)
        self.handed_count = max(self.handed_count, number + 1)

    def withdraw(self, arch) -> None:
        """Drop a pending architecture without a result (it stays known to the optimizer)."""
        self._pending.pop(self.space.arch_id(arch))

    def requeue_pending(self, lost: list = ()) -> None:
        """Turn every pending architecture (and ``lost`` ones) back into proposals handed out
        first by the next ask: after a replay, the evaluations in flight when the run stopped."""
        from .optimizers import Proposal

        leftover = [Proposal(arch, None) for arch in lost]
        leftover += [Proposal(p.arch, p.predicted) for p in self._pending.values()]
        for proposal in leftover:
            self.optimizer.known_ids.discard(self.space.arch_id(proposal.arch))
        self._pending.clear()
        self._buffer = leftover + self._buffer

    def tell(self, arch, result) -> Trial:
        """Record the result of a pending architecture: a number, a metrics dict (holding the
        objective's metric), an exception or an :class:`~nasearch.objective.Evaluation`.

        Returns the trial. A non-finite or missing value is recorded as a failure.
        """
        if not self.is_pending(arch):
            raise ConfigError(f"{self.space.to_string(arch)} is not pending; tell only architectures "
                              "that ask() handed out, once each")
        return self.record(arch, as_evaluation(result, self.objective.metric))

    def record(self, arch, outcome: Evaluation, wall: Optional[float] = None, persist: bool = True) -> Trial:
        """Record a pending architecture's outcome in the history and tell the optimizer."""
        pending = self._pending.pop(self.space.arch_id(arch))
        wall = round(self._clock_offset + time.perf_counter() - self._start, 4) if wall is None else wall
        trial = self.history.record(pending.arch, outcome, pending.predicted, pending.handed, pending.told_before,
                                    wall, persist)
        if trial.ok and trial.feasible is not False:
            self.optimizer.tell(pending.arch, self.history.told_value(trial))
        elif trial.ok:
            self.optimizer.tell_infeasible(pending.arch, self.history.told_value(trial))
        else:
            self.optimizer.tell_failure(pending.arch)
        return trial

    # ------------------------------------------------------------------ run
    def run(self) -> SearchResult:
        """Evaluate until the budget is spent; write the run directory's outputs; return the result.

        Evaluations run in this process with one worker, else in the executor's workers;
        either way each result is recorded as it arrives.
        """
        from .executors import WorkerLost, create_executor
        from .threads import configured_threads

        bar = self._progress_bar()
        pool = create_executor(self.executor, functools.partial(evaluate, self.objective, timeout=self.timeout),
                               self.workers, self.ray_address, configured_threads(), what="the objective")
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
                    if isinstance(outcome, WorkerLost):   # only the evaluation it was running fails
                        outcome = failure(outcome.reason)
                    trial = self.tell(arch, outcome)
                    if bar is not None:
                        bar.update()
                        bar.set_postfix_str(_progress_text(trial))
        finally:
            pool.close()
            if bar is not None:
                bar.close()
        return self.result()

    def _progress_bar(self):
        if not self.progress:
            return None
        from tqdm import tqdm

        return tqdm(total=self.budget, initial=self.told, desc=f"{self.optimizer_name} evaluations", unit="eval")

    def summary(self) -> RunSummary:
        return self.history.summary(self.optimizer_name, self.seed, self.optimizer.stats,
                                    to_dict(self.optimizer.config), self._rejected)

    def result(self) -> SearchResult:
        """The result so far; with a directory, also writes the run's output files."""
        summary = self.summary()
        if self.directory is not None and self.history.trials:
            self.history.write_outputs(self.directory, summary)
        best = self.history.incumbent
        return SearchResult(None if best is None else best.arch, None if best is None else best.value,
                            list(self.history.trials), summary)


def _budget(budget, space) -> int:
    """The budget, checked once for every way a search is built."""
    try:
        number = int(budget)
    except (TypeError, ValueError):
        raise ConfigError(f"budget must be a whole number of evaluations, got {budget!r}") from None
    if number < 1 or number != budget:
        raise ConfigError(f"budget must be a whole number >= 1 of evaluations, got {budget!r}")
    if space.size is not None and number > space.size:
        raise ConfigError(f"budget {number} exceeds the {describe_size(space.size)} architectures of "
                          f"{space.name!r}; lower the budget")
    return number


def _progress_text(trial: Trial) -> str:
    best = "–" if trial.incumbent is None else f"{trial.incumbent:.3f}"
    front = ""
    if trial.front_size is not None:
        ratio = trial.hypervolume_ratio
        front = f", front {trial.front_size}" + ("" if ratio is None else f" (hv {ratio:.3f})")
    return f"best {best}{front}, {trial.wall:.0f}s"
