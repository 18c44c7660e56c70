"""Random search, optionally screened by EmProx."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import ConfigError
from .base import Optimizer, Proposal
from .screening import Screen


@dataclass(frozen=True)
class RandomSearchConfig:
    screen: int = 0          #: 0 = plain; c > 0 = sample c, query the one EmProx predicts best
    n_init: int = 10         #: plain random queries before screening starts
    screen_with: str = "emprox"  #: the screening predictor (any registered name, e.g. emprox_label_aware)
    predictor: dict = field(default_factory=dict)   #: EmProx options for screening


class RandomSearch(Optimizer):
    name = "random"
    Config = RandomSearchConfig
    multi_objective = True   # it ignores values, so any number of objectives is fine (without a screen)

    def __init__(self, space, config=None, rng=None, seed=0, progress=False):
        super().__init__(space, config, rng, seed, progress)
        self.screen = (Screen(space, self.rng, self.config.predictor, self.seed, self.config.screen_with)
                       if self.config.screen else None)

    def bind(self, goal, known_metrics) -> None:
        if goal.multi and self.screen is not None:
            raise ConfigError("random search's screen ranks by one objective; drop screen for a "
                              "multi-objective search")
        super().bind(goal, known_metrics)
        if self.screen is not None:
            self.stats.update(self.screen.prepare())

    @classmethod
    def initial_evaluations(cls, config) -> int:
        return config.n_init if config.screen else 0

    def ask(self, remaining):
        if self.screen is None or len(self.known_archs) < self.config.n_init:
            return [Proposal(a) for a in self.random_unknown(1)]
        candidates = self.random_unknown(self.config.screen)
        arch, predicted = self.screen.pick(candidates, self.known_archs, self.known_values)
        return [Proposal(arch, predicted)]
