"""Search strategies: one interface (``ask``/``tell``), one registry."""
from ..registry import optimizers as registry
from .base import Optimizer, Proposal
from .evolution import RegularizedEvolution
from .gradient_search import EmProxNAO, NAOGuided
from .local_search import LocalSearch
from .nsga2 import NSGA2
from .random_search import RandomSearch
from .tpe import TPE

for _cls in (EmProxNAO, NAOGuided, RegularizedEvolution, RandomSearch, LocalSearch, NSGA2, TPE):
    registry.register(_cls.name, _cls)


def create_optimizer(name: str, space, options=None, rng=None, seed: int = 0, progress: bool = False) -> Optimizer:
    """Instantiate registered optimizer ``name`` with option dict (or ``Config``) ``options``; ``seed`` is the
    run's master seed (``rng`` is the optimizer's own generator derived from it)."""
    return registry.factory(name)(space, options or {}, rng, seed, progress)


__all__ = ["Optimizer", "Proposal", "EmProxNAO", "NAOGuided", "RegularizedEvolution", "RandomSearch",
           "LocalSearch", "NSGA2", "TPE", "create_optimizer", "registry"]
