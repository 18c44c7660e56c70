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


def _nothing_known(arch) -> dict:
    return {}


class Optimizer(abc.ABC):
    """Subclasses declare options as a frozen dataclass ``Config`` and implement :meth:`ask`."""

    name: str = ""
    Config: type = None
    #: whether ``tell`` accepts a vector of objective values (multi-objective search)
    multi_objective: bool = False
    #: the option holding :meth:`initial_evaluations` (named when the budget cannot cover them)
    initial_evaluations_key: str = "n_init"
    #: options a run directory recorded before runs kept their optimizer's options
    #: (:mod:`nasearch.runs.options`) was searched with, where they differ from today's defaults;
    #: a resume of such a run applies them under the options it is given (read only)
    defaults_of_unrecorded_runs: dict = {}

    @classmethod
    def upgrade_options(cls, options: dict) -> dict:
        """``options`` as an earlier version spelled them (a recorded run directory, an old config),
        rewritten in today's spelling with the same meaning. Default: unchanged."""
        return dict(options or {})

    @classmethod
    def upgrade_recorded_options(cls, options: dict) -> dict:
        """A run directory's recorded ``options`` with the meaning they had when the run started: an
        option added since then takes the value of that time where today's default differs (a resume
        must propose what the run proposed). Default: :meth:`upgrade_options`."""
        return cls.upgrade_options(options)

    def __init__(self, space, config=None, rng: Optional[np.random.Generator] = None, seed: int = 0,
                 progress: bool = False):
        self.space = space
        self.progress = progress   #: show progress of one-off work (pretraining)
        #: the run's master seed, for components cached per seed (the pretrained autoencoder)
        self.seed = int(seed)
        self.config = self.configure(config)
        self.rng = rng if rng is not None else np.random.default_rng(0)
        self.known_archs: list = []
        self.known_values: list = []
        self.known_ids: set = set()
        self.stats: dict = {}
        self.goal = None                       # set by bind(): objective terms and constraints
        self._known_metrics = _nothing_known   # set by bind(): metrics known without evaluation

    @classmethod
    def configure(cls, options=None):
        """The optimizer's ``Config`` from an options dict (unknown keys are one-line errors)."""
        if options is not None and not isinstance(options, dict):
            return options
        return build(cls.Config, options or {}, cls.name)

    def bind(self, goal, known_metrics) -> None:
        """Attach the search's :class:`~nasearch.goal.Goal` and ``known_metrics(arch) -> dict``, the
        free lookups (hardware costs) of the metrics it reads. Called once, before any ask."""
        if goal.multi and not self.multi_objective:
            from . import registry
            choices = [n for n in registry.names() if getattr(registry.factory(n), "multi_objective", False)]
            raise ConfigError(f"optimizer {self.name!r} optimises one objective; with objectives "
                              f"{[t.label for t in goal.terms]} use one of: {', '.join(choices)}")
        self.goal, self._known_metrics = goal, known_metrics

    def known_metrics(self, arch) -> dict:
        """Metrics of ``arch`` known without evaluating it (``{}`` when nothing is free)."""
        return self._known_metrics(arch)

    def admissible(self, arch) -> bool:
        """False when a metric known without evaluation breaks a constraint (or a needed term
        value is missing): such an architecture is never worth an evaluation."""
        return self.goal is None or self.goal.admissible(self._known_metrics(arch))

    @classmethod
    def initial_evaluations(cls, config) -> int:
        """Random evaluations before the strategy proper starts, for a ``Config`` (the budget
        must cover them; the search checks it before any slow set-up such as pretraining).
        Default: the option :attr:`initial_evaluations_key`, or none when the config lacks it."""
        return int(getattr(config, cls.initial_evaluations_key, 0))

    @abc.abstractmethod
    def ask(self, remaining: int) -> list:
        """Up to ``remaining`` :class:`Proposal` s of architectures not yet told."""

    def tell(self, arch, value) -> None:
        """Record the objective value (percent) of a proposed architecture; for a
        :attr:`multi_objective` optimizer in a multi-objective search, an ``(m,)`` array of
        signed term values (all maximised)."""
        self.known_archs.append(arch)
        self.known_values.append(float(value) if np.ndim(value) == 0 else np.asarray(value, dtype=float))
        self.known_ids.add(self.space.arch_id(arch))

    def tell_fidelity(self, arch, fidelity: float, value) -> None:
        """In a multi-fidelity search (:mod:`nasearch.fidelity`): the value of an architecture already
        told at the lowest rung, now evaluated at a higher ``fidelity``. Each fidelity is its own
        signal, never mixed with another's values. Default: ignored (the optimizer learns from the
        lowest rung, which every architecture has)."""

    def tell_infeasible(self, arch, value) -> None:
        """Record an evaluated architecture that broke a constraint (found out only by evaluating
        it). Default: like a failure, so neither the incumbent set nor a predictor sees it."""
        self.tell_failure(arch)

    def tell_rejected(self, arch) -> None:
        """Record a proposal the search rejected before evaluation (it is not admissible)."""
        self.tell_failure(arch)

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
        from ..sampling import sample_distinct

        return sample_distinct(self.space, self.rng, count,
                               self.known_ids | {self.space.arch_id(a) for a in exclude},
                               None if self.goal is None or not self.goal.constraints else self.admissible)

    def tournament_winner(self, members: list, sample_size: int):
        """The architecture of the best of ``sample_size`` ``(arch, value)`` members drawn without
        replacement (regularized evolution's parent selection)."""
        picks = self.rng.choice(len(members), min(sample_size, len(members)), replace=False)
        return max((members[i] for i in picks), key=lambda member: member[1])[0]

    def fitness(self) -> list:
        """One score per known architecture, larger is better: the told values (a
        multi-objective optimizer scores its vectors its own way)."""
        return self.known_values

    def best_known(self, count: int = 1) -> list:
        order = np.argsort(-np.asarray(self.fitness(), dtype=float), kind="stable")[:count]
        return [self.known_archs[i] for i in order]
