"""Crossover: children of two of the guide's parent picks, the genetic algorithm's recombination."""
from __future__ import annotations

from dataclasses import dataclass

from ....registry import proposal_sources
from ..parents import check_population, parent_pool, tournament_of
from .base import ProposalSource


@dataclass(frozen=True)
class CrossoverConfig:
    """Crossover children (``sources: {crossover: {...}}``); ``candidates`` of them a round."""

    #: parents are drawn from the most recently told ``population`` architectures; 0: from every told one
    population: int = 30

    def __post_init__(self):
        check_population("crossover", self.population)


class CrossoverSource(ProposalSource):
    """``candidates`` children of two of the guide's parent picks each (the space's
    :meth:`~nasearch.search_space.SearchSpace.crossover`), the genetic algorithm's recombination
    beside the mutations' one edit. Off unless named: on the tuning seeds it did not earn a place
    in the default (docs/RESULTS.md)."""

    name = "crossover"
    Config = CrossoverConfig

    def propose(self, guide, exclude):
        members = parent_pool(guide, self.config.population)
        tournament, arch_id = tournament_of(self.context, 10), self.context.space.arch_id

        def pick_parents():
            # The second parent is picked among the others: a child of a parent and itself is the parent.
            first = guide.parent(members, tournament)
            others = [member for member in members if arch_id(member[0]) != arch_id(first)]
            return first, guide.parent(others, tournament) if others else first

        return self.context.offspring(self.context.candidates, exclude, pick_parents)


proposal_sources.register(CrossoverSource.name, CrossoverSource)
