"""One experiment configuration: a search, and a comparison that is many searches.

:class:`SearchConfig` is one search run from the CLI (a YAML file plus
``--set`` overrides). :class:`CompareConfig` holds a ``SearchConfig`` plus the
seeds and the contenders, so a comparison accepts everything a search does (the
training objective included), and each of its trials is a ``SearchConfig`` with
the contender's optimizer and the trial's seed filled in. Both are frozen and
reject unknown keys. :func:`check_resume` is the one check that a run directory
holds the run a config describes.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from .config import ComponentSpec, build, to_dict
from .errors import ConfigError, did_you_mean
from .registry import is_import_path as _is_import_path   # the one parser of module paths


@dataclass(frozen=True)
class SearchConfig:
    """One search run. Values are percent; the budget counts evaluations (with a schedule, epochs)."""

    space: str = "nasbench201"          #: a registered space (python main.py spaces) or package.module:Class
    data: Optional[str] = None          #: benchmark table (after --data and $NASEARCH_NB201); None = packaged
    dataset: str = ""                   #: "" = the space's first dataset
    metric: str = ""                    #: the objective; "" = val when the table has it; "test" needs allow_test_objective
    epochs: Optional[int] = None        #: None = the table's default fidelity
    report_metric: Optional[str] = None  #: reported for the best architecture; None = test when the table has it
    allow_test_objective: bool = False  #: permit searching on test (selecting on test data overstates results)
    objectives: Optional[list] = None   #: several terms = multi-objective, e.g. [val, -latency@edgegpu]; None = [metric]
    constraints: dict = field(default_factory=dict)  #: e.g. {latency@pixel3: "<= 5"}: maximise among feasible cells
    #: "table" (the space's benchmark), "train" (real training) or "package.module:name", an importable
    #: callable arch -> float | dict, an Objective subclass (built with the space) or an Objective instance
    objective: str = "table"
    training: dict = field(default_factory=dict)  #: with objective "train": TrainingConfig options
    optimizer: str = "emprox_nao"       #: a registered optimizer (listed below) or package.module:Class
    options: dict = field(default_factory=dict)   #: optimizer options
    budget: int = 100                   #: evaluations; with a schedule, the objective's fidelity unit (epochs)
    #: multi-fidelity: successive-halving options (eta, min_fidelity, max_fidelity; see nasearch.fidelity);
    #: {} = every evaluation at full fidelity
    schedule: dict = field(default_factory=dict)
    seed: int = 0                       #: the master seed: every component draws from its own generator of it
    timeout: float = 0.0                #: seconds per evaluation; 0 = none
    workers: int = 1                    #: evaluations run concurrently (1 = in this process)
    executor: str = "local"             #: with workers > 1: "local" processes or "ray"
    gpus_per_trial: float = 0.0         #: executor ray: GPUs reserved per evaluation (fractions share one)
    dashboard: bool = False             #: also write the trials to RUN_DIR/optuna_journal.log for optuna-dashboard
    output: str = ""                    #: run directory; "" = runs/search/<space>-<dataset>-<optimizer>-s<seed>-<time>

    def __post_init__(self):
        if self.objective not in ("table", "train") and not _is_import_path(self.objective):
            raise ConfigError(f"objective must be 'table', 'train' or an import path such as "
                              f"my_package.scoring:train_and_validate, got {self.objective!r}")
        if self.executor not in ("local", "ray"):
            raise ConfigError(f"executor must be 'local' or 'ray', got {self.executor!r}")




def imported_objective(path: str, space, metric: str = "", report_metric: Optional[str] = None):
    """The :class:`~nasearch.objective.Objective` that ``package.module:name`` names: an Objective
    instance as it is, an Objective subclass built with ``space`` (or with no argument), any other
    callable wrapped as a :class:`~nasearch.objective.CallableObjective` maximising ``metric``
    (default ``value``) and reporting ``report_metric``. Every failure is one line naming the fix."""
    import inspect

    from .objective import CallableObjective, Objective
    from .registry import import_named

    target = import_named(path, "objective")
    if isinstance(target, Objective):
        return target
    if inspect.isclass(target) and issubclass(target, Objective):
        try:
            takes_space = bool(inspect.signature(target).parameters)
            return target(space) if takes_space else target()
        except ConfigError:
            raise
        except Exception as error:
            raise ConfigError(f"objective {path!r}: building {target.__name__} failed ({type(error).__name__}: "
                              f"{error}); it is called with the search space as its only argument") from None
    if not callable(target):
        raise ConfigError(f"objective {path!r} is a {type(target).__name__}, not a function or Objective; "
                          "name a callable arch -> float | dict")
    return CallableObjective(target, metric or "value", report_metric or "")


def load_search_config(data: dict) -> SearchConfig:
    return build(SearchConfig, data)


#: Search keys a comparison sets per trial, with what to write instead.
_PER_TRIAL = {"optimizer": "list the contenders under optimizers: [{name: ..., options: {...}}]",
              "options": "give each contender its options: optimizers: [{name: ..., options: {...}}]",
              "seed": "a comparison runs seeds first_seed..first_seed+seeds-1; set seeds: N (and first_seed)"}


@dataclass(frozen=True)
class CompareConfig:
    """Contenders × seeds of one search. ``search`` holds every search setting; in a YAML file
    its keys may also stand at the top level beside ``seeds``, ``optimizers``, ``workers``
    (trials run at once) and ``output``."""

    search: SearchConfig = field(default_factory=SearchConfig)
    seeds: int = 20                  #: how many seeds: first_seed .. first_seed + seeds - 1
    first_seed: int = 0              #: e.g. 100 to tune on seeds 100.. and report on 0..
    optimizers: tuple = (ComponentSpec("emprox_nao"), ComponentSpec("evolution"), ComponentSpec("random"))
    workers: int = 2                 #: trials run at once (local worker processes or Ray tasks)
    output: str = "runs/compare"     #: the comparison directory; each trial a search run below it
    retries: int = 3                 #: times a trial whose worker died (a lost Ray node) is rerun elsewhere

    def __post_init__(self):
        if self.seeds < 1 or self.workers < 1 or self.first_seed < 0 or self.retries < 0:
            raise ConfigError(f"seeds and workers must be >= 1, first_seed and retries >= 0; got seeds {self.seeds}, "
                              f"workers {self.workers}, first_seed {self.first_seed}, retries {self.retries}")
        labels = [o.display() for o in self.optimizers]
        if len(set(labels)) != len(labels):
            raise ConfigError(f"optimizer labels must be unique, got {labels}; give each entry its own label")
        if self.search.schedule:   # its tables and curves are read at evaluation counts
            raise ConfigError("compare counts evaluations, and a schedule's budget counts epochs; drop schedule, "
                              "or compare schedules with benchmarks/multi_fidelity.py")

    @property
    def multi_objective(self) -> bool:
        return self.search.objectives is not None and len(self.search.objectives) > 1


#: CompareConfig's own keys (everything else in a compare config is a search key)
_COMPARE_KEYS = ("seeds", "first_seed", "optimizers", "workers", "output", "retries")


def load_compare_config(data: dict) -> CompareConfig:
    """A :class:`CompareConfig` from a mapping whose search keys stand at the top level, in a
    ``search:`` section, or both (a key in both places is an error)."""
    data = dict(data or {})
    nested = data.pop("search", None) or {}
    if not isinstance(nested, dict):
        raise ConfigError(f"compare config key 'search' must be a mapping of search keys, got {nested!r}")
    own = {key: data.pop(key) for key in _COMPARE_KEYS if key in data}
    search_keys = {f.name for f in dataclasses.fields(SearchConfig)}
    for key in list(data) + list(nested):
        if key in _PER_TRIAL:
            raise ConfigError(f"compare config key {key!r} is set per trial; {_PER_TRIAL[key]}")
        if key not in search_keys:
            valid = sorted((search_keys - set(_PER_TRIAL)) | {"search"} | set(_COMPARE_KEYS))
            raise ConfigError(f"unknown compare config key {key!r};{did_you_mean(key, valid)} valid keys: "
                              f"{', '.join(valid)}")
    twice = sorted(set(data) & set(nested))
    if twice:
        raise ConfigError(f"compare config key {twice[0]!r} is set at the top level and under search:; keep one")
    if "optimizers" in own:
        own["optimizers"] = tuple(_contender(entry, i) for i, entry in enumerate(_as_list(own["optimizers"])))
    return build(CompareConfig, {**own, "search": build(SearchConfig, {**data, **nested}, "search")})


def _as_list(value) -> list:
    if not isinstance(value, (list, tuple)):
        raise ConfigError("compare config key 'optimizers' must be a list, e.g. [emprox_nao, {name: evolution}]")
    return list(value)


def _contender(entry, index: int) -> ComponentSpec:
    if isinstance(entry, str):
        entry = {"name": entry}
    if not isinstance(entry, dict) or "name" not in entry:
        raise ConfigError(f"compare config optimizers[{index}] = {entry!r} has no name; write e.g. "
                          "{name: evolution, label: RE, options: {population: 20}}")
    return build(ComponentSpec, entry, f"optimizers[{index}]")


@dataclass(frozen=True)
class CompareTrial:
    """One search of a comparison: contender ``label``, ``seed``, its config and run directory."""

    label: str
    seed: int
    config: SearchConfig
    directory: str
    #: a rerun after this comparison lost the worker running it: it takes over the trial's lock,
    #: which the lost worker (on a dropped Ray node, perhaps on another host) may still seem to hold
    retry: bool = False


def compare_trials(config: CompareConfig, data_override: Optional[str] = None) -> list:
    """Every :class:`CompareTrial` of ``config``, contender-major, in ``<output>/<label>/seed<k>/``."""
    trials = []
    for spec in config.optimizers:
        for seed in range(config.first_seed, config.first_seed + config.seeds):
            directory = str(Path(config.output) / spec.display().replace(" ", "_") / f"seed{seed}")
            search = dataclasses.replace(config.search, optimizer=spec.name, options=dict(spec.options), seed=seed,
                                         output=directory, data=data_override or config.search.data)
            trials.append(CompareTrial(spec.display(), seed, search, directory))
    return trials


def check_resume(directory, saved: dict, current: SearchConfig, fix: str) -> None:
    """Raise unless ``saved`` (a run directory's ``config.yaml``) describes the run ``current``
    does, but for its ``budget`` (a run may continue under another budget). A key the saved
    config lacks was added to nasearch later: that run used its default. ``output`` is the
    directory itself and never compared. ``fix`` ends the error."""
    now = to_dict(current)
    defaults = to_dict(SearchConfig())
    previous = {**{k: v for k, v in defaults.items() if k in now}, **saved}
    changed = sorted(k for k in set(previous) | set(now)
                     if k not in ("output", "budget", "options", "dashboard") and previous.get(k) != now.get(k))
    if "optimizer" not in changed and _resolved_options(directory, previous) != _resolved_options(directory, now):
        changed = sorted(changed + ["options"])
    if changed:
        details = ", ".join(f"{k}: {previous.get(k)!r} there, {now.get(k)!r} now" for k in changed)
        raise ConfigError(f"{directory} holds a different run ({details}); {fix}")


def _resolved_options(directory, config: dict) -> dict:
    """Every option the optimizer of ``config`` (a plain config dict) is built with to search in
    ``directory``: its options over the run's recorded ones or the defaults of the run's time
    (:mod:`~nasearch.runs.options`). Two option sets that name the same run compare equal, e.g.
    ``{}`` in a run from before a default changed and that default spelled out now."""
    from .optimizers import registry
    from .runs.directory import HISTORY, RunDirectory
    from .runs.options import resumed_options

    name = config.get("optimizer", SearchConfig.optimizer)
    # Only a run that searched before its options were recorded takes the defaults of its time; a
    # directory without a history is a new run, built with today's defaults (as Search builds it).
    history = RunDirectory(directory).file(HISTORY) if directory is not None else None
    searched = history is not None and history.is_file() and history.stat().st_size > 0
    options = resumed_options(directory, name, dict(config.get("options") or {}), has_history=searched)
    return to_dict(registry.factory(name).configure(options))


def continue_search(directory, saved: dict, current: SearchConfig, fix: str, budget_given: bool = True,
                    **build_options):
    """The :class:`~nasearch.search.Search` that resumes the run in ``directory`` (its saved
    ``config.yaml``) as ``current`` describes it: only the budget may differ, and a new budget
    is recorded in the directory (``budget.jsonl`` and ``config.yaml``) once the run accepts it.
    ``budget_given=False``: the caller did not ask for a budget, so the last recorded one holds."""
    from .runs.budget import read_changes
    from .runs.directory import save_config

    check_resume(directory, saved, current, fix)
    changes = read_changes(directory)
    # budget.jsonl is written first, so after a kill between the two files it is the one to trust
    before = changes[-1].after if changes else int(saved.get("budget", SearchConfig.budget))
    if not budget_given:
        current = dataclasses.replace(current, budget=before)
    # replayed under the budget its trials were recorded with (config.yaml's for a run that predates
    # budget.jsonl), then changed
    search = build_search(dataclasses.replace(current, budget=before), directory, **build_options)
    search.change_budget(current.budget)
    if saved.get("budget") != search.budget:   # also heals a config.yaml left behind by a kill
        save_config(directory, {**saved, "budget": search.budget})
    return search


def build_search(config: SearchConfig, directory=None, data_override: Optional[str] = None,
                 progress: bool = False, ray_address: Optional[str] = None):
    """A :class:`~nasearch.search.Search` for a config; fails fast on any bad name, option or data."""
    from .objective import TabularObjective
    from .registry import get_search_space
    from .runs.directory import data_path
    from .search import Search

    space = get_search_space(config.space, data=data_path(data_override, config.data), dataset=config.dataset or None)
    if config.objective == "train":
        from .training import TrainingObjective

        objective = TrainingObjective(space, config.training)
    elif config.objective != "table":
        objective = imported_objective(config.objective, space, config.metric, config.report_metric)
    else:
        objective = TabularObjective(space, config.dataset, config.metric, config.epochs, config.report_metric,
                                     config.allow_test_objective)
    return Search(space, objective, config.optimizer, config.budget, config.seed, directory, config.options,
                  config.timeout, progress, config.workers, config.executor, ray_address,
                  config.objectives, config.constraints, config.schedule or None, config.gpus_per_trial, config.dashboard)
