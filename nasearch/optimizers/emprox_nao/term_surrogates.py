"""The surrogate of each objective term of an EmProx-NAO search, made from its ``surrogate`` section."""
from __future__ import annotations

import dataclasses

from .surrogate import EmProxSurrogate, EmProxSurrogateConfig, Surrogate, surrogate_config


class TermSurrogates:
    """The surrogate of each objective term of a search, made from its ``surrogate`` section.

    A term that must be evaluated gets the configured surrogate, kept across rounds (a
    label-aware ranker retrains only as the told set grows). A term known without evaluation
    (a hardware cost) gets a faithful EmProx over exactly known values, with the section's
    soft-kNN options where it has them: the climb needs a differentiable score for every term.
    """

    def __init__(self, space, section: dict, plan, seed: int, rng, context):
        self.space, self.plan, self.seed, self.rng, self.context = space, plan, seed, rng, context
        self.cls, self.config = surrogate_config(section)
        shared = {f.name for f in dataclasses.fields(EmProxSurrogateConfig)} - {"name"}
        self.lookup_config = EmProxSurrogateConfig(**{key: value for key, value in section.items() if key in shared})
        self._learned: dict = {}   # term -> its surrogate

    def for_term(self, term: int = 0, learned: bool = True) -> Surrogate:
        """Term ``term``'s surrogate (``learned``: one that needs evaluating)."""
        if not learned:
            return EmProxSurrogate(self.space, self.lookup_config, self.plan, self.seed, self.rng, self.context)
        if term not in self._learned:
            self._learned[term] = self.cls(self.space, self.config, self.plan, self.seed, self.rng, self.context)
        return self._learned[term]

    @property
    def climbs(self) -> bool:
        """Whether the search climbs the terms' differentiable scores (the decoded ascent is on)."""
        return self.context.climbs

    def default_samples(self, several_objectives: bool) -> int:
        """The ``sample`` source's count when it is unset (:meth:`Surrogate.default_samples`)."""
        return self.cls.default_samples(self.config, several_objectives)


__all__ = ["TermSurrogates"]
