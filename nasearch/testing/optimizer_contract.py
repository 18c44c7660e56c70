"""Contract every :class:`~nasearch.optimizers.Optimizer` must satisfy.

Provide fixtures ``space`` (with a benchmark), ``dataset`` and ``make_optimizer``
(a function of a NumPy generator and a budget returning a fresh optimizer).

Two drivers: :func:`drive` runs the bare ask/tell protocol (every batch told before
the next ask), and :func:`drive_search` runs the optimizer inside a real
:class:`nasearch.Search` with several architectures pending across asks, for
:attr:`OptimizerContract.search_evaluations` (300) evaluations, because re-proposal
bugs of a few in a hundred only show over a long run.
"""
from __future__ import annotations

import pickle

import numpy as np
import pytest


def drive(optimizer, space, dataset, queries: int, fail_every: int = 0) -> list:
    """Run the ask/tell loop for ``queries`` evaluations, as :class:`nasearch.Search` does; return ids.

    Nothing is filtered: every proposal of a batch is reserved (pending) before any is told,
    and a proposal that was already told or is still pending fails the contract.
    ``fail_every = n`` reports every n-th evaluation as failed instead of telling a value.
    """
    order = []
    stale = 0
    while len(order) < queries and stale < 20:
        proposals = optimizer.ask(queries - len(order))
        assert len(proposals) <= queries - len(order), "ask() must respect the remaining budget"
        ids = [space.arch_id(p.arch) for p in proposals]
        assert len(set(ids)) == len(ids), "ask() proposed one architecture twice in a batch"
        for proposal in proposals:
            assert not optimizer.is_known(proposal.arch), "ask() re-proposed a told or pending architecture"
            optimizer.reserve(proposal.arch)
        stale = 0 if proposals else stale + 1
        for proposal in proposals:
            order.append(space.arch_id(proposal.arch))
            if fail_every and len(order) % fail_every == 0:
                optimizer.tell_failure(proposal.arch)
            else:
                optimizer.tell(proposal.arch, space.query(proposal.arch, dataset))
    return order


def drive_search(optimizer, space, dataset, evaluations: int, in_flight: int = 4, fail_every: int = 0,
                 seed: int = 0) -> list:
    """Run ``optimizer`` in a :class:`nasearch.Search` for ``evaluations``; return ids in hand-out order.

    Up to ``in_flight`` architectures are pending at once and one of them, drawn at random,
    is told at a time, so the optimizer is asked again while others are still out. Every
    proposal is checked as the optimizer makes it, before the search could filter it: it must
    be a member, new within its batch, and neither told nor pending. ``fail_every = n``
    reports every n-th result as failed (NaN).
    """
    from nasearch import Search

    handed, told = set(), set()
    own_ask = optimizer.ask

    def checked_ask(remaining):
        proposals = own_ask(remaining)
        ids = [space.arch_id(p.arch) for p in proposals]
        assert len(set(ids)) == len(ids), "ask() proposed one architecture twice in a batch"
        for proposal, arch_id in zip(proposals, ids):
            assert space.from_string(space.to_string(proposal.arch)) == proposal.arch, \
                f"ask() proposed {proposal.arch!r}, which is not a member of the space"
            state = "told" if arch_id in told else "pending" if arch_id in handed else None
            assert state is None, (f"ask() re-proposed a {state} architecture ({space.to_string(proposal.arch)}) "
                                   f"after {len(told)} results with {len(handed) - len(told)} pending")
        return proposals

    optimizer.ask = checked_ask   # an instance attribute, removed again below
    try:
        search = Search(space, lambda arch: space.query(arch, dataset), optimizer, budget=evaluations, seed=seed)
        rng = np.random.default_rng(seed)
        order = []
        while not search.finished:
            for arch in search.ask(in_flight - len(search.pending)):
                handed.add(space.arch_id(arch))
                order.append(space.arch_id(arch))
            pending = search.pending
            assert pending, f"the optimizer proposed nothing with nothing pending after {search.told} results"
            arch = pending[int(rng.integers(len(pending)))]
            failed = fail_every and (search.told + 1) % fail_every == 0
            search.tell(arch, float("nan") if failed else space.query(arch, dataset))
            told.add(space.arch_id(arch))
    finally:
        del optimizer.ask
    return order


class OptimizerContract:
    budget = 40
    #: evaluations of the run through a real :class:`nasearch.Search`
    search_evaluations = 300

    @pytest.fixture
    def space(self):
        raise NotImplementedError("override the `space` fixture")

    @pytest.fixture
    def dataset(self, space):
        return space.datasets[0]

    @pytest.fixture
    def make_optimizer(self):
        raise NotImplementedError("override the `make_optimizer` fixture")

    def test_same_seed_same_proposals_different_seed_different(self, space, dataset, make_optimizer):
        first = drive(make_optimizer(np.random.default_rng(1), self.budget), space, dataset, self.budget)
        second = drive(make_optimizer(np.random.default_rng(1), self.budget), space, dataset, self.budget)
        other = drive(make_optimizer(np.random.default_rng(2), self.budget), space, dataset, self.budget)
        assert first == second
        assert first != other

    def test_a_long_search_with_pending_architectures_never_repeats(self, space, dataset, make_optimizer):
        evaluations = self.search_evaluations
        optimizer = make_optimizer(np.random.default_rng(3), evaluations)
        order = drive_search(optimizer, space, dataset, evaluations, fail_every=7)
        assert len(order) == evaluations == len(set(order))
        assert len(optimizer.known_values) == evaluations - evaluations // 7
        assert np.all(np.isfinite(optimizer.known_values))

    def test_pickled_optimizer_continues_the_same_stream(self, space, dataset, make_optimizer):
        optimizer = make_optimizer(np.random.default_rng(4), self.budget)
        drive(optimizer, space, dataset, self.budget // 2)
        clone = pickle.loads(pickle.dumps(optimizer))
        rest = self.budget - self.budget // 2
        assert drive(optimizer, space, dataset, rest) == drive(clone, space, dataset, rest)

    def test_keeps_going_after_failed_evaluations(self, space, dataset, make_optimizer):
        optimizer = make_optimizer(np.random.default_rng(6), self.budget)
        order = drive(optimizer, space, dataset, self.budget, fail_every=3)
        assert len(order) == self.budget == len(set(order))
        assert len(optimizer.known_values) == self.budget - self.budget // 3
        assert np.all(np.isfinite(optimizer.known_values))

    def test_proposals_are_members(self, space, dataset, make_optimizer):
        optimizer = make_optimizer(np.random.default_rng(5), self.budget)
        drive(optimizer, space, dataset, 15)
        for proposal in optimizer.ask(5):
            assert space.from_string(space.to_string(proposal.arch)) == proposal.arch
