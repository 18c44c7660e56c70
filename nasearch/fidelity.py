"""Multi-fidelity search: asynchronous successive halving (ASHA) over an objective's fidelities.

A fidelity is how much of an evaluation is bought: epochs of training, or a
benchmark's shorter schedule (NAS-Bench-201's 12 epochs beside its 200). An
:class:`~nasearch.objective.Objective` lists the fidelities it accepts
(:meth:`~nasearch.objective.Objective.fidelities`) and evaluates at one with
:meth:`~nasearch.objective.Objective.evaluate_at`.

:class:`SuccessiveHalving` is the schedule of ASHA (Li et al., 2020): rungs at
the highest fidelity and every ``eta``-th part of it down to ``min_fidelity``.
Each new architecture is evaluated at the lowest rung; whenever a rung holds an
architecture in its best ``1/eta`` that has not been promoted, the next job is
that architecture one rung up, else a new architecture from the optimizer. So a
bad network is stopped after a few epochs, and only the best get the full
schedule. It works with every optimizer: the optimizer proposes new
architectures and is told their **lowest-rung** values only, the one fidelity
every architecture has, so its model never mixes a 12-epoch accuracy with a
200-epoch one as if they were equal. Only full-fidelity results can become the
incumbent. Every decision depends only on the results told and their order, so
a run resumes exactly.

The budget counts fidelity units (epochs): a job at rung ``r`` costs its
fidelity, or, when the objective continues a lower rung's training
(:attr:`~nasearch.objective.Objective.continues_lower_fidelity`), the difference.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from .config import build
from .errors import ConfigError
from .scheduler import FullFidelity, Scheduler


@dataclass(frozen=True)
class ScheduleConfig:
    """Successive-halving options. Fidelities are in the objective's unit (epochs)."""

    eta: int = 3                           #: keep the best 1/eta of a rung; rungs are eta apart
    min_fidelity: Optional[float] = None   #: the lowest rung; None = the objective's lowest fidelity
    max_fidelity: Optional[float] = None   #: the full fidelity; None = the objective's highest

    def __post_init__(self):
        if self.eta < 2:
            raise ConfigError(f"schedule eta must be >= 2 (keep the best 1/eta of each rung), got {self.eta}")


@dataclass(frozen=True)
class Job:
    """One evaluation a search hands out: ``arch`` at ``fidelity`` (``None``: the objective's only one)."""

    arch: object
    fidelity: Optional[float] = None


def rungs_for(levels: list, config: ScheduleConfig) -> tuple:
    """The ascending rungs: the full fidelity, then repeatedly the largest level at most
    ``1/eta`` of the rung above, down to ``min_fidelity``. ``levels`` are the objective's fidelities."""
    levels = sorted(float(level) for level in levels)
    top = levels[-1] if config.max_fidelity is None else float(config.max_fidelity)
    bottom = levels[0] if config.min_fidelity is None else float(config.min_fidelity)
    for name, value in (("max_fidelity", top), ("min_fidelity", bottom)):
        if value not in levels:
            shown = ", ".join(f"{level:g}" for level in levels[:8]) + (", ..." if len(levels) > 8 else "")
            raise ConfigError(f"schedule {name} {value:g} is not a fidelity of the objective; choose one of {shown}")
    if bottom >= top:
        raise ConfigError(f"schedule min_fidelity {bottom:g} must be below max_fidelity {top:g}")
    rungs = [top]
    while True:
        below = [level for level in levels if bottom <= level <= rungs[-1] / config.eta]
        if not below:
            break
        rungs.append(below[-1])
    if len(rungs) < 2:
        raise ConfigError(f"with eta {config.eta} no fidelity from {bottom:g} lies at most 1/{config.eta} of "
                          f"{top:g}, so nothing would be stopped early; lower eta or min_fidelity")
    return tuple(reversed(rungs))


def build_scheduler(options, objective, arch_id) -> Scheduler:
    """The scheduler of a search's ``schedule`` options: :class:`FullFidelity` when there are none."""
    return SuccessiveHalving.build(options, objective, arch_id) if options else FullFidelity()


class SuccessiveHalving(Scheduler):
    """ASHA's promotion rule over ``rungs`` (ascending fidelities), in the objective's ``unit``.

    ``continues`` says whether a promotion continues the lower rung's evaluation, so it
    costs only the difference of fidelities.
    """

    def __init__(self, rungs: tuple, eta: int, continues: bool, arch_id, unit: str = "epochs"):
        self.rungs, self.eta, self.continues, self.arch_id = tuple(rungs), int(eta), bool(continues), arch_id
        self.unit = unit
        self._results = [[] for _ in rungs]     # per rung: (value, tell order, arch) of ok results
        self._promoted = [set() for _ in rungs]  # per rung: ids promoted out of it
        self._told = 0

    @classmethod
    def build(cls, options, objective, arch_id) -> "SuccessiveHalving":
        """The schedule of ``options`` (a dict or :class:`ScheduleConfig`) for ``objective``."""
        config = options if isinstance(options, ScheduleConfig) else build(ScheduleConfig, options, "schedule")
        levels = objective.fidelities()
        if not levels:
            raise ConfigError(f"objective {objective.describe()!r} has a single fidelity, so a schedule has nothing "
                              "to stop early; drop schedule, or use an objective with fidelities (epochs; a table "
                              "offers them when the search reads its longest training, so leave epochs unset)")
        return cls(rungs_for(levels, config), config.eta, objective.continues_lower_fidelity, arch_id,
                   objective.fidelity_unit)

    @property
    def lowest(self) -> float:
        return self.rungs[0]

    @property
    def full(self) -> float:
        return self.rungs[-1]

    @property
    def new_cost(self) -> float:
        return self.cost(self.lowest)

    def check_budget(self, budget, space):
        return super().check_budget(budget, None)   # epochs, not architectures: the space's size is no bound

    def left(self, units: float):
        return units

    def finished(self, told: int, budget, remaining, pending: bool) -> bool:
        return not pending and remaining < min(map(self.cost, self.rungs))

    def recorded_cost(self, cost: float) -> Optional[float]:
        return cost

    def rung(self, fidelity: float) -> int:
        return self.rungs.index(float(fidelity))

    def cost(self, fidelity: float) -> float:
        """Budget units a job at ``fidelity`` spends."""
        rung = self.rung(fidelity)
        return fidelity - self.rungs[rung - 1] if self.continues and rung else float(fidelity)

    def promotion(self, within: float = float("inf")) -> Optional[Job]:
        """The next promotion costing at most ``within`` (highest rung first), or ``None``: an
        architecture in the best ``floor(n / eta)`` of a rung's ``n`` results, not yet promoted;
        ties go to the earlier told."""
        for rung in range(len(self.rungs) - 2, -1, -1):
            if self.cost(self.rungs[rung + 1]) > within:
                continue
            ranked = sorted(self._results[rung], key=lambda entry: (-entry[0], entry[1]))
            for value, _, arch in ranked[:len(ranked) // self.eta]:
                if self.arch_id(arch) not in self._promoted[rung]:
                    return Job(arch, self.rungs[rung + 1])
        return None

    def handed_out(self, arch, fidelity: Optional[float]) -> tuple:
        """Note that ``arch`` was handed out at ``fidelity`` (``None``: the lowest rung, a new
        architecture), so a promotion is never made twice; returns ``(fidelity, cost)``."""
        fidelity = self.lowest if fidelity is None else float(fidelity)
        rung = self.rung(fidelity)
        if rung:
            self._promoted[rung - 1].add(self.arch_id(arch))
        return fidelity, self.cost(fidelity)

    def tell(self, job: Job, value: Optional[float]) -> None:
        """Record a job's value (``None``: failed, never promoted)."""
        if value is not None:
            self._results[self.rung(job.fidelity)].append((float(value), self._told, job.arch))
        self._told += 1

    def describe(self) -> str:
        return f"successive halving, eta {self.eta}, rungs " + ", ".join(f"{r:g}" for r in self.rungs)


def evaluate_job(objective, job: Job, timeout: Optional[float] = None):
    """:func:`~nasearch.objective.evaluate` of one job, at its fidelity when it has one."""
    from .objective import evaluate

    return evaluate(objective, job.arch, timeout, job.fidelity)
