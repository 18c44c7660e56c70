"""The view of a running search that EmProx-NAO's parts draw candidates from.

The parts (surrogate, proposal sources, allocation) never hold the optimizer: each
round they get a :class:`ProposalContext`, which reads the optimizer's known set and
makes unknown architectures with its generator. The optimizer alone writes its state
(``tell``); a part only reads it, so no part can change what the search knows.
"""
from __future__ import annotations

from typing import Callable, Optional

import numpy as np


class ProposalContext:
    """Read-only access to the known set plus the two ways to make unknown architectures.

    ``space`` is the search space, ``rng`` the optimizer's generator (every draw a part
    makes comes from it, so a run replays exactly), ``is_known(arch)`` and
    ``admissible(arch)`` the optimizer's checks, ``random_unknown(count, exclude)`` its
    uniform sampler, ``tournament(members, size)`` regularized evolution's selection,
    ``n_seeds`` how many of the best known architectures seed the climb and the mutations,
    ``candidates`` how many the ascent and the mutations make a round, and ``stats`` the
    optimizer's stats, where a part records its counts. ``climbs``: whether a source climbs
    the surrogate's differentiable score (the decoded ascent is on), so a surrogate knows
    whether to fit what only the climb reads.
    """

    def __init__(self, space, rng: np.random.Generator, known_ids: set, admissible: Callable,
                 random_unknown: Callable, tournament: Callable, n_seeds: int, candidates: int, stats: dict,
                 climbs: bool = True):
        self.climbs = bool(climbs)
        self.space, self.rng, self.known_ids = space, rng, known_ids
        self.admissible, self.random_unknown, self.tournament = admissible, random_unknown, tournament
        self.n_seeds, self.candidates, self.stats = int(n_seeds), int(candidates), stats
        self.several_objectives = False   # set once the goal is bound
        self.default_samples = 0          # the sample source's count when unset, known at the first round

    def mutants(self, count: int, exclude: list, pick_parent: Callable, parents: Optional[dict] = None) -> list:
        """Up to ``count`` admissible one-edit mutations of ``pick_parent()`` picks, none known,
        in ``exclude`` or repeated (at most ``50 · count`` tries). ``parents``, if given, is filled
        with ``{child arch id: parent arch id}`` for the children returned."""
        drawn = {}

        def make():
            parent = pick_parent()
            child = self.space.mutate(parent, self.rng)
            if parents is not None and child is not None:
                drawn.setdefault(self.space.arch_id(child), self.space.arch_id(parent))
            return child

        found = self._unknown_children(count, exclude, make)
        if parents is not None:
            parents.update((key, drawn[key]) for key in map(self.space.arch_id, found))
        return found

    def offspring(self, count: int, exclude: list, pick_parents: Callable) -> list:
        """Up to ``count`` admissible crossover children (:meth:`SearchSpace.crossover`) of the
        ``pick_parents()`` pairs, none known, in ``exclude`` or repeated (at most ``50 · count`` tries)."""
        return self._unknown_children(count, exclude, lambda: self.space.crossover(*pick_parents(), self.rng))

    def _unknown_children(self, count: int, exclude: list, make: Callable) -> list:
        """Up to ``count`` admissible architectures from ``make()`` (``None``: a failed draw), none
        known, in ``exclude`` or repeated, in at most ``50 · count`` draws."""
        seen = set(self.known_ids) | {self.space.arch_id(a) for a in exclude}
        found = []
        for _ in range(50 * count):
            child = make()
            if child is not None and self.space.arch_id(child) not in seen:
                seen.add(self.space.arch_id(child))
                if self.admissible(child):
                    found.append(child)
                if len(found) == count:
                    break
        return found

    def mutants_of_best(self, count: int, archs: list, values, exclude: list = ()) -> list:
        """Up to ``count`` mutations of parents drawn uniformly from the ``n_seeds`` best of
        ``archs`` by ``values`` (larger is better)."""
        top = [archs[i] for i in np.argsort(-np.asarray(values, dtype=float), kind="stable")[:self.n_seeds]]
        return self.mutants(count, list(exclude), lambda: top[int(self.rng.integers(len(top)))])
