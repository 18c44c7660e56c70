"""Ridge regression with its penalty chosen by exact leave-one-out error (no search loop).

Used under the EmProx kNN as a trend model: the kNN then predicts only the
residuals, so the combined surrogate can rise above the best known value along
the trend, which a convex combination of known values never can. As the ``ridge``
predictor it is an additive model of an architecture's choices (one weight per
operation at each position that can vary, on the one-hot encoding), and its exact
leave-one-out predictions let a caller weigh it against another predictor without a
refit (:class:`~nasearch.predictors.gin.LabelAwareEmProx` with ``linear: auto``).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import ConfigError
from .base import Predictor
from .encodings import one_hot

#: Candidate penalties, as multiples of the number of training points.
PENALTIES = (1e-3, 1e-2, 1e-1, 1.0, 10.0, 100.0)


def fit_ridge(features: np.ndarray, values: np.ndarray, penalties: tuple = PENALTIES):
    """``(weights (d,), bias)`` of ridge regression on ``features (n, d)``, ``values (n,)``.

    The penalty minimises the closed-form leave-one-out squared error
    ``mean((r_i / (1 - h_ii))²)`` over ``penalties`` × n, from one SVD.
    """
    weights, bias, _, _ = fit_ridge_held_out(features, values, penalties)
    return weights, bias


def fit_ridge_held_out(features: np.ndarray, values: np.ndarray, penalties: tuple = PENALTIES):
    """:func:`fit_ridge` plus what it chose from: ``(weights (d,), bias, leave_one_out (n,),
    penalty)``, where ``leave_one_out[i]`` is the prediction for point ``i`` of the ridge fitted
    without it, ``values_i − r_i / (1 − h_ii)``, and ``penalty`` the chosen multiple of n (with
    fewer than 3 points: zero weights, the mean as every prediction, penalty None)."""
    features = np.asarray(features, dtype=np.float64)
    values = np.asarray(values, dtype=np.float64)
    n = len(values)
    mean_x, mean_y = features.mean(0), values.mean()
    x, y = features - mean_x, values - mean_y
    if n < 3:
        return np.zeros(features.shape[1]), float(mean_y), np.full(n, float(mean_y)), None
    u, singular, vt = np.linalg.svd(x, full_matrices=False)
    uy = u.T @ y
    best = None
    for penalty in penalties:
        shrink = singular ** 2 / (singular ** 2 + penalty * n)
        fitted = u @ (shrink * uy)
        leverage = (u ** 2) @ shrink + 1.0 / n   # the intercept adds 1/n to every h_ii
        held_out = (y - fitted) / np.maximum(1.0 - leverage, 1e-6)
        loo = np.mean(held_out ** 2)
        if best is None or loo < best[0]:
            best = (loo, vt.T @ (singular / (singular ** 2 + penalty * n) * uy), values - held_out, penalty)
    _, weights, leave_one_out, penalty = best
    return weights, float(mean_y - mean_x @ weights), leave_one_out, penalty


@dataclass(frozen=True)
class RidgeConfig:
    #: ridge penalties tried, as multiples of the number of training architectures; the one of
    #: least leave-one-out squared error is kept
    penalties: tuple = PENALTIES

    def __post_init__(self):
        object.__setattr__(self, "penalties", tuple(float(p) for p in self.penalties))
        if not self.penalties or min(self.penalties) <= 0:
            raise ConfigError("option penalties must be a non-empty list of multiples > 0, "
                              f"got {list(self.penalties)}")


class Ridge(Predictor):
    """Ridge regression with an intercept on :func:`~nasearch.predictors.encodings.one_hot`
    features (:func:`fit_ridge_held_out`); after :meth:`fit`, :attr:`leave_one_out` holds the
    ``(n,)`` exact leave-one-out predictions of the training architectures and :attr:`penalty`
    the chosen multiple of n."""

    name = "ridge"
    Config = RidgeConfig

    def fit(self, archs, values):
        values = self.check_targets(archs, values)
        self.weights, self.bias, self.leave_one_out, self.penalty = fit_ridge_held_out(
            one_hot(self.space, archs), values, self.config.penalties)
        return self

    def predict(self, archs):
        if getattr(self, "weights", None) is None:
            raise ConfigError("call fit() before predicting with ridge")
        return one_hot(self.space, archs).astype(np.float64) @ self.weights + self.bias

    def input_features(self, example) -> int:
        return one_hot(self.space, [example]).shape[1]
