"""NAO and SemiNAS predictors: the autoencoder plus an MLP regression head.

NAO trains the encoder–decoder (hidden size 64) jointly with an MLP on the
architecture embedding: loss = 0.8 × MSE on z-scored values + 0.2 × NLL.
SemiNAS then pseudo-labels as many sampled unlabelled architectures as there are
labelled ones and trains again on the labelled set repeated 10× plus the
pseudo-labelled set. Both share EmProx's training budget (epochs, batch size,
learning rate) so that timing differences come from the method.
"""
from __future__ import annotations

import copy
import time
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ..embedding.autoencoder import AutoencoderConfig, SequenceAutoencoder
from ..seeding import torch_generator, torch_seeded
from .base import Predictor, zscore


@dataclass(frozen=True)
class NAOConfig(AutoencoderConfig):
    """The autoencoder's settings (hidden size 64, 50 epochs, ...) plus the regression head's."""

    embedding_dim: int = 64
    mse_weight: float = 0.8     #: trade-off; NLL gets 1 - mse_weight
    self_training: bool = False  #: SemiNAS
    upsample: int = 10           #: SemiNAS: labelled set repeated this many times
    pseudo_ratio: float = 1.0    #: SemiNAS: pseudo-labelled architectures per labelled one


class RegressionHead(nn.Module):
    """Linear(d→16)→ReLU→Dropout→Linear(16→64)→ReLU→Dropout→Linear(64→1), as NASLib's NAO."""

    def __init__(self, embedding_dim: int, dropout: float):
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(embedding_dim, 16), nn.ReLU(), nn.Dropout(dropout),
                                    nn.Linear(16, 64), nn.ReLU(), nn.Dropout(dropout), nn.Linear(64, 1))

    def forward(self, embedding):
        return self.layers(embedding).squeeze(-1)


class NAO(Predictor):
    """NAO's encoder–predictor–decoder; options in :class:`NAOConfig`."""

    name = "nao"
    Config = NAOConfig

    def __init__(self, space, config=None, rng=None):
        super().__init__(space, config, rng)
        self.model = self.head = None
        self.fit_info: dict = {}

    def _sequences(self, archs):
        return torch.as_tensor(np.array([self.space.to_sequence(a) for a in archs]), dtype=torch.long)

    def _train(self, tokens: torch.Tensor, targets: torch.Tensor, generator):
        config = self.config
        parameters = list(self.model.parameters()) + list(self.head.parameters())
        optimizer = torch.optim.Adam(parameters, lr=config.lr, weight_decay=config.weight_decay)
        self.model.train()
        self.head.train()
        for _ in range(config.epochs):
            order = torch.randperm(len(tokens), generator=generator)
            for start in range(0, len(tokens), config.batch_size):
                index = order[start:start + config.batch_size]
                batch = tokens[index]
                logits, embedding = self.model(batch)
                nll = F.cross_entropy(logits.reshape(-1, self.model.vocab_size),
                                      self.model.compact_tokens(batch).reshape(-1))
                mse = F.mse_loss(self.head(embedding), targets[index])
                loss = config.mse_weight * mse + (1 - config.mse_weight) * nll
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                nn.utils.clip_grad_norm_(parameters, config.grad_clip)
                optimizer.step()
        self.model.eval()
        self.head.eval()

    def fit(self, archs, values, initial_model: SequenceAutoencoder | None = None):
        """Train jointly on ``archs``; ``initial_model`` (e.g. a pretrained autoencoder,
        copied, not modified) replaces the random initialisation of the encoder–decoder."""
        values = self.check_targets(archs, values)
        start = time.perf_counter()
        z, self.mean, self.std = zscore(values)
        tokens, targets = self._sequences(archs), torch.as_tensor(z, dtype=torch.float32)
        with torch_seeded(self.rng):
            generator = torch_generator(self.rng)
            if initial_model is not None:
                self.model = copy.deepcopy(initial_model)
            else:
                self.model = SequenceAutoencoder.for_space(self.space, self.config.autoencoder())
            self.head = RegressionHead(self.model.config.embedding_dim, self.config.dropout)
            self._train(tokens, targets, generator)
            if self.config.self_training:
                self._self_train(archs, tokens, targets, generator)
        self.fit_info = {"seconds": time.perf_counter() - start}
        return self

    def _self_train(self, archs, tokens, targets, generator):
        known = {self.space.arch_id(a) for a in archs}
        count = int(round(self.config.pseudo_ratio * len(archs)))
        pseudo = []
        while len(pseudo) < count:
            arch = self.space.sample(self.rng)
            if self.space.arch_id(arch) not in known:
                known.add(self.space.arch_id(arch))
                pseudo.append(arch)
        pseudo_tokens = self._sequences(pseudo)
        with torch.no_grad():
            pseudo_targets = self.head(self.model.encode(pseudo_tokens)[1])
        all_tokens = torch.cat([tokens.repeat(self.config.upsample, 1), pseudo_tokens])
        all_targets = torch.cat([targets.repeat(self.config.upsample), pseudo_targets])
        self._train(all_tokens, all_targets, generator)

    @torch.no_grad()
    def predict(self, archs):
        embedding = self.model.encode(self._sequences(archs))[1]
        return self.head(embedding).numpy().astype(np.float64) * self.std + self.mean

    def predict_from_outputs(self, outputs):
        """Differentiable prediction (percent) from encoder outputs ``(m, L, d)``."""
        return self.head(SequenceAutoencoder.pool(outputs)) * self.std + self.mean


class SemiNAS(NAO):
    """NAO plus self-training on pseudo-labelled architectures."""

    name = "seminas"

    def __init__(self, space, config=None, rng=None):
        if config is None or isinstance(config, dict):
            config = {"self_training": True, **(config or {})}
        super().__init__(space, config, rng)
