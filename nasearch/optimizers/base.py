"""The abstract search strategy: ask for architectures, tell their values.

The search loop (:mod:`nasearch.search`) owns the budget, the benchmark and
the history; an optimizer only proposes. It must be deterministic given its
generator and the sequence of ``tell`` calls, which is what makes resume a
replay of the history.
"""
from __future__ import annotations

import abc
from dataclasses import dataclass
from typing import Optional

import numpy as np

from ..config import build
from ..errors import ConfigError


@dataclass
class Proposal:
    arch: object
    predicted: Optional[float] = None   #: the optimizer's predicted value (percent), if any


class Optimizer(abc.ABC):
    """Subclasses declare options as a frozen dataclass ``Config`` and implement :meth:`ask`."""

    name: str = ""
    Config: type = None

    def __init__(self, space, config=None, rng: Optional[np.random.Generator] = None, budget: int = 0):
        self.space = space
        self.config = config if config is not None and not isinstance(config, dict) else \
            build(self.Config, config or {}, self.name)
        self.rng = rng if rng is not None else np.random.default_rng(0)
        n_init = getattr(self.config, "n_init", 0)
        if budget and n_init > budget:
            raise ConfigError(f"budget {budget} is smaller than n_init {n_init}; raise the budget or lower n_init")
        self.budget = budget
        self.known_archs: list = []
        self.known_values: list = []
        self.known_ids: set = set()
        self.stats: dict = {}

    @abc.abstractmethod
    def ask(self, remaining: int) -> list:
        """Up to ``remaining`` :class:`Proposal` s of architectures not yet told."""

    def tell(self, arch, value: float) -> None:
        """Record the benchmark value (percent) of a proposed architecture."""
        self.known_archs.append(arch)
        self.known_values.append(float(value))
        self.known_ids.add(self.space.arch_id(arch))

    def is_known(self, arch) -> bool:
        return self.space.arch_id(arch) in self.known_ids

    def random_unknown(self, count: int, exclude=()) -> list:
        """``count`` distinct uniformly sampled architectures not yet known nor in ``exclude``."""
        seen = set(self.known_ids) | {self.space.arch_id(a) for a in exclude}
        found = []
        attempts = 0
        while len(found) < count and attempts < 100 * count + 1000:
            attempts += 1
            arch = self.space.sample(self.rng)
            if self.space.arch_id(arch) not in seen:
                seen.add(self.space.arch_id(arch))
                found.append(arch)
        return found

    def best_known(self, count: int = 1) -> list:
        order = np.argsort(-np.asarray(self.known_values), kind="stable")[:count]
        return [self.known_archs[i] for i in order]
