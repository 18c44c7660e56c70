"""The pretrained autoencoder decodes its space; a poor decoder is refused by gradient search."""
import numpy as np
import pytest

from nasearch.embedding.autoencoder import round_trip_accuracy
from nasearch.embedding.pretrained import pretrained_autoencoder, pretraining_config
from nasearch.errors import ConfigError
from nasearch.optimizers import create_optimizer
from search_spaces.nasbench_graph import NASBenchGraph


def test_round_trip_after_pretraining_and_cache_reuse(tmp_path, monkeypatch):
    monkeypatch.setenv("NASEARCH_CACHE", str(tmp_path))
    space = NASBenchGraph("proteins")
    config = pretraining_config(32, batch_size=100, epochs=30)
    model, info = pretrained_autoencoder(space, config)
    archs = list(space.enumerate())
    sample = [archs[i] for i in np.random.default_rng(0).choice(len(archs), 300, replace=False)]
    assert round_trip_accuracy(model, space, sample) >= 0.95
    assert info["round_trip"] >= 0.95 and info["archs"] == 2021
    assert len(list(tmp_path.glob("autoencoder-*.pt"))) == 1
    from nasearch.embedding import pretrained
    pretrained._MEMORY.clear()
    again, info_again = pretrained_autoencoder(space, config)
    assert info_again["train_seconds"] == info["train_seconds"]   # loaded, not retrained
    assert round_trip_accuracy(again, space, sample[:50]) == round_trip_accuracy(model, space, sample[:50])


def test_gradient_search_refuses_a_decoder_at_chance(nb201, tmp_path, monkeypatch):
    monkeypatch.setenv("NASEARCH_CACHE", str(tmp_path))
    with pytest.raises(ConfigError, match="python main.py pretrain"):
        create_optimizer("emprox_nao", nb201, {"pretrain_archs": 100}, np.random.default_rng(0), 100)
