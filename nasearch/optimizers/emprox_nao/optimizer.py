"""EmProx-NAO: the gradient search in embedding space, assembled from its parts.

A surrogate (:mod:`.surrogate`, default ``label_aware``) ranks every candidate and gives
the decoded ascent its differentiable score; proposal sources (:mod:`.sources`: decoded
ascent, tournament mutations, screened uniform samples) make the candidates; the
allocation (:mod:`.allocation`) splits each batch among the sources by their record.
With several objectives the guide is a
:class:`~nasearch.optimizers.emprox_nao.pareto_guide.ParetoGuide` (Chebyshev ascent,
hypervolume-improvement selection); with one, a
:class:`~nasearch.optimizers.emprox_nao.guide.SurrogateGuide`.

Ascent alone stalls once the known set holds the neighbourhood of the best
architectures: the soft kNN is a convex combination of known values, so it points
towards them and decodes keep landing on known cells. The mutation source keeps local
search alive there, and the allocation moves the batch towards whichever source is
currently finding top architectures.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from ...errors import ConfigError
from .config import GradientSearchConfig
from .guide import SurrogateGuide, resolved_optimism
from .loop import GradientSearch
from .pareto_guide import DEFAULT_OPTIMISM, ParetoConfig, ParetoGuide
from .surrogate import TermSurrogates, resolve_surrogate


@dataclass(frozen=True)
class EmProxNAOConfig(GradientSearchConfig):
    """EmProx-NAO's options: the loop's (:class:`GradientSearchConfig`) plus these sections."""

    #: ranking score: the surrogate's mean + optimism · its spread; unset = 0 for one objective, 1 for several
    optimism: Optional[float] = None
    #: ``{name: label_aware | emprox | <any predictor>, ...its options}``, or just the name (:mod:`.surrogate`)
    surrogate: dict = field(default_factory=dict)
    pareto: ParetoConfig = field(default_factory=ParetoConfig)   #: the multi-objective guide's options

    def __post_init__(self):
        super().__post_init__()
        object.__setattr__(self, "surrogate", resolve_surrogate(self.surrogate))


class EmProxNAO(GradientSearch):
    """Gradient ascent on the EmProx surrogate, mixed with mutations and screened samples (module docstring)."""

    name = "emprox_nao"
    Config = EmProxNAOConfig
    multi_objective = True
    #: a run directory that predates ``optimizer_options.yaml`` was searched with the faithful surrogate
    defaults_of_unrecorded_runs = {"surrogate": {"name": "emprox"}}

    def __init__(self, space, config=None, rng=None, seed=0, progress=False):
        self.surrogates = None
        super().__init__(space, config, rng, seed, progress)
        climbs = self.config.sources.get("ascent", "off") != "off"
        if climbs and not self.surrogates.cls.differentiable:
            raise ConfigError(f"surrogate {self.config.surrogate['name']!r} ranks but has no differentiable "
                              "score for the decoded ascent to climb; add sources: {ascent: off}, or use "
                              "surrogate emprox or label_aware")

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
