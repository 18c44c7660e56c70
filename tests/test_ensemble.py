"""The ``ensemble`` predictor: the mean of registered predictors of different kinds, each
on its own generator, refitted through its own ``update``; bad members are one-line errors."""
import numpy as np
import pytest

from nasearch import Search, TabularObjective
from nasearch.errors import ConfigError
from nasearch.predictors import create_predictor
from nasearch.predictors.ensemble import Ensemble


def _told(space, count, seed):
    rng = np.random.default_rng(seed)
    archs = list({space.arch_id(a): a for a in (space.sample(rng) for _ in range(count))}.values())
    return archs, np.array([space.query(a, "cifar10-valid") for a in archs])


def test_predicts_the_mean_of_its_members_each_fitted_on_its_own_generator(nb201):
    archs, values = _told(nb201, 60, 0)
    test, _ = _told(nb201, 20, 1)
    members = {"xgb": {"rounds": 30}, "emprox_label_aware": {"epochs": 30, "members": 2, "width": 16}}
    ensemble = create_predictor("ensemble", nb201, {"members": members}, np.random.default_rng(3)).fit(archs, values)
    generators = np.random.default_rng(3).spawn(2)
    alone = [create_predictor(name, nb201, options, rng).fit(archs, values)
             for (name, options), rng in zip(members.items(), generators)]
    np.testing.assert_allclose(ensemble.predict(test), (alone[0].predict(test) + alone[1].predict(test)) / 2)
    mean, spread = ensemble.predict_with_spread(test)
    np.testing.assert_allclose(spread, (alone[0].predict_spread(test) + alone[1].predict_spread(test)) / 2)
    # the two members disagree, so the mean is neither of them
    assert not np.allclose(mean, alone[0].predict(test)) and not np.allclose(mean, alone[1].predict(test))


def test_update_leaves_each_member_its_own_refit_rule(nb201):
    archs, values = _told(nb201, 41, 0)
    members = {"xgb": {"rounds": 20}, "emprox_label_aware": {"epochs": 20, "members": 2, "width": 16,
                                                              "refit_growth": 0.5}}
    ensemble = create_predictor("ensemble", nb201, {"members": members}, np.random.default_rng(0))
    ensemble.update(archs[:40], values[:40])
    booster = ensemble.members[0].booster
    ensemble.update(archs, values)
    # the trees are refitted every round; the GIN waits until the told set grew by half
    assert ensemble.members[0].booster is not booster and ensemble.members[1].trained_on == 40


@pytest.mark.parametrize("members, message", [
    ({}, "ensemble members must name at least one predictor"),
    ({"xgboost": {}}, "unknown predictor 'xgboost' in ensemble members; choose from"),
    ({"ensemble": {}}, "an ensemble cannot be one of ensemble members"),
    ({"xgb": 3}, "ensemble members.xgb takes a mapping of options"),
    ({"xgb": {"depth": 3}}, "ensemble members.xgb"),
])
def test_a_bad_member_is_a_one_line_error(nb201, members, message):
    with pytest.raises(ConfigError, match=message) as error:
        create_predictor("ensemble", nb201, {"members": members})
    assert "\n" not in str(error.value)


def test_ranks_emprox_nao_candidates_and_the_run_records_every_members_options(nb201):
    from nasearch.predictors.tabular import XGBoost

    surrogate = {"name": "ensemble", "options": {"members": {"xgb": {"rounds": 30}, "ridge": {}}}}
    search = Search(nb201, TabularObjective(nb201, "cifar10-valid"), "emprox_nao", 30, seed=0,
                    options={"n_init": 10, "batch_size": 5, "candidates": 10, "surrogate": surrogate})
    result = search.run()
    predictor = search.optimizer.guide.surrogate.predictor
    assert isinstance(predictor, Ensemble) and isinstance(predictor.members[0], XGBoost)
    recorded = search.optimizer.config.surrogate["options"]["members"]
    assert recorded["xgb"]["max_depth"] == XGBoost.Config().max_depth and recorded["xgb"]["rounds"] == 30
    assert all(t.predicted is not None for t in result.history[10:])
