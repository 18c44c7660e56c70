"""Ridge regression with its penalty chosen by exact leave-one-out error (no search loop).

Used under the EmProx kNN as a trend model: the kNN then predicts only the
residuals, so the combined surrogate can rise above the best known value along
the trend, which a convex combination of known values never can.
"""
from __future__ import annotations

import numpy as np

#: Candidate penalties, as multiples of the number of training points.
PENALTIES = (1e-3, 1e-2, 1e-1, 1.0, 10.0, 100.0)


def fit_ridge(features: np.ndarray, values: np.ndarray):
    """``(weights (d,), bias)`` of ridge regression on ``features (n, d)``, ``values (n,)``.

    The penalty minimises the closed-form leave-one-out squared error
    ``mean((r_i / (1 - h_ii))²)`` over :data:`PENALTIES` × n, from one SVD.
    """
    features = np.asarray(features, dtype=np.float64)
    values = np.asarray(values, dtype=np.float64)
    n = len(values)
    mean_x, mean_y = features.mean(0), values.mean()
    x, y = features - mean_x, values - mean_y
    if n < 3:
        return np.zeros(features.shape[1]), float(mean_y)
    u, singular, vt = np.linalg.svd(x, full_matrices=False)
    uy = u.T @ y
    best = None
    for penalty in PENALTIES:
        shrink = singular ** 2 / (singular ** 2 + penalty * n)
        fitted = u @ (shrink * uy)
        leverage = (u ** 2) @ shrink + 1.0 / n   # the intercept adds 1/n to every h_ii
        loo = np.mean(((y - fitted) / np.maximum(1.0 - leverage, 1e-6)) ** 2)
        if best is None or loo < best[0]:
            best = (loo, vt.T @ (singular / (singular ** 2 + penalty * n) * uy))
    weights = best[1]
    return weights, float(mean_y - mean_x @ weights)
