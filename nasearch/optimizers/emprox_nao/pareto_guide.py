"""EmProx-NAO's multi-objective mode: Chebyshev ascent and hypervolume-improvement selection.

With several objective terms (``objectives: [val, -latency@edgegpu]``), each round of
EmProx-NAO:

1. predicts every term: a term known without evaluation (a hardware cost of the
   benchmark) is looked up exactly; any other term (accuracy) gets its own EmProx
   soft-kNN fitted on the told values;
2. draws Chebyshev weights ``w ~ Dirichlet(1, ..., 1)`` and scores architectures by
   the augmented Chebyshev scalarisation of their normalised term values (0 at the
   nadir, 1 at the ideal of the known front): ``min_j w_j·(z_j − 1) + ρ·Σ_j w_j·z_j``
   (ρ = ``augment``);
   the known architectures' scores pick the ascent seeds and tournament winners;
3. climbs that scalarisation by gradient ascent in embedding space. It must be
   differentiable there, so an exactly known term enters through a soft kNN over a
   fixed memory of ``memory`` sampled architectures with their known values, and
   the minimum becomes a soft minimum (temperature ``soft_min``); a learned term climbs
   its surrogate's differentiable score;
4. fills the batch greedily by predicted hypervolume improvement over the known
   front (accuracy predicted as the kNN mean plus ``optimism`` times the
   neighbours' spread, costs exact), and by the additive gap to the front once no
   candidate is predicted to improve it.

Its settings are EmProx-NAO's ``pareto`` options and ``optimism`` (default 1 here). Its
surrogates come from a :class:`~nasearch.optimizers.emprox_nao.term_surrogates.TermSurrogates`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ...embedding.autoencoder import SequenceAutoencoder
from ...errors import ConfigError
from ...pareto import FrontScale, is_dominated, non_dominated
from ..base import Proposal
from .guide import Guide

#: EmProx-NAO's ``optimism`` in a multi-objective search when the option is left unset.
DEFAULT_OPTIMISM = 1.0


@dataclass(frozen=True)
class ParetoConfig:
    """EmProx-NAO's multi-objective settings (``options: {pareto: {...}}``)."""

    augment: float = 0.05    #: weight of the sum in the augmented Chebyshev scalarisation (keeps weakly dominated points behind)
    soft_min: float = 0.05   #: soft-minimum temperature of the differentiable scalarisation
    memory: int = 500        #: sampled architectures whose exactly known term values form that term's soft kNN

    def __post_init__(self):
        for name, value, ok, need in (("augment", self.augment, self.augment >= 0, ">= 0"),
                                      ("soft_min", self.soft_min, self.soft_min > 0, "> 0"),
                                      ("memory", self.memory, self.memory >= 1, ">= 1")):
            if not ok:
                raise ConfigError(f"option pareto.{name} must be {need}, got {value}")


def chebyshev(closeness, weights, augment: float, soft_min: float = 0.0):
    """Augmented Chebyshev score ``(n,)`` of closeness to the ideal ``(n, m)`` (1 at the ideal, 0 at
    the nadir) under ``weights`` ``(m,)``: numpy with a hard minimum, or torch with a soft
    minimum at temperature ``soft_min`` (differentiable)."""
    shortfall = weights * (1.0 - closeness)
    if soft_min:
        worst = soft_min * torch.logsumexp(shortfall / soft_min, dim=1)
    else:
        worst = np.max(shortfall, axis=1)
    return -worst + augment * closeness @ weights


class ParetoGuide(Guide):
    """Per-round multi-objective state of EmProx-NAO (see the module docstring).

    ``goal`` is the search's goal, ``surrogates`` a
    :class:`~nasearch.optimizers.emprox_nao.term_surrogates.TermSurrogates` (a term's surrogate),
    ``known_metrics(arch)`` the free lookups, ``sample_unknown(count)`` distinct unknown
    architectures (for the memory).
    """

    kind = "pareto"

    def __init__(self, goal, surrogates, known_metrics, sample_unknown, archs, values, rng,
                 config: ParetoConfig, optimism: float, rank: bool = True):
        super().__init__(archs, values, rng, rank)
        self.goal, self.surrogates, self.known_metrics = goal, surrogates, known_metrics
        self.sample_unknown, self.config, self.optimism = sample_unknown, config, optimism
        self.predictors: dict = {}   # term index -> fitted surrogate (learned terms and free-term memories)
        self.free: list = []         # term indices known without evaluation
        self._memory = None          # architectures of the free terms' soft-kNN memory
        self._memory_values: dict = {}   # term index -> (memory,) exact values of the memory (fixed)
        self.weights = self.scale = self.front = None
        self.front_archs: list = []

    def settings(self):
        return {"kind": self.kind, "optimism": self.optimism, "augment": self.config.augment,
                "soft_min": self.config.soft_min, "memory": self.config.memory}

    def _vectors(self) -> np.ndarray:
        return np.asarray(self.values, dtype=float).reshape(len(self.archs), len(self.goal.terms))

    # ---------------------------------------------------------------- fitting
    def _fit(self):
        """Refit the term surrogates on the fitted set, draw this round's weights; returns the model."""
        terms = self.goal.terms
        vectors = self._vectors()
        known = self.known_metrics(self.archs[0]) if self.archs else {}
        self.free = [j for j, t in enumerate(terms) if t.metric in known]
        climbs = self.surrogates.climbs   # a free term is ranked by its exact values; only the climb needs its kNN
        if self._memory is None and self.free and climbs:
            self._memory = self.sample_unknown(self.config.memory)
        for j in range(len(terms)):
            if j in self.free:
                if not climbs:
                    continue
                archs = list(self.archs) + list(self._memory)
                if j not in self._memory_values:   # the memory never changes: look its costs up once
                    self._memory_values[j] = self.exact(self._memory, j)
                values = np.concatenate([vectors[:, j], self._memory_values[j]])
            else:
                archs, values = self.archs, vectors[:, j]
            self.predictors[j] = self.surrogates.for_term(j, learned=j not in self.free).fit(archs, values)
        on_front = non_dominated(vectors)
        self.front = vectors[on_front]
        self.front_archs = [a for a, kept in zip(self.archs, on_front) if kept]
        self.scale = FrontScale.of(self.front)
        self.weights = self.rng.dirichlet(np.ones(len(terms)))
        return self.predictors[0].model if 0 in self.predictors else None

    def exact(self, archs: list, term: int) -> np.ndarray:
        """Signed exact values of a free term: ``(n,)``, NaN where the benchmark has none."""
        goal_term = self.goal.terms[term]
        values = [self.known_metrics(a).get(goal_term.metric) for a in archs]
        return np.array([np.nan if v is None else goal_term.sign * float(v) for v in values])

    # ------------------------------------------------------------- scoring
    def predict(self, archs: list, optimism: float = 0.0) -> np.ndarray:
        """``(n, m)`` signed term values: exact for free terms, the surrogate's mean otherwise, plus
        ``optimism`` times its spread (an upper confidence bound)."""
        columns = []
        for j in range(len(self.goal.terms)):
            if j in self.free:
                columns.append(self.exact(archs, j))
            else:
                mean, spread = self.predictors[j].predict(archs)
                columns.append(mean + optimism * spread if optimism else mean)
        return np.column_stack(columns)

    def scalarise(self, vectors: np.ndarray) -> np.ndarray:
        """Augmented Chebyshev score ``(n,)`` of signed vectors ``(n, m)`` under this round's weights."""
        return chebyshev(1.0 - self.scale.normalise(vectors), self.weights, self.config.augment)

    def score(self, archs):
        return self.scalarise(self.predict(archs))

    def soft_score(self, outputs):
        """The differentiable scalarisation of encoder outputs ``(B, L, d)`` → ``(B,)``."""
        pooled = SequenceAutoencoder.pool(outputs)
        predicted = torch.stack([self.predictors[j].soft_score(pooled) for j in range(len(self.goal.terms))],
                                dim=1)
        weights = torch.as_tensor(self.weights, dtype=predicted.dtype)
        return chebyshev(1.0 - self.scale.normalise(predicted), weights, self.config.augment, self.config.soft_min)

    def fitness(self):
        """The known architectures' scores under this round's weights (for seeds and tournaments)."""
        return list(self.scalarise(np.asarray(self.values, dtype=float)))

    def parent(self, members, tournament):
        """A uniformly drawn member of the known front, so every region of the front is refined."""
        return self.front_archs[int(self.rng.integers(len(self.front_archs)))]

    def improves(self, value, top_count):
        """Whether a told vector is not dominated by the known set before it."""
        return not is_dominated(np.asarray(value, dtype=float), self._vectors())

    def gap(self, vectors: np.ndarray) -> np.ndarray:
        """``(n,)`` additive ε (normalised units) by which each vector falls short of the known
        front: the least amount it would have to gain in every objective to be non-dominated."""
        shortfall = self.scale.normalise(vectors)[:, None, :] - self.scale.normalise(self.front)[None, :, :]
        return np.maximum(shortfall.min(axis=2).max(axis=1), 0.0)

    def select(self, candidates, count):
        """``count`` candidates chosen greedily by predicted hypervolume improvement, then by the
        gap to the front; each proposal's prediction is its first term. Local candidates are
        chosen the same way (every term predicted by its surrogate's :meth:`predict`)."""
        if not self.rank:
            return super().select(candidates, count)
        if not candidates or count <= 0:
            return []
        predicted = self.predict(candidates, self.optimism)
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
        return [Proposal(candidates[i], float(predicted[i][0])) for i in chosen]
