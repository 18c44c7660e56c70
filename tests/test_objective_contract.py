"""Every built-in objective passes the shipped contract, and the contract catches broken ones."""
import math

import pytest

from nasearch.objective import CallableObjective, Objective, TabularObjective
from nasearch.testing import ObjectiveContract


def ops_score(arch):
    """A module-level (picklable) stand-in objective: a score of the cell's operations."""
    return {"value": 60.0 + sum(arch), "parameters": float(len(arch))}


class TestTableObjective(ObjectiveContract):
    @pytest.fixture
    def space(self, nb201):
        return nb201

    @pytest.fixture
    def objective(self, nb201):
        return TabularObjective(nb201, "cifar10-valid")


class TestTableObjectiveOnGraph(ObjectiveContract):
    @pytest.fixture
    def space(self, graph_cora):
        return graph_cora

    @pytest.fixture
    def objective(self, graph_cora):
        return TabularObjective(graph_cora, "cora")


class TestCallableObjective(ObjectiveContract):
    @pytest.fixture
    def space(self, nb201):
        return nb201

    @pytest.fixture
    def objective(self):
        return CallableObjective(ops_score)


class TestTrainingObjective(ObjectiveContract):
    evaluations = 1

    @pytest.fixture
    def space(self, nb201):
        return nb201

    @pytest.fixture
    def objective(self, nb201):
        from nasearch.training import TrainingObjective

        return TrainingObjective(nb201, {"epochs": 1, "channels": 4})


class NaNObjective(Objective):
    """Returns a NaN for its metric: the search would record every evaluation as failed."""

    def evaluate(self, arch):
        return {"value": math.nan}


class WrongKeyObjective(Objective):
    metric = "val"

    def evaluate(self, arch):
        return {"accuracy": 90.0}


class LeakyKnownMetrics(Objective):
    def evaluate(self, arch):
        return {"value": 1.0}

    def known_metrics(self, arch, metrics):
        return {"latency": 3.0}   # a metric nobody asked for


@pytest.mark.parametrize("broken,test,message", [
    (NaNObjective(), "test_evaluate_returns_its_metric_as_a_finite_number", "not a finite number"),
    (WrongKeyObjective(), "test_evaluate_returns_its_metric_as_a_finite_number", "lacks its metric"),
    (LeakyKnownMetrics(), "test_known_metrics_are_a_subset_of_those_asked", "known_metrics"),
])
def test_the_contract_fails_broken_objectives(nb201, broken, test, message):
    with pytest.raises(AssertionError, match=message):
        getattr(ObjectiveContract(), test)(nb201, broken)
