"""Contract every :class:`~nasearch.predictors.Predictor` must satisfy.

Provide fixtures ``space`` (with a benchmark), ``dataset`` and ``make_predictor``
(a function of a NumPy generator returning an unfitted predictor).
"""
from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from nasearch.errors import NasearchError


def _data(space, dataset, count, seed):
    rng = np.random.default_rng(seed)
    archs, seen = [], set()
    while len(archs) < count:
        arch = space.sample(rng)
        if space.arch_id(arch) not in seen:
            seen.add(space.arch_id(arch))
            archs.append(arch)
    return archs, np.array([space.query(a, dataset) for a in archs])


class PredictorContract:
    #: Spearman the predictor must reach on its own training architectures.
    min_train_spearman = 0.3
    #: Spearman it must reach on 100 architectures it never saw (no exact-match shortcut there).
    min_heldout_spearman = 0.2

    @pytest.fixture
    def space(self):
        raise NotImplementedError("override the `space` fixture")

    @pytest.fixture
    def dataset(self, space):
        return space.datasets[0]

    @pytest.fixture
    def make_predictor(self):
        raise NotImplementedError("override the `make_predictor` fixture")

    def test_fit_returns_self_and_predict_shape(self, space, dataset, make_predictor):
        archs, values = _data(space, dataset, 40, 0)
        predictor = make_predictor(np.random.default_rng(0))
        assert predictor.fit(archs, values) is predictor
        test, _ = _data(space, dataset, 7, 1)
        predicted = predictor.predict(test)
        assert isinstance(predicted, np.ndarray) and predicted.shape == (7,)
        assert np.all(np.isfinite(predicted))

    def test_same_seed_same_predictions(self, space, dataset, make_predictor):
        archs, values = _data(space, dataset, 40, 0)
        test, _ = _data(space, dataset, 10, 1)
        first = make_predictor(np.random.default_rng(5)).fit(archs, values).predict(test)
        second = make_predictor(np.random.default_rng(5)).fit(archs, values).predict(test)
        np.testing.assert_array_equal(first, second)

    def test_learns_its_training_data(self, space, dataset, make_predictor):
        archs, values = _data(space, dataset, 60, 2)
        predicted = make_predictor(np.random.default_rng(0)).fit(archs, values).predict(archs)
        assert stats.spearmanr(predicted, values)[0] >= self.min_train_spearman

    def test_ranks_architectures_it_never_saw(self, space, dataset, make_predictor):
        archs, values = _data(space, dataset, 120, 3)
        predictor = make_predictor(np.random.default_rng(1)).fit(archs[:80], values[:80])
        predicted = predictor.predict(archs[80:])
        assert stats.spearmanr(predicted, values[80:])[0] >= self.min_heldout_spearman

    def test_update_on_a_growing_set_predicts_a_mean_and_a_spread(self, space, dataset, make_predictor):
        # a search calls update() every round on a told set that only grows
        archs, values = _data(space, dataset, 48, 4)
        predictor = make_predictor(np.random.default_rng(3))
        for count in (30, 33, 48):
            assert predictor.update(archs[:count], values[:count]) is predictor
        test, _ = _data(space, dataset, 9, 5)
        mean, spread = predictor.predict_with_spread(test)
        assert mean.shape == spread.shape == (9,)
        assert np.all(np.isfinite(mean)) and np.all(np.isfinite(spread)) and np.all(spread >= 0)
        np.testing.assert_allclose(mean, predictor.predict(test), rtol=1e-6)

    def test_a_pickled_predictor_predicts_the_same(self, space, dataset, make_predictor):
        import pickle

        archs, values = _data(space, dataset, 40, 0)
        test, _ = _data(space, dataset, 10, 1)
        predictor = make_predictor(np.random.default_rng(2)).fit(archs, values)
        clone = pickle.loads(pickle.dumps(predictor))
        np.testing.assert_allclose(clone.predict(test), predictor.predict(test), rtol=1e-6)

    def test_input_features_is_a_fixed_width_before_and_after_fitting(self, space, dataset, make_predictor):
        # a search reads it before the predictor's first fit (surrogate.local_admission: sized)
        archs, values = _data(space, dataset, 40, 0)
        predictor = make_predictor(np.random.default_rng(0))
        widths = {predictor.input_features(arch) for arch in archs[:5]}
        assert len(widths) == 1 and isinstance(next(iter(widths)), int) and next(iter(widths)) >= 0
        assert predictor.fit(archs, values).input_features(archs[7]) in widths

    def test_prepare_needs_no_labels_and_leaves_fit_unchanged(self, space, dataset, make_predictor):
        # an optimizer calls prepare() before the search's clock starts, then fits as usual
        archs, values = _data(space, dataset, 40, 0)
        test, _ = _data(space, dataset, 8, 1)
        prepared = make_predictor(np.random.default_rng(6))
        assert isinstance(prepared.prepare(), dict)
        plain = make_predictor(np.random.default_rng(6))
        np.testing.assert_array_equal(prepared.fit(archs, values).predict(test), plain.fit(archs, values).predict(test))

    @pytest.mark.parametrize("bad", [np.nan, np.inf])
    def test_rejects_non_finite_targets(self, space, dataset, make_predictor, bad):
        archs, values = _data(space, dataset, 10, 0)
        values[3] = bad
        with pytest.raises(NasearchError, match="NaN or infinite"):
            make_predictor(np.random.default_rng(0)).fit(archs, values)

    def test_rejects_mismatched_lengths(self, space, dataset, make_predictor):
        archs, values = _data(space, dataset, 10, 0)
        with pytest.raises(NasearchError):
            make_predictor(np.random.default_rng(0)).fit(archs, values[:-1])
