"""One-edit candidates (mutations, neighbourhoods) are ranked by the guide's local score: with
``surrogate.local`` the mean of the label-aware ranker and other predictors, refitted every
round; uniform samples keep the ranker alone, and without ``local`` nothing changes."""
import numpy as np
import pytest

from nasearch import Search, TabularObjective
from nasearch.errors import ConfigError
from nasearch.predictors.tabular import XGBoost

RANKER = {"members": 2, "epochs": 30, "width": 16}


def _search(space, budget, **surrogate):
    return Search(space, TabularObjective(space, "cifar10-valid"), "emprox_nao", budget, seed=0,
                  options={"n_init": 10, "batch_size": 5, "candidates": 10,
                           "surrogate": {"name": "label_aware", "ranker": RANKER, **surrogate}})


def _source(optimizer, name):
    return next(source for source in optimizer.sources if source.name == name)


def test_mutations_are_ranked_by_the_mean_with_the_local_predictors_and_samples_by_the_ranker(nb201):
    search = _search(nb201, 30, local={"xgb": {"rounds": 30}}, local_admission="always")
    search.run()
    optimizer = search.optimizer
    guide, surrogate = optimizer.guide, optimizer.guide.surrogate
    (trees,) = surrogate.local
    assert isinstance(trees, XGBoost) and optimizer.config.surrogate["local"]["xgb"]["rounds"] == 30
    mutation = _source(optimizer, "mutation")
    children = mutation.propose(guide, [])
    ranker = surrogate.ranker.predict(children)
    mean = (ranker + trees.predict(children)) / 2
    np.testing.assert_allclose(surrogate.predict_local(children)[0], mean)
    chosen = mutation.choose(guide, children, 3)
    np.testing.assert_allclose([p.predicted for p in chosen], np.sort(mean)[::-1][:3])
    assert not np.allclose(mean, ranker), "the trees must change the local scores"
    # the uniform samples are ranked by the ranker alone
    sample = _source(optimizer, "sample")
    drawn = sample.propose(guide, [])[:50]
    picked = sample.choose(guide, drawn, 3)
    np.testing.assert_allclose([p.predicted for p in picked], np.sort(surrogate.ranker.predict(drawn))[::-1][:3])
    # the trees were refitted on the last round's told set (they remember it nearly exactly)
    told = list(guide.archs)
    assert np.corrcoef(trees.predict(told), guide.values)[0, 1] > 0.9


def test_without_local_predictors_the_local_score_is_the_rankers(nb201):
    search = _search(nb201, 20, local={})
    search.run()
    guide = search.optimizer.guide
    children = _source(search.optimizer, "mutation").propose(guide, [])
    np.testing.assert_array_equal(guide.score_local(children), guide.score(children))
    assert search.optimizer.config.surrogate["local"] == {}


def test_the_default_ranks_mutations_with_the_warm_mlp_once_told_values_cover_its_inputs(nb201):
    from nasearch.optimizers.emprox_nao.surrogate import SEARCH_LOCAL
    from nasearch.predictors.tabular import MLP

    search = _search(nb201, 45)
    surrogate = search.optimizer.config.surrogate
    assert surrogate["local_admission"] == "sized"
    assert {name: {key: options[key] for key in SEARCH_LOCAL[name]} for name, options in surrogate["local"].items()} \
        == SEARCH_LOCAL
    search.run()
    (mlp,) = search.optimizer.guide.surrogate.local
    assert isinstance(mlp, MLP) and mlp.trained_on >= 30    # NAS-Bench-201's one-hot encoding: 30 features
    stats = search.optimizer.stats
    assert 0 < stats["local_admitted_rounds"] < stats["rounds"]


def test_the_search_ranker_trains_two_members_by_default_and_a_recorded_three_stay_three(nb201, tmp_path):
    objective = TabularObjective(nb201, "cifar10-valid")
    quick = {"n_init": 10, "batch_size": 5, "candidates": 10}
    search = Search(nb201, objective, "emprox_nao", 15, seed=0, options=quick)
    search.run()
    assert search.optimizer.guide.surrogate.ranker.encoder.members == 2
    # a run recorded with the former 3-member ranker resumes with it: its options hold the resolved ranker
    three = {**quick, "surrogate": {"ranker": {"members": 3}}}
    Search(nb201, objective, "emprox_nao", 15, seed=0, options=three, directory=tmp_path / "run").run()
    resumed = Search(nb201, objective, budget=20, seed=0, directory=tmp_path / "run")   # no options given
    resumed.run()
    assert len(resumed.history.trials) == 20
    assert resumed.optimizer.guide.surrogate.ranker.encoder.members == 3


@pytest.mark.parametrize("local, message", [
    ({"xgboost": {}}, "unknown predictor 'xgboost' in surrogate.local"),
    ({"xgb": {"depth": 2}}, "surrogate.local.xgb"),
])
def test_a_bad_local_predictor_is_a_one_line_error(nb201, local, message):
    with pytest.raises(ConfigError, match=message) as error:
        _search(nb201, 20, local=local)
    assert "\n" not in str(error.value)


def test_a_guide_written_before_local_selection_picks_local_candidates_with_its_own_select():
    from nasearch.optimizers.emprox_nao.guide import Guide

    class OlderGuide(Guide):   # overrides select(candidates, count) only, as plug-ins did before
        def _fit(self):
            return None

        def soft_score(self, outputs):
            raise NotImplementedError

        def score(self, archs):
            return np.zeros(len(archs))

        def select(self, candidates, count):
            return ["its own pick"] * count

    assert OlderGuide([], [], np.random.default_rng(0)).select_local(["a", "b"], 2) == ["its own pick"] * 2
