"""The jobs a search has handed out and not yet been told, and the requeued ones waiting to go out again.

Every job handed out gets the next hand-out number and remembers how many trials
were recorded before it (so a resume can re-issue each ask at the same point);
its cost stays reserved against the budget until it is told. A job whose result
will never come (a lost worker, a run stopped while it ran) is requeued: it leaves
the pending set and waits at the front of the queue, promotions before new
architectures, and every requeue is logged (:mod:`nasearch.runs.requeues`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from .errors import ConfigError
from .fidelity import Job
from .runs.requeues import Requeue, RequeueLog


@dataclass(frozen=True)
class HandOut:
    arch: object
    predicted: Optional[float]
    handed: int          #: hand-out number
    told_before: int     #: trials recorded before it was handed out
    fidelity: Optional[float] = None   #: multi-fidelity only: the job's fidelity
    cost: float = 1.0                  #: budget units the job spends


class HandOuts:
    """The pending jobs of one search over ``space``, and its requeues (logged to ``log``)."""

    def __init__(self, space, log: RequeueLog):
        self.space, self.log = space, log
        self.count = 0                 #: jobs handed out so far
        self._pending: dict = {}       # arch id -> HandOut, in hand-out order
        self._promotions: list = []    # requeued promotions (Jobs), handed out first
        self._new: list = []           # requeued new architectures, handed out before new proposals

    def __contains__(self, arch) -> bool:
        return self.space.arch_id(arch) in self._pending

    def __bool__(self) -> bool:
        return bool(self._pending)

    @property
    def archs(self) -> list:
        """The pending architectures, in hand-out order."""
        return [p.arch for p in self._pending.values()]

    @property
    def cost(self) -> float:
        """Budget units reserved by the pending jobs."""
        return sum(p.cost for p in self._pending.values())

    def fidelity_of(self, arch) -> Optional[float]:
        return self._pending[self.space.arch_id(arch)].fidelity

    def add(self, arch, predicted: Optional[float], told_before: int, fidelity: Optional[float],
            cost: float) -> None:
        """Make ``arch`` pending under the next hand-out number."""
        self._pending[self.space.arch_id(arch)] = HandOut(arch, predicted, self.count, told_before, fidelity, cost)
        self.count += 1

    def take(self, arch) -> HandOut:
        """Remove and return the pending job of ``arch`` (its result has come)."""
        return self._pending.pop(self.space.arch_id(arch))

    def requeue(self, archs, is_new) -> None:
        """Move the pending ``archs`` to the front of the queue (``is_new(fidelity)``: whether a
        job is a new architecture rather than a promotion) and log the requeue."""
        jobs = []
        for arch in archs:
            if arch not in self:
                raise ConfigError(f"{self.space.to_string(arch)} is not pending; requeue only architectures "
                                  "that ask() handed out and that were not told")
            fidelity = self.fidelity_of(arch)
            jobs.append(Job(arch, None if fidelity is None else float(fidelity)))
        if not jobs:
            return
        promotions = [job for job in jobs if not is_new(job.fidelity)]
        new = [job for job in jobs if is_new(job.fidelity)]
        self.log.add(Requeue(self.count, tuple((self.space.to_string(job.arch), job.fidelity)
                                               for job in promotions + new)))
        for job in jobs:
            self.take(job.arch)
        self._promotions = promotions + self._promotions
        self._new = [job.arch for job in new] + self._new

    def next_promotion(self) -> Optional[Job]:
        """The first requeued promotion, removed from the queue (``None``: none)."""
        return self._promotions.pop(0) if self._promotions else None

    def next_new(self):
        """The first requeued new architecture, removed from the queue (``None``: none)."""
        return self._new.pop(0) if self._new else None
