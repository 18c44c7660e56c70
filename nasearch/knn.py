"""Inverse-distance-weighted k-nearest-neighbour regression, hard and soft.

``hard_knn`` is EmProx's predictor: Euclidean distance to the known embeddings,
the ``k`` nearest, weights ``1/d``, the weighted mean of their values. A query at
distance exactly 0 from known points returns their (mean) value.

``soft_knn`` is a differentiable relaxation used for gradient ascent in
embedding space. Each known point gets a soft top-k membership
``m_i = sigmoid((r - d_i) / tau)``, where ``r`` is the midpoint between the k-th
and (k+1)-th smallest distance, and weight ``m_i / d_i`` with
``d_i = sqrt(|z - x_i|² + eps²)``. As ``tau → 0`` the memberships become the
indicator of the k nearest, and as ``eps → 0`` the distances become Euclidean,
so ``soft_knn → hard_knn`` (away from ties at the k-th distance). It is
differentiable in the query ``z`` everywhere except where the k-th and (k+1)-th
distances swap order.
"""
from __future__ import annotations

import numpy as np

from .errors import NasearchError


def hard_knn(queries: np.ndarray, memory: np.ndarray, values: np.ndarray, k: int) -> np.ndarray:
    """Predict ``(m,)`` values for ``queries (m, d)`` from ``memory (n, d)`` with ``values (n,)``."""
    queries = np.asarray(queries, dtype=np.float64)
    memory = np.asarray(memory, dtype=np.float64)
    values = np.asarray(values, dtype=np.float64)
    n = len(memory)
    if n == 0:
        raise NasearchError("kNN prediction needs at least one known architecture; call fit() first")
    k = min(int(k), n)
    squared = (np.einsum("ij,ij->i", queries, queries)[:, None] - 2.0 * queries @ memory.T
               + np.einsum("ij,ij->i", memory, memory)[None, :])
    distances = np.sqrt(np.maximum(squared, 0.0))
    if k < n:
        nearest = np.argpartition(distances, k - 1, axis=1)[:, :k]
    else:
        nearest = np.broadcast_to(np.arange(n), (len(queries), n))
    near_d = np.take_along_axis(distances, nearest, axis=1)
    near_v = values[nearest]
    # Float rounding leaves ~1e-8 for identical unit vectors; treat that as an exact match.
    exact = near_d <= 1e-6
    with np.errstate(divide="ignore"):
        weights = np.where(exact, 0.0, 1.0 / np.where(exact, 1.0, near_d))
    predictions = (weights * near_v).sum(1) / np.maximum(weights.sum(1), 1e-300)
    has_exact = exact.any(1)
    if has_exact.any():
        predictions[has_exact] = (near_v * exact).sum(1)[has_exact] / exact.sum(1)[has_exact]
    return predictions


def hard_knn_spread(queries: np.ndarray, memory: np.ndarray, values: np.ndarray, k: int) -> np.ndarray:
    """``(m,)`` inverse-distance-weighted standard deviation of the ``k`` nearest neighbours' values:
    how much the neighbours behind each :func:`hard_knn` prediction disagree."""
    values = np.asarray(values, dtype=np.float64)
    mean = hard_knn(queries, memory, values, k)
    second = hard_knn(queries, memory, values ** 2, k)
    return np.sqrt(np.maximum(second - mean ** 2, 0.0))


def soft_knn(query, memory, values, k: int, temperature: float = 0.01, eps: float = 1e-3):
    """Differentiable soft kNN (torch): ``query (m, d)`` → ``(m,)`` predictions.

    ``memory (n, d)`` and ``values (n,)`` are constants; gradients flow to ``query``.
    """
    import torch

    n = memory.shape[0]
    k = min(int(k), n)
    distances = torch.sqrt(((query[:, None, :] - memory[None, :, :]) ** 2).sum(-1) + eps ** 2)
    if k < n:
        sorted_distances = torch.sort(distances, dim=1).values
        radius = 0.5 * (sorted_distances[:, k - 1] + sorted_distances[:, k])
        membership = torch.sigmoid((radius[:, None] - distances) / temperature)
    else:
        membership = torch.ones_like(distances)
    weights = membership / distances
    return (weights * values[None, :]).sum(1) / weights.sum(1)


def hard_knn_leave_one_out(memory: np.ndarray, values: np.ndarray, k: int) -> np.ndarray:
    """``(n,)``: each known point's :func:`hard_knn` prediction from the other ``n − 1`` (``memory``
    ``(n, d)``, ``values`` ``(n,)``), so a held-out error costs no refit."""
    memory = np.asarray(memory, dtype=np.float64)
    values = np.asarray(values, dtype=np.float64)
    n = len(memory)
    if n < 2:
        raise NasearchError("a leave-one-out kNN prediction needs at least two known architectures")
    out = np.empty(n)
    for row in range(n):
        others = np.arange(n) != row
        out[row] = hard_knn(memory[row:row + 1], memory[others], values[others], k)[0]
    return out
