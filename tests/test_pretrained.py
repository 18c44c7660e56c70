"""Pretraining: held-out round trip, streaming for unlistable spaces, the cache key, refusal."""
import sys

import numpy as np
import pytest

from conftest import REPO
from nasearch.embedding import pretrained
from nasearch.embedding.autoencoder import round_trip_accuracy
from nasearch.embedding.pretrained import ArchitectureStream, PretrainingPlan, pretrained_autoencoder
from nasearch.errors import ConfigError
from nasearch.optimizers import create_optimizer
from search_spaces.nasbench_graph import NASBenchGraph

sys.path.insert(0, str(REPO / "tests" / "plugin_package"))
from nasearch_widechain import UnboundedChain, WideChain  # noqa: E402


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("NASEARCH_CACHE", str(tmp_path))
    pretrained._MEMORY.clear()
    yield tmp_path
    pretrained._MEMORY.clear()


def test_held_out_round_trip_and_cache_reuse(cache):
    space = NASBenchGraph("proteins")
    model, info = pretrained_autoencoder(space, seed=0)
    assert info["source"] == "trained" and info["train_seconds"] > 0
    assert info["holdout"] == 2021 // 5 and info["archs"] == 2021 - info["holdout"]
    assert info["round_trip"] >= 0.95, "the decoder must reconstruct architectures it never trained on"
    stream = ArchitectureStream(space, PretrainingPlan(), pretrained.component_rng(0, "pretraining-archs"))
    held = {space.arch_id(a) for a in stream.holdout}
    assert held.isdisjoint(space.arch_id(space.from_sequence(s)) for s in stream.pool)
    assert round_trip_accuracy(model, space, stream.holdout) == pytest.approx(info["round_trip"])
    assert len(list(cache.glob("autoencoder-*.pt"))) == 1
    pretrained._MEMORY.clear()
    again, loaded = pretrained_autoencoder(space, seed=0)
    assert loaded["source"] == "loaded" and loaded["train_seconds"] == 0.0
    assert loaded["cached_train_seconds"] == info["train_seconds"]
    assert round_trip_accuracy(again, space, stream.holdout[:50]) == round_trip_accuracy(model, space, stream.holdout[:50])


def test_cache_key_covers_seed_settings_and_space_content(cache):
    space = NASBenchGraph("proteins")
    plan = PretrainingPlan(max_steps=5, min_steps=5, check_every=5)
    pretrained_autoencoder(space, plan=plan, seed=0)
    pretrained_autoencoder(space, plan=plan, seed=1)
    pretrained_autoencoder(space, plan=PretrainingPlan(max_steps=6, min_steps=5, check_every=5), seed=0)

    class Edited(NASBenchGraph):
        version = "edited"

    pretrained_autoencoder(Edited("proteins"), plan=plan, seed=0)
    assert len(list(cache.glob("autoencoder-*.pt"))) == 4
    assert Edited("proteins").signature() != space.signature() == NASBenchGraph("proteins").signature()


def test_a_space_too_large_to_list_pretrains_on_a_stream(monkeypatch):
    # The session cache: the plug-in CLI test reuses this model instead of training its own.
    monkeypatch.setattr(WideChain, "enumerate", lambda self: pytest.fail("a large space must never be listed"))
    _, info = pretrained_autoencoder(WideChain(), seed=0)
    assert info["streamed"] and info["holdout"] == 1000 and info["archs"] >= 100 * 500
    assert info["round_trip"] >= 0.95


def test_a_space_of_unknown_size_pretrains_on_a_stream(cache, monkeypatch):
    monkeypatch.setattr(UnboundedChain, "enumerate", lambda self: pytest.fail("an unbounded space cannot be listed"))
    _, info = pretrained_autoencoder(UnboundedChain(), plan=PretrainingPlan(max_steps=30, check_every=10,
                                                                            min_steps=10, holdout=50), seed=0)
    assert info["streamed"] and info["steps"] == 30 and info["archs"] == 30 * 500 and info["holdout"] == 50


def test_a_small_space_gets_a_faithful_decoder(cache):
    from test_readme_example import _example_namespace

    space = _example_namespace()["ChainSpace"]()   # 27 architectures
    _, info = pretrained_autoencoder(space, seed=0)
    assert info["holdout"] == 5 and info["round_trip"] == 1.0


def test_gradient_search_refuses_a_weak_decoder_with_the_option_to_change(nb201, cache):
    weak = {"pretrain_steps": 2}
    with pytest.raises(ConfigError, match="pretrain_steps"):
        create_optimizer("emprox_nao", nb201, {"autoencoder": weak, "sources": {"ascent": {}}}, np.random.default_rng(0))
    # without the climb (the default) nothing decodes, so nothing is pretrained or refused
    assert create_optimizer("emprox_nao", nb201, {"autoencoder": weak}, np.random.default_rng(0)).autoencoder is None
