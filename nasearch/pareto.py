"""Pareto fronts and hypervolume for multi-objective search (every objective maximised).

Points are ``(n, m)`` arrays of signed objective values, so "larger is better" in
every column (a minimised cost enters as its negative). Hypervolume is measured
in a normalised frame (:class:`FrontScale`): each objective is scaled so the
reference front's ideal point maps to 0 and its nadir to 1 (minimisation form),
and the reference point is 1.1 in every objective, the customary 10% margin
beyond the nadir. A point worse than the reference point in any objective adds
nothing. Non-dominated filtering and hypervolume come from ``moocore``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Reference point in the normalised frame: 10% beyond the nadir of the reference front.
REFERENCE = 1.1


def non_dominated(points: np.ndarray) -> np.ndarray:
    """``(n,)`` bool mask of the points no other point dominates (duplicates all kept)."""
    import moocore

    points = np.asarray(points, dtype=float)
    if len(points) == 0:
        return np.zeros(0, dtype=bool)
    return np.asarray(moocore.is_nondominated(points, maximise=True, keep_weakly=True), dtype=bool)


def is_dominated(vector: np.ndarray, points: np.ndarray) -> bool:
    """Whether some row of ``points`` ``(n, m)`` dominates ``vector`` ``(m,)`` (no worse in every
    objective, better in one). An equal point does not dominate it."""
    points = np.asarray(points, dtype=float).reshape(-1, len(vector))
    if len(points) == 0:
        return False
    return not bool(non_dominated(np.vstack([points, vector]))[-1])


@dataclass(frozen=True)
class FrontScale:
    """The normalised frame of a reference front: ``ideal`` and ``nadir`` are ``(m,)`` (maximised)."""

    ideal: np.ndarray
    nadir: np.ndarray

    @classmethod
    def of(cls, front: np.ndarray) -> "FrontScale":
        front = np.asarray(front, dtype=float)
        ideal, nadir = front.max(axis=0), front.min(axis=0)
        # a degenerate objective (one value on the whole front) still gets a unit of width
        span = np.where(ideal > nadir, ideal - nadir, np.maximum(np.abs(ideal), 1.0) * 1e-3)
        return cls(ideal, ideal - span)

    def normalise(self, points):
        """Minimisation form: 0 at the ideal, 1 at the nadir, per objective. ``points`` is an
        ``(n, m)`` array, or a torch tensor (kept differentiable, in its own dtype)."""
        if isinstance(points, np.ndarray) or not hasattr(points, "new_tensor"):
            return (self.ideal - np.asarray(points, dtype=float)) / (self.ideal - self.nadir)
        return (points.new_tensor(self.ideal) - points) / points.new_tensor(self.ideal - self.nadir)

    def hypervolume(self, points: np.ndarray) -> float:
        """Hypervolume of ``points`` (maximised values) up to the reference point, normalised frame."""
        import moocore

        points = np.asarray(points, dtype=float).reshape(-1, len(self.ideal))
        scaled = self.normalise(points[np.all(np.isfinite(points), axis=1)])
        scaled = scaled[np.all(scaled < REFERENCE, axis=1)]
        if len(scaled) == 0:
            return 0.0
        return float(moocore.hypervolume(scaled, ref=np.full(len(self.ideal), REFERENCE)))

    def improvement(self, front: np.ndarray, candidate: np.ndarray) -> float:
        """Hypervolume gained by adding ``candidate`` ``(m,)`` to ``front`` ``(n, m)``."""
        front = np.asarray(front, dtype=float).reshape(-1, len(self.ideal))
        return self.hypervolume(np.vstack([front, candidate])) - self.hypervolume(front)
