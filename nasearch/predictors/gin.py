"""Supervised graph predictors: the GIN-ensemble baseline and the label-aware EmProx.

Both train an ensemble of :class:`~nasearch.embedding.graph_encoder.GraphEncoder`s with a
linear head on the known labels (z-scored), by mean squared error plus a pairwise ranking
loss, full-batch Adam. They differ in how they predict:

* ``gin`` averages the members' heads (the strongest small-sample family, as a baseline);
* ``emprox_label_aware`` keeps EmProx's estimator, the inverse-distance kNN of the ``k``
  nearest known architectures, but in the embedding the labels shaped: the members'
  L2-normalised embeddings concatenated (``(n, members · dim)``, unit norm overall).

Zero-cost proxies (``zero_cost: [synflow, params, flops]``, spaces that build networks)
enter as graph-level inputs to every member.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import ConfigError
from ..knn import hard_knn, hard_knn_spread, soft_knn
from ..seeding import torch_seeded
from .base import Predictor, zscore


@dataclass(frozen=True)
class GINConfig:
    members: int = 5          #: ensemble size
    width: int = 16           #: node-state width
    layers: int = 3           #: message-passing layers
    dim: int = 32             #: graph-embedding size of each member
    epochs: int = 200         #: full-batch Adam steps
    lr: float = 3e-3          #: Adam learning rate
    weight_decay: float = 1e-4  #: Adam weight decay
    ranking: float = 1.0      #: weight of the pairwise ranking loss beside the squared error
    messages: str = "both"    #: "both" (predecessors and successors) or "forward" (predecessors only)
    zero_cost: tuple = ()     #: zero-cost proxies used as inputs (synflow, params, flops)
    #: architectures per Adam step; 0: the whole training set (full batch). With minibatches an
    #: epoch is one shuffled pass, so the same epochs see every architecture as often, in more steps
    minibatch: int = 0
    refit_growth: float = 0.1  #: update() retrains once the known set grew by this fraction since training

    def __post_init__(self):
        object.__setattr__(self, "zero_cost", tuple(self.zero_cost))
        for name in ("members", "width", "layers", "dim", "epochs"):
            if getattr(self, name) < 1:
                raise ConfigError(f"option {name} must be >= 1, got {getattr(self, name)}")
        if self.minibatch < 0:
            raise ConfigError(f"option minibatch must be >= 0 (0: full batch), got {self.minibatch}")
        if self.lr <= 0 or self.weight_decay < 0 or self.ranking < 0 or self.refit_growth < 0:
            raise ConfigError("options lr must be > 0, weight_decay, ranking and refit_growth >= 0")
        if self.messages not in ("both", "forward"):
            raise ConfigError(f"option messages must be 'both' or 'forward', got {self.messages!r}")
        if self.zero_cost:
            from ..zero_cost import ZeroCostConfig

            ZeroCostConfig(proxies=self.zero_cost)        # the one check of the proxy names


class GIN(Predictor):
    """A GIN ensemble with messages both ways (options in :class:`GINConfig`)."""

    name = "gin"
    Config = GINConfig

    def __init__(self, space, config=None, rng=None):
        super().__init__(space, config, rng)
        self.encoder = self.head = None
        self.trained_on = 0         # told architectures at the last training
        self.proxies = None
        if self.config.zero_cost:
            from ..zero_cost import ZeroCostConfig, ZeroCostProxies

            self.proxies = ZeroCostProxies(space, ZeroCostConfig(proxies=self.config.zero_cost))

    # ----------------------------------------------------------------- inputs
    def _extra(self, archs, fit: bool = False):
        if self.proxies is None:
            return None
        features = self.proxies.features(archs)
        # Parameter and FLOP counts span orders of magnitude; synflow is already a log.
        logged = [name in ("params", "flops") for name in self.config.zero_cost]
        features[:, logged] = np.log(np.maximum(features[:, logged], 1e-9))
        if fit:
            self._extra_mean = features.mean(0)
            self._extra_std = np.where(features.std(0) > 1e-12, features.std(0), 1.0)
        return (features - self._extra_mean) / self._extra_std

    def _pool(self, archs, fit: bool = False):
        from ..embedding.graph_encoder import GraphPool

        return GraphPool([self.space.graph(a) for a in archs], self._extra(archs, fit))

    def _batch(self, archs, fit: bool = False):
        return self._pool(archs, fit).batch(range(len(archs)))

    # ------------------------------------------------------------------ training
    def fit(self, archs, values):
        import torch

        from ..embedding.graph_encoder import EnsembleLinear, GraphEncoder

        values = self.check_targets(archs, values)
        z, self.mean, self.std = zscore(values)
        pool = self._pool(archs, fit=True)   # the graphs, built once for every step's batch
        batch = pool.batch(range(len(archs)))
        target = torch.as_tensor(z, dtype=torch.float32)
        config = self.config
        extra = 0 if batch.extra is None else batch.extra.shape[1]
        with torch_seeded(self.rng):
            self.encoder = GraphEncoder(self.space.graph_labels, config.width, config.layers, config.dim, extra,
                                        config.members, both_ways=config.messages == "both")
            self.head = EnsembleLinear(config.members, config.dim, 1)
            parameters = list(self.encoder.parameters()) + list(self.head.parameters())
            optimizer = torch.optim.Adam(parameters, lr=config.lr, weight_decay=config.weight_decay)
            for step_batch, step_target, step_pairs in self._training_batches(pool, batch, target):
                predicted = self.head(self.encoder(step_batch)).squeeze(-1)      # (members, b)
                loss = self._loss(predicted, step_target, step_pairs)
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
        self.encoder.eval()
        self.trained_on = len(archs)
        self._after_fit(archs, values)
        return self

    def _training_batches(self, pool, batch, target):
        """``(GraphBatch, (b,) targets, their ranking pairs or None)`` for every Adam step: ``batch``,
        the whole ``pool``, once an epoch, or with ``minibatch`` each epoch's shuffled slices of the
        pool (drawn from torch's generator, which the caller seeded from this predictor's; a set no
        larger than one minibatch stays a full batch)."""
        import torch

        from ..embedding.graph_encoder import ranking_pairs

        def pairs(step_target):   # the ranking loss's pair mask, (b, b); None without that loss
            return ranking_pairs(step_target) if self.config.ranking else None

        size, epochs, count = self.config.minibatch, self.config.epochs, len(target)
        if not size or size >= count:
            whole = pairs(target)   # the same every epoch, so built once
            for _ in range(epochs):
                yield batch, target, whole
            return
        for _ in range(epochs):
            order = torch.randperm(count).numpy()
            for start in range(0, len(order), size):
                chosen = order[start:start + size]
                yield pool.batch(chosen), target[chosen], pairs(target[chosen])

    def update(self, archs, values):
        """Retrain only once the known set has grown by ``refit_growth`` (at least one architecture)
        since the last training, so a search of N evaluations trains O(log N) times; in between the
        trained encoders are kept (the label-aware kNN still remembers every known value)."""
        if self.encoder is None or self.grown_enough(len(archs), self.trained_on, self.config.refit_growth):
            return self.fit(archs, values)
        self._after_fit(archs, self.check_targets(archs, values))
        return self

    def _loss(self, predicted, target, better=None):
        """Summed over members (``predicted`` is ``(members, n)``), so each member's gradient is
        that of its own loss: squared error plus ``ranking`` × the pairwise ranking loss
        (``better``: the target's :func:`~nasearch.embedding.graph_encoder.ranking_pairs`, if known)."""
        from ..embedding.graph_encoder import pairwise_ranking_loss

        loss = ((predicted - target) ** 2).mean(-1).sum()
        if self.config.ranking:
            loss = loss + self.config.ranking * pairwise_ranking_loss(predicted, target, better).sum()
        return loss

    def _after_fit(self, archs, values) -> None:
        """Hook for subclasses: runs once the members are trained."""

    def _require_fit(self) -> None:
        if self.encoder is None:
            raise ConfigError(f"call fit() before predicting with {self.name}")

    def predict(self, archs):
        import torch

        self._require_fit()
        batch = self._batch(archs)
        with torch.no_grad():
            z = self.head(self.encoder(batch)).squeeze(-1).mean(0)
        return z.numpy().astype(np.float64) * self.std + self.mean

    def embed(self, archs) -> np.ndarray:
        """``(n, members · dim)`` float32: each member's L2-normalised embedding, concatenated and
        scaled by ``1/√members`` so every row has unit norm."""
        import torch

        self._require_fit()
        batch = self._batch(archs)
        with torch.no_grad():
            parts = torch.nn.functional.normalize(self.encoder(batch), dim=-1)     # (members, n, dim)
        joined = torch.cat(list(parts), -1) / np.sqrt(len(parts))
        return joined.numpy().astype(np.float32)


@dataclass(frozen=True)
class LabelAwareEmProxConfig(GINConfig):
    k: int = 10                    #: neighbours
    temperature: float = 0.01      #: soft-kNN temperature for the differentiable surrogate
    #: "auto": blend the kNN with a ridge regression on the one-hot encoding, the blend's weight
    #: chosen at every update by leave-one-out rank correlation on the known set; "off": the kNN alone
    linear: str = "off"

    def __post_init__(self):
        super().__post_init__()
        if self.linear not in ("off", "auto"):
            raise ConfigError(f"option linear must be 'auto' or 'off', got {self.linear!r}")
        if self.k < 1:
            raise ConfigError(f"option k must be >= 1, got {self.k}")
        if self.temperature <= 0:
            raise ConfigError(f"option temperature must be > 0, got {self.temperature}")


class LabelAwareEmProx(GIN):
    """EmProx's inverse-distance kNN in an embedding trained on the known labels."""

    name = "emprox_label_aware"
    Config = LabelAwareEmProxConfig

    #: the ridge's weights tried in the ``linear: auto`` blend, ``(1 − w) · kNN + w · ridge``
    BLEND_WEIGHTS = (0.0, 0.25, 0.5, 0.75, 1.0)

    def _after_fit(self, archs, values) -> None:
        self.values = values
        self.memory = self.embed(archs)
        self.linear_weight, self.ridge = 0.0, None
        if self.config.linear == "auto" and len(values) >= 3:
            self._fit_blend(archs, values)

    def _fit_blend(self, archs, values) -> None:
        """Choose the ridge's weight in the blend by the leave-one-out Spearman correlation of the
        blended predictions with the known values (ties to the smaller weight, so a space where the
        additive model adds nothing keeps the kNN alone). The kNN's held-out predictions use the
        embedding trained on every known label, so they flatter the kNN: the choice leans to it."""
        from scipy.stats import spearmanr

        from ..knn import hard_knn_leave_one_out
        from .linear import Ridge

        self.ridge = Ridge(self.space, {}, self.rng).fit(archs, values)
        held_out_knn = hard_knn_leave_one_out(self.memory, values, self.config.k)
        best = -np.inf
        for weight in self.BLEND_WEIGHTS:
            blended = (1.0 - weight) * held_out_knn + weight * self.ridge.leave_one_out
            correlation = spearmanr(blended, values)[0] if np.ptp(blended) > 0 else -np.inf
            if np.nan_to_num(correlation, nan=-np.inf) > best + 1e-9:
                best, self.linear_weight = correlation, weight

    def _blend(self, archs, knn_values: np.ndarray) -> np.ndarray:
        if not self.linear_weight:
            return knn_values
        return (1.0 - self.linear_weight) * knn_values + self.linear_weight * self.ridge.predict(archs)

    def predict(self, archs):
        self._require_fit()
        return self._blend(archs, hard_knn(self.embed(archs), self.memory, self.values, self.config.k))

    def predict_spread(self, archs) -> np.ndarray:
        """``(n,)`` inverse-distance-weighted standard deviation of the k neighbours' values."""
        self._require_fit()
        return hard_knn_spread(self.embed(archs), self.memory, self.values, self.config.k)

    def predict_with_spread(self, archs) -> tuple:
        """:meth:`predict` and :meth:`predict_spread` from one embedding of ``archs``."""
        self._require_fit()
        embedded = self.embed(archs)
        return (self._blend(archs, hard_knn(embedded, self.memory, self.values, self.config.k)),
                hard_knn_spread(embedded, self.memory, self.values, self.config.k))

    def soft_predict(self, embedding, temperature: float | None = None, eps: float = 1e-3):
        """Differentiable surrogate: torch ``(m, members · dim)`` embeddings → ``(m,)`` values."""
        import torch

        memory = torch.as_tensor(self.memory)
        targets = torch.as_tensor(self.values, dtype=memory.dtype)
        return soft_knn(embedding.to(memory.dtype), memory, targets, self.config.k,
                        temperature or self.config.temperature, eps)
