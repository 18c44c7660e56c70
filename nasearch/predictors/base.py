"""The abstract performance predictor and its shared input checks."""
from __future__ import annotations

import abc
from typing import Optional

import numpy as np

from ..config import build
from ..errors import NasearchError


class Predictor(abc.ABC):
    """Guesses benchmark values of architectures from a few evaluated ones.

    Subclasses declare their options as a frozen dataclass ``Config``;
    ``Predictor(space, {"k": 10}, rng)`` rejects unknown option names.
    """

    name: str = ""
    Config: type = None

    def __init__(self, space, config=None, rng: Optional[np.random.Generator] = None):
        self.space = space
        if config is None or isinstance(config, dict):
            config = build(self.Config, config or {}, self.name)
        self.config = config
        self.rng = rng if rng is not None else np.random.default_rng(0)

    @abc.abstractmethod
    def fit(self, archs: list, values) -> "Predictor":
        """Train on architectures and their values (percent); returns self."""

    @abc.abstractmethod
    def predict(self, archs: list) -> np.ndarray:
        """Predicted values, ``(len(archs),)`` float64 percent."""

    def predict_spread(self, archs: list) -> np.ndarray:
        """``(len(archs),)`` uncertainty of each prediction, in the values' units (percent), for
        acquisitions. Default: zeros, for a predictor that has no notion of one."""
        return np.zeros(len(archs))

    def predict_with_spread(self, archs: list) -> tuple:
        """``(predict(archs), predict_spread(archs))``; a predictor whose two share costly work
        (an embedding) computes it once here."""
        return self.predict(archs), self.predict_spread(archs)

    def prepare(self) -> dict:
        """One-off work that needs no labels, such as pretraining an autoencoder. An optimizer that
        owns the predictor calls it before the search's clock starts (as EmProx-NAO's own pretraining
        happens before it), so search walls exclude it; without the call the first :meth:`fit` does
        the work. Returns what it did as search stats (``pretraining``, ``pretrain_seconds``, ...).
        Default: nothing to do, ``{}``."""
        return {}

    def update(self, archs: list, values) -> "Predictor":
        """Refit after the known set changed (a search calls this every round); returns self.
        Default: a full :meth:`fit`. A predictor whose fit is costly bounds that cost here."""
        return self.fit(archs, values)

    def input_features(self, example) -> int:
        """How many numbers this predictor reads for one architecture ``example``: the width of its
        fixed-length encoding (a one-hot or path encoding). Default 0, for inputs that are not a
        fixed-length vector (graphs, token sequences). A search can then wait for at least as many
        told values as a model has inputs before trusting it (``surrogate.local_admission: sized``)."""
        return 0

    @staticmethod
    def grown_enough(count: int, trained_on: int, growth: float) -> bool:
        """Whether ``count`` told architectures are at least one more than, and ``growth`` (a
        fraction) more than, the ``trained_on`` of the last full training: the rule by which a
        costly predictor's :meth:`update` retrains, so N evaluations cost O(log N) trainings."""
        return count >= max(trained_on + 1, trained_on * (1 + growth))

    @staticmethod
    def check_targets(archs: list, values) -> np.ndarray:
        values = np.asarray(values, dtype=np.float64).reshape(-1)
        if len(values) != len(archs):
            raise NasearchError(f"got {len(archs)} architectures but {len(values)} values; pass one value each")
        if len(values) == 0:
            raise NasearchError("cannot fit a predictor on zero architectures; evaluate some first")
        if not np.all(np.isfinite(values)):
            bad = int(np.sum(~np.isfinite(values)))
            raise NasearchError(f"{bad} target value(s) are NaN or infinite; drop or fix those architectures")
        return values


def zscore(values: np.ndarray):
    """``(z-scored values, mean, std)``; std of a constant vector is taken as 1."""
    mean, std = float(values.mean()), float(values.std())
    std = std if std > 1e-12 else 1.0
    return (values - mean) / std, mean, std
