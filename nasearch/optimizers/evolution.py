"""Regularized (aging) evolution, optionally screened by EmProx."""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field


from .base import Optimizer, Proposal
from .screening import Screen


@dataclass(frozen=True)
class EvolutionConfig:
    population: int = 30     #: initial random architectures and population size
    sample_size: int = 10    #: tournament size
    screen: int = 0          #: 0 = plain; c > 0 = make c children, query the one EmProx predicts best
    screen_with: str = "emprox"  #: the screening predictor (any registered name, e.g. emprox_label_aware)
    predictor: dict = field(default_factory=dict)  #: options of the screening predictor


class RegularizedEvolution(Optimizer):
    name = "evolution"
    Config = EvolutionConfig
    initial_evaluations_key = "population"

    def __init__(self, space, config=None, rng=None, seed=0, progress=False):
        super().__init__(space, config, rng, seed, progress)
        self.population = deque(maxlen=self.config.population)
        self.screen = (Screen(space, self.rng, self.config.predictor, self.seed, self.config.screen_with)
                       if self.config.screen else None)

    def bind(self, goal, known_metrics) -> None:
        super().bind(goal, known_metrics)
        if self.screen is not None:
            self.stats.update(self.screen.prepare())

    def tell(self, arch, value):
        super().tell(arch, value)
        self.population.append((arch, float(value)))   # the oldest member dies

    def _child(self):
        parent = self.tournament_winner(list(self.population), self.config.sample_size)
        for _ in range(50):
            child = self.space.mutate(parent, self.rng)
            if not self.is_known(child) and self.admissible(child):
                return child
        return None

    def ask(self, remaining):
        if len(self.known_archs) < self.config.population:
            return [Proposal(a) for a in self.random_unknown(1)]
        count = max(1, self.config.screen)
        children, ids = [], set()
        for _ in range(count * 3):
            child = self._child()
            if child is not None and self.space.arch_id(child) not in ids:
                ids.add(self.space.arch_id(child))
                children.append(child)
            if len(children) == count:
                break
        if not children:
            return [Proposal(a) for a in self.random_unknown(1)]
        if self.screen is None:
            return [Proposal(children[0])]
        arch, predicted = self.screen.pick(children, self.known_archs, self.known_values)
        return [Proposal(arch, predicted)]
