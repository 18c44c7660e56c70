import numpy as np
import pytest

from nasearch.errors import InvalidArchitectureError, UnknownNameError
from search_spaces.nasbench_graph import NASBenchGraph


def test_sizes_match_the_package_tables(graph_cora):
    assert graph_cora.size == 26206
    assert NASBenchGraph("proteins").size == 2021
    assert graph_cora.dataset_sizes()["proteins"] == 2021


def test_equivalent_architectures_share_an_id(graph_cora):
    # Nodes 0 and 1 both read the input: swapping their ops is the same network.
    a = graph_cora.from_string("|gcn~0|gat~0|sage~1|fc~2|")
    b = graph_cora.from_string("|gat~0|gcn~0|sage~2|fc~1|")
    assert graph_cora.arch_id(a) == graph_cora.arch_id(b) and a == b


def test_optimum_and_percent_scale(graph_cora):
    values = graph_cora.values("cora", "val")
    assert values.max() == pytest.approx(81.93, abs=0.01)
    best = list(graph_cora.enumerate())[int(np.argmax(values))]
    assert graph_cora.query(best, "cora", "test") == pytest.approx(82.63, abs=0.01)


def test_proteins_uses_its_own_operations():
    space = NASBenchGraph("proteins")
    assert set(space.operations) == {"gcn", "sage", "arma", "fc", "skip"}
    with pytest.raises(InvalidArchitectureError, match="unknown operation"):
        space.from_string("|gat~0|gcn~0|gcn~1|gcn~2|")
    with pytest.raises(UnknownNameError):
        space.query(space.from_string("|gcn~0|gcn~0|gcn~1|gcn~2|"), "cora")


@pytest.mark.parametrize("text", ["|gcn~0|gat~0|sage~1|", "|gcn~1|gat~0|sage~1|fc~2|",
                                  "|gcn~0|gat~0|sage~1|fc~9|", "|skip~0|skip~0|skip~1|skip~2|",
                                  "|gcn~0|gat~0|sage~1|fc~2|x"])
def test_malformed_strings(graph_cora, text):
    with pytest.raises(InvalidArchitectureError):
        graph_cora.from_string(text)


def test_single_fidelity_rejects_epochs(graph_cora):
    arch = graph_cora.sample(np.random.default_rng(0))
    with pytest.raises(UnknownNameError, match="single fidelity"):
        graph_cora.query(arch, "cora", "val", 200)
