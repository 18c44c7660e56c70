"""Baselines on fixed-length encodings: XGBoost, the BANANAS ensemble and a plain MLP."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import ConfigError
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

    def input_features(self, example) -> int:
        return one_hot(self.space, [example]).shape[1]


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
    #: update() trains afresh only once the told set grew by this fraction since the last fresh
    #: training (0: whenever it grew)
    refit_growth: float = 0.0
    #: between fresh trainings, epochs update() trains the kept networks on every told value (0: none)
    warm_epochs: int = 0

    def __post_init__(self):
        if self.layers < 0 or min(self.width, self.epochs, self.batch_size, self.ensemble) < 1 or self.lr <= 0:
            raise ConfigError("mlp options layers must be >= 0, width, epochs, batch_size and ensemble >= 1, "
                              "and lr > 0")
        if self.warm_epochs < 0 or self.refit_growth < 0:
            raise ConfigError("mlp options warm_epochs and refit_growth must be >= 0")
        if self.loss not in ("l1", "mse"):
            raise ConfigError(f"mlp option loss must be 'l1' or 'mse', got {self.loss!r}")
        if self.encoding not in ("one_hot", "path"):
            raise ConfigError(f"mlp option encoding must be 'one_hot' or 'path', got {self.encoding!r}")


def _ensemble_mlp(members: int, inputs: int, layers: int, width: int):
    """``members`` MLPs of ``layers`` ReLU layers of ``width`` units, trained at once:
    ``(members, B, inputs) → (members, B, 1)``, each member with its own weights."""
    from torch import nn
    from ..embedding.graph_encoder import EnsembleLinear

    modules, size = [], inputs
    for _ in range(layers):
        modules += [EnsembleLinear(members, size, width), nn.ReLU()]
        size = width
    return nn.Sequential(*modules, EnsembleLinear(members, size, 1))


class MLP(Predictor):
    """A deep MLP (20 × 20, L1 loss) on one-hot operations; an ensemble averages several.

    The members train side by side as one batched network (each with its own initialisation,
    its own shuffle of the architectures every epoch and its own Adam state), so an ensemble of
    three costs about what one network costs: at these sizes a step's price is its per-operation
    overhead, not its arithmetic."""

    name = "mlp"
    Config = MLPConfig

    def _features(self, archs):
        return path_encoding(self.space, archs) if self.config.encoding == "path" else one_hot(self.space, archs)

    def __init__(self, space, config=None, rng=None):
        super().__init__(space, config, rng)
        self.network = self.optimizer = None
        self.trained_on = 0   # told architectures at the last fresh training

    def input_features(self, example) -> int:
        return self._features([example]).shape[1]

    def fit(self, archs, values):
        """Fresh networks trained ``epochs`` epochs on the z-scored ``values``."""
        import torch

        values = self.check_targets(archs, values)
        _, self.mean, self.std = zscore(values)
        x = torch.as_tensor(self._features(archs))                                  # (n, features)
        with torch_seeded(self.rng):
            generator = torch_generator(self.rng)
            self.network = _ensemble_mlp(self.config.ensemble, x.shape[1], self.config.layers, self.config.width)
            # one Adam over the stacked members is each member's own Adam: its update is elementwise
            self.optimizer = torch.optim.Adam(self.network.parameters(), lr=self.config.lr, fused=True)
        self._train(x, values, self.config.epochs, generator)
        self.trained_on = len(archs)
        return self

    def update(self, archs, values):
        """A fresh :meth:`fit` once the told set grew by ``refit_growth``; in between, the kept
        networks (and their Adam state) train ``warm_epochs`` more epochs on every told value,
        scaled as at the fresh training."""
        if self.network is None or self.grown_enough(len(archs), self.trained_on, self.config.refit_growth):
            return self.fit(archs, values)
        values = self.check_targets(archs, values)
        if self.config.warm_epochs:
            import torch

            x = torch.as_tensor(self._features(archs))
            self._train(x, values, self.config.warm_epochs, torch_generator(self.rng))
        return self

    def _train(self, x, values, epochs: int, generator) -> None:
        """``epochs`` epochs of minibatch Adam on features ``x`` ``(n, features)``, each member on
        its own shuffle of the architectures."""
        import torch
        import torch.nn.functional as F

        y = torch.as_tensor((values - self.mean) / self.std, dtype=torch.float32)   # (n,)
        loss_fn = F.l1_loss if self.config.loss == "l1" else F.mse_loss
        members, size = self.config.ensemble, self.config.batch_size
        self.network.train()
        for _ in range(epochs):
            order = torch.stack([torch.randperm(len(x), generator=generator) for _ in range(members)])
            for start in range(0, len(x), size):
                index = order[:, start:start + size]                            # (members, batch)
                predicted = self.network(x[index]).squeeze(-1)                  # (members, batch)
                # summed over members, so each member's gradient is that of its own mean loss
                loss = loss_fn(predicted, y[index], reduction="none").mean(-1).sum()
                self.optimizer.zero_grad(set_to_none=True)
                loss.backward()
                self.optimizer.step()
        self.network.eval()

    def _member_scores(self, archs):
        """Each member's z-scored predictions, torch ``(ensemble, len(archs))`` float32."""
        import torch

        x = torch.as_tensor(self._features(archs))
        with torch.no_grad():
            return self.network(x.expand(self.config.ensemble, *x.shape)).squeeze(-1)

    def _percent(self, scores) -> np.ndarray:
        """z-scored torch predictions back in the values' units, float64."""
        return scores.numpy().astype(np.float64) * self.std + self.mean

    def member_predictions(self, archs) -> np.ndarray:
        """Each member's predictions, ``(ensemble, len(archs))`` float64 percent."""
        return self._percent(self._member_scores(archs))

    def predict(self, archs):
        return self._percent(self._member_scores(archs).mean(0))

    def predict_with_spread(self, archs):
        """The members' mean and their standard deviation (BANANAS's uncertainty; zeros for one
        network), from one forward pass."""
        scores = self._member_scores(archs)
        return self._percent(scores.mean(0)), self._percent(scores).std(0)

    def predict_spread(self, archs):
        return self.predict_with_spread(archs)[1]


@dataclass(frozen=True)
class BananasConfig(MLPConfig):
    """The MLP's options with BANANAS's defaults. Its own Config, not defaults merged in at construction,
    so every route to the predictor (an ensemble member, ``surrogate.local``) resolves the same ones."""

    layers: int = 10
    epochs: int = 200
    loss: str = "mse"
    ensemble: int = 3
    encoding: str = "path"


class Bananas(MLP):
    """BANANAS: an ensemble of 3 MLPs on the path encoding."""

    name = "bananas"
    Config = BananasConfig
