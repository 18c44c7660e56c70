"""EmProx-NAO's label-aware surrogate: rank with the label-trained embedding, climb towards it.

The label-aware EmProx (:class:`~nasearch.predictors.gin.LabelAwareEmProx`) ranks far
better than the faithful EmProx, but its graph encoder has no decoder, so gradient
ascent cannot move in its embedding and decode. This surrogate joins the two:

* **ranking** (``predict``, ``predict_spread``): the label-aware EmProx, the inverse-distance
  kNN in the embedding a GIN ensemble learned from the told values. It is retrained
  only once the known set has grown by ``refit_growth`` since its last training, so its
  cost is bounded: O(log N) trainings in a search of N evaluations; in between it still
  remembers every told value;
* **ascent** (``soft_predict``, ``model``): the faithful EmProx's differentiable soft kNN in
  the pretrained autoencoder's embedding, whose decoder is exact. Its memory holds the
  told architectures with their values plus ``pseudo_labels`` unknown architectures
  labelled by the label-aware EmProx (SemiNAS's pseudo-labels): half one-edit mutations
  of the best told architectures, half uniform samples. The climb's gradient then
  points towards where the label-trained embedding expects better architectures, not
  only towards the told ones.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np

from ..errors import ConfigError


@dataclass(frozen=True)
class LabelAwareSearchConfig:
    """EmProx-NAO's ``labels`` options (used with ``surrogate: label_aware``)."""

    members: int = 3            #: GIN-ensemble members (the predictor tables use 5)
    epochs: int = 100           #: full-batch Adam steps per training (the predictor tables use 200)
    refit_growth: float = 0.2   #: retrain once the told set grew by this fraction since the last training
    pseudo_labels: int = 200    #: unknown architectures labelled by the label-aware EmProx for the climb
    #: uniform admissible architectures per round, ranked as a third source of the mix; unset = 1000
    #: with one objective, 0 with several (:meth:`samples_for`)
    samples: Optional[int] = None
    width: Optional[int] = None  #: GIN node-state width; unset = the label-aware EmProx's own default

    def __post_init__(self):
        if self.members < 1 or self.epochs < 1:
            raise ConfigError("options labels.members and labels.epochs must be >= 1")
        if self.width is not None and self.width < 1:
            raise ConfigError(f"option labels.width must be >= 1, got {self.width}")
        if self.refit_growth < 0 or self.pseudo_labels < 0 or (self.samples is not None and self.samples < 0):
            raise ConfigError("options labels.refit_growth, labels.pseudo_labels and labels.samples must be >= 0")

    def samples_for(self, several_objectives: bool) -> int:
        """``samples``, or when it is unset: 1000 for one objective (a screen over the space finds
        a far or constrained optimum the climb and mutations miss), 0 for several (a front is
        refined where the told cells already are: on the tuning seeds the uniform source took
        batch share from the climb and mutations and lowered the found front's hypervolume)."""
        if self.samples is not None:
            return self.samples
        return 0 if several_objectives else 1000


class LabelAwareSurrogate:
    """The predictor interface EmProx-NAO's guides use (fit, predict, predict_spread,
    soft_predict, model), made of a label-aware EmProx and a faithful one (module docstring).

    ``ranker`` is a :class:`~nasearch.predictors.gin.LabelAwareEmProx` (kept across rounds),
    ``climber`` a pretrained :class:`~nasearch.predictors.emprox.EmProx`, ``pool(archs, values,
    count)`` returns up to ``count`` distinct unknown architectures to pseudo-label.
    """

    def __init__(self, ranker, climber, pool: Callable, config: LabelAwareSearchConfig):
        self.ranker, self.climber, self.pool, self.config = ranker, climber, pool, config
        self.trainings = 0

    @classmethod
    def build(cls, space, config: LabelAwareSearchConfig, k: int, rng, climber, pool: Callable):
        """A surrogate whose label-aware EmProx (``k`` neighbours) draws from ``rng``."""
        from ..predictors import create_predictor

        options = {"members": config.members, "epochs": config.epochs, "refit_growth": config.refit_growth, "k": k}
        if config.width is not None:
            options["width"] = config.width
        ranker = create_predictor("emprox_label_aware", space, options, rng)
        return cls(ranker, climber, pool, config)

    @property
    def model(self):
        return self.climber.model

    def fit(self, archs: list, values) -> "LabelAwareSurrogate":
        values = np.asarray(values, dtype=np.float64)
        before = self.ranker.trained_on
        self.ranker.update(archs, values)
        self.trainings += int(self.ranker.trained_on != before)
        pool = self.pool(archs, values, self.config.pseudo_labels) if self.config.pseudo_labels else []
        pseudo = self.ranker.predict(pool) if pool else np.empty(0)
        self.climber.fit(list(archs) + pool, np.concatenate([values, pseudo]))
        return self

    def predict(self, archs: list) -> np.ndarray:
        return self.ranker.predict(archs)

    def predict_spread(self, archs: list) -> np.ndarray:
        return self.ranker.predict_spread(archs)

    def soft_predict(self, embedding, temperature=None, eps: float = 1e-3):
        return self.climber.soft_predict(embedding, temperature, eps)
