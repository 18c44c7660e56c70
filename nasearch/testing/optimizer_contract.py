"""Contract every :class:`~nasearch.optimizers.Optimizer` must satisfy.

Provide fixtures ``space`` (with a benchmark), ``dataset`` and ``make_optimizer``
(a function of a NumPy generator and a budget returning a fresh optimizer).
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


class OptimizerContract:
    budget = 40

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

    def test_fills_the_budget_without_repeating(self, space, dataset, make_optimizer):
        optimizer = make_optimizer(np.random.default_rng(3), self.budget)
        order = drive(optimizer, space, dataset, self.budget)
        assert len(order) == self.budget == len(set(order))

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
