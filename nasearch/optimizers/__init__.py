"""Search strategies: one interface (``ask``/``tell``), one registry."""
from ..registry import optimizers as registry
from .base import Optimizer, Proposal
from .evolution import RegularizedEvolution
from .emprox_nao import EmProxNAO
from .nao_guided import NAOGuided
from .local_search import LocalSearch
from .nsga2 import NSGA2
from .random_search import RandomSearch
from .smac import SMAC
from .tpe import TPE

for _cls in (EmProxNAO, NAOGuided, RegularizedEvolution, RandomSearch, LocalSearch, NSGA2, TPE, SMAC):
    registry.register(_cls.name, _cls)


def create_optimizer(name: str, space, options=None, rng=None, seed: int = 0, progress: bool = False) -> Optimizer:
    """Instantiate registered optimizer ``name`` with option dict (or ``Config``) ``options``; ``seed`` is the
    run's master seed (``rng`` is the optimizer's own generator derived from it)."""
    return registry.factory(name)(space, options or {}, rng, seed, progress)


def prepare_optimizer(optimizer, options, space, seed: int, progress: bool, budget: float,
                      evaluation_cost: float = 1.0, unit: str = "evaluations") -> tuple:
    """``(name, optimizer)`` for a search: ``optimizer`` is a registered name configured by
    ``options``, or an :class:`Optimizer` object (which brings its own config). Checks, before
    the optimizer's set-up (which may pretrain), that ``budget`` covers its initial evaluations,
    each costing ``evaluation_cost`` budget units (1 evaluation; a lowest-rung job's epochs)."""
    import warnings

    from ..errors import ConfigError, SearchWarning
    from ..seeding import component_rng

    given = optimizer if isinstance(optimizer, Optimizer) else None
    if given is not None:   # an optimizer built by the caller (a plug-in under test, say)
        if options:
            raise ConfigError("options configure an optimizer by name; an optimizer object brings its own "
                              "config, so pass options=None")
        optimizer, factory, config = given.name or type(given).__name__, type(given), given.config
    else:
        factory = registry.factory(optimizer)
        config = factory.configure(options or {})
    initial = factory.initial_evaluations(config)
    needed, key = initial * evaluation_cost, factory.initial_evaluations_key
    priced = "" if unit == "evaluations" else f" ({needed:g} {unit})"
    if needed > budget:
        raise ConfigError(f"budget {budget} is smaller than the {initial} initial evaluations{priced} of "
                          f"{optimizer!r} (option {key}); raise the budget or lower {key}")
    if initial and needed == budget:
        warnings.warn(f"budget {budget} equals the {initial} initial evaluations{priced} of {optimizer!r} "
                      f"(option {key}), so every evaluation is a random one; raise the budget or lower {key}",
                      SearchWarning, stacklevel=3)
    built = given if given is not None else create_optimizer(optimizer, space, config,
                                                             component_rng(seed, "optimizer"), seed, progress)
    return optimizer, built


__all__ = ["Optimizer", "Proposal", "EmProxNAO", "NAOGuided", "RegularizedEvolution", "RandomSearch",
           "LocalSearch", "NSGA2", "TPE", "SMAC", "create_optimizer", "prepare_optimizer", "registry"]
