"""Optuna's TPE as a peer optimizer, over the space's ConfigSpace view (``pip install .[peers]``).

Each architecture the search hands out is one Optuna trial: ``ask`` draws a
configuration from TPE (Optuna's ``TPESampler``, seeded from this optimizer's
generator), maps it to an architecture with ``space.from_config`` and keeps the
trial open until the search tells its value. TPE, like any sampler over a
categorical space, proposes configurations it has already seen; such a repeat is
answered from the known value (Optuna learns it again, at no evaluation) and TPE is
asked again (:mod:`nasearch.optimizers.peer`). Failed evaluations are told to Optuna as
failed trials; a random fill is added to the study once its value is told.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import ConfigError
from .peer import PeerOptimizer


@dataclass(frozen=True)
class TPEConfig:
    n_startup: int = 10        #: random configurations before TPE models the results (Optuna's default)
    multivariate: bool = True  #: model the hyperparameters jointly (Optuna's multivariate TPE)
    max_repeats: int = 1000    #: repeated proposals answered in one ask before a random new architecture

    def __post_init__(self):
        if self.n_startup < 1 or self.max_repeats < 1:
            raise ConfigError("tpe options n_startup and max_repeats must be >= 1")


def _distributions(config_space) -> dict:
    """Optuna distributions of a ConfigSpace view without conditions (name -> distribution)."""
    import ConfigSpace as CS
    from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

    if config_space.conditions or config_space.forbidden_clauses:
        raise ConfigError("optimizer 'tpe' takes a ConfigSpace view without conditions or forbidden clauses; "
                          "search this space with another optimizer")
    found = {}
    for hyperparameter in config_space.values():
        name = hyperparameter.name
        if isinstance(hyperparameter, CS.CategoricalHyperparameter):
            found[name] = CategoricalDistribution(list(hyperparameter.choices))
        elif isinstance(hyperparameter, CS.OrdinalHyperparameter):
            found[name] = CategoricalDistribution(list(hyperparameter.sequence))
        elif isinstance(hyperparameter, CS.UniformIntegerHyperparameter):
            found[name] = IntDistribution(hyperparameter.lower, hyperparameter.upper, log=hyperparameter.log)
        elif isinstance(hyperparameter, CS.UniformFloatHyperparameter):
            found[name] = FloatDistribution(hyperparameter.lower, hyperparameter.upper, log=hyperparameter.log)
        elif isinstance(hyperparameter, CS.Constant):
            found[name] = CategoricalDistribution([hyperparameter.value])
        else:
            raise ConfigError(f"optimizer 'tpe' cannot map hyperparameter {name!r} "
                              f"({type(hyperparameter).__name__}); search this space with another optimizer")
    return found


class TPE(PeerOptimizer):
    name = "tpe"
    Config = TPEConfig
    initial_evaluations_key = "n_startup"

    def __init__(self, space, config=None, rng=None, seed=0, progress=False):
        super().__init__(space, config, rng, seed, progress)
        try:
            import optuna
        except ImportError:
            raise ConfigError("optimizer 'tpe' needs Optuna: pip install .[peers] (or pip install optuna)") from None
        optuna.logging.set_verbosity(optuna.logging.WARNING)
        self.distributions = _distributions(space.config_space())
        sampler = optuna.samplers.TPESampler(seed=int(self.rng.integers(2**31)), n_startup_trials=self.config.n_startup,
                                             multivariate=self.config.multivariate)
        self.study = optuna.create_study(direction="maximize", sampler=sampler)

    def _draw(self) -> tuple:
        trial = self.study.ask(self.distributions)
        return trial, trial.params

    def _filled(self, arch):
        return arch   # told to TPE as a finished trial once its value is known

    def _close(self, trial, value) -> None:
        import optuna

        if not isinstance(trial, optuna.trial.Trial):   # a random fill: tell TPE what it was
            if value is not None:
                self.study.add_trial(optuna.trial.create_trial(
                    params=self.space.to_config(trial), distributions=self.distributions, value=float(value)))
            return
        if value is None:
            self.study.tell(trial, state=optuna.trial.TrialState.FAIL)
        else:
            self.study.tell(trial, float(value))
