"""Optional EmProx screening for the simple optimizers: score c candidates, query the best."""
from __future__ import annotations

import numpy as np


class Screen:
    """Pick the candidate the EmProx predictor (fitted to the known set) rates highest."""

    def __init__(self, space, rng, options: dict, seed: int = 0):
        from ..predictors import create_predictor

        self.predictor = create_predictor("emprox", space, {"pretrained": True, "pretrain_seed": seed, **options},
                                          rng)

    def pick(self, candidates: list, known_archs: list, known_values: list):
        self.predictor.fit(known_archs, np.asarray(known_values))
        predicted = self.predictor.predict(candidates)
        best = int(np.argmax(predicted))
        return candidates[best], float(predicted[best])
