"""NAO-style search in embedding space: the loop that EmProx-NAO and NAO-guided share.

Each round:

1. the guide (:mod:`.guide`) refits on the known set (in a multi-fidelity search, on
   the highest fidelity with enough results) and returns the encoder–decoder to climb;
2. every active proposal source (:mod:`.sources`) makes candidates that are neither
   known nor made by a source before it: the sources that cannot always make more
   first, the filler (tournament mutations) last;
3. the allocation (:mod:`.allocation`) splits the batch among the sources, each
   source's candidates ranked by the guide.

The parts see the search only through a
:class:`~nasearch.optimizers.emprox_nao.context.ProposalContext`; only the loop writes
what the search knows.
"""
from __future__ import annotations

import time
import numpy as np

from ...embedding.pretrained import pretrained_autoencoder, refusal_message
from ...errors import ConfigError
from ...seeding import torch_seeded
from ..base import Optimizer, Proposal
from .allocation import Allocation
from .config import upgrade_flat_options
from .context import ProposalContext
from .guide import Guide
from .sources import build_sources


class GradientSearch(Optimizer):
    """The loop of the module docstring; a subclass supplies its guide (:meth:`_make_guide`)."""

    def __init__(self, space, config=None, rng=None, seed=0, progress=False):
        super().__init__(space, config, rng, seed, progress)
        self.autoencoder, self.round_trip = None, None
        self.stats.update({"rounds": 0, "filled": 0, "fill_rounds": 0, "decoded": 0,
                           "fit_seconds": [], "propose_seconds": []})
        if self._needs_decoder():
            self._pretrain()
        self._by_fidelity: dict = {}   # multi-fidelity only: fidelity -> (archs, values) above the lowest rung
        self.context = ProposalContext(space, self.rng, self.known_ids, self.admissible, self.random_unknown,
                                       self.tournament_winner, self.config.n_seeds, self.config.candidates, self.stats,
                                       climbs=self.config.climbs)
        self.sources = build_sources(self.config.sources, self.context)
        self._active = None   # the sources that take part, known at the first round once the goal is bound
        self.allocation = Allocation(self.config.allocation, self.context)
        self.guide: Guide = self._make_guide(None)
        self.stats["guide"] = self.guide.settings()

    def _needs_decoder(self) -> bool:
        """Whether the search decodes, so its pretrained encoder–decoder must exist (and pass its
        round-trip check) before the first round. Default: yes."""
        return True

    def _pretrain(self) -> None:
        """Pretrain (or load) the encoder–decoder; refuse one that decodes too few architectures."""
        plan = self.config.autoencoder
        self.autoencoder, info = pretrained_autoencoder(self.space, plan.model_config(), plan.pretraining(),
                                                        seed=self.seed, progress=self.progress)
        self.round_trip = info["round_trip"]
        if self.round_trip < plan.min_round_trip:
            raise ConfigError(refusal_message(self.space, self.round_trip, plan.min_round_trip))
        self.stats.update({"round_trip": self.round_trip, "pretraining": info["source"],
                           "pretrain_seconds": info["train_seconds"], "pretrain_steps": info["steps"]})

    @classmethod
    def upgrade_options(cls, options):
        return upgrade_flat_options(options, cls.name)

    @classmethod
    def configure(cls, options=None):
        if isinstance(options, dict):
            options = upgrade_flat_options(options, cls.name, announce=True)
        return super().configure(options)

    def _make_guide(self, goal) -> Guide:
        """The guide for ``goal`` (None before :meth:`bind`: one objective)."""
        raise NotImplementedError

    def _default_samples(self) -> int:
        """The ``sample`` source's count when its option is unset (none here)."""
        return 0

    def bind(self, goal, known_metrics):
        super().bind(goal, known_metrics)
        self.context.several_objectives = bool(goal.multi)
        if goal.multi:
            self.guide = self._make_guide(goal)
            self.stats["guide"] = self.guide.settings()

    def fitness(self):
        return self.guide.fitness()

    def best_known(self, count: int = 1) -> list:
        """The ``count`` best architectures of the set the guide fits (ascent seeds)."""
        return self.guide.best(count)

    # ---------------------------------------------------------------------
    def ask(self, remaining):
        c = self.config
        if len(self.known_archs) < c.n_init:
            return [Proposal(a) for a in self.random_unknown(min(remaining, c.n_init - len(self.known_archs)))]
        want = min(c.batch_size, remaining)
        if self._active is None:
            self.context.default_samples = self._default_samples()
            self._active = [s for s in self.sources if s.active()]
        archs, values = self._fit_set()
        start = time.perf_counter()
        with torch_seeded(self.rng):
            self.guide.fit(archs, values)
        fitted = time.perf_counter()
        candidates, made = {}, []
        # The filler goes last, so it excludes everything the others made and can make up their shortfall.
        for source in sorted(self._active, key=lambda s: s.fills):
            candidates[source.name] = source.propose(self.guide, made)
            made = made + candidates[source.name]
        chosen = self.allocation.select(self.guide, self._active, candidates, want)
        self.stats["rounds"] += 1
        self.stats["fit_seconds"].append(fitted - start)
        self.stats["propose_seconds"].append(time.perf_counter() - fitted)
        return chosen

    def tell(self, arch, value):
        self.allocation.told(self.space.arch_id(arch), lambda: self._enters_top(value))
        super().tell(arch, value)

    def _enters_top(self, value) -> bool:
        """Whether a told ``value`` enters the top ``n_seeds`` (a source's success). It is judged
        among the told values, of its own fidelity, whatever the guide fits."""
        n = self.config.n_seeds
        if self.guide.values is self.known_values:
            return bool(self.guide.improves(value, n))
        return len(self.known_values) < n or value > np.sort(self.known_values)[-n]

    def tell_fidelity(self, arch, fidelity, value):
        archs, values = self._by_fidelity.setdefault(float(fidelity), ([], []))
        archs.append(arch)
        values.append(float(value))

    def _fit_set(self) -> tuple:
        """``(archs, values)`` the guide fits this round: in a multi-fidelity search the highest
        fidelity with at least ``n_init`` results (BOHB's rule: the most faithful signal with
        enough data), else the told values (the lowest rung's). One fidelity, never mixed."""
        for fidelity in sorted(self._by_fidelity, reverse=True):
            archs, values = self._by_fidelity[fidelity]
            if len(archs) >= self.config.n_init:
                self.stats["fit_fidelity"] = fidelity
                return archs, values
        return self.known_archs, self.known_values

    def tell_failure(self, arch):
        self.allocation.told(self.space.arch_id(arch), None)
        super().tell_failure(arch)


__all__ = ["GradientSearch"]
