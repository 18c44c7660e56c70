"""EmProx-NAO's multi-objective mode: Chebyshev ascent and hypervolume-improvement selection.

With several objective terms (``objectives: [val, -latency@edgegpu]``), each round of
EmProx-NAO:

1. predicts every term: a term known without evaluation (a hardware cost of the
   benchmark) is looked up exactly; any other term (accuracy) gets its own EmProx
   soft-kNN fitted on the told values;
2. draws Chebyshev weights ``w ~ Dirichlet(1, ..., 1)`` and scores architectures by
   the augmented Chebyshev scalarisation of their normalised term values (0 at the
   nadir, 1 at the ideal of the known front): ``min_j w_j·(z_j − 1) + ρ·Σ_j w_j·z_j``;
   the known architectures' scores pick the ascent seeds and tournament winners;
3. climbs that scalarisation by gradient ascent in embedding space. It must be
   differentiable there, so an exactly known term enters through a soft kNN over a
   fixed memory of sampled architectures with their known values, and the minimum
   becomes a soft minimum (temperature 0.05);
4. fills the batch greedily by predicted hypervolume improvement over the known
   front (accuracy predicted, costs exact), and by the scalarisation once no
   candidate is predicted to improve it.
"""
from __future__ import annotations

import numpy as np
import torch

from ..pareto import FrontScale, non_dominated

#: Weight of the sum in the augmented Chebyshev scalarisation (keeps weakly dominated points behind).
AUGMENT = 0.05
#: Soft-minimum temperature of the differentiable scalarisation.
SOFT_MIN = 0.05
#: Upper confidence bound of a predicted term in selection: mean + OPTIMISM · neighbours' spread.
OPTIMISM = 1.0
#: Sampled architectures whose known (free) term values form the soft kNN of an exactly known term.
MEMORY = 500


class ParetoGuide:
    """Per-round multi-objective state of an EmProx-NAO optimizer (see the module docstring)."""

    def __init__(self, optimizer):
        self.optimizer = optimizer
        self.predictors: dict = {}   # term index -> fitted EmProx (learned terms and free-term memories)
        self.free: list = []         # term indices known without evaluation
        self._memory = None          # architectures of the free terms' soft-kNN memory
        self._memory_values: dict = {}   # term index -> (MEMORY,) exact values of the memory (fixed)
        self.weights = None
        self.scale = None
        self.front = None

    # ---------------------------------------------------------------- fitting
    def fit(self):
        """Refit the term predictors on the known set, draw this round's weights; returns the model."""
        opt = self.optimizer
        terms = opt.goal.terms
        vectors = np.asarray(opt.known_values, dtype=float).reshape(len(opt.known_archs), len(terms))
        known = opt.known_metrics(opt.known_archs[0]) if opt.known_archs else {}
        self.free = [j for j, t in enumerate(terms) if t.metric in known]
        if self._memory is None and self.free:
            self._memory = opt.random_unknown(MEMORY)
        for j in range(len(terms)):
            if j in self.free:
                archs = list(opt.known_archs) + list(self._memory)
                if j not in self._memory_values:   # the memory never changes: look its costs up once
                    self._memory_values[j] = self.exact(self._memory, j)
                values = np.concatenate([vectors[:, j], self._memory_values[j]])
            else:
                archs, values = opt.known_archs, vectors[:, j]
            self.predictors[j] = opt.make_predictor().fit(archs, values)
        on_front = non_dominated(vectors)
        self.front = vectors[on_front]
        self.front_archs = [a for a, kept in zip(opt.known_archs, on_front) if kept]
        self.scale = FrontScale.of(self.front)
        self.weights = opt.rng.dirichlet(np.ones(len(terms)))
        return self.predictors[0].model

    def exact(self, archs: list, term: int) -> np.ndarray:
        """Signed exact values of a free term: ``(n,)``, NaN where the benchmark has none."""
        goal_term = self.optimizer.goal.terms[term]
        values = [self.optimizer.known_metrics(a).get(goal_term.metric) for a in archs]
        return np.array([np.nan if v is None else goal_term.sign * float(v) for v in values])

    # ------------------------------------------------------------- scoring
    def predict(self, archs: list, optimism: float = 0.0) -> np.ndarray:
        """``(n, m)`` signed term values: exact for free terms, EmProx's hard kNN otherwise, plus
        ``optimism`` times the neighbours' spread (an upper confidence bound)."""
        columns = []
        for j in range(len(self.predictors)):
            if j in self.free:
                columns.append(self.exact(archs, j))
            else:
                column = self.predictors[j].predict(archs)
                if optimism:
                    column = column + optimism * self.predictors[j].predict_spread(archs)
                columns.append(column)
        return np.column_stack(columns)

    def scalarise(self, vectors: np.ndarray) -> np.ndarray:
        """Augmented Chebyshev score ``(n,)`` of signed vectors ``(n, m)`` under this round's weights."""
        closeness = 1.0 - self.scale.normalise(vectors)   # 1 at the ideal, 0 at the nadir
        return np.min(self.weights * (closeness - 1.0), axis=1) + AUGMENT * closeness @ self.weights

    def soft_scalarise(self, pooled: torch.Tensor, temperature: float, eps: float) -> torch.Tensor:
        """The differentiable scalarisation of pooled embeddings ``(B, d)`` → ``(B,)``."""
        predicted = torch.stack([self.predictors[j].soft_predict(pooled, temperature, eps)
                                 for j in range(len(self.predictors))], dim=1)
        ideal = torch.as_tensor(self.scale.ideal, dtype=predicted.dtype)
        span = torch.as_tensor(self.scale.ideal - self.scale.nadir, dtype=predicted.dtype)
        weights = torch.as_tensor(self.weights, dtype=predicted.dtype)
        closeness = 1.0 - (ideal - predicted) / span
        shortfall = weights * (1.0 - closeness)
        return -SOFT_MIN * torch.logsumexp(shortfall / SOFT_MIN, dim=1) + AUGMENT * closeness @ weights

    def fitness(self) -> list:
        """The known architectures' scores under this round's weights (for seeds and tournaments)."""
        vectors = np.asarray(self.optimizer.known_values, dtype=float)
        return list(self.scalarise(vectors))

    def front_member(self):
        """A uniformly drawn architecture of the known front (a mutation parent)."""
        return self.front_archs[int(self.optimizer.rng.integers(len(self.front_archs)))]

    def improves(self, vector) -> bool:
        """Whether a told vector is not dominated by the known set before it."""
        known = np.asarray(self.optimizer.known_values, dtype=float)
        vector = np.asarray(vector, dtype=float)
        return not bool(len(known)) or not np.any(np.all(known >= vector, axis=1) & np.any(known > vector, axis=1))

    def gap(self, vectors: np.ndarray) -> np.ndarray:
        """``(n,)`` additive ε (normalised units) by which each vector falls short of the known
        front: the least amount it would have to gain in every objective to be non-dominated."""
        shortfall = self.scale.normalise(vectors)[:, None, :] - self.scale.normalise(self.front)[None, :, :]
        return np.maximum(shortfall.min(axis=2).max(axis=1), 0.0)

    def select(self, candidates: list, count: int) -> list:
        """``[(arch, predicted vector)]``: ``count`` candidates chosen greedily by predicted
        hypervolume improvement, then by the scalarisation."""
        if not candidates or count <= 0:
            return []
        predicted = self.predict(candidates, OPTIMISM)
        usable = np.all(np.isfinite(predicted), axis=1)
        order_by_score = list(np.argsort(np.where(usable, self.gap(np.nan_to_num(predicted)), np.inf),
                                         kind="stable"))
        front = [p for p in self.front]
        chosen, left = [], [i for i in range(len(candidates)) if usable[i]]
        while len(chosen) < count and left:
            gains = np.array([self.scale.improvement(np.array(front), predicted[i]) for i in left])
            if gains.max() > 1e-12:
                pick = left[int(np.argmax(gains))]
            else:
                pick = next(i for i in order_by_score if i in left)
            chosen.append(pick)
            left.remove(pick)
            front.append(predicted[pick])
        return [(candidates[i], predicted[i]) for i in chosen]
