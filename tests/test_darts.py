"""The DARTS space: canonical cells, its token mask, its partial NAS-Bench-301 table."""
import numpy as np
import pytest

from nasearch.errors import DataError, InvalidArchitectureError
from search_spaces.darts import DARTS, DartsArch, make_arch

CELL = [(0, 3), (1, 3), (0, 4), (2, 1), (1, 5), (3, 0), (0, 2), (4, 6)]


def test_size_counts_unordered_distinct_inputs():
    per_cell = 1 * 3 * 6 * 10 * 7 ** 8
    assert DARTS().size == per_cell ** 2 and 1e18 < DARTS().size < 1.1e18
    assert not DARTS().listable


def test_the_order_of_a_nodes_two_inputs_does_not_matter(darts):
    swapped = [CELL[1], CELL[0], CELL[3], CELL[2], CELL[5], CELL[4], CELL[7], CELL[6]]
    assert make_arch(CELL, CELL) == make_arch(swapped, CELL) == make_arch(CELL, swapped)
    text = darts.to_string(make_arch(CELL, CELL))
    assert darts.from_string(text.replace("sep_conv_3x3~0+sep_conv_3x3~1", "sep_conv_3x3~1+sep_conv_3x3~0")) \
        == make_arch(CELL, CELL)


@pytest.mark.parametrize("cell,fragment", [
    ([(0, 3), (0, 3)] + CELL[2:], "twice"),
    ([(0, 3), (2, 3)] + CELL[2:], "may read 0..1"),
    ([(0, 9), (1, 3)] + CELL[2:], "op index 9"),
    (CELL[:6], "8 .input, op. pairs"),
])
def test_invalid_cells_are_rejected_with_the_reason(cell, fragment):
    with pytest.raises(InvalidArchitectureError, match=fragment):
        make_arch(cell, CELL)


def test_sampling_is_uniform_over_input_pairs(darts):
    rng = np.random.default_rng(0)
    counts = {}
    for _ in range(6000):
        pair = tuple(p[0] for p in darts.sample(rng).normal[6:8])   # node 3: 10 unordered pairs of 0..4
        counts[pair] = counts.get(pair, 0) + 1
    assert len(counts) == 10
    assert max(counts.values()) / min(counts.values()) < 1.35


def test_neighbours_change_exactly_one_op_or_input(darts):
    arch = make_arch(CELL, CELL)
    neighbours = darts.neighbors(arch)
    ops = 2 * 8 * 6
    inputs = 2 * sum(2 * (node + 2 - 2) for node in range(4))
    assert len(neighbours) == ops + inputs
    for neighbour in neighbours:
        differences = sum(a != b for cell_a, cell_b in zip(arch, neighbour) for a, b in zip(cell_a, cell_b))
        assert 1 <= differences <= 2   # an input change may reorder the node's two pairs


def test_input_tokens_are_constrained_by_position(darts):
    tokens = darts.to_sequence(make_arch(CELL, CELL))
    assert darts.allowed_tokens(0) == [1]                         # node 0's first input: c_{k-2}
    assert darts.allowed_tokens(2, tokens[:2]) == [2]             # ... and its second: c_{k-1}
    assert darts.allowed_tokens(12, tokens[:12]) == [1, 2, 3, 4]  # node 3's smaller input: 0..3
    assert darts.allowed_tokens(14, [1] * 12 + [3, 7]) == [4, 5]  # larger than input 2, at most 4
    assert darts.allowed_tokens(1) == list(range(7, 14))


def test_partial_table_values_and_a_cell_outside_it(darts):
    archs = darts.table_archs("cifar10")
    values = darts.values("cifar10")
    assert len(archs) == len(set(archs)) == 725
    assert 91.2 < values.min() < values.max() < 94.5 and values.mean() == pytest.approx(93.12, abs=0.01)
    assert darts.query(archs[0], "cifar10") == pytest.approx(93.431414)
    assert not darts.table_covers_space("cifar10") and darts.optimum("cifar10") is None
    outside = darts.sample(np.random.default_rng(0))
    with pytest.raises(DataError, match="not among the 725"):
        darts.query(outside, "cifar10")


def test_compact_form_of_the_first_table_row(darts):
    arch = darts.from_compact("[[(1,0),(0,5),(1,2),(0,0),(0,6),(3,1),(2,4),(1,3)],"
                              "[(0,6),(1,6),(1,3),(0,4),(3,4),(1,1),(0,6),(1,0)]]")
    assert isinstance(arch, DartsArch)
    assert arch.normal[:2] == ((0, 5), (1, 0))
    assert darts.query(arch, "cifar10") == pytest.approx(93.431414)


def sep_conv_share(arch) -> float:
    """A known synthetic objective: percent of the 16 operations that are separable convolutions,
    plus a bonus for normal-cell nodes that read from other nodes (deeper cells)."""
    ops = [op for cell in arch for _, op in cell]
    deep = sum(source >= 2 for source, _ in arch.normal)
    return 100.0 * sum(op in (3, 4) for op in ops) / len(ops) + deep


def test_emprox_nao_decodes_new_valid_darts_cells_and_improves(darts):
    from nasearch import Search

    # 300 pretraining steps already decode every held-out DARTS cell (the default allows 4000).
    search = Search(darts, sep_conv_share, "emprox_nao", budget=30, seed=0,
                    options={"n_init": 10, "batch_size": 10, "candidates": 20, "autoencoder": {"pretrain_steps": 300},
                             "sources": {"ascent": {}}})
    result = search.run()
    assert search.optimizer.stats["round_trip"] >= 0.9
    assert search.optimizer.stats["decoded"] >= 20, "candidates must come from decoding, not only from mutations"
    archs = [darts.from_string(r.arch) for r in result.history]
    assert len(set(archs)) == 30
    for arch in archs:
        assert darts.from_sequence(darts.to_sequence(arch)) == arch
    initial = max(r.value for r in result.history[:10])
    assert result.best_value > initial
    assert np.mean([r.value for r in result.history[10:]]) > np.mean([r.value for r in result.history[:10]])


def test_the_measured_darts_table_cannot_score_a_search(darts):
    from nasearch import Search
    from nasearch.errors import ConfigError
    from nasearch.objective import TabularObjective

    with pytest.raises(ConfigError, match="only 725 architectures"):
        Search(darts, TabularObjective(darts, "cifar10"), "random", budget=10)
