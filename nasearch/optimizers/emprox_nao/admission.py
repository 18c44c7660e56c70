"""Whether the ``local`` predictors have earned a say in ranking one-edit candidates.

The label-aware surrogate can rank mutations by the mean of its ranker and other predictors
(``surrogate.local``). Whether that mean orders a space's candidates better than the ranker
alone depends on the space and on how many values are told, so ``local_admission: earned``
decides it from the search's own evaluations, prequentially: each round, before the
surrogate is refitted, the architectures told since the last fit are predicted by the
ranker alone and by the mean, neither of which has seen them. Every pair of them with
different told values counts for whichever prediction orders it rightly (half for a tied
prediction). The mean ranks the next round's candidates only while it has, summed over all
rounds so far, ordered more pairs rightly than the ranker alone; before any evidence, and on
a tie, the ranker ranks alone (the cheaper choice keeps its place until the other earns it).

Only pairs within one round's batch count: across rounds the told values drift upwards as
the search improves, and ordering that drift is not what ranking siblings needs.
"""
from __future__ import annotations

import numpy as np

from ...predictors.ensemble import mean_of


def rightly_ordered_pairs(predicted, told) -> tuple:
    """``(score, pairs)`` over the pairs of ``told`` ``(n,)`` with different values: ``pairs`` their
    count, ``score`` how many of them ``predicted`` ``(n,)`` orders the same way (a tied
    prediction counts a half)."""
    predicted, told = np.asarray(predicted, dtype=np.float64), np.asarray(told, dtype=np.float64)
    predicted_sign = np.sign(predicted[:, None] - predicted[None, :])
    told_sign = np.sign(told[:, None] - told[None, :])
    counted = np.triu(told_sign != 0, 1)
    agreement = (predicted_sign * told_sign)[counted]       # +1 right, 0 tied prediction, −1 wrong
    return float(np.sum(agreement + 1) / 2), int(counted.sum())


class PrequentialAdmission:
    """The running tally of :func:`rightly_ordered_pairs` for the ranker alone and for its mean with
    the local predictors; :attr:`admitted` says which ranks the next round. ``arch_id`` maps an
    architecture to its canonical id (the space's), to tell which told architectures are new."""

    def __init__(self, arch_id):
        self.arch_id = arch_id
        self.fitted_ids: set = set()
        self.alone = self.with_local = 0.0   # rightly ordered pairs, summed over rounds
        self.pairs = 0                       # pairs counted

    def new_since_last_fit(self, archs: list) -> list:
        """Indices of ``archs`` absent from the previous call's ``archs``; remembers this call's."""
        ids = [self.arch_id(a) for a in archs]
        new = [i for i, key in enumerate(ids) if key not in self.fitted_ids]
        self.fitted_ids = set(ids)
        return new

    def judge(self, archs: list, values: np.ndarray, ranker, local) -> None:
        """Called before the surrogate refits on ``archs`` and their ``(n,)`` ``values``: count the
        architectures told since the last call as predicted by ``ranker`` alone and by its mean with
        the ``local`` predictors (a list; None while they have not been fitted yet)."""
        new = self.new_since_last_fit(archs)
        if len(new) >= 2 and local is not None:
            batch = [archs[i] for i in new]
            alone = ranker.predict(batch)
            self.record(values[new], alone, mean_of([alone] + [p.predict(batch) for p in local]))

    def record(self, told, alone, with_local) -> None:
        """Count one batch: its ``(n,)`` told values and the two ``(n,)`` predictions made before it was told."""
        right_alone, pairs = rightly_ordered_pairs(alone, told)
        right_with_local, _ = rightly_ordered_pairs(with_local, told)
        self.alone += right_alone
        self.with_local += right_with_local
        self.pairs += pairs

    @property
    def admitted(self) -> bool:
        """Whether the mean with the local predictors has ordered strictly more pairs rightly."""
        return self.with_local > self.alone
