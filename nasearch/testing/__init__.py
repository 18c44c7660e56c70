"""Contract tests that any component, built-in or third-party, can run against itself.

Subclass a contract in your own test module and provide the fixtures it names::

    from nasearch.testing import SearchSpaceContract

    class TestMySpace(SearchSpaceContract):
        @pytest.fixture
        def space(self):
            return MySpace()
"""
from .objective_contract import ObjectiveContract
from .optimizer_contract import OptimizerContract
from .predictor_contract import PredictorContract
from .search_space_contract import BenchmarkContract, NetworkBuilderContract, SearchSpaceContract

__all__ = ["SearchSpaceContract", "BenchmarkContract", "NetworkBuilderContract", "PredictorContract", "OptimizerContract", "ObjectiveContract"]
