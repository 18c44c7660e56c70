"""What the peer optimizers (Optuna's TPE, SMAC3) share: one outside sampler driven by ask and tell.

A peer draws a configuration of the space's ConfigSpace view; ``space.from_config``
maps it to an architecture. A configuration whose architecture is already known
(told, failed or pending) is answered from the known value at no evaluation, and the
peer is asked again, so the search's budget counts distinct architectures while
``stats`` count every proposal (``proposals``, ``repeats``). A space's ConfigSpace view may
be wider than the space (NAS-Bench-Graph's admits the all-skip cell, which is not in the
benchmark, and Optuna takes no forbidden clauses): a configuration ``from_config`` rejects
is told to the peer as a failure, at no evaluation, and counted (``inadmissible``). After ``max_repeats``
repeats in one ask, a random new architecture is proposed instead (``random_fills``).
"""
from __future__ import annotations

import abc
from typing import Optional

from ..errors import InvalidArchitectureError
from .base import Optimizer, Proposal


class PeerOptimizer(Optimizer):
    """Subclasses implement :meth:`_draw` and :meth:`_close`; their ``Config`` has ``max_repeats``."""

    def __init__(self, space, config=None, rng=None, seed=0, progress=False):
        super().__init__(space, config, rng, seed, progress)
        self.open_trials: dict = {}   # arch id -> the peer's handle of a proposal awaiting its value
        self.value_of: dict = {}      # arch id -> told value (answers repeats)
        self.stats.update(proposals=0, repeats=0, inadmissible=0)

    @abc.abstractmethod
    def _draw(self) -> tuple:
        """``(handle, configuration dict)``: the peer's next proposal."""

    @abc.abstractmethod
    def _close(self, handle, value: Optional[float]) -> None:
        """Tell the peer the value of the proposal ``handle`` (``None``: it failed, or it repeats one
        that failed or is pending)."""

    def _filled(self, arch):
        """The handle of a random fill, closed when its value is told (default: none, the peer
        never hears of it)."""
        return None

    def ask(self, remaining):
        for _ in range(self.config.max_repeats):
            handle, configuration = self._draw()
            self.stats["proposals"] += 1
            try:
                arch = self.space.from_config(configuration)
            except InvalidArchitectureError:
                self.stats["inadmissible"] += 1
                self._close(handle, None)
                continue
            key = self.space.arch_id(arch)
            if not self.is_known(arch):
                self.open_trials[key] = handle
                return [Proposal(arch)]
            self.stats["repeats"] += 1
            self._close(handle, self.value_of.get(key))
        archs = self.random_unknown(1)   # the peer keeps repeating itself: a random new architecture
        self.stats["random_fills"] = self.stats.get("random_fills", 0) + len(archs)
        for arch in archs:
            self.open_trials[self.space.arch_id(arch)] = self._filled(arch)
        return [Proposal(a) for a in archs]

    def tell(self, arch, value) -> None:
        super().tell(arch, value)
        key = self.space.arch_id(arch)
        self.value_of[key] = float(value)
        handle = self.open_trials.pop(key, None)
        if handle is not None:
            self._close(handle, float(value))

    def tell_failure(self, arch) -> None:
        super().tell_failure(arch)
        handle = self.open_trials.pop(self.space.arch_id(arch), None)
        if handle is not None:
            self._close(handle, None)
