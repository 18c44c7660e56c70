"""Tournament mutations: one-edit children of the guide's parent picks, as in regularized evolution."""
from __future__ import annotations

from dataclasses import dataclass

from ....errors import ConfigError
from ....registry import proposal_sources
from ..parents import check_population, parent_pool, tournament_of
from .base import ProposalSource


@dataclass(frozen=True)
class MutationConfig:
    """Tournament mutations (``sources: {mutation: {...}}``); ``candidates`` of them a round."""

    #: parents are drawn from the most recently told ``population`` architectures (regularized
    #: evolution's ageing); 0: from every told one
    population: int = 0
    #: the tournament size of each parent pick (one objective; several pick on the known front)
    tournament: int = 10
    #: at most this many of a round's proposals share a parent (the guide's best of each parent's
    #: children first, then the next best); 0: no limit, the guide's best whatever their parents
    per_parent: int = 0

    def __post_init__(self):
        check_population("mutation", self.population)
        if self.tournament < 1:
            raise ConfigError(f"sources.mutation.tournament must be >= 1, got {self.tournament}")
        if self.per_parent < 0:
            raise ConfigError(f"sources.mutation.per_parent must be >= 0 (0: no limit), got {self.per_parent}")


class MutationSource(ProposalSource):
    """``candidates`` one-edit mutations of the guide's parent picks (one objective: the best of
    ``tournament`` known architectures drawn at random; several: a member of the known front)."""

    name = "mutation"
    Config = MutationConfig
    fills = True
    local = True

    def __init__(self, config, context):
        super().__init__(config, context)
        self.parents: dict = {}   # this round's {child arch id: parent arch id}

    def propose(self, guide, exclude):
        members = parent_pool(guide, self.config.population)
        self.parents = {}
        tournament = tournament_of(self.context, self.config.tournament)
        return self.context.mutants(self.context.candidates, exclude, lambda: guide.parent(members, tournament),
                                    self.parents)

    def choose(self, guide, candidates, count):
        """The guide's best, at most ``per_parent`` children of one parent while others are left
        (a batch of one parent's mutants bets every slot on one neighbourhood)."""
        cap = self.config.per_parent
        if not cap or count >= len(candidates):
            return guide.select_local(candidates, count)
        taken, passed, per = [], [], {}
        for proposal in guide.select_local(candidates, len(candidates)):
            parent = self.parents.get(self.context.space.arch_id(proposal.arch), id(proposal))
            per[parent] = per.get(parent, 0) + 1
            (taken if per[parent] <= cap else passed).append(proposal)
            if len(taken) == count:
                return taken
        return taken + passed[:count - len(taken)]   # too few parents: the next best, in order


proposal_sources.register(MutationSource.name, MutationSource)
