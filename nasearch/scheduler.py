"""Schedulers: which job a search hands out next, what it costs, and when the budget is spent.

A search's loop (:class:`~nasearch.Search`) asks its optimizer for new architectures
and its scheduler for everything about fidelities, as syne-tune splits a scheduler
from its searcher. The loop knows nothing of rungs: it hands out the scheduler's
promotions first, gives the optimizer the new-architecture slots the scheduler says
fit the budget, and tells the optimizer only the results the scheduler marks as a new
architecture's own.

* :class:`FullFidelity` (no ``schedule``): every job is one full evaluation, and the
  budget counts evaluations.
* :class:`~nasearch.fidelity.SuccessiveHalving` (``schedule: {eta: 3}``): new
  architectures at the lowest rung, the best promoted, and the budget counts the
  objective's fidelity unit (epochs).
"""
from __future__ import annotations

import abc
from typing import Optional

from .runs.budget import check_budget


class Scheduler(abc.ABC):
    """The fidelity side of a search. Fidelities are in the objective's unit; ``None`` is the
    objective's only one. A job's cost is what it spends of the budget."""

    #: what the budget counts ("evaluations", or the objective's fidelity unit)
    unit: str = "evaluations"

    @property
    def full(self) -> Optional[float]:
        """The fidelity of a full evaluation (the only one that can become the incumbent)."""
        return None

    @property
    def multi_fidelity(self) -> bool:
        """Whether jobs differ in fidelity (the history then records each job's fidelity and cost)."""
        return self.full is not None

    @property
    def lowest(self) -> Optional[float]:
        """The fidelity a new architecture is first evaluated at."""
        return None

    @property
    def new_cost(self) -> float:
        """Budget units one new architecture's first job spends."""
        return 1.0

    def check_budget(self, budget, space):
        """``budget`` checked for this unit (an evaluation count is checked against ``space``'s size)."""
        return check_budget(budget, space, self.unit)

    def left(self, units: float):
        """Budget left, in the unit's own type (whole evaluations, or fractional epochs)."""
        return int(units)

    @abc.abstractmethod
    def finished(self, told: int, budget, remaining, pending: bool) -> bool:
        """Whether no job is pending and none fits the ``remaining`` budget."""

    def promotion(self, within) -> Optional["Job"]:   # noqa: F821  (nasearch.fidelity.Job)
        """A job of an architecture already evaluated, costing at most ``within``, to hand out
        before any new one; ``None`` when there is none."""
        return None

    def new_slots(self, units) -> int:
        """How many new architectures fit in ``units`` of budget (what the optimizer is asked for)."""
        return int(units // self.new_cost)

    def handed_out(self, arch, fidelity: Optional[float]) -> tuple:
        """Note a job handed out (``fidelity`` ``None``: a new architecture); ``(fidelity, cost)``."""
        return None, 1.0

    def is_new(self, fidelity: Optional[float]) -> bool:
        """Whether a job at ``fidelity`` is a new architecture's first (the optimizer's own)."""
        return fidelity == self.lowest

    def tell(self, job, value: Optional[float]) -> None:
        """A job's value (``None``: failed or infeasible)."""

    def recorded_cost(self, cost: float) -> Optional[float]:
        """The cost a trial records (``None`` where every job costs one evaluation)."""
        return None

    def describe(self) -> str:
        return "every evaluation at full fidelity"


class FullFidelity(Scheduler):
    """Every job one full evaluation; the budget counts evaluations."""

    def finished(self, told: int, budget, remaining, pending: bool) -> bool:
        return told >= budget
