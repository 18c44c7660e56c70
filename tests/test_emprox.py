import numpy as np
import pytest
from scipy import stats

from nasearch.errors import ConfigError
from nasearch.predictors import EmProx, create_predictor


def _split(space, count, seed):
    rng = np.random.default_rng(seed)
    archs = list(space.enumerate())
    index = rng.choice(len(archs), count, replace=False)
    return [archs[i] for i in index], space.values(space.datasets[0])[index]


def test_memory_holds_one_current_embedding_per_known_architecture(nb201):
    archs, values = _split(nb201, 121, 0)
    predictor = EmProx(nb201, {"epochs": 3}, np.random.default_rng(0)).fit(archs, values)
    assert predictor.memory.shape == (121, 32) and predictor.memory.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(predictor.memory, axis=1), 1.0, atol=1e-5)
    # eval-mode embeddings with the final weights: recomputing gives the same rows
    np.testing.assert_allclose(predictor.embed(archs), predictor.memory, atol=1e-6)
    # a known architecture is at distance 0 from itself: its own value comes back
    np.testing.assert_allclose(predictor.predict(archs[:5]), values[:5], atol=1e-6)


@pytest.mark.parametrize("dim", [16, 64, 128])
def test_embedding_dimensions(nb201, dim):
    archs, values = _split(nb201, 30, 1)
    predictor = EmProx(nb201, {"epochs": 1, "embedding_dim": dim, "k": 60}, np.random.default_rng(0))
    assert predictor.fit(archs, values).embed(archs[:4]).shape == (4, dim)


def test_bad_options_are_rejected(nb201):
    with pytest.raises(ConfigError, match="k must be >= 1"):
        create_predictor("emprox", nb201, {"k": 0})
    with pytest.raises(ConfigError, match="unknown config key 'emprox.kk'"):
        create_predictor("emprox", nb201, {"kk": 3})


def test_unlabeled_architectures_join_autoencoder_training(nb201):
    archs, values = _split(nb201, 40, 2)
    plain = EmProx(nb201, {"epochs": 2}, np.random.default_rng(0)).fit(archs, values)
    extra = EmProx(nb201, {"epochs": 2, "unlabeled": 200}, np.random.default_rng(0)).fit(archs, values)
    assert extra.memory.shape == plain.memory.shape
    assert not np.allclose(extra.memory, plain.memory)


def test_emprox_ranks_better_than_chance_on_held_out(nb201):
    archs, values = _split(nb201, 221, 3)
    predictor = EmProx(nb201, {"compact": True}, np.random.default_rng(0)).fit(archs[100:], values[100:])
    assert stats.spearmanr(predictor.predict(archs[:100]), values[:100])[0] > 0.4


def test_learned_metric_option(nb201):
    archs, values = _split(nb201, 221, 4)
    predictor = EmProx(nb201, {"compact": True, "metric": "learned"}, np.random.default_rng(0))
    predictor.fit(archs[100:], values[100:])
    assert predictor.transform.shape == (32, 32)
    assert stats.spearmanr(predictor.predict(archs[:100]), values[:100])[0] > 0.4


@pytest.mark.parametrize("name", ["emprox", "emprox_label_aware"])
def test_a_prediction_is_the_weighted_mean_of_exactly_k_neighbours(nb201, name):
    """Recomputed by hand from the predictor's own embeddings: the ``k`` nearest known
    architectures, weights 1/distance; the mean over all of memory would differ."""
    options = {"k": 3, "pretrained": True} if name == "emprox" else {"k": 3, "members": 2, "epochs": 5}
    rng = np.random.default_rng(5)
    archs = [nb201.sample(rng) for _ in range(40)]
    values = np.array([nb201.query(a, "cifar10-valid") for a in archs])
    predictor = create_predictor(name, nb201, options, np.random.default_rng(0)).fit(archs[:30], values[:30])
    queries, memory = predictor.embed(archs[30:]), predictor.embed(archs[:30])
    distances = np.linalg.norm(queries[:, None, :].astype(np.float64) - memory[None, :, :], axis=2)
    expected, everyone = [], []
    for row in distances:
        nearest = np.argsort(row)[:3]
        expected.append(np.average(values[:30][nearest], weights=1.0 / row[nearest]))
        everyone.append(np.average(values[:30], weights=1.0 / row))
    predicted, spread = predictor.predict_with_spread(archs[30:])
    np.testing.assert_allclose(predicted, expected, rtol=1e-5)
    np.testing.assert_allclose(predictor.predict(archs[30:]), predicted)
    assert np.max(np.abs(np.array(everyone) - expected)) > 0.1, "k neighbours and all of memory must differ here"
    assert spread.shape == (10,) and np.all(spread >= 0) and np.any(spread > 0)
