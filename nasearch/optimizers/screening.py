"""Optional EmProx screening for the simple optimizers: score c candidates, query the best."""
from __future__ import annotations

import numpy as np


class Screen:
    """Pick the candidate a predictor (updated on the known set) rates highest: by default the
    pretrained EmProx, or any registered predictor named by ``predictor_name``."""

    def __init__(self, space, rng, options: dict, seed: int = 0, predictor_name: str = "emprox"):
        from ..predictors import create_predictor

        if predictor_name == "emprox":
            options = {"pretrained": True, "pretrain_seed": seed, **options}
        self.predictor = create_predictor(predictor_name, space, options, rng)

    def prepare(self) -> dict:
        """The predictor's one-off set-up (its pretraining), as stats for the optimizer; called from
        the optimizer's ``bind``, so a bad search fails before it and the search's clock starts after
        it. Without the call the first :meth:`pick` does the same work."""
        return self.predictor.prepare()

    def pick(self, candidates: list, known_archs: list, known_values: list):
        self.predictor.update(known_archs, np.asarray(known_values))
        predicted = self.predictor.predict(candidates)
        best = int(np.argmax(predicted))
        return candidates[best], float(predicted[best])
