"""SMAC3 as a peer optimizer, over the space's ConfigSpace view (``pip install .[peers]``).

SMAC's hyperparameter-optimisation facade (a random forest over configurations,
expected improvement, interleaved local and random search of the acquisition,
a Sobol initial design) proposes one configuration per ask; ``space.from_config``
maps it to an architecture, and the search's value is told back as SMAC's cost
(its negation: SMAC minimises). Like :mod:`nasearch.optimizers.tpe`, a configuration
whose architecture is already known is answered from the known value at no
evaluation (:mod:`nasearch.optimizers.peer`). A failed evaluation is told as a crashed trial
costing the worst value told so far (SMAC's forest needs a finite cost).

Reproducibility: SMAC's local search iterates a ``set`` of configurations, whose order
follows Python's string hashing. nasearch's CLI fixes ``PYTHONHASHSEED`` (0) for itself
and its worker processes; in a Python session started without it, runs with the same
seed may differ, and the optimizer warns once.
"""
from __future__ import annotations

import tempfile
import warnings
from dataclasses import dataclass

from ..errors import ConfigError, SearchWarning
from ..seeding import hash_seed_fixed
from .peer import PeerOptimizer


@dataclass(frozen=True)
class SMACConfig:
    n_init: int = 10           #: initial-design (Sobol) configurations before the forest models the results
    challengers: int = 10000   #: configurations the acquisition search scores per ask (SMAC's default)
    max_repeats: int = 1000    #: repeated proposals answered in one ask before a random new architecture

    def __post_init__(self):
        if min(self.n_init, self.challengers, self.max_repeats) < 1:
            raise ConfigError("smac options n_init, challengers and max_repeats must be >= 1")


class SMAC(PeerOptimizer):
    name = "smac"
    Config = SMACConfig

    def __init__(self, space, config=None, rng=None, seed=0, progress=False):
        super().__init__(space, config, rng, seed, progress)
        import importlib.util

        if importlib.util.find_spec("smac") is None:
            raise ConfigError("optimizer 'smac' needs SMAC3: pip install .[peers] (or pip install smac)")
        if not hash_seed_fixed():
            warnings.warn("SMAC orders its local search by Python's string hashing; set PYTHONHASHSEED=0 (the "
                          "CLI does) to make smac runs reproducible", SearchWarning, stacklevel=2)
        # the seeds SMAC is built from, and every call made to it since: SMAC itself does not
        # pickle (locks, loggers, files), so a pickled optimizer rebuilds it and replays the calls
        self._seeds = (int(self.rng.integers(2**31)), int(self.rng.integers(2**31)))
        self._calls: list = []        # ("ask",) or ("tell", ask number, value, crashed)
        self._infos: list = []        # SMAC's TrialInfo of each ask, in order
        self._build()
        self.stats["hash_seed_fixed"] = hash_seed_fixed()   # open_trials hold SMAC's ask numbers

    def _build(self) -> None:
        import logging

        from smac import HyperparameterOptimizationFacade as Facade, Scenario

        # SMAC logs a warning whenever its acquisition search falls back to random configurations;
        # the search's own stats (repeats, random_fills) already say what happened
        logging.getLogger("smac").setLevel(logging.ERROR)

        config_space = self.space.config_space(seed=self._seeds[0])
        self._output = tempfile.TemporaryDirectory(prefix="nasearch-smac-")   # SMAC insists on writing files
        scenario = Scenario(config_space, output_directory=self._output.name, deterministic=True,
                            n_trials=10**9, seed=self._seeds[1])
        self.smac = Facade(scenario, target_function=_never_called, overwrite=True, logging_level=False,
                           initial_design=Facade.get_initial_design(scenario, n_configs=self.config.n_init),
                           intensifier=Facade.get_intensifier(scenario, max_config_calls=1),
                           acquisition_maximizer=Facade.get_acquisition_maximizer(
                               scenario, challengers=self.config.challengers))

    def __getstate__(self):
        return {k: v for k, v in self.__dict__.items() if k not in ("smac", "_output", "_infos")}

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._infos = []
        self._build()
        for call in self._calls:   # the same calls, the same answers (with the same string hashing)
            if call[0] == "ask":
                self._infos.append(self._ask_smac())
            else:
                self._tell_smac(self._infos[call[1]], call[2], call[3])

    def _draw(self) -> tuple:
        number = len(self._infos)
        self._infos.append(self._ask_smac())
        self._calls.append(("ask",))
        return number, dict(self._infos[number].config)

    def _ask_smac(self):
        """SMAC's next trial, its forest fitted and queried in this thread: joblib's threads only
        wait for each other on a shared core (as torch's do; see nasearch.threads)."""
        import joblib

        with joblib.parallel_config(backend="sequential"):
            return self.smac.ask()

    def _close(self, number, value) -> None:
        """Tell SMAC the value (``None``: crashed) of its ask ``number``."""
        crashed = value is None
        if crashed:   # SMAC's forest needs a finite cost: a failure counts as the worst value told so far
            value = min(self.value_of.values(), default=None)
        if value is None:
            return
        self._calls.append(("tell", number, float(value), crashed))
        self._tell_smac(self._infos[number], float(value), crashed)

    def _tell_smac(self, info, value: float, crashed: bool = False) -> None:
        from smac.runhistory import StatusType, TrialValue

        status = StatusType.CRASHED if crashed else StatusType.SUCCESS
        self.smac.tell(info, TrialValue(cost=-value, status=status), save=False)


def _never_called(config, seed: int = 0) -> float:
    """SMAC's facade requires a target function; nasearch evaluates through ask and tell instead."""
    raise RuntimeError("nasearch evaluates architectures itself; SMAC's optimize() is not used")
