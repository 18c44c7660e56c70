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

    def __init__(self, space, config=None, rng: Optional[np.random.Generator] = None, budget: int = 0,
                 seed: int = 0, progress: bool = False):
        self.space = space
        self.progress = progress   #: show progress of one-off work (pretraining)
        #: the run's master seed, for components cached per seed (the pretrained autoencoder)
        self.seed = int(seed)
        self.config = config if config is not None and not isinstance(config, dict) else \
            build(self.Config, config or {}, self.name)
        self.rng = rng if rng is not None else np.random.default_rng(0)
        n_init = self.initial_evaluations()
        if budget and n_init > budget:
            raise ConfigError(f"budget {budget} is smaller than n_init {n_init}; raise the budget or lower n_init")
        self.budget = budget
        self.known_archs: list = []
        self.known_values: list = []
        self.known_ids: set = set()
        self.stats: dict = {}

    def initial_evaluations(self) -> int:
        """Random evaluations before the strategy proper starts (the budget must cover them)."""
        return getattr(self.config, "n_init", 0)

    @abc.abstractmethod
    def ask(self, remaining: int) -> list:
        """Up to ``remaining`` :class:`Proposal` s of architectures not yet told."""

    def tell(self, arch, value: float) -> None:
        """Record the objective value (percent) of a proposed architecture."""
        self.known_archs.append(arch)
        self.known_values.append(float(value))
        self.known_ids.add(self.space.arch_id(arch))

    def tell_failure(self, arch) -> None:
        """Record that evaluating ``arch`` failed: it is never proposed again and never
        reaches a predictor as a value."""
        self.known_ids.add(self.space.arch_id(arch))

    def reserve(self, arch) -> None:
        """Mark a handed-out architecture as pending, so no later ask proposes it again."""
        self.known_ids.add(self.space.arch_id(arch))

    def is_known(self, arch) -> bool:
        """Whether ``arch`` was told (with a value or a failure) or is pending."""
        return self.space.arch_id(arch) in self.known_ids

    def random_unknown(self, count: int, exclude=()) -> list:
        """``count`` distinct uniformly sampled architectures not yet known nor in ``exclude``."""
        from ..search_space import sample_distinct

        return sample_distinct(self.space, self.rng, count,
                               self.known_ids | {self.space.arch_id(a) for a in exclude})

    def tournament_winner(self, members: list, sample_size: int):
        """The architecture of the best of ``sample_size`` ``(arch, value)`` members drawn without
        replacement (regularized evolution's parent selection)."""
        picks = self.rng.choice(len(members), min(sample_size, len(members)), replace=False)
        return max((members[i] for i in picks), key=lambda member: member[1])[0]

    def best_known(self, count: int = 1) -> list:
        order = np.argsort(-np.asarray(self.known_values), kind="stable")[:count]
        return [self.known_archs[i] for i in order]
