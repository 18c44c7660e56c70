"""The surrogate's interface: what EmProx-NAO fits every round to rank candidates (:mod:`.surrogate` has the
built-in kinds, :mod:`.predictor_surrogate` any registered predictor)."""
from __future__ import annotations

import abc

import numpy as np

from ...errors import ConfigError


class Surrogate(abc.ABC):
    """Fitted on ``(archs, values)`` every round; predicts ``(mean, spread)``, each ``(n,)`` in the
    objective's units (percent). ``autoencoder`` is the search's pretrained encoder–decoder,
    ``rng`` the optimizer's generator, ``context`` a
    :class:`~nasearch.optimizers.emprox_nao.context.ProposalContext`."""

    name: str = ""
    Config: type = None
    #: whether :meth:`soft_score` exists, so the decoded ascent can climb this surrogate
    differentiable: bool = False

    def __init__(self, space, config, autoencoder_plan, seed: int, rng: np.random.Generator, context):
        self.space, self.config, self.plan, self.seed = space, config, autoencoder_plan, seed
        self.rng, self.context = rng, context

    @abc.abstractmethod
    def fit(self, archs: list, values) -> "Surrogate":
        """Refit on ``archs`` and their ``(n,)`` values; returns self."""

    @abc.abstractmethod
    def predict(self, archs: list) -> tuple:
        """``(mean, spread)``: predicted values and how uncertain each is, both ``(n,)`` float64."""

    def predict_local(self, archs: list) -> tuple:
        """:meth:`predict` for candidates one edit from told architectures (mutations, whose
        order among siblings is what a screened search needs). Default: :meth:`predict`."""
        return self.predict(archs)

    def soft_score(self, embedding):
        """Differentiable prediction of pooled embeddings, torch ``(B, d)`` → ``(B,)``."""
        raise ConfigError(f"surrogate {self.name!r} has no differentiable score, so the decoded ascent "
                          f"cannot climb it; drop sources.ascent (it is off by default) or use "
                          f"surrogate emprox or label_aware")

    @property
    def model(self):
        """The encoder–decoder the ascent climbs in and decodes with; None without a climb."""
        return None

    @staticmethod
    def default_samples(config, several_objectives: bool) -> int:
        """Uniform samples the ``sample`` source draws each round when its ``count`` is unset."""
        return 0
