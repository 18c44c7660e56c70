"""Per-space autoencoders pretrained on unlabelled architectures, cached on disk.

Pretraining needs no benchmark query. It draws minibatches from a stream of
architectures: shuffled passes over the list for listable spaces, fresh uniform
samples for spaces too large to list or of unknown size, so nothing ever holds
the whole of a large space. Training stops once the decoder reconstructs a
held-out set of architectures that training never sees (checked every
``check_every`` steps), or after ``max_steps``: the step budget follows how hard
the space is to decode instead of a fixed number of epochs, so a 27-architecture
space and a 10^18 one both get a faithful decoder.

The cache lives in ``$NASEARCH_CACHE`` (default ``~/.cache/nasearch``), one
``.pt`` file per key; the key covers the space's :meth:`~nasearch.SearchSpace.signature`,
the model and pretraining settings and the seed.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import ConfigError
from ..sampling import sample_distinct
from ..seeding import component_rng, torch_seeded
from .autoencoder import AutoencoderConfig, SequenceAutoencoder, round_trip_accuracy, train_step

FORMAT_VERSION = 2
#: Models kept in memory per process (most recently used); the disk cache holds the rest.
_MEMORY_SLOTS = 4
_MEMORY: "OrderedDict[str, tuple]" = OrderedDict()


@dataclass(frozen=True)
class PretrainingPlan:
    """How long and on what the autoencoder is pretrained. Steps are minibatches.

    ``min_steps`` is a floor because decoding and ranking settle at different speeds:
    NAS-Bench-201 reconstructs 99.7% of held-out cells after 300 steps, but the kNN
    Spearman of the embedding on the EmProx protocol is 0.653 there, 0.693 at 600 and
    0.721 at 1,200 steps (NAS-Bench-Graph: 0.33 throughout); 600 keeps the first run
    and DARTS pretraining well inside their time targets.
    """

    max_steps: int = 4000           #: hard cap on optimiser steps
    min_steps: int = 600            #: steps before the first early-stopping check (see above)
    check_every: int = 100          #: steps between held-out round-trip checks
    target_round_trip: float = 0.995  #: stop once this fraction of the check set decodes exactly
    holdout: int = 1000             #: held-out architectures (at most a fifth of a finite space)
    check_size: int = 300           #: held-out architectures used by the periodic checks
    archs: int = 0                  #: 0 = every architecture of a listable space, else a stream;
                                    #: N > 0 = a fixed pool of N distinct sampled architectures

    def __post_init__(self):
        if min(self.max_steps, self.check_every, self.holdout, self.check_size) < 1 or self.min_steps < 0:
            raise ConfigError("pretraining max_steps, check_every, holdout and check_size must be >= 1")
        if not 0 < self.target_round_trip <= 1:
            raise ConfigError(f"target_round_trip must be in (0, 1], got {self.target_round_trip}")
        if self.archs < 0:
            raise ConfigError(f"pretrain archs must be >= 0 (0 = automatic), got {self.archs}")


def pretraining_config(embedding_dim: int = 32, **overrides) -> AutoencoderConfig:
    """Model settings for pretraining: compact sequences, batch 500, lr 5e-3."""
    settings = dict(embedding_dim=embedding_dim, compact=True, batch_size=500, lr=5e-3, epochs=20)
    settings.update(overrides)
    return AutoencoderConfig(**settings)


def cache_dir() -> Path:
    return Path(os.environ.get("NASEARCH_CACHE", Path.home() / ".cache" / "nasearch")).expanduser()


class ArchitectureStream:
    """Minibatches of token sequences for pretraining, disjoint from a held-out set.

    Listable spaces (or a fixed pool of ``plan.archs``) are passed over in
    shuffled epochs; other spaces are sampled afresh for every batch, so memory
    stays ``O(batch)`` whatever the space's size.
    """

    def __init__(self, space, plan: PretrainingPlan, rng: np.random.Generator):
        self.space, self.rng = space, rng
        self.holdout = self._holdout(plan)
        self.held_ids = {space.arch_id(a) for a in self.holdout}
        self.pool = None
        if plan.archs:
            self.pool = sample_distinct(space, rng, plan.archs, self.held_ids)
        elif space.listable:
            self.pool = [a for a in space.enumerate() if space.arch_id(a) not in self.held_ids]
        if self.pool is not None:
            if not self.pool:
                raise ConfigError(f"space {space.name!r} has no architectures left to pretrain on after "
                                  f"holding out {len(self.holdout)}; lower the pretraining holdout")
            self.pool = np.array([space.to_sequence(a) for a in self.pool], dtype=np.int64)
            self._order, self._next = np.zeros(0, dtype=np.int64), 0

    def _holdout(self, plan: PretrainingPlan) -> list:
        count = plan.holdout
        if self.space.size is not None:
            count = min(count, max(1, self.space.size // 5))
        return sample_distinct(self.space, self.rng, count)

    @property
    def description(self) -> str:
        if self.pool is not None:
            return f"{len(self.pool):,} architectures"
        return "a stream of sampled architectures"

    def batch(self, size: int) -> np.ndarray:
        """``(size, seq_len)`` int64 tokens (fewer at the end of a pass over a small pool)."""
        if self.pool is None:
            archs = []
            while len(archs) < size:
                arch = self.space.sample(self.rng)
                if self.space.arch_id(arch) not in self.held_ids:
                    archs.append(arch)
            return np.array([self.space.to_sequence(a) for a in archs], dtype=np.int64)
        if self._next >= len(self._order):
            self._order, self._next = self.rng.permutation(len(self.pool)), 0
        chosen = self._order[self._next:self._next + size]
        self._next += len(chosen)
        return self.pool[chosen]


def _cache_key(space, config: AutoencoderConfig, plan: PretrainingPlan, seed: int) -> dict:
    return {"space": space.name, "signature": space.signature(), "config": dataclasses.asdict(config),
            "plan": dataclasses.asdict(plan), "seed": int(seed), "version": FORMAT_VERSION}


def pretrained_autoencoder(space, config: AutoencoderConfig | None = None, plan: PretrainingPlan | None = None,
                           seed: int = 0, progress: bool = False):
    """Return ``(model, info)`` for ``space``; trains and caches it on first use.

    ``info``: ``source`` ("trained" in this call, "loaded" from the disk cache or
    "memory"), ``train_seconds`` (time spent training in *this* call, 0 when
    loaded), ``cached_train_seconds`` (what training originally cost), ``steps``,
    ``seen`` (training sequences seen, with repeats), ``archs`` (size of the
    training pool, or ``seen`` when streamed), ``streamed``, ``round_trip``
    (fraction of the held-out architectures that decode exactly), ``holdout``,
    ``curve`` (the periodic checks) and ``path``.
    """
    import torch

    from ..threads import set_threads

    config = config or pretraining_config()
    plan = plan or PretrainingPlan()
    key_data = _cache_key(space, config, plan, seed)
    key = hashlib.sha1(json.dumps(key_data, sort_keys=True).encode()).hexdigest()[:16]
    if key in _MEMORY:
        _MEMORY.move_to_end(key)
        model, info = _MEMORY[key]
        return model, dict(info, source="memory", train_seconds=0.0)
    path = cache_dir() / f"autoencoder-{space.name}-{key}.pt"
    set_threads()
    if path.is_file():
        try:
            saved = torch.load(path, map_location="cpu", weights_only=False)
            model = SequenceAutoencoder.for_space(space, config)
            model.load_state_dict(saved["state_dict"])
            info = dict(saved["info"], source="loaded", train_seconds=0.0)
        except Exception:  # a torn or foreign cache file is retrained, never trusted
            saved = None
        if saved is not None:
            model.eval()
            return _remember(key, model, dict(info, path=str(path)))
    model, info = _train(space, config, plan, seed, progress, path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    torch.save({"state_dict": model.state_dict(), "info": info}, tmp)
    tmp.replace(path)
    return _remember(key, model, dict(info, path=str(path)))


def _remember(key: str, model, info: dict):
    _MEMORY[key] = (model, info)
    while len(_MEMORY) > _MEMORY_SLOTS:
        _MEMORY.popitem(last=False)
    return model, info


def _train(space, config: AutoencoderConfig, plan: PretrainingPlan, seed: int, progress: bool, path: Path):
    import torch

    rng = component_rng(seed, "pretraining")
    stream = ArchitectureStream(space, plan, component_rng(seed, "pretraining-archs"))
    holdout = stream.holdout
    check = holdout[:plan.check_size]
    bar = None
    if progress:
        from tqdm import tqdm
        tqdm.write(f"pretraining the {space.name} autoencoder on {stream.description} "
                   f"(once per space, setting and seed; cached in {path.parent})")
        bar = tqdm(total=plan.max_steps, desc="pretraining", unit="step", leave=False)
    start = time.perf_counter()
    steps, checked, seen = 0, float("nan"), 0
    curve = []   # (steps, architectures seen, seconds, round trip on the check set)
    with torch_seeded(rng):
        model = SequenceAutoencoder.for_space(space, config)
        optimizer = torch.optim.Adam(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
        while steps < plan.max_steps:
            batch = stream.batch(config.batch_size)
            train_step(model, optimizer, torch.as_tensor(batch))
            steps += 1
            seen += len(batch)
            if bar is not None:
                bar.update()
            if steps >= plan.min_steps and steps % plan.check_every == 0:
                checked = round_trip_accuracy(model, space, check)
                curve.append((steps, seen, round(time.perf_counter() - start, 3), checked))
                model.train()
                if bar is not None:
                    bar.set_postfix_str(f"held-out round trip {checked:.1%}")
                if checked >= plan.target_round_trip:
                    break
    model.eval()
    seconds = time.perf_counter() - start
    if bar is not None:
        bar.close()
    round_trip = round_trip_accuracy(model, space, holdout)
    pool = len(stream.pool) if stream.pool is not None else None
    info = {"train_seconds": seconds, "cached_train_seconds": seconds, "steps": steps, "seen": seen,
            "archs": pool if pool is not None else seen, "streamed": pool is None,
            "round_trip": round_trip, "holdout": len(holdout), "source": "trained", "curve": curve}
    return model, info


def refusal_message(space, round_trip: float, minimum: float) -> str:
    """The one-line reason a decoder is too weak for gradient-ascent search, with the fix."""
    return (f"the {space.name} autoencoder reconstructs only {round_trip:.0%} of held-out architectures "
            f"(minimum {minimum:.0%}), so gradient-ascent decoding is meaningless; pretrain longer with "
            f"option autoencoder.pretrain_steps (now too low), a larger autoencoder.embedding_dim, or a lower "
            f"autoencoder.min_round_trip")

