"""EmProx-NAO: the search guided by EmProx, assembled from its parts.

A surrogate (:mod:`.surrogate`, default ``label_aware``) ranks every candidate; proposal
sources (:mod:`.sources`) make the candidates; the allocation (:mod:`.allocation`) splits
each batch among the sources by their record. With several objectives the guide is a
:class:`~nasearch.optimizers.emprox_nao.pareto_guide.ParetoGuide` (Chebyshev scalarisation,
hypervolume-improvement selection); with one, a
:class:`~nasearch.optimizers.emprox_nao.guide.SurrogateGuide`.

By default the sources are tournament mutations and screened uniform samples. NAO's decoded
ascent (``sources: {ascent: {}}``: climb the surrogate's soft kNN in the pretrained
autoencoder's embedding, decode the moved points) is off: in the climb's ablation on
NAS-Bench-301, NAS-Bench-201 and NAS-Bench-Graph it won no cell against the same search
without it, and without it no autoencoder is pretrained. Ascent alone stalls once the known
set holds the neighbourhood of the best architectures: the soft kNN is a convex
combination of known values, so it points towards them and decodes keep landing on known
cells; with the ascent on, the mutation source keeps local search alive there.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Optional

from ...errors import ConfigError
from .config import GradientSearchConfig
from .guide import SurrogateGuide, resolved_optimism
from .loop import GradientSearch
from .pareto_guide import DEFAULT_OPTIMISM, ParetoConfig, ParetoGuide
from .sources import EMPROX_NAO_SOURCES
from .surrogate import resolve_surrogate
from .term_surrogates import TermSurrogates


@dataclass(frozen=True)
class EmProxNAOConfig(GradientSearchConfig):
    """EmProx-NAO's options: the loop's (:class:`GradientSearchConfig`) plus these sections."""

    #: ranking score: the surrogate's mean + optimism · its spread; unset = 0 for one objective, 1 for several
    optimism: Optional[float] = None
    #: ``{name: label_aware | emprox | <any predictor>, ...its options}``, or just the name (:mod:`.surrogate`)
    surrogate: dict = field(default_factory=dict)
    pareto: ParetoConfig = field(default_factory=ParetoConfig)   #: the multi-objective guide's options
    default_sources: ClassVar[dict] = EMPROX_NAO_SOURCES   # the decoded ascent off (see that constant)

    def __post_init__(self):
        super().__post_init__()
        object.__setattr__(self, "surrogate", resolve_surrogate(self.surrogate))


class EmProxNAO(GradientSearch):
    """Mutations and screened samples ranked by the EmProx surrogate, and optionally its decoded
    gradient ascent (module docstring)."""

    name = "emprox_nao"
    Config = EmProxNAOConfig
    multi_objective = True
    #: a run directory that predates ``optimizer_options.yaml`` was searched with the faithful
    #: surrogate, the decoded ascent on and mutation parents from every told one (tournaments of 10)
    defaults_of_unrecorded_runs = {"surrogate": {"name": "emprox"},
                                   "sources": {"ascent": {}, "mutation": {"population": 0}}}

    @classmethod
    def upgrade_recorded_options(cls, options):
        """A label-aware surrogate recorded without ``local`` predates them: its ranker ranked alone. One
        recorded with ``local`` but no ``local_admission`` predates that option: the local ones always ranked."""
        options = super().upgrade_recorded_options(options)
        surrogate = options.get("surrogate")
        if isinstance(surrogate, dict) and surrogate.get("name") == "label_aware":
            options["surrogate"] = {"local": {}, "local_admission": "always", **surrogate}
        return options

    def __init__(self, space, config=None, rng=None, seed=0, progress=False):
        self.surrogates = None
        super().__init__(space, config, rng, seed, progress)
        if self.config.climbs and not self.surrogates.cls.differentiable:
            raise ConfigError(f"surrogate {self.config.surrogate['name']!r} ranks but has no differentiable "
                              "score for the decoded ascent to climb; drop sources.ascent (it is off by default), "
                              "or use surrogate emprox or label_aware")

    def _needs_decoder(self):
        return self.config.climbs   # without the climb nothing decodes: no pretraining up front

    def _term_surrogates(self) -> TermSurrogates:
        if self.surrogates is None:
            self.surrogates = TermSurrogates(self.space, self.config.surrogate, self.config.autoencoder,
                                             self.seed, self.rng, self.context)
        return self.surrogates

    def _make_guide(self, goal):
        c, surrogates = self.config, self._term_surrogates()
        if goal is None or not goal.multi:
            return SurrogateGuide(surrogates.for_term(0), self.known_archs, self.known_values, self.rng,
                                  resolved_optimism(c.optimism, 0.0), c.rank)
        return ParetoGuide(goal, surrogates, self.known_metrics, self.random_unknown, self.known_archs,
                           self.known_values, self.rng, c.pareto, resolved_optimism(c.optimism, DEFAULT_OPTIMISM),
                           c.rank)

    def _default_samples(self):
        return self.surrogates.default_samples(self.context.several_objectives)
