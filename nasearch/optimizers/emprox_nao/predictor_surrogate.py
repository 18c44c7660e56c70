"""Any registered predictor as EmProx-NAO's ranking surrogate (``surrogate: {name: xgb, options: {...}}``)."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .surrogate_base import Surrogate


@dataclass(frozen=True)
class PredictorSurrogateConfig:
    """Any registered predictor as the ranking surrogate (``surrogate: {name: xgb, options: {...}}``)."""

    name: str = "xgb"
    options: dict = field(default_factory=dict)   #: the predictor's own options (its Config)


class PredictorSurrogate(Surrogate):
    """Ranks with a registered predictor, refitted through its ``update`` every round; its
    spread is the predictor's :meth:`~nasearch.predictors.Predictor.predict_spread`. It has
    no differentiable score, so it pairs with the mutation and sample sources."""

    name = "predictor"
    Config = PredictorSurrogateConfig

    def __init__(self, *args):
        super().__init__(*args)
        from ...predictors import create_predictor

        self.predictor = create_predictor(self.config.name, self.space, self.config.options, self.rng)

    def fit(self, archs, values):
        from ...seeding import torch_seeded

        with torch_seeded(self.rng):
            self.predictor.update(archs, np.asarray(values, dtype=np.float64))
        return self

    def predict(self, archs):
        return self.predictor.predict_with_spread(archs)

    @staticmethod
    def default_samples(config, several_objectives):
        """As the label-aware surrogate's: 1000 uniform samples a round with one objective, none with several."""
        return 0 if several_objectives else 1000
