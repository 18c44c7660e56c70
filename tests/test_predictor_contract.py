"""Every built-in predictor passes the shipped contract (small budgets keep it fast)."""
import pytest

from nasearch.predictors import create_predictor
from nasearch.testing import PredictorContract

FAST = {
    "emprox": {"epochs": 3},
    "emprox_label_aware": {"epochs": 40, "members": 2, "width": 16},
    "gin": {"epochs": 40, "members": 2, "width": 16},
    "nao": {"epochs": 30, "compact": True},
    "seminas": {"epochs": 15, "compact": True},
    "xgb": {"rounds": 30},
    "bananas": {"epochs": 30},
    "mlp": {"epochs": 30, "layers": 4},
    "ridge": {},
    "ensemble": {"members": {"xgb": {"rounds": 30}, "ridge": {}}},
}


@pytest.fixture(params=sorted(FAST), scope="module")
def predictor_name(request):
    return request.param


class TestBuiltinPredictorsOnNB201(PredictorContract):
    min_train_spearman = 0.2

    @pytest.fixture
    def space(self, nb201):
        return nb201

    @pytest.fixture
    def make_predictor(self, space, predictor_name):
        return lambda rng: create_predictor(predictor_name, space, FAST[predictor_name], rng)


class TestEmProxOnGraph(PredictorContract):
    @pytest.fixture
    def space(self, graph_cora):
        return graph_cora

    @pytest.fixture
    def make_predictor(self, space):
        return lambda rng: create_predictor("emprox", space, {"epochs": 3}, rng)


class TestPretrainedEmProxOnNB201(PredictorContract):
    """EmProx on an autoencoder pretrained without labels, the screen's predictor: prepare() pretrains it."""

    @pytest.fixture
    def space(self, nb201):
        return nb201

    @pytest.fixture
    def make_predictor(self, space):
        options = {"pretrained": True, "embedding_dim": 8, "pretrain_steps": 60, "pretrain_archs": 500, "k": 5}
        return lambda rng: create_predictor("emprox", space, options, rng)
