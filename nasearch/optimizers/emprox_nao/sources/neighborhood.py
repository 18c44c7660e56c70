"""The whole one-edit neighbourhood of the best known architectures, screened by the guide.

A mutation source draws ``candidates`` random one-edit children of tournament winners; this
source instead lists every one-edit neighbour (:meth:`~nasearch.search_space.SearchSpace.neighbors`)
of the ``parents`` architectures of highest fitness, so the guide ranks a parent's whole
neighbourhood, as local search would walk it, and the batch takes the best of it. Off unless
named (``sources: {neighborhood: {parents: 3}}``); measured in docs/RESULTS.md.
"""
from __future__ import annotations

from dataclasses import dataclass

from ....errors import ConfigError
from ....registry import proposal_sources
from .base import ProposalSource


@dataclass(frozen=True)
class NeighborhoodConfig:
    """``sources: {neighborhood: {...}}``."""

    #: how many of the best known architectures (by the guide's fitness) have their whole
    #: one-edit neighbourhood listed each round
    parents: int = 3

    def __post_init__(self):
        if self.parents < 1:
            raise ConfigError(f"sources.neighborhood.parents must be >= 1, got {self.parents}")


class NeighborhoodSource(ProposalSource):
    """Every admissible unknown one-edit neighbour of the ``parents`` best known architectures
    (for a space of ``e`` editable positions with ``o`` choices, about ``parents · e · (o − 1)``
    candidates a round; the DARTS space: 120 a parent)."""

    name = "neighborhood"
    Config = NeighborhoodConfig
    local = True

    def propose(self, guide, exclude):
        space, context = self.context.space, self.context
        seen = set(context.known_ids) | {space.arch_id(arch) for arch in exclude}
        found = []
        for parent in guide.best(self.config.parents):
            for neighbour in space.neighbors(parent):
                key = space.arch_id(neighbour)
                if key not in seen:
                    seen.add(key)
                    if context.admissible(neighbour):
                        found.append(neighbour)
        return found


proposal_sources.register(NeighborhoodSource.name, NeighborhoodSource)
