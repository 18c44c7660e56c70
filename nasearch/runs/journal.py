"""An Optuna journal of a search's trials, so ``optuna-dashboard`` shows the run live.

With ``dashboard: true`` (``--dashboard``) a search run also writes every trial it records
to ``optuna_journal.log`` in its run directory, through Optuna's own journal storage: one
study per run, named after the run directory, with the run's directions. Each trial
carries the architecture as categorical parameters from the space's config view (so the
dashboard's parameter importances and slices speak of edges and operations), its values
(one per objective term), its state (complete or failed), and as user attributes the
architecture string, the history line (``query``), the fidelity in a multi-fidelity
search, and the predicted value. ``optuna-dashboard RUN_DIR/optuna_journal.log`` then shows
the history, the Pareto front and the importances while the search runs; several runs'
journals open side by side.

``history.jsonl`` stays the record: the journal is derived from it. A resumed or extended
run first adds every recorded trial that the journal lacks (a kill between the two
writes), so the journal always holds exactly the history's trials.
"""
from __future__ import annotations

from pathlib import Path


def _journal_storage(path):
    import optuna

    backend = optuna.storages.journal.JournalFileBackend(str(path))
    return optuna.storages.JournalStorage(backend)


class OptunaJournal:
    """The journal at ``path`` for a run of ``space`` under ``goal`` (its terms give the directions)."""

    def __init__(self, path, space, goal, name: str):
        try:
            import optuna
        except ImportError:
            from ..errors import ConfigError

            raise ConfigError("dashboard: true writes an Optuna journal and needs Optuna; "
                              "install it with `pip install optuna optuna-dashboard`") from None
        optuna.logging.set_verbosity(optuna.logging.WARNING)
        self.space, self.goal = space, goal
        self._optuna = optuna
        self.study = optuna.create_study(storage=_journal_storage(path), study_name=name, load_if_exists=True,
                                         directions=["maximize" if t.sign > 0 else "minimize" for t in goal.terms])
        if self.study.metric_names is None:   # the dashboard's axis titles: the goal's metrics, not "Objective 0"
            import warnings

            with warnings.catch_warnings():   # Optuna marks metric names experimental; the journal is ours
                warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
                self.study.set_metric_names([t.metric for t in goal.terms])
        self.distributions = self._distributions()
        self._written = {t.user_attrs.get("query") for t in self.study.get_trials(deepcopy=False)}

    def _distributions(self) -> dict:
        """A categorical distribution per hyperparameter of the space's config view; ``{}`` for a
        space without one (its trials then carry the architecture string only)."""
        from ..errors import NasearchError

        try:
            configuration_space = self.space.config_space()
        except (NotImplementedError, NasearchError):   # the space has no config view
            return {}
        distributions = {}
        for hyperparameter in configuration_space.values():
            choices = getattr(hyperparameter, "choices", None)
            if choices is None:   # a non-categorical view: keep the string only
                return {}
            distributions[hyperparameter.name] = self._optuna.distributions.CategoricalDistribution(tuple(choices))
        return distributions

    def add(self, trial, arch) -> None:
        """Append one recorded :class:`~nasearch.runs.trial.Trial` (of architecture ``arch``)."""
        if trial.query in self._written:
            return
        optuna = self._optuna
        params = {}
        if self.distributions:
            params = {k: v for k, v in self.space.to_config(arch).items() if k in self.distributions}
        values = None
        if trial.ok:
            values = [float(trial.metrics.get(t.metric, trial.value)) for t in self.goal.terms] \
                if self.goal.multi else [float(trial.value)]
        attributes = {"query": trial.query, "arch": trial.arch}
        for name in ("fidelity", "predicted", "feasible"):
            if getattr(trial, name) is not None:
                attributes[name] = getattr(trial, name)
        frozen = optuna.trial.create_trial(
            state=optuna.trial.TrialState.COMPLETE if trial.ok else optuna.trial.TrialState.FAIL,
            values=values, params=params,
            distributions={k: self.distributions[k] for k in params}, user_attrs=attributes)
        self.study.add_trial(frozen)
        self._written.add(trial.query)

    def sync(self, trials: list, archs: list) -> None:
        """Add each of ``trials`` (the recorded history, with their architectures) the journal lacks."""
        for trial, arch in zip(trials, archs):
            self.add(trial, arch)


def open_journal(directory, space, goal, recorded: list) -> OptunaJournal:
    """The journal of the run in ``directory``, holding every ``recorded`` trial (a resumed run's
    trials the journal lacks are added first)."""
    from ..errors import ConfigError
    from .directory import OPTUNA_JOURNAL, RunDirectory

    if directory is None:
        raise ConfigError("dashboard: true writes its journal into the run directory; give the search one "
                          "(--out, or Search(..., directory=...))")
    journal = OptunaJournal(RunDirectory(directory).file(OPTUNA_JOURNAL), space, goal, Path(directory).name)
    journal.sync(recorded, [space.from_string(trial.arch) for trial in recorded])
    return journal


def read_journal(path) -> list:
    """Every trial of the journal at ``path`` (all its studies), as Optuna's FrozenTrials."""
    import optuna

    storage = _journal_storage(Path(path))
    return [trial for study in storage.get_all_studies()
            for trial in optuna.load_study(study_name=study.study_name, storage=storage).get_trials(deepcopy=False)]
