"""A mean ensemble of registered predictors of different kinds (``ensemble``).

Predictors that read an architecture differently make different mistakes: the label-aware
EmProx predicts from neighbours in a learned embedding, so it gives a cell's one-edit
mutations nearly the same value, while gradient-boosted trees on the one-hot encoding read
each operation's effect directly. Their mean orders a good cell's mutations better than either
alone on both NAS-Bench-201 and the NAS-Bench-301 surrogate (``benchmarks/local_ranking.py``).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..config import build, to_dict
from ..errors import ConfigError
from .base import Predictor


def _default_members() -> dict:
    return {"emprox_label_aware": {}, "xgb": {}}


def mean_of(predictions) -> np.ndarray:
    """The unweighted mean of several ``(n,)`` predictions (one per predictor), float64 ``(n,)``."""
    return np.mean([np.asarray(p, dtype=np.float64) for p in predictions], axis=0)


def resolve_members(members: dict, section: str) -> dict:
    """``{predictor name: its full options}`` from ``members`` (name → options or None), each
    resolved through its predictor's Config; a bad name or option is a one-line error that
    names ``section``."""
    from . import registry

    members = dict(members or {})
    if not members:
        raise ConfigError(f"{section} must name at least one predictor, e.g. {{emprox_label_aware: {{}}, xgb: {{}}}}")
    resolved = {}
    for name, options in members.items():
        if name == Ensemble.name:
            raise ConfigError(f"an ensemble cannot be one of {section}; list its members instead")
        if name not in registry.names():
            choices = ", ".join(n for n in registry.names() if n != Ensemble.name)
            raise ConfigError(f"unknown predictor {name!r} in {section}; choose from {choices}")
        if options is not None and not isinstance(options, dict):
            raise ConfigError(f"{section}.{name} takes a mapping of options, got {options!r}")
        resolved[name] = to_dict(build(registry.factory(name).Config, options or {}, f"{section}.{name}"))
    return resolved


@dataclass(frozen=True)
class EnsembleConfig:
    """``members``: ``{predictor name: its options}``, each resolved through that predictor's own
    Config (so an unknown option is an error naming the member)."""

    #: ``{predictor name: its options}`` whose predictions are averaged (default: the label-aware EmProx and XGBoost)
    members: dict = field(default_factory=_default_members)

    def __post_init__(self):
        object.__setattr__(self, "members", resolve_members(self.members, "ensemble members"))


class Ensemble(Predictor):
    """The unweighted mean of its members' predictions (all in the values' units, percent), and
    the mean of their spreads. Each member draws from its own generator, spawned from this one."""

    name = "ensemble"
    Config = EnsembleConfig

    def __init__(self, space, config=None, rng=None):
        super().__init__(space, config, rng)
        from . import create_predictor

        generators = self.rng.spawn(len(self.config.members))
        self.members = [create_predictor(name, space, options, generator)
                        for (name, options), generator in zip(self.config.members.items(), generators)]

    def fit(self, archs, values):
        values = self.check_targets(archs, values)
        for member in self.members:
            member.fit(archs, values)
        return self

    def prepare(self) -> dict:
        """Each member's one-off set-up; their stats merged (``pretrain_seconds`` summed)."""
        merged, seconds = {}, 0.0
        for member in self.members:
            done = member.prepare()
            seconds += done.get("pretrain_seconds", 0.0)
            merged.update(done)
        if "pretrain_seconds" in merged:
            merged["pretrain_seconds"] = seconds
        return merged

    def update(self, archs, values):
        """Each member's own :meth:`~Predictor.update` (a costly member bounds its refits)."""
        values = self.check_targets(archs, values)
        for member in self.members:
            member.update(archs, values)
        return self

    def predict(self, archs):
        return mean_of(m.predict(archs) for m in self.members)

    def predict_with_spread(self, archs):
        parts = [m.predict_with_spread(archs) for m in self.members]
        return mean_of(mean for mean, _ in parts), mean_of(spread for _, spread in parts)

    def predict_spread(self, archs):
        return self.predict_with_spread(archs)[1]

    def input_features(self, example) -> int:
        """The widest member's inputs: the mean is no better founded than its least supported member."""
        return max(member.input_features(example) for member in self.members)
