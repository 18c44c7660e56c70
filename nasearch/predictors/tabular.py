"""Baselines on fixed-length encodings: XGBoost, the BANANAS ensemble and a plain MLP."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..seeding import torch_generator, torch_seeded
from .base import Predictor, zscore
from .encodings import one_hot, path_encoding


@dataclass(frozen=True)
class XGBConfig:
    max_depth: int = 6             #: deepest tree
    min_child_weight: float = 1.0  #: least hessian sum in a leaf
    eta: float = 0.3               #: learning rate (shrinkage per tree)
    rounds: int = 500              #: boosting rounds (trees)


class XGBoost(Predictor):
    """Gradient-boosted trees on one-hot operations (z-scored targets)."""

    name = "xgb"
    Config = XGBConfig

    def fit(self, archs, values):
        import xgboost

        values = self.check_targets(archs, values)
        z, self.mean, self.std = zscore(values)
        params = {"max_depth": self.config.max_depth, "min_child_weight": self.config.min_child_weight,
                  "eta": self.config.eta, "objective": "reg:squarederror", "nthread": 1,
                  "seed": int(self.rng.integers(2**31)), "verbosity": 0}
        self.booster = xgboost.train(params, xgboost.DMatrix(one_hot(self.space, archs), label=z),
                                     num_boost_round=self.config.rounds)
        return self

    def predict(self, archs):
        import xgboost

        z = self.booster.predict(xgboost.DMatrix(one_hot(self.space, archs)))
        return z.astype(np.float64) * self.std + self.mean


@dataclass(frozen=True)
class MLPConfig:
    layers: int = 20            #: hidden layers
    width: int = 20             #: units per hidden layer
    epochs: int = 500           #: passes over the training architectures
    batch_size: int = 32        #: architectures per Adam step
    lr: float = 1e-3            #: Adam learning rate
    loss: str = "l1"            #: "l1" or "mse"
    ensemble: int = 1           #: networks averaged, each from its own initialisation
    encoding: str = "one_hot"   #: "one_hot" or "path"


def _mlp(inputs: int, layers: int, width: int):
    from torch import nn

    modules, size = [], inputs
    for _ in range(layers):
        modules += [nn.Linear(size, width), nn.ReLU()]
        size = width
    return nn.Sequential(*modules, nn.Linear(size, 1))


class MLP(Predictor):
    """A deep MLP (20 × 20, L1 loss) on one-hot operations; an ensemble averages several."""

    name = "mlp"
    Config = MLPConfig

    def _features(self, archs):
        return path_encoding(self.space, archs) if self.config.encoding == "path" else one_hot(self.space, archs)

    def fit(self, archs, values):
        import torch
        import torch.nn.functional as F

        values = self.check_targets(archs, values)
        z, self.mean, self.std = zscore(values)
        x = torch.as_tensor(self._features(archs))
        y = torch.as_tensor(z, dtype=torch.float32)
        loss_fn = F.l1_loss if self.config.loss == "l1" else F.mse_loss
        self.networks = []
        with torch_seeded(self.rng):
            generator = torch_generator(self.rng)
            for _ in range(self.config.ensemble):
                network = _mlp(x.shape[1], self.config.layers, self.config.width)
                optimizer = torch.optim.Adam(network.parameters(), lr=self.config.lr)
                for _ in range(self.config.epochs):
                    order = torch.randperm(len(x), generator=generator)
                    for start in range(0, len(x), self.config.batch_size):
                        index = order[start:start + self.config.batch_size]
                        loss = loss_fn(network(x[index]).squeeze(-1), y[index])
                        optimizer.zero_grad(set_to_none=True)
                        loss.backward()
                        optimizer.step()
                network.eval()
                self.networks.append(network)
        return self

    def predict(self, archs):
        import torch

        x = torch.as_tensor(self._features(archs))
        with torch.no_grad():
            z = torch.stack([network(x).squeeze(-1) for network in self.networks]).mean(0)
        return z.numpy().astype(np.float64) * self.std + self.mean


class Bananas(MLP):
    """BANANAS: an ensemble of 3 MLPs on the path encoding."""

    name = "bananas"

    def __init__(self, space, config=None, rng=None):
        if config is None or isinstance(config, dict):
            config = {"ensemble": 3, "encoding": "path", "layers": 10, "loss": "mse", "epochs": 200,
                      **(config or {})}
        super().__init__(space, config, rng)
