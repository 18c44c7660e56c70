"""The ``mlp`` predictor: an ensemble of networks trained side by side, each its own model,
whose spread is the members' disagreement; bad options are one-line errors."""
import numpy as np
import pytest

from nasearch.errors import ConfigError
from nasearch.predictors import create_predictor


def _told(space, count, seed):
    rng = np.random.default_rng(seed)
    archs = list({space.arch_id(a): a for a in (space.sample(rng) for _ in range(count))}.values())
    return archs, np.array([space.query(a, "cifar10-valid") for a in archs])


SMALL = {"layers": 2, "width": 16, "epochs": 40, "loss": "mse"}


def test_an_ensemble_averages_members_that_disagree(nb201):
    archs, values = _told(nb201, 60, 0)
    test, _ = _told(nb201, 40, 1)
    mlp = create_predictor("mlp", nb201, {**SMALL, "ensemble": 3}, np.random.default_rng(0)).fit(archs, values)
    members = mlp.member_predictions(test)
    assert members.shape == (3, len(test))
    mean, spread = mlp.predict_with_spread(test)
    np.testing.assert_allclose(mean, members.mean(0), rtol=1e-6)
    np.testing.assert_allclose(spread, members.std(0), rtol=1e-6)
    # own initialisations and shuffles: the members are different models, not one model thrice
    assert spread.mean() > 0.05
    assert min(np.corrcoef(members)[np.triu_indices(3, 1)]) < 0.999


def test_one_network_has_no_spread_and_the_seed_fixes_its_predictions(nb201):
    archs, values = _told(nb201, 60, 0)
    test, _ = _told(nb201, 20, 1)
    make = lambda: create_predictor("mlp", nb201, SMALL, np.random.default_rng(4)).fit(archs, values)  # noqa: E731
    first, second = make(), make()
    mean, spread = first.predict_with_spread(test)
    assert np.all(spread == 0)
    np.testing.assert_array_equal(mean, second.predict(test))


def test_each_member_learns_the_training_data(nb201):
    from scipy import stats

    archs, values = _told(nb201, 80, 2)
    mlp = create_predictor("mlp", nb201, {**SMALL, "ensemble": 2, "epochs": 100}, np.random.default_rng(1))
    members = mlp.fit(archs, values).member_predictions(archs)
    for member in members:
        assert stats.spearmanr(member, values)[0] > 0.6


@pytest.mark.parametrize("options, named", [({"loss": "l2"}, "loss"), ({"encoding": "graph"}, "encoding"),
                                            ({"ensemble": 0}, "ensemble"), ({"lr": 0.0}, "lr")])
def test_bad_options_are_one_line_errors(nb201, options, named):
    with pytest.raises(ConfigError, match=named) as error:
        create_predictor("mlp", nb201, options)
    assert "\n" not in str(error.value)


def test_update_trains_afresh_only_after_refit_growth(nb201):
    archs, values = _told(nb201, 90, 3)
    test, _ = _told(nb201, 20, 4)
    mlp = create_predictor("mlp", nb201, {**SMALL, "refit_growth": 0.5}, np.random.default_rng(0))
    before = mlp.update(archs[:40], values[:40]).predict(test)
    np.testing.assert_array_equal(mlp.update(archs[:55], values[:55]).predict(test), before)   # 37% more: kept
    assert mlp.trained_on == 40
    assert not np.allclose(mlp.update(archs[:60], values[:60]).predict(test), before)   # 50% more: fresh
    assert mlp.trained_on == 60


def test_without_refit_growth_every_update_is_a_fresh_fit(nb201):
    archs, values = _told(nb201, 60, 3)
    test, _ = _told(nb201, 20, 4)
    updated = create_predictor("mlp", nb201, SMALL, np.random.default_rng(0))
    fitted = create_predictor("mlp", nb201, SMALL, np.random.default_rng(0))
    updated.update(archs[:40], values[:40]).update(archs, values)
    fitted.fit(archs[:40], values[:40]).fit(archs, values)
    np.testing.assert_array_equal(updated.predict(test), fitted.predict(test))
    assert updated.trained_on == 60


def test_warm_epochs_teach_the_kept_networks_the_new_values(nb201):
    import pickle

    archs, values = _told(nb201, 48, 5)
    values = values.copy()
    values[40:] = values[:40].max() + 5.0   # eight new architectures far above everything told before
    options = {**SMALL, "refit_growth": 1.0}
    cold = create_predictor("mlp", nb201, options, np.random.default_rng(0)).update(archs[:40], values[:40])
    warm = create_predictor("mlp", nb201, {**options, "warm_epochs": 30}, np.random.default_rng(0))
    warm.update(archs[:40], values[:40])
    np.testing.assert_array_equal(warm.predict(archs[40:]), cold.predict(archs[40:]))
    cold.update(archs, values)
    warm.update(archs, values)
    assert warm.trained_on == cold.trained_on == 40   # neither trained afresh
    # the warm one moved towards the new values, the kept one did not
    assert warm.predict(archs[40:]).mean() > cold.predict(archs[40:]).mean() + 2.0
    clone = pickle.loads(pickle.dumps(warm))
    np.testing.assert_allclose(clone.update(archs, values).predict(archs[:5]),
                               warm.update(archs, values).predict(archs[:5]), rtol=1e-6)


def test_bad_warm_options_are_one_line_errors(nb201):
    with pytest.raises(ConfigError, match="warm_epochs and refit_growth"):
        create_predictor("mlp", nb201, {"warm_epochs": -1})
