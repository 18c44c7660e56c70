"""EmProx: kNN regression in the embedding space of a sequence autoencoder.

``fit`` trains only the autoencoder (reconstruction loss, no regressor) and then
stores the eval-mode embeddings of the known architectures, computed once with
the final weights. The original implementation instead appended a
training-mode (dropout-noised, stale) embedding for every batch of every epoch,
so its memory held 121 × 50 rows of mostly outdated copies; here the memory
holds exactly one current embedding per known architecture.

``predict`` is the inverse-distance-weighted mean of the ``k`` nearest known
values (:func:`nasearch.knn.hard_knn`). :meth:`EmProx.soft_predict` is the
differentiable soft-kNN surrogate used by gradient-ascent search.

Named options beyond the paper:

* ``unlabeled: N`` adds N sampled architectures (no labels, no queries) to the
  autoencoder's training set;
* ``pretrained: true`` reuses the space's cached autoencoder, pretrained once on
  unlabelled architectures, so a fit is only embedding plus kNN memory;
* ``metric: learned`` learns a linear map of the embedding by leave-one-out
  kernel regression on rank-transformed labels, and runs the kNN in the mapped space.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..embedding.autoencoder import (AutoencoderConfig, SequenceAutoencoder, embed_sequences,
                                     train_autoencoder)
from ..errors import ConfigError
from ..knn import hard_knn, hard_knn_spread, soft_knn
from ..seeding import torch_generator, torch_seeded
from .base import Predictor


@dataclass(frozen=True)
class EmProxConfig(AutoencoderConfig):
    """The autoencoder's settings (d = ``embedding_dim`` = 32, 50 epochs, ...) plus the kNN's."""

    k: int = 10                 #: neighbours
    unlabeled: int = 0          #: extra unlabelled architectures in the autoencoder's training set
    pretrained: bool = False    #: reuse the space's cached autoencoder pretrained on unlabelled architectures
    pretrain_archs: int = 0     #: pretraining pool; 0 = the whole space if listable, else a stream
    pretrain_steps: int = 4000  #: most pretraining steps (stops earlier once the decoder is faithful)
    pretrain_seed: int = 0      #: seed of that pretraining (a search passes its master seed)
    metric: str = "euclidean"   #: "euclidean" (the paper) or "learned"
    temperature: float = 0.01   #: soft-kNN temperature for the differentiable surrogate
    residual: str = "none"      #: "none" (the paper) or "linear": kNN on residuals of a ridge trend

    def __post_init__(self):
        super().__post_init__()
        if self.k < 1:
            raise ConfigError(f"emprox option k must be >= 1, got {self.k}")
        if self.unlabeled < 0 or self.pretrain_archs < 0 or self.pretrain_steps < 1:
            raise ConfigError("emprox options unlabeled and pretrain_archs must be >= 0, pretrain_steps >= 1")
        if self.metric not in ("euclidean", "learned"):
            raise ConfigError(f"emprox option metric must be 'euclidean' or 'learned', got {self.metric!r}")
        if self.residual not in ("none", "linear"):
            raise ConfigError(f"emprox option residual must be 'none' or 'linear', got {self.residual!r}")
        if self.temperature <= 0:
            raise ConfigError(f"emprox option temperature must be > 0, got {self.temperature}")


def learn_linear_metric(features: np.ndarray, values: np.ndarray, steps: int = 100, lr: float = 0.05,
                        rng=None) -> np.ndarray:
    """A ``(d, d)`` map W so that kernel regression with ``exp(-|W(x_i - x_j)|²)`` predicts the
    rank-transformed values well, leave-one-out. Starts at a scaled identity."""
    import torch

    n, d = features.shape
    if n < 3:
        return np.eye(d, dtype=np.float32)
    ranks = np.argsort(np.argsort(values)) / max(n - 1, 1)
    x = torch.as_tensor(features, dtype=torch.float32)
    y = torch.as_tensor(ranks, dtype=torch.float32)
    weight = torch.nn.Parameter(torch.eye(d) * 3.0)
    optimizer = torch.optim.Adam([weight], lr=lr)
    self_mask = torch.eye(n, dtype=torch.bool)
    for _ in range(steps):
        z = x @ weight
        logits = -torch.cdist(z, z).pow(2).masked_fill(self_mask, float("inf"))
        prediction = torch.softmax(logits, dim=1) @ y
        loss = ((prediction - y) ** 2).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return weight.detach().numpy().astype(np.float32)


class EmProx(Predictor):
    """The EmProx estimator; options in :class:`EmProxConfig`."""

    name = "emprox"
    Config = EmProxConfig

    def __init__(self, space, config=None, rng=None):
        super().__init__(space, config, rng)
        self.model: SequenceAutoencoder | None = None
        self.memory = self.values = None
        self.transform = None
        self.trend = None   # (weights (d,), bias) of the ridge trend on raw embeddings, with residual: linear
        self.targets = None  # what the kNN averages: the values, or their residuals from the trend
        self.fit_info: dict = {}

    def _sequences(self, archs) -> np.ndarray:
        return np.array([self.space.to_sequence(a) for a in archs], dtype=np.int64)

    def _unlabeled(self, count: int, exclude: set) -> list:
        from ..sampling import sample_distinct

        return sample_distinct(self.space, self.rng, count, exclude)

    def _pretrained(self) -> tuple:
        """``(model, info)``: the space's autoencoder pretrained under this config (cached on disk and in
        memory after the first call), ``info`` its ``pretraining`` source, ``pretrain_seconds`` spent in
        this call and held-out ``round_trip``."""
        from ..embedding.pretrained import PretrainingPlan, pretrained_autoencoder, pretraining_config

        config = self.config
        model, info = pretrained_autoencoder(
            self.space, pretraining_config(config.embedding_dim),
            PretrainingPlan(max_steps=config.pretrain_steps, archs=config.pretrain_archs), config.pretrain_seed)
        return model, {"pretrain_seconds": info["train_seconds"], "round_trip": info["round_trip"],
                       "pretraining": info["source"]}

    def prepare(self) -> dict:
        """With ``pretrained``, pretrain (or load) the autoencoder now; :meth:`fit` then finds it cached."""
        return self._pretrained()[1] if self.config.pretrained else {}

    def fit(self, archs, values, warm_start: bool = False):
        """Train the autoencoder (unless pretrained) and store the known embeddings.

        ``warm_start=True`` continues from the previous fit's weights.
        """
        values = self.check_targets(archs, values)
        config = self.config
        if config.pretrained:
            self.model, self.fit_info = self._pretrained()
        else:
            training = list(archs)
            if config.unlabeled:
                training += self._unlabeled(config.unlabeled, {self.space.arch_id(a) for a in archs})
            with torch_seeded(self.rng):
                if not (warm_start and self.model is not None):
                    self.model = SequenceAutoencoder.for_space(self.space, config.autoencoder())
                self.fit_info = train_autoencoder(self.model, self._sequences(training), torch_generator(self.rng))
        self.values = values
        embeddings = embed_sequences(self.model, self._sequences(archs))
        self.transform = None
        if config.metric == "learned":
            with torch_seeded(self.rng):
                self.transform = learn_linear_metric(embeddings, values)
        self.memory = self._mapped(embeddings)
        self.trend, self.targets = None, values
        if config.residual == "linear":
            from .linear import fit_ridge

            self.trend = fit_ridge(embeddings, values)
            self.targets = values - (embeddings @ self.trend[0] + self.trend[1])
        return self

    def _mapped(self, embeddings: np.ndarray) -> np.ndarray:
        return embeddings if self.transform is None else embeddings @ self.transform

    def embed(self, archs) -> np.ndarray:
        """Unit-norm embeddings of ``archs``: ``(n, d)`` float32 (before any learned map)."""
        if self.model is None:
            raise ConfigError("call fit() before embed()")
        return embed_sequences(self.model, self._sequences(archs))

    def predict(self, archs) -> np.ndarray:
        if self.memory is None:
            raise ConfigError("call fit() before predict()")
        return self._predict_embedded(self.embed(archs))

    def _predict_embedded(self, embeddings: np.ndarray) -> np.ndarray:
        predicted = hard_knn(self._mapped(embeddings), self.memory, self.targets, self.config.k)
        if self.trend is not None:
            predicted = predicted + embeddings @ self.trend[0] + self.trend[1]
        return predicted

    def predict_with_spread(self, archs) -> tuple:
        """:meth:`predict` and :meth:`predict_spread` from one embedding of ``archs``."""
        if self.memory is None:
            raise ConfigError("call fit() before predict()")
        embeddings = self.embed(archs)
        spread = hard_knn_spread(self._mapped(embeddings), self.memory, self.targets, self.config.k)
        return self._predict_embedded(embeddings), spread

    def predict_spread(self, archs) -> np.ndarray:
        """``(n,)`` inverse-distance-weighted standard deviation of the k neighbours' values: how
        much the neighbours behind each prediction disagree (an uncertainty for acquisitions)."""
        if self.memory is None:
            raise ConfigError("call fit() before predict_spread()")
        return hard_knn_spread(self._mapped(self.embed(archs)), self.memory, self.targets, self.config.k)

    def soft_predict(self, embedding, temperature: float | None = None, eps: float = 1e-3):
        """Differentiable surrogate: torch ``(m, d)`` embeddings → ``(m,)`` predicted values.

        ``temperature`` (default: the config's) and ``eps`` are :func:`~nasearch.knn.soft_knn`'s."""
        import torch

        memory = torch.as_tensor(self.memory)
        targets = torch.as_tensor(self.targets, dtype=memory.dtype)
        raw = embedding.to(memory.dtype)
        query = raw @ torch.as_tensor(self.transform) if self.transform is not None else raw
        predicted = soft_knn(query, memory, targets, self.config.k, temperature or self.config.temperature, eps)
        if self.trend is not None:
            predicted = predicted + raw @ torch.as_tensor(self.trend[0], dtype=memory.dtype) + float(self.trend[1])
        return predicted
