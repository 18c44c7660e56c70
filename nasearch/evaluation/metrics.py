"""Quality metrics of predicted against true values (both percent)."""
from __future__ import annotations

import numpy as np
from scipy import stats


def precision_at(true: np.ndarray, predicted: np.ndarray, k: int) -> float:
    """Overlap of the true and the predicted top-``k`` architectures, divided by ``k``."""
    true, predicted = np.asarray(true, dtype=np.float64), np.asarray(predicted, dtype=np.float64)
    k = min(k, len(true))
    top_true = set(np.argsort(-true, kind="stable")[:k])
    top_predicted = set(np.argsort(-predicted, kind="stable")[:k])
    return len(top_true & top_predicted) / k


def prediction_metrics(true, predicted, top_k: int = 10) -> dict:
    """MAE, RMSE (percentage points), Pearson, Spearman, Kendall τ and precision@top_k."""
    true = np.asarray(true, dtype=np.float64)
    predicted = np.asarray(predicted, dtype=np.float64)
    constant = np.ptp(predicted) == 0 or np.ptp(true) == 0
    correlation = (lambda f: 0.0 if constant else float(f(true, predicted)[0]))
    return {
        "mae": float(np.mean(np.abs(true - predicted))),
        "rmse": float(np.sqrt(np.mean((true - predicted) ** 2))),
        "pearson": correlation(stats.pearsonr),
        "spearman": correlation(stats.spearmanr),
        "kendall": correlation(stats.kendalltau),
        f"precision@{top_k}": precision_at(true, predicted, top_k),
    }
