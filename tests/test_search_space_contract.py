"""Every built-in search space passes the shipped contract."""
import pytest

from nasearch.testing import SearchSpaceContract


class TestNASBench201Contract(SearchSpaceContract):
    @pytest.fixture
    def space(self, nb201):
        return nb201


class TestNASBenchGraphContract(SearchSpaceContract):
    @pytest.fixture
    def space(self, graph_cora):
        return graph_cora


class TestNASBenchGraphProteinsContract(SearchSpaceContract):
    @pytest.fixture
    def space(self):
        from search_spaces.nasbench_graph import NASBenchGraph

        return NASBenchGraph("proteins")


class TestDARTSContract(SearchSpaceContract):
    @pytest.fixture
    def space(self, darts):
        return darts
