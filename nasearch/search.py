"""The search facade: ask, tell, and the loop that runs them.

:class:`Search` owns one search: an optimizer proposes, an objective scores, and
a :class:`~nasearch.runs.history.RunHistory` records. ``run()`` is the whole loop;
``ask()`` / ``tell()`` are the same loop for users who evaluate architectures
themselves. The objective is called exactly once per architecture handed out,
and never on anything else. Every evaluation is one
:class:`~nasearch.runs.trial.Trial` with a status; a failed one (exception, NaN,
timeout) counts against the budget, is never proposed again, and never reaches
a predictor as a value.

With a ``directory`` that already holds ``history.jsonl``, the search resumes it
(:mod:`nasearch.replay`). The CLI builds a :class:`Search` from a
:class:`~nasearch.experiment.SearchConfig`.
"""
from __future__ import annotations

import functools
import time
from pathlib import Path
from typing import Optional

from .runs.directory import CHECKPOINTS, RunDirectory
from .runs.budget import BudgetChange, append_change, budget_in_force, open_budget
from .config import to_dict
from .errors import ConfigError, NasearchError
from .fidelity import Job, build_scheduler, evaluate_job
from .hand_outs import HandOuts
from .goal import Goal, table_reference
from .objective import Evaluation, Objective, as_evaluation, as_objective, failure
from .progress import progress_bar, progress_text
from .replay import replay
from .runs.history import RunHistory, history_file, read_trials
from .runs.journal import open_journal
from .runs.options import record_options, resumed_options
from .runs.requeues import RequeueLog
from .runs.summary import RunSummary, SearchResult  # noqa: F401  (SearchResult: nasearch.search's API)
from .runs.trial import Trial

#: Consecutive optimizer rounds without one new architecture before a search gives up.
STALE_ROUNDS = 20


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
    result as it arrives (``gpus_per_trial``: Ray's GPUs per evaluation; local workers take one each).
    ``dashboard`` also writes the trials to an Optuna journal in the run directory
    (:mod:`nasearch.runs.journal`). One worker with a seed is reproducible; with more, which
    architecture is proposed next depends on which evaluation finishes first, so
    runs differ, but each run's history still resumes exactly.

    ``schedule`` (``{"eta": 3, "min_fidelity": 12}``, see :mod:`nasearch.fidelity`; the loop reads it
    only through its :class:`~nasearch.scheduler.Scheduler`) makes
    the search multi-fidelity: jobs at the objective's fidelities under successive halving,
    and ``budget`` counts the objective's fidelity unit (epochs) instead of evaluations.
    """

    def __init__(self, space, objective=None, optimizer: str = "emprox_nao", budget: int = 100, seed: int = 0,
                 directory=None, options: Optional[dict] = None, timeout: float = 0.0, progress: bool = False,
                 workers: int = 1, executor: str = "local", ray_address: Optional[str] = None,
                 objectives: Optional[list] = None, constraints: Optional[dict] = None, schedule=None,
                 gpus_per_trial: float = 0.0, dashboard: bool = False):
        from .executors import check_workers
        from .optimizers import prepare_optimizer
        from .registry import get_search_space

        self.space = get_search_space(space) if isinstance(space, str) else space
        self.objective: Objective = as_objective(objective, self.space)
        self.scheduler = build_scheduler(schedule, self.objective, self.space.arch_id)
        self.unit = self.scheduler.unit
        self.budget = self.scheduler.check_budget(budget, self.space)
        self.seed, self.timeout = int(seed), float(timeout or 0)
        check_workers(workers, timeout, gpus_per_trial, executor)
        self.progress, self.gpus_per_trial = progress, float(gpus_per_trial)
        self.workers, self.executor, self.ray_address = int(workers), executor, ray_address
        self.objective.check_data()   # missing or broken data fails before any pretraining
        self.goal = Goal.build(objectives, constraints, self.objective.metric)
        if self.scheduler.multi_fidelity and self.goal.multi:
            raise ConfigError("a schedule (multi-fidelity) searches one objective; drop schedule or objectives")
        self.objective.require(self.goal.metrics)   # an unknown metric or device fails here, naming the valid ones
        reference = table_reference(self.goal, self.objective)
        self.directory = None if directory is None else Path(directory)
        if self.directory is not None:   # unfinished trainings outlive a kill and reach every worker
            self.objective.use_checkpoints(RunDirectory(self.directory).file(CHECKPOINTS))
        path = history_file(self.directory)
        recorded = read_trials(path) if path is not None else []
        options = resumed_options(self.directory, optimizer, options, bool(recorded))   # the run's own options
        self.optimizer_name, self.optimizer = prepare_optimizer(optimizer, options, self.space, seed, progress,
                                                                self.budget, self.scheduler.new_cost, self.unit)
        record_options(self.directory, self.optimizer.config, new_run=not recorded)
        self.optimizer.bind(self.goal, functools.partial(self.objective.known_metrics, metrics=self.goal.metrics))
        requested = self.budget   # replayed under the recorded budget, then changed to this one
        self.budget_changes, self.budget = open_budget(self.directory, requested, new_run=not recorded)
        self.history = RunHistory(self.space, self.objective, self.goal, reference, path, recorded)
        if self.scheduler.multi_fidelity:
            self.history.fidelity_unit, self.history.full_fidelity = self.unit, self.scheduler.full
        self.requeues = RequeueLog(self.directory)
        self._jobs = HandOuts(self.space, self.requeues)   # pending and requeued jobs
        self._buffer: list = []          # proposals of the optimizer's last round, not yet handed out
        self._stale = 0
        self._rejected = 0               # proposals rejected before evaluation (a known cost broke a constraint)
        self._clock_offset = recorded[-1].wall if recorded else 0.0
        self._start = time.perf_counter()
        replay(self, recorded, self.requeues)
        if dashboard:
            self.history.journal = open_journal(self.directory, self.space, self.goal, self.history.trials)
        self.change_budget(requested)

    # ------------------------------------------------------------ accounting
    @property
    def told(self) -> int:
        return len(self.history)

    @property
    def pending(self) -> list:
        """Architectures handed out by :meth:`ask` and not yet told, in hand-out order."""
        return self._jobs.archs

    @property
    def handed_count(self) -> int:
        """Jobs handed out so far (requeued ones count each time)."""
        return self._jobs.count

    @property
    def remaining(self):
        """Budget left to hand out: budget minus spent minus pending (evaluations, or in a
        multi-fidelity search the fidelity unit)."""
        left = self.budget - self.history.spent - self._jobs.cost
        return self.scheduler.left(left)

    @property
    def finished(self) -> bool:
        """No evaluation is pending and no further one fits the budget."""
        return self.scheduler.finished(self.told, self.budget, self.remaining, bool(self._jobs))

    def is_pending(self, arch) -> bool:
        return arch in self._jobs

    def fidelity_of(self, arch) -> Optional[float]:
        """The fidelity a pending architecture is to be evaluated at (``None``: single fidelity)."""
        return self._jobs.fidelity_of(arch)

    def change_budget(self, budget: int) -> None:
        """Continue under ``budget`` evaluations (at least those already recorded); with a
        directory the change is recorded there, so a later resume replays it exactly. (A
        ``Search`` on a directory whose recorded budget differs from its ``budget`` calls it.)"""
        budget = self.scheduler.check_budget(budget, self.space)
        used = self.budget - self.remaining
        if budget < used:
            raise ConfigError(f"budget {budget} is below the {used:g} {self.unit} this run already recorded or "
                              "handed out; a run cannot shrink below them")
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
            # first a requeued promotion, then one the schedule makes
            job = self._jobs.next_promotion() or self.scheduler.promotion(within=self.remaining)
            if job is not None:
                self._hand_out(job.arch, None, fidelity=job.fidelity)
                handed.append(job.arch)
                continue
            if self.scheduler.new_cost > self.remaining:
                break   # no new architecture fits the budget left
            arch = self._jobs.next_new()   # a new architecture whose evaluation was lost
            if arch is not None:
                self._hand_out(arch, None)
                handed.append(arch)
                continue
            if not self._buffer:
                # the budget this ask was made under (an earlier one, when a replayed run was extended)
                budget = budget_in_force(self.budget_changes, self.budget, self.handed_count)
                left = self.scheduler.new_slots(budget - (self.budget - self.remaining))
                proposals = self.optimizer.ask(max(1, left))
                if not proposals and self._jobs:
                    break   # the optimizer waits for results still out (a generation in flight)
                self._buffer = self._admitted(proposals)
                continue
            proposal = self._buffer.pop(0)
            if not self.optimizer.is_known(proposal.arch):
                self._hand_out(proposal.arch, proposal.predicted)
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
            size = self.space.size
            why = ("every proposal broke the constraints; loosen them" if self._rejected else
                   "the space may be exhausted, lower the budget" if size is not None and self.told >= size / 2 else
                   "every proposal was an architecture it already knew; lower the budget, or give it another "
                   "proposal source")
            raise NasearchError(f"optimizer {self.optimizer_name!r} proposed nothing new for {STALE_ROUNDS} "
                                f"rounds after {self.told} evaluations; {why}")
        return fresh

    def _hand_out(self, arch, predicted: Optional[float], fidelity: Optional[float] = None) -> None:
        """Make ``arch`` pending under the next hand-out number, at ``fidelity`` (multi-fidelity
        only; default: the lowest rung, a new architecture)."""
        fidelity, cost = self.scheduler.handed_out(arch, fidelity)
        if self.scheduler.is_new(fidelity):
            self.optimizer.reserve(arch)
        self._jobs.add(arch, predicted, self.told, fidelity, cost)

    def requeue(self, archs) -> None:
        """Hand pending ``archs`` out again: their evaluations will never report (a worker was lost,
        or the run stopped while they ran). The next asks hand them out first, under new hand-out
        numbers: promotions, then new architectures, each in the order given. With a directory,
        the requeue is recorded (:mod:`nasearch.runs.requeues`), so a resume makes it again at the
        same point. A resumed search requeues the evaluations that were in flight when it stopped."""
        self._jobs.requeue(archs, self.scheduler.is_new)

    def tell(self, arch, result) -> Trial:
        """Record and return the trial of a pending architecture's result: a number, a metrics dict
        (holding the objective's metric), an exception or an :class:`~nasearch.objective.Evaluation`;
        a non-finite or missing value is recorded as a failure."""
        if not self.is_pending(arch):
            raise ConfigError(f"{self.space.to_string(arch)} is not pending; tell only architectures "
                              "that ask() handed out, once each")
        return self._record(arch, as_evaluation(result, self.objective.metric))

    def _record(self, arch, outcome: Evaluation) -> Trial:
        """Record a pending architecture's outcome in the history and tell the optimizer."""
        pending = self._jobs.take(arch)
        wall = round(self._clock_offset + time.perf_counter() - self._start, 4)
        scheduler = self.scheduler
        trial = self.history.record(pending.arch, outcome, pending.predicted, pending.handed, pending.told_before,
                                    wall, pending.fidelity, scheduler.recorded_cost(pending.cost),
                                    full=pending.fidelity == scheduler.full)
        scheduler.tell(Job(pending.arch, pending.fidelity), trial.value if trial.ok and trial.feasible is not False
                       else None)
        if not scheduler.is_new(pending.fidelity):   # the optimizer was told this architecture's first job
            if trial.ok and trial.feasible is not False:
                self.optimizer.tell_fidelity(pending.arch, pending.fidelity, trial.value)
            return trial
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

        bar = None if not self.progress else progress_bar(self.budget, self.budget - self.remaining,
                                                          f"{self.optimizer_name} {self.unit}", self.unit)
        pool = create_executor(self.executor, functools.partial(evaluate_job, self.objective, timeout=self.timeout),
                               self.workers, self.ray_address, configured_threads(), what="the objective",
                               gpus_per_trial=self.gpus_per_trial)
        try:
            while not self.finished:
                while pool.free and self.remaining > 0:
                    handed = self.ask(1)
                    if not handed:
                        break
                    pool.submit(Job(handed[0], self.fidelity_of(handed[0])))
                if not pool.running:
                    break
                for job, outcome in pool.wait():
                    if isinstance(outcome, WorkerLost):   # only the evaluation it was running fails
                        outcome = failure(outcome.reason)
                    trial = self.tell(job.arch, outcome)
                    if bar is not None:
                        bar.update(1 if trial.cost is None else trial.cost)
                        bar.set_postfix_str(progress_text(trial))
        finally:
            pool.close()
            if bar is not None:
                bar.close()
        return self.result()

    def summary(self) -> RunSummary:
        return self.history.summary(self.optimizer_name, self.seed, self.optimizer.stats,
                                    to_dict(self.optimizer.config), self._rejected)

    def result(self) -> SearchResult:
        """The result so far; with a directory, also writes the run's output files."""
        summary = self.summary()
        if self.directory is not None and self.history.trials:
            self.history.write_outputs(self.directory, summary, self.budget_changes)
        best = self.history.incumbent
        return SearchResult(None if best is None else best.arch, None if best is None else best.value,
                            list(self.history.trials), summary)
