"""NSGA-II (pymoo's implementation) over architectures: the multi-objective baseline.

pymoo runs the algorithm (binary tournament on rank and crowding distance,
rank-and-crowding survival); nasearch supplies the variation operators on
architectures and drives it through pymoo's ask/tell interface:

* sampling: distinct, admissible, uniformly sampled architectures;
* crossover: uniform crossover of two parents' token sequences, position by
  position; a child the space's token mask rejects falls back to a parent;
* mutation: the space's one-edit mutation, retried until the child is admissible.

A generation's architectures are proposed together; the next generation is
asked once every one of them is told (failures and rejected proposals get the
worst possible objective values). An offspring already evaluated in an earlier
generation reuses its recorded values instead of spending a query. pymoo's
generator is seeded from this optimizer's, so a run is reproducible and resumes.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import ConfigError, NasearchError
from .base import Optimizer, Proposal

#: pymoo minimises; a failed or rejected architecture gets this in every objective.
WORST = 1e12


@dataclass(frozen=True)
class NSGA2Config:
    population: int = 20        #: population size; also the architectures per generation
    crossover: float = 0.9      #: probability that a mating uses crossover before mutation

    def __post_init__(self):
        if self.population < 2:
            raise ConfigError(f"population must be >= 2, got {self.population}")
        if not 0.0 <= self.crossover <= 1.0:
            raise ConfigError(f"crossover must be a probability in [0, 1], got {self.crossover}")


class NSGA2(Optimizer):
    name = "nsga2"
    Config = NSGA2Config
    multi_objective = True
    initial_evaluations_key = "population"

    def __init__(self, space, config=None, rng=None, seed=0, progress=False):
        super().__init__(space, config, rng, seed, progress)
        self.algorithm = None
        self._generation = None     # the pymoo Population being evaluated
        self._waiting: dict = {}    # arch id -> index in the generation, not told yet
        self._unproposed: list = [] # architectures of the generation not handed out yet (budget-limited asks)
        self._values: dict = {}     # arch id -> (m,) minimised objective values told so far
        self.stats["generations"] = 0

    def _setup(self) -> None:
        from pymoo.algorithms.moo.nsga2 import NSGA2 as PymooNSGA2
        from pymoo.core.problem import Problem
        from pymoo.termination.max_gen import MaximumGenerationTermination

        objectives = len(self.goal.terms) if self.goal is not None else 1
        self.problem = Problem(n_var=1, n_obj=objectives, vtype=object)
        self.algorithm = PymooNSGA2(
            pop_size=self.config.population, sampling=_Sampling(self), crossover=_Crossover(self),
            mutation=_Mutation(self), eliminate_duplicates=_SameArchitecture(self.space))
        self.algorithm.setup(self.problem, seed=int(self.rng.integers(2 ** 31)),
                             termination=MaximumGenerationTermination(10 ** 9))

    def ask(self, remaining):
        if self.algorithm is None:
            self._setup()
        for _ in range(100):   # generations made only of already-evaluated architectures cost nothing
            if self._generation is not None:   # hand out the rest of it, else wait until it is told
                handed, self._unproposed = self._unproposed[:remaining], self._unproposed[remaining:]
                return [Proposal(arch) for arch in handed]
            population = self.algorithm.ask()
            if population is None or len(population) == 0:
                raise NasearchError("NSGA-II produced no new offspring; the space may be exhausted, "
                                    "lower the budget")
            self._generation = population
            self._waiting = {}
            proposals = []
            for index, individual in enumerate(population):
                key = self.space.arch_id(individual.X[0])
                if key not in self._values and key not in self._waiting:
                    self._waiting[key] = index
                    proposals.append(Proposal(individual.X[0]))
            self.stats["generations"] += 1
            if proposals:
                self._unproposed = [p.arch for p in proposals[remaining:]]
                return proposals[:remaining]
            self._finish_generation()
        raise NasearchError("NSGA-II keeps producing evaluated architectures only; lower the budget")

    def _finish_generation(self) -> None:
        from pymoo.core.evaluator import Evaluator
        from pymoo.problems.static import StaticProblem

        population = self._generation
        values = np.array([self._values.get(self.space.arch_id(ind.X[0]),
                                            np.full(self.problem.n_obj, WORST)) for ind in population])
        Evaluator().eval(StaticProblem(self.problem, F=values), population)
        self._generation = None
        self.algorithm.tell(infills=population)

    def _record(self, arch, minimised: np.ndarray) -> None:
        key = self.space.arch_id(arch)
        self._values[key] = minimised
        if self._waiting.pop(key, None) is not None and not self._waiting and self._generation is not None:
            self._finish_generation()

    def tell(self, arch, value):
        super().tell(arch, value)
        self._record(arch, -np.atleast_1d(np.asarray(value, dtype=float)))

    def tell_failure(self, arch):
        super().tell_failure(arch)
        self._record(arch, np.full(self.problem.n_obj if self.algorithm else 1, WORST))


# ---------------------------------------------------------------- pymoo operators
from pymoo.core.crossover import Crossover  # noqa: E402  (pymoo is a dependency; kept next to its use)
from pymoo.core.duplicate import ElementwiseDuplicateElimination  # noqa: E402
from pymoo.core.mutation import Mutation  # noqa: E402
from pymoo.core.sampling import Sampling  # noqa: E402


class _SameArchitecture(ElementwiseDuplicateElimination):
    """Two individuals are duplicates when they hold the same architecture (by ``arch_id``)."""

    def __init__(self, space):
        super().__init__()
        self.space = space

    def is_equal(self, a, b):
        return self.space.arch_id(a.X[0]) == self.space.arch_id(b.X[0])


class _Sampling(Sampling):
    def __init__(self, optimizer: NSGA2):
        super().__init__()
        self.optimizer = optimizer

    def _do(self, problem, n_samples, *args, random_state=None, **kwargs):
        archs = self.optimizer.random_unknown(n_samples)
        samples = np.empty((len(archs), 1), dtype=object)
        for row, arch in enumerate(archs):
            samples[row, 0] = arch
        return samples


class _Crossover(Crossover):
    """Uniform crossover of token sequences; two parents give two children."""

    def __init__(self, optimizer: NSGA2):
        super().__init__(2, 2, prob=optimizer.config.crossover)
        self.optimizer = optimizer

    def _do(self, problem, X, *args, random_state=None, **kwargs):
        space = self.optimizer.space
        _, matings, _ = X.shape
        children = np.empty((2, matings, 1), dtype=object)
        for mating in range(matings):
            first, second = X[0, mating, 0], X[1, mating, 0]
            tokens = np.array([space.to_sequence(first), space.to_sequence(second)])
            take = random_state.random(tokens.shape[1]) < 0.5
            for child, (a, b) in enumerate(((0, 1), (1, 0))):
                mixed = np.where(take, tokens[a], tokens[b])
                try:
                    arch = space.from_sequence(mixed.tolist())
                except NasearchError:   # the mix breaks the token mask: keep the parent
                    arch = (first, second)[child]
                children[child, mating, 0] = arch
        return children


class _Mutation(Mutation):
    """The space's one-edit mutation, retried until the child is admissible (constraints)."""

    def __init__(self, optimizer: NSGA2):
        super().__init__()
        self.optimizer = optimizer

    def _do(self, problem, X, *args, random_state=None, **kwargs):
        optimizer = self.optimizer
        mutated = np.empty_like(X)
        for row in range(len(X)):
            child = X[row, 0]
            for _ in range(20):
                child = optimizer.space.mutate(X[row, 0], random_state)
                if optimizer.admissible(child):
                    break
            mutated[row, 0] = child
        return mutated
