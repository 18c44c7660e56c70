"""What steers a gradient search in embedding space: one object per goal, held by the optimizer.

A :class:`Guide` is refitted every round on the set the optimizer hands it, and
then answers every question the search loop (:mod:`.loop`) and the proposal
sources ask about the goal: the differentiable score the ascent climbs, the hard
score that ranks candidates, the fitted architectures' fitness (ascent seeds and
tournaments), a mutation parent, whether a told value counts as a success of its
source, and which candidates to propose. EmProx-NAO holds a
:class:`SurrogateGuide` for one objective and a
:class:`~nasearch.optimizers.emprox_nao.pareto_guide.ParetoGuide` for several;
NAO-guided holds a :class:`NAOGuide`. The optimizer itself never branches on the goal.
"""
from __future__ import annotations

import abc
from typing import Optional

import numpy as np

from ...embedding.autoencoder import SequenceAutoencoder
from ..base import Proposal


class Guide(abc.ABC):
    """The goal-specific half of a gradient search (see the module docstring).

    ``archs`` and ``values`` are the set of the last :meth:`fit` (the optimizer's lists, read,
    never written; before the first fit, its known set); ``rng`` the optimizer's generator.
    """

    #: recorded in the optimizer's stats as ``guide``
    kind: str = ""

    def __init__(self, archs: list, values: list, rng: np.random.Generator, rank: bool = True):
        self.archs, self.values, self.rng, self.rank = archs, values, rng, rank
        self.model = None   #: the encoder–decoder of the last fit (None where nothing climbs)

    def fit(self, archs: list, values: list):
        """Refit on ``archs`` and their ``values``; returns the encoder–decoder to climb and decode
        with (kept as :attr:`model`)."""
        self.archs, self.values = archs, values
        self.model = self._fit()
        return self.model

    @abc.abstractmethod
    def _fit(self):
        """Refit on :attr:`archs`, :attr:`values`; returns the encoder–decoder (or None)."""

    @abc.abstractmethod
    def soft_score(self, outputs):
        """Differentiable score ``(B,)`` of encoder outputs ``(B, L, d)`` (torch), larger is better."""

    @abc.abstractmethod
    def score(self, archs: list) -> np.ndarray:
        """Hard score ``(n,)`` that ranks candidate architectures, larger is better."""

    def fitness(self) -> list:
        """One score per known architecture (ascent seeds, tournaments): the told values."""
        return self.values

    def best(self, count: int) -> list:
        """The ``count`` fitted architectures of highest :meth:`fitness` (ascent seeds)."""
        order = np.argsort(-np.asarray(self.fitness(), dtype=float), kind="stable")[:count]
        return [self.archs[i] for i in order]

    def parent(self, members: list, tournament):
        """The parent of one mutation from ``(arch, fitness)`` ``members``; ``tournament(members)``
        is regularized evolution's selection at the mutation source's size
        (``sources.mutation.tournament``; ``tournament(members, size)`` picks another size).
        Default: that tournament."""
        return tournament(members)

    def improves(self, value, top_count: int) -> bool:
        """Whether a told value is a success of its source: it enters the top ``top_count``."""
        top = np.sort(self.values)[-top_count:] if self.values else []
        return len(top) < top_count or value > top[0]

    def select(self, candidates: list, count: int) -> list:
        """``count`` :class:`Proposal` s: the best by :meth:`score` (in the given order if ``rank``
        is off), each with its score as the prediction."""
        return self._best(candidates, count, self.score)

    def select_local(self, candidates: list, count: int) -> list:
        """:meth:`select` for candidates one edit from told architectures (what the sources whose
        ``local`` is true propose). Default: :meth:`select`, so a guide that only overrides
        :meth:`select` ranks them the same way."""
        return self.select(candidates, count)

    def _best(self, candidates: list, count: int, score) -> list:
        predicted = score(candidates) if candidates else np.zeros(0)
        order = np.argsort(-predicted, kind="stable") if self.rank else np.arange(len(candidates))
        return [Proposal(candidates[i], float(predicted[i])) for i in order[:count]]

    def settings(self) -> dict:
        """The guide's resolved settings, recorded in the run's summary."""
        return {"kind": self.kind}


class SurrogateGuide(Guide):
    """One objective, scored by a :class:`~nasearch.optimizers.emprox_nao.surrogate.Surrogate`:
    its differentiable score for the ascent, its mean (plus ``optimism`` times its spread, an
    upper confidence bound) for ranking."""

    kind = "emprox"

    def __init__(self, surrogate, archs, values, rng, optimism: float = 0.0, rank: bool = True):
        super().__init__(archs, values, rng, rank)
        self.surrogate, self.optimism = surrogate, optimism

    def _fit(self):
        self.surrogate.fit(self.archs, np.asarray(self.values))
        return self.surrogate.model

    def soft_score(self, outputs):
        return self.surrogate.soft_score(SequenceAutoencoder.pool(outputs))

    def score(self, archs):
        return self._optimistic(*self.surrogate.predict(archs))

    def score_local(self, archs):
        """:meth:`score` from the surrogate's :meth:`~.surrogate.Surrogate.predict_local`."""
        return self._optimistic(*self.surrogate.predict_local(archs))

    def select_local(self, candidates, count):
        return self._best(candidates, count, self.score_local)

    def _optimistic(self, mean, spread):
        return mean + self.optimism * spread if self.optimism else mean

    def settings(self):
        return {"kind": self.kind, "optimism": self.optimism}


class NAOGuide(Guide):
    """One objective, scored by NAO's MLP head, fine-tuned with the autoencoder every round."""

    kind = "nao"

    def __init__(self, predictor, initial_model, archs, values, rng, rank: bool = True):
        super().__init__(archs, values, rng, rank)
        self.predictor, self.initial_model = predictor, initial_model

    def _fit(self):
        self.predictor.fit(self.archs, np.asarray(self.values), initial_model=self.initial_model)
        return self.predictor.model

    def soft_score(self, outputs):
        return self.predictor.predict_from_outputs(outputs)

    def score(self, archs):
        return self.predictor.predict(archs)


def resolved_optimism(option: Optional[float], default: float) -> float:
    """The ``optimism`` option, or the guide's own default when it is left unset (``None``)."""
    return float(default if option is None else option)
