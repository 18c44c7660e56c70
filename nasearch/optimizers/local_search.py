"""Local search: evaluate the full one-edit neighbourhood of the current architecture,
move to its best member while that improves, and restart from a random one at local optima."""
from __future__ import annotations

from dataclasses import dataclass

from .base import Optimizer, Proposal


@dataclass(frozen=True)
class LocalSearchConfig:
    n_init: int = 10   #: random architectures before the walk starts from the best of them


class LocalSearch(Optimizer):
    name = "local_search"
    Config = LocalSearchConfig

    def __init__(self, space, config=None, rng=None, seed=0, progress=False):
        super().__init__(space, config, rng, seed, progress)
        self.value_of: dict = {}
        self.current = None
        self.queue: list = []
        self.restarting = False
        self.stats["restarts"] = 0

    def _centre(self, arch) -> None:
        self.current = arch
        neighbours = [n for n in self.space.neighbors(arch) if not self.is_known(n) and self.admissible(n)]
        self.queue = [neighbours[i] for i in self.rng.permutation(len(neighbours))]

    def ask(self, remaining):
        if len(self.known_archs) < self.config.n_init:
            return [Proposal(a) for a in self.random_unknown(1)]
        if self.current is None:
            self._centre(self.best_known()[0])
        while True:
            self.queue = [a for a in self.queue if not self.is_known(a)]
            if self.queue:
                return [Proposal(self.queue.pop(0))]
            centre_value = self.value_of[self.space.arch_id(self.current)]
            scored = [(self.value_of[self.space.arch_id(n)], n) for n in self.space.neighbors(self.current)
                      if self.space.arch_id(n) in self.value_of]
            best_value, best = max(scored, key=lambda item: item[0], default=(float("-inf"), None))
            if best_value <= centre_value:
                break
            self._centre(best)
        self.stats["restarts"] += 1
        self.restarting = True
        return [Proposal(a) for a in self.random_unknown(1)]

    def tell(self, arch, value):
        super().tell(arch, value)
        self.value_of[self.space.arch_id(arch)] = float(value)
        if self.restarting:
            self.restarting = False
            self._centre(arch)
