"""Contract every :class:`~nasearch.search_space.SearchSpace` must satisfy."""
from __future__ import annotations

import numpy as np
import pytest

from nasearch.errors import InvalidArchitectureError, UnknownNameError


def _samples(space, count=30, seed=0):
    rng = np.random.default_rng(seed)
    return [space.sample(rng) for _ in range(count)]


def _scored(space, dataset, count=1):
    """Architectures the benchmark has values for: tabulated ones when the table is partial."""
    archs = space.table_archs(dataset)
    if archs is not None and not space.table_covers_space(dataset):
        return archs[:count]
    return _samples(space, count)


def _round_trip_archs(space) -> list:
    """Every architecture of a listable space (at most LIST_LIMIT), else 2,000 samples."""
    return list(space.enumerate()) if space.listable else _samples(space, 2000, seed=4)


def _assert_member(space, arch, what: str) -> None:
    try:
        space.arch_id(arch)
        text = space.to_string(arch)
        assert space.from_string(text) == arch, f"{what} {text!r} does not round-trip"
        assert space.from_sequence(space.to_sequence(arch)) == arch, f"{what} {text!r}: sequence round trip"
    except InvalidArchitectureError as error:
        raise AssertionError(f"{what} is not a valid member: {error}") from None


class _SpaceFixture:
    """The fixture every part's contract runs on: override it with your space."""

    @pytest.fixture
    def space(self):
        raise NotImplementedError("override the `space` fixture")


class BenchmarkContract(_SpaceFixture):
    """The benchmark part (:class:`~nasearch.space_benchmark.Benchmark`): queries, costs, tables.
    Each test skips for a space without a benchmark."""

    def test_query_returns_percent_for_every_dataset_and_metric(self, space):
        if not space.datasets:
            pytest.skip("no benchmark table")
        for dataset in space.datasets:
            arch = _scored(space, dataset)[0]
            for metric in space.metrics(dataset):
                for epochs in space.epochs(dataset, metric) or [None]:
                    value = space.query(arch, dataset, metric, epochs)
                    assert isinstance(value, float) and 0.0 <= value <= 100.0

    def test_costs_are_non_negative_numbers_or_missing(self, space):
        """Cost metrics (``cost_metrics``) are lookups with no epochs: a finite value >= 0, or
        MissingValueError where the benchmark never measured it; never also an accuracy metric."""
        from nasearch.errors import MissingValueError

        if not space.datasets:
            pytest.skip("no benchmark table")
        for dataset in space.datasets:
            costs = space.cost_metrics(dataset)
            assert not set(costs) & set(space.metrics(dataset)), "a cost must not also be an accuracy metric"
            for arch in _scored(space, dataset)[:5]:
                for metric in costs:
                    try:
                        value = space.query(arch, dataset, metric)
                    except MissingValueError:
                        continue
                    assert isinstance(value, float) and np.isfinite(value) and value >= 0.0
                    with pytest.raises(UnknownNameError):
                        space.query(arch, dataset, metric, 12345)

    def test_query_rejects_unknown_names(self, space):
        if not space.datasets:
            pytest.skip("no benchmark table")
        dataset = space.datasets[0]
        arch = _scored(space, dataset)[0]
        with pytest.raises(UnknownNameError):
            space.query(arch, "no-such-dataset")
        with pytest.raises(UnknownNameError):
            space.query(arch, dataset, "no-such-metric")
        with pytest.raises(UnknownNameError):
            space.query(arch, dataset, space.metrics(dataset)[0], 123457)

    def test_values_match_query(self, space):
        dataset = space.datasets[0] if space.datasets else None
        archs = space.table_archs(dataset) if dataset else None
        if archs is None:
            pytest.skip("no listable table")
        metric = space.metrics(dataset)[0]
        values = space.values(dataset, metric)
        assert values.shape == (len(archs),)
        for i in np.random.default_rng(0).integers(len(archs), size=20):
            assert values[i] == pytest.approx(space.query(archs[i], dataset, metric))


class NetworkBuilderContract(_SpaceFixture):
    """The network part (:class:`~nasearch.network_builder.NetworkBuilder`): a built network maps
    images to logits, and the full-size protocol is valid training settings. Each test skips
    for a space that builds no networks."""

    def test_a_network_maps_images_to_logits(self, space):
        if not space.builds_networks:
            pytest.skip("the space builds no networks")
        import torch

        arch = _samples(space, 1)[0]
        network = space.network(arch, 3, 7)
        network.eval()
        with torch.no_grad():
            logits = network(torch.zeros(2, 3, 32, 32))
        assert tuple(logits.shape) == (2, 7)

    def test_the_full_training_protocol_is_valid_training_settings(self, space):
        from nasearch.config import build
        from nasearch.training import TrainingConfig

        protocol = space.full_training()
        assert isinstance(protocol, dict)
        if protocol:
            build(TrainingConfig, {"dataset": "cifar10", "data": "x", **protocol}, "full_training")
        assert space.export(_samples(space, 1)[0]) is None or isinstance(space.export(_samples(space, 1)[0]), str)


class SearchSpaceContract(BenchmarkContract, NetworkBuilderContract):
    """The whole space: its architectures, sequences, graph and config view here, and the
    benchmark and network parts it inherits. Override the ``space`` fixture; every test must pass."""

    def test_same_seed_same_samples_different_seed_different(self, space):
        assert _samples(space, seed=1) == _samples(space, seed=1)
        ids = lambda archs: [space.arch_id(a) for a in archs]
        assert ids(_samples(space, seed=1)) != ids(_samples(space, seed=2))

    def test_string_round_trip_and_stable_id(self, space):
        """Over the whole space when it is listable, else over 2,000 samples: a defect that hits
        one architecture in 500 is caught either way."""
        for arch in _round_trip_archs(space):
            text = space.to_string(arch)
            assert isinstance(text, str)
            parsed = space.from_string(text)
            assert parsed == arch, f"{text!r} parses back to {space.to_string(parsed)!r}"
            assert space.arch_id(parsed) == space.arch_id(arch)
            hash(arch)

    @pytest.mark.parametrize("text", ["", "garbage", "|||", "|x~0|", None])
    def test_from_string_is_strict(self, space, text):
        with pytest.raises(InvalidArchitectureError):
            space.from_string(text)

    def test_from_string_rejects_trailing_characters(self, space):
        text = space.to_string(_samples(space, 1)[0])
        with pytest.raises(InvalidArchitectureError):
            space.from_string(text + "x")

    def test_neighbors_are_distinct_one_edit_members(self, space):
        """Every neighbour of 50 architectures is a distinct, valid member (string and sequence
        round trips), and so is every mutate child."""
        rng = np.random.default_rng(3)
        for arch in _samples(space, 50):
            neighbors = space.neighbors(arch)
            assert neighbors, "every architecture needs at least one neighbour"
            for neighbor in neighbors:
                _assert_member(space, neighbor, f"neighbour of {space.to_string(arch)}")
            ids = [space.arch_id(n) for n in neighbors]
            assert len(set(ids)) == len(ids)
            assert space.arch_id(arch) not in ids
            child = space.mutate(arch, rng)
            _assert_member(space, child, f"mutate child of {space.to_string(arch)}")
            assert space.arch_id(child) != space.arch_id(arch)
            assert space.arch_id(child) in set(ids)

    def test_crossover_children_are_members_and_a_parent_crossed_with_itself_stays(self, space):
        """Over 200 pairs of samples: a crossover child is ``None`` (a failed draw) or a valid
        member; at least one draw in ten succeeds (else the crossover source has nothing to
        offer: override ``crossover``); and crossing an architecture with itself gives it back."""
        rng = np.random.default_rng(4)
        archs = _samples(space, 400)
        made = 0
        for first, second in zip(archs[0::2], archs[1::2]):
            child = space.crossover(first, second, rng)
            if child is not None:
                made += 1
                _assert_member(space, child, f"crossover child of {space.to_string(first)} and {space.to_string(second)}")
            same = space.crossover(first, first, rng)
            assert same is None or space.arch_id(same) == space.arch_id(first)
        assert made >= 20, (f"only {made} of 200 crossover draws made an architecture; override crossover "
                            "so that a cut respects the space's structure")

    def test_every_graph_label_has_a_name(self, space):
        """``graph_label_names`` names each of the ``graph_labels`` labels (drawings show them)."""
        names = space.graph_label_names()
        assert len(names) == space.graph_labels and all(isinstance(name, str) and name for name in names)

    def test_graph_is_a_well_formed_labelled_dag(self, space):
        """``graph`` labels lie in ``0..graph_labels-1``, edges join existing nodes, no cycles."""
        for arch in _samples(space):
            graph = space.graph(arch)
            assert len(graph.labels) >= 1
            assert all(0 <= int(label) < space.graph_labels for label in graph.labels)
            nodes = len(graph.labels)
            assert all(0 <= a < nodes and 0 <= b < nodes and a != b for a, b in graph.edges)
            indegree = {node: 0 for node in range(nodes)}
            for _, target in graph.edges:
                indegree[target] += 1
            ready, seen = [n for n, d in indegree.items() if d == 0], 0
            while ready:                              # Kahn's algorithm: all nodes drain iff acyclic
                node = ready.pop()
                seen += 1
                for source, target in graph.edges:
                    if source == node:
                        indegree[target] -= 1
                        if indegree[target] == 0:
                            ready.append(target)
            assert seen == nodes, f"graph of {space.to_string(arch)} has a cycle"
            assert space.graph(arch) == graph, "graph must be deterministic"

    def test_sequence_round_trip(self, space):
        for arch in _samples(space):
            tokens = space.to_sequence(arch)
            assert len(tokens) == space.seq_len
            assert all(isinstance(t, int) and 1 <= t < space.vocab_size for t in tokens)
            for position, token in enumerate(tokens):
                assert token in space.allowed_tokens(position, tokens[:position])
            assert space.from_sequence(tokens) == arch

    def test_invalid_sequences_are_rejected(self, space):
        tokens = space.to_sequence(_samples(space, 1)[0])
        with pytest.raises(InvalidArchitectureError):
            space.from_sequence(tokens[:-1])
        with pytest.raises(InvalidArchitectureError):
            space.from_sequence([0] * space.seq_len)
        with pytest.raises(InvalidArchitectureError):
            space.from_sequence(tokens[:-1] + [space.vocab_size])

    def test_every_masked_sequence_decodes(self, space):
        rng = np.random.default_rng(5)
        for _ in range(200):
            tokens = []
            for position in range(space.seq_len):
                allowed = space.allowed_tokens(position, tokens)
                tokens.append(int(allowed[int(rng.integers(len(allowed)))]))
            arch = space.from_sequence(tokens)
            assert space.from_string(space.to_string(arch)) == arch

    def test_token_mask_covers_allowed_tokens(self, space):
        mask = space.token_mask()
        assert mask.shape == (space.seq_len, space.vocab_size)
        assert not mask[:, 0].any(), "token 0 is reserved for start/padding"
        for arch in _samples(space, 20, seed=7):
            tokens = space.to_sequence(arch)
            for position in range(space.seq_len):
                allowed = space.allowed_tokens(position, tokens[:position])
                assert mask[position, allowed].all(), f"token_mask misses tokens allowed at position {position}"
        if not space.prefix_dependent:
            for position in range(space.seq_len):
                assert sorted(space.allowed_tokens(position)) == sorted(np.flatnonzero(mask[position]).tolist())

    def test_config_space_round_trip(self, space):
        config_space = space.config_space(seed=0)
        for arch in _samples(space, 10):
            config = space.to_config(arch)
            __import__("ConfigSpace").Configuration(config_space, values=config).check_valid_configuration()
            assert space.from_config(config) == arch
        for config in config_space.sample_configuration(10):
            arch = space.from_config(config)
            assert space.from_string(space.to_string(arch)) == arch

    def test_size_is_a_positive_int_or_none(self, space):
        assert space.size is None or (isinstance(space.size, int) and space.size > 0)
        assert isinstance(space.signature(), str) and space.signature() == space.signature()

    def test_finite_space_enumerates_distinct_members(self, space):
        if not space.listable:
            pytest.skip("space too large to list, or of unknown size")
        ids = [space.arch_id(a) for a in space.enumerate()]
        assert len(ids) == space.size == len(set(ids))
        assert {space.arch_id(a) for a in _samples(space)} <= set(ids)
