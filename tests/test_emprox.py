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


def _loo_loss(features, values, weight):
    """The leave-one-out kernel-regression loss that learn_linear_metric minimises, for ``weight``."""
    ranks = np.argsort(np.argsort(values)) / (len(values) - 1)
    z = features @ weight
    logits = -((z[:, None, :] - z[None, :, :]) ** 2).sum(-1)
    np.fill_diagonal(logits, -np.inf)
    weights = np.exp(logits - logits.max(axis=1, keepdims=True))
    prediction = (weights / weights.sum(axis=1, keepdims=True)) @ ranks
    return float(((prediction - ranks) ** 2).mean())


def test_the_learned_metric_lowers_its_leave_one_out_loss_from_ranks_alone():
    from nasearch.predictors.emprox import learn_linear_metric

    rng = np.random.default_rng(0)
    features = rng.normal(size=(40, 6)).astype(np.float32)
    features /= np.linalg.norm(features, axis=1, keepdims=True)
    values = features[:, 0] + 0.05 * rng.normal(size=40)   # only the first direction matters
    weight = learn_linear_metric(features, values)
    assert weight.shape == (6, 6) and weight.dtype == np.float32
    start = _loo_loss(features, values, 3.0 * np.eye(6))
    assert _loo_loss(features, values, weight) < 0.6 * start
    # it moves away from its scaled-identity start, stretching the direction that matters most
    assert np.linalg.norm(weight[0]) > max(np.linalg.norm(weight[i]) for i in range(1, 6))
    # rank-transformed labels: any increasing transform of the values learns the same map
    np.testing.assert_allclose(learn_linear_metric(features, np.exp(3 * values) + 7), weight, rtol=1e-5, atol=1e-6)
    fewer = learn_linear_metric(features[:2], values[:2])   # too few for leave-one-out: the identity
    np.testing.assert_array_equal(fewer, np.eye(6))
    assert fewer.dtype == np.float32 and learn_linear_metric(features[:3], values[:3]).dtype == np.float32
    assert not np.array_equal(learn_linear_metric(features[:3], values[:3]), np.eye(6))
    # it starts at 3 times the identity
    np.testing.assert_array_equal(learn_linear_metric(features, values, steps=0), 3 * np.eye(6, dtype=np.float32))


def test_the_learned_map_is_what_the_knn_and_the_soft_surrogate_run_in(nb201):
    import torch

    archs, values = _split(nb201, 60, 6)
    predictor = EmProx(nb201, {"epochs": 1, "metric": "learned", "k": 4}, np.random.default_rng(0))
    predictor.fit(archs[:50], values[:50])
    embedded = predictor.embed(archs[50:])
    mapped = embedded @ predictor.transform
    np.testing.assert_allclose(predictor.memory, predictor.embed(archs[:50]) @ predictor.transform, rtol=1e-5,
                               atol=1e-6)
    from nasearch.knn import hard_knn

    np.testing.assert_allclose(predictor.predict(archs[50:]), hard_knn(mapped, predictor.memory, values[:50], 4))
    soft = predictor.soft_predict(torch.as_tensor(embedded, dtype=torch.float64), temperature=1e-4).detach().numpy()
    np.testing.assert_allclose(soft, predictor.predict(archs[50:]), rtol=5e-3)


def test_a_linear_residual_recovers_a_linear_function_of_the_embedding(nb201):
    import torch

    archs, _ = _split(nb201, 80, 7)
    options = {"epochs": 2, "k": 5}
    # the autoencoder never sees the values, so the same seed gives the same embeddings
    embeddings = EmProx(nb201, options, np.random.default_rng(0)).fit(archs[:60], np.zeros(60)).embed(archs)
    direction = np.random.default_rng(1).normal(size=embeddings.shape[1])
    values = 50.0 + embeddings @ direction
    plain = EmProx(nb201, options, np.random.default_rng(0)).fit(archs[:60], values[:60])
    trended = EmProx(nb201, {**options, "residual": "linear"}, np.random.default_rng(0)).fit(archs[:60], values[:60])
    np.testing.assert_allclose(trended.targets, values[:60] - (embeddings[:60] @ trended.trend[0] + trended.trend[1]))
    error = np.abs(trended.predict(archs[60:]) - values[60:]).mean()
    assert error < 0.5 * np.abs(plain.predict(archs[60:]) - values[60:]).mean()
    predicted, spread = trended.predict_with_spread(archs[60:])
    np.testing.assert_allclose(predicted, trended.predict(archs[60:]))
    np.testing.assert_allclose(spread, trended.predict_spread(archs[60:]))
    query = torch.as_tensor(embeddings[60:], dtype=torch.float64)
    soft = trended.soft_predict(query, temperature=1e-4, eps=1e-6).detach().numpy()
    np.testing.assert_allclose(soft, predicted, rtol=1e-4)
    # the temperature and eps given reach the soft kNN; without them the config's temperature is used
    assert np.abs(trended.soft_predict(query, temperature=1.0).detach().numpy() - predicted).max() > 1e-3
    assert np.abs(trended.soft_predict(query, temperature=1.0).detach().numpy()
                  - trended.soft_predict(query, temperature=0.1).detach().numpy()).max() > 1e-4
    assert np.abs(trended.soft_predict(query, temperature=1e-4, eps=5.0).detach().numpy() - soft).max() > 1e-3
    np.testing.assert_allclose(trended.soft_predict(query).detach().numpy(),
                               trended.soft_predict(query, temperature=0.01).detach().numpy())


def test_a_warm_start_continues_the_last_fit_and_a_cold_one_starts_over(nb201):
    import torch

    archs, values = _split(nb201, 30, 8)
    predictor = EmProx(nb201, {"epochs": 1}, np.random.default_rng(0)).fit(archs, values)
    model = predictor.model
    before = {name: tensor.clone() for name, tensor in model.state_dict().items()}
    predictor.fit(archs, values, warm_start=True)
    assert predictor.model is model
    assert any(not torch.equal(before[name], tensor) for name, tensor in model.state_dict().items())
    predictor.fit(archs, values)
    assert predictor.model is not model


def test_every_use_before_fit_says_to_fit_first(nb201):
    predictor = EmProx(nb201, {"epochs": 1}, np.random.default_rng(0))
    archs = [nb201.sample(np.random.default_rng(0))]
    for call, name in ((predictor.predict, "predict"), (predictor.predict_spread, "predict_spread"),
                       (predictor.predict_with_spread, "predict"), (predictor.embed, "embed")):
        with pytest.raises(ConfigError, match=f"^call fit\\(\\) before {name}\\(\\)$"):
            call(archs)


@pytest.mark.parametrize("option, value, message", [
    ("unlabeled", -1, "unlabeled and pretrain_archs must be >= 0"), ("pretrain_archs", -1, "pretrain_archs"),
    ("pretrain_steps", 0, "pretrain_steps >= 1"), ("metric", "cosine", "metric must be 'euclidean' or 'learned'"),
    ("residual", "cubic", "residual must be 'none' or 'linear'"), ("temperature", 0, "temperature must be > 0")])
def test_each_emprox_option_out_of_range_is_one_line(nb201, option, value, message):
    with pytest.raises(ConfigError, match=message):
        create_predictor("emprox", nb201, {option: value})
    bound = {"unlabeled": 0, "pretrain_archs": 0, "pretrain_steps": 1, "metric": "learned", "residual": "linear",
             "temperature": 1e-9}[option]
    create_predictor("emprox", nb201, {option: bound})


def test_the_autoencoder_trains_on_the_known_and_the_unlabelled_architectures(nb201, monkeypatch):
    import nasearch.predictors.emprox as emprox_module

    archs, values = _split(nb201, 40, 9)
    seen = []
    train = emprox_module.train_autoencoder
    monkeypatch.setattr(emprox_module, "train_autoencoder",
                        lambda model, sequences, generator: seen.append(sequences) or train(model, sequences, generator))
    predictor = EmProx(nb201, {"epochs": 1, "unlabeled": 30}, np.random.default_rng(0)).fit(archs, values)
    assert seen[0].dtype == np.int64 and len(seen[0]) == 70
    np.testing.assert_array_equal(seen[0][:40], [nb201.to_sequence(a) for a in archs])
    np.testing.assert_array_equal(predictor.values, values)
    # the unlabelled ones are drawn from the predictor's generator, outside the excluded set
    every = [nb201.arch_id(a) for a in nb201.enumerate()]
    exclude = set(every[::2])
    drawn = {nb201.arch_id(a) for a in predictor._unlabeled(200, exclude)}
    assert len(drawn) == 200 and not drawn & exclude


def test_each_seed_of_the_predictor_gives_its_own_autoencoder_and_the_same_seed_the_same(nb201):
    archs, values = _split(nb201, 30, 10)
    embed = lambda seed: EmProx(nb201, {"epochs": 1}, np.random.default_rng(seed)).fit(archs, values).memory
    np.testing.assert_array_equal(embed(4), embed(4))
    assert not np.allclose(embed(4), embed(5))


def test_a_pretrained_emprox_takes_its_pretraining_settings_and_reports_them(nb201):
    archs, values = _split(nb201, 30, 11)
    options = {"pretrained": True, "embedding_dim": 8, "pretrain_steps": 30, "pretrain_archs": 300, "k": 3}
    first = EmProx(nb201, {**options, "pretrain_seed": 1}, np.random.default_rng(0)).fit(archs, values)
    assert first.memory.shape == (30, 8)
    assert set(first.fit_info) == {"pretrain_seconds", "round_trip", "pretraining"}
    assert first.fit_info["pretraining"] in ("trained", "loaded", "memory") and 0 <= first.fit_info["round_trip"] <= 1
    from nasearch.embedding.pretrained import PretrainingPlan, pretrained_autoencoder, pretraining_config

    model, _ = pretrained_autoencoder(nb201, pretraining_config(8), PretrainingPlan(max_steps=30, archs=300), 1)
    assert first.model is model, "the cached autoencoder of exactly these settings"
    other = EmProx(nb201, {**options, "pretrain_seed": 2}, np.random.default_rng(0)).fit(archs, values)
    assert other.model is not model and not np.allclose(other.memory, first.memory)


def test_a_screened_search_pretrains_its_emprox_before_the_clock_and_reports_it(nb201):
    from nasearch import Search
    from nasearch.objective import TabularObjective

    # settings no other test pretrains with, so this process's cache is cold for them
    screen = {"embedding_dim": 6, "pretrain_steps": 20, "pretrain_archs": 200, "k": 3}
    objective = TabularObjective(nb201, "cifar10-valid")
    search = Search(nb201, objective, "evolution", budget=15, seed=3,
                    options={"population": 10, "screen": 4, "predictor": screen})
    # trained while the search was set up, before its clock started, not inside the first screened pick
    stats = dict(search.optimizer.stats)
    assert stats["pretraining"] == "trained" and stats["pretrain_seconds"] > 0
    result = search.run()
    assert search.optimizer.screen.predictor.fit_info["pretraining"] == "memory"   # found, not trained again
    assert result.summary.optimizer_stats["pretrain_seconds"] == stats["pretrain_seconds"]
    again = Search(nb201, objective, "random", budget=12, seed=3, options={"screen": 4, "n_init": 10, "predictor": screen})
    assert again.optimizer.stats["pretraining"] == "memory" and again.optimizer.stats["pretrain_seconds"] == 0


def test_a_screened_random_search_refuses_several_objectives_before_pretraining(nb201, monkeypatch):
    from nasearch import Search
    from nasearch.objective import TabularObjective

    def refuse(self):
        raise AssertionError("pretrained before the search's options were checked")

    monkeypatch.setattr(EmProx, "prepare", refuse)
    with pytest.raises(ConfigError, match="screen ranks by one objective"):
        Search(nb201, TabularObjective(nb201, "cifar10-valid"), "random", budget=20, seed=0,
               options={"screen": 4}, objectives=["val", "-latency@edgegpu"])


def test_an_ensemble_prepares_each_member_and_reports_their_pretraining(nb201):
    first = {"pretrained": True, "embedding_dim": 5, "pretrain_steps": 20, "pretrain_archs": 200, "k": 3, "pretrain_seed": 4}
    members = {"emprox": first, "ridge": {}}
    ensemble = create_predictor("ensemble", nb201, {"members": members}, np.random.default_rng(0))
    done = ensemble.prepare()
    assert done["pretraining"] == "trained" and done["pretrain_seconds"] > 0
    assert create_predictor("ensemble", nb201, {"members": members}, np.random.default_rng(0)).prepare() == \
        dict(done, pretraining="memory", pretrain_seconds=0.0)
    assert create_predictor("ensemble", nb201, {"members": {"ridge": {}}}, np.random.default_rng(0)).prepare() == {}
