"""The DARTS network: every genotype trains, and published counts of other code are reproduced."""
import numpy as np
import pytest
import torch

from search_spaces.darts import make_arch
from search_spaces.darts.space import OPERATIONS

OP = OPERATIONS.index
# DARTS (second order) as published by its authors: 3,349,342 parameters at 36 channels and 20 cells.
DARTS_V2 = make_arch([(0, OP("sep_conv_3x3")), (1, OP("sep_conv_3x3")), (0, OP("sep_conv_3x3")),
                      (1, OP("sep_conv_3x3")), (1, OP("sep_conv_3x3")), (0, OP("skip_connect")),
                      (0, OP("skip_connect")), (2, OP("dil_conv_3x3"))],
                     [(0, OP("max_pool_3x3")), (1, OP("max_pool_3x3")), (2, OP("skip_connect")),
                      (1, OP("max_pool_3x3")), (0, OP("max_pool_3x3")), (2, OP("skip_connect")),
                      (2, OP("skip_connect")), (1, OP("max_pool_3x3"))])
# Three NAS-Bench-301 cells with NAS-Bench-Suite-Zero's published parameter counts (millions).
PUBLISHED_PARAMS = [
    ("[[(1,0),(0,5),(1,2),(0,0),(0,6),(3,1),(2,4),(1,3)],[(0,6),(1,6),(1,3),(0,4),(3,4),(1,1),(0,6),(1,0)]]",
     0.917546),
    ("[[(0,6),(1,4),(1,3),(0,3),(3,5),(1,1),(1,2),(2,5)],[(1,4),(0,6),(1,2),(2,6),(1,5),(2,4),(3,2),(0,6)]]",
     1.056938),
    ("[[(1,6),(0,1),(2,6),(0,1),(1,0),(3,4),(4,5),(3,3)],[(0,3),(1,6),(0,1),(2,1),(3,6),(1,4),(2,3),(1,0)]]",
     0.94033),
]


def _parameters(network) -> int:
    return sum(p.numel() for p in network.parameters())


def test_darts_v2_has_the_parameter_count_its_authors_published(darts):
    assert _parameters(darts.network(DARTS_V2, 3, 10, channels=36, cells=20)) == 3_349_342


@pytest.mark.parametrize("compact,millions", PUBLISHED_PARAMS)
def test_nas_bench_suite_zero_parameter_counts_are_reproduced_exactly(darts, compact, millions):
    arch = darts.from_compact(compact)
    network = darts.network(arch, 3, 10, channels=32, cells=8, affine_ops=False)
    assert _parameters(network) / 1e6 == pytest.approx(millions, abs=5e-7)
    assert _parameters(darts.network(arch, 3, 10, channels=32, cells=8)) > _parameters(network)


@pytest.mark.parametrize("size", [8, 7, 32])
def test_every_sampled_genotype_runs_forward_and_backward(darts, size):
    rng = np.random.default_rng(size)
    for _ in range(6):
        network = darts.network(darts.sample(rng), 3, 5, channels=4, cells_per_stage=1)
        logits = network(torch.randn(2, 3, size, size))
        assert logits.shape == (2, 5) and torch.isfinite(logits).all()
        logits.sum().backward()
        assert all(p.grad is not None for p in network.parameters() if p.requires_grad)


def test_cells_and_reductions_follow_the_darts_layout(darts):
    network = darts.network(DARTS_V2, 3, 10, channels=16, cells_per_stage=2)
    assert len(network.cells) == 8
    assert [i for i, cell in enumerate(network.cells) if any(
        getattr(op, "stride", 1) == 2 or getattr(getattr(op, "even", None), "stride", (1,))[0] == 2
        for op in cell.ops)] == [2, 5]


def test_export_is_the_darts_genotype_notation(darts):
    text = darts.export(DARTS_V2)
    assert text.startswith("Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1),")
    assert text.endswith("reduce_concat=[2, 3, 4, 5])")
    namespace = {"Genotype": lambda **fields: fields}
    fields = eval(text, namespace)   # the notation is plain Python: DARTS code reads it the same way
    assert len(fields["normal"]) == len(fields["reduce"]) == 8 and fields["normal_concat"] == [2, 3, 4, 5]


def test_a_darts_search_trains_its_cells_and_reports_the_genotype(darts):
    from nasearch import Search
    from nasearch.training import TrainingObjective, digits_split

    x_train, y_train, x_val, y_val = digits_split(0.3, 0)
    data = (x_train[:256], y_train[:256], x_val[:200], y_val[:200])   # a small slice keeps it to seconds
    objective = TrainingObjective(darts, {"epochs": 3, "channels": 4, "cells_per_stage": 1, "batch_size": 16,
                                          "lr": 0.05}, data=data)
    result = Search(darts, objective, "random", budget=2, seed=0).run()
    assert all(t.ok and 60 < t.value <= 100 for t in result.history), "trained far above chance (10%)"
    assert result.summary.best_export.startswith("Genotype(normal=")
