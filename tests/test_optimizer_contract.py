"""Every built-in optimizer passes the shipped contract on NAS-Bench-201."""
import pytest

from nasearch.optimizers import create_optimizer
from nasearch.testing import OptimizerContract

OPTIONS = {
    # the default sources (no climb) and surrogate, with a cheaper GIN ranker (its training is the cost)
    "emprox_nao": {"n_init": 10, "batch_size": 5, "candidates": 10,
                   "surrogate": {"ranker": {"members": 2, "epochs": 20}}},
    "emprox_nao+climb": {"n_init": 10, "batch_size": 5, "candidates": 10, "sources": {"ascent": {}},
                         "surrogate": {"ranker": {"members": 2, "epochs": 20}, "pseudo_labels": 40}},
    "emprox_nao+faithful": {"n_init": 10, "batch_size": 5, "candidates": 10, "surrogate": "emprox"},
    "nao": {"n_init": 10, "batch_size": 10, "candidates": 10, "epochs": 3},
    "evolution": {"population": 10, "sample_size": 5},
    "evolution+screen": {"population": 10, "sample_size": 5, "screen": 5},
    "random": {},
    "random+screen": {"screen": 5, "n_init": 5},
    "local_search": {"n_init": 5},
    "nsga2": {"population": 10},
    "tpe": {"n_startup": 5},
}


@pytest.fixture(params=sorted(OPTIONS), scope="module")
def optimizer_key(request):
    return request.param


class TestBuiltinOptimizers(OptimizerContract):
    @pytest.fixture
    def space(self, nb201):
        return nb201

    @pytest.fixture
    def make_optimizer(self, space, optimizer_key):
        name = optimizer_key.split("+")[0]
        return lambda rng, budget: create_optimizer(name, space, OPTIONS[optimizer_key], rng)


class TestEmProxNAOOnGraph(OptimizerContract):
    budget = 30

    @pytest.fixture
    def space(self, graph_cora):
        return graph_cora

    @pytest.fixture
    def make_optimizer(self, space):
        # The climb, which decodes: 300 pretraining steps already decode this 8-token space (the
        # default allows 4000). A cheaper GIN ranker than the default's: its training is the cost.
        options = {"batch_size": 5, "candidates": 10, "autoencoder": {"pretrain_steps": 300},
                   "sources": {"ascent": {}}, "surrogate": {"ranker": {"members": 2, "epochs": 20}}}
        return lambda rng, budget: create_optimizer("emprox_nao", space, options, rng)


@pytest.mark.filterwarnings("ignore:SMAC orders its local search")
class TestSMAC(OptimizerContract):
    """SMAC3 is slow to propose, so its drives are short (8 evaluations, the long one 20) and its
    acquisition search scores 500 configurations per ask instead of 10,000."""

    budget = 8
    search_evaluations = 20

    @pytest.fixture
    def space(self, nb201):
        return nb201

    @pytest.fixture
    def make_optimizer(self, space):
        return lambda rng, budget: create_optimizer("smac", space, {"n_init": 4, "challengers": 500}, rng)
