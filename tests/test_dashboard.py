"""dashboard: the run's trials as an Optuna journal that optuna-dashboard reads, equal to history.jsonl."""
import json

import optuna
import pytest

from nasearch import Search
from nasearch.cli import main
from nasearch.errors import ConfigError
from nasearch.runs.journal import read_journal


def _history(run):
    return [json.loads(line) for line in (run / "history.jsonl").read_text().splitlines()]


def _check_journal_equals_history(run, nb201, terms=("val",)):
    history = _history(run)
    trials = sorted(read_journal(run / "optuna_journal.log"), key=lambda t: t.user_attrs["query"])
    assert [t.user_attrs["query"] for t in trials] == [r["query"] for r in history]
    for trial, record in zip(trials, history):
        assert trial.user_attrs["arch"] == record["arch"]
        assert trial.state == (optuna.trial.TrialState.COMPLETE if record["status"] == "ok"
                               else optuna.trial.TrialState.FAIL)
        if record["status"] == "ok":
            assert trial.values == [record["metrics"][term] for term in terms]
            # the architecture as the categorical parameters of the space's config view
            assert trial.params == nb201.to_config(nb201.from_string(record["arch"]))
    return trials


def test_a_dashboard_run_writes_every_trial_and_a_resume_adds_what_the_journal_lacks(nb201_path, nb201, tmp_path):
    run = tmp_path / "run"
    base = ["search", "--quiet", "--data", str(nb201_path), "--set", "optimizer=evolution",
            "--set", "options={population: 6, sample_size: 3}"]
    assert main([*base, "--out", str(run), "--set", "budget=8", "--dashboard"]) == 0
    assert len(_check_journal_equals_history(run, nb201)) == 8
    study = optuna.load_study(study_name="run", storage=optuna.storages.JournalStorage(
        optuna.storages.journal.JournalFileBackend(str(run / "optuna_journal.log"))))
    assert study.best_value == max(r["value"] for r in _history(run))
    # extended: the journal keeps following the history (the saved config keeps dashboard on)
    assert main(["search", "--quiet", "--data", str(nb201_path), "--resume", str(run), "--set", "budget=12"]) == 0
    assert len(_check_journal_equals_history(run, nb201)) == 12
    # a run without a journal, then resumed with --dashboard: the recorded trials are added first
    plain = tmp_path / "plain"
    assert main([*base, "--out", str(plain), "--set", "budget=7"]) == 0
    assert main(["search", "--quiet", "--data", str(nb201_path), "--resume", str(plain), "--set", "budget=10",
                 "--dashboard"]) == 0
    assert len(_check_journal_equals_history(plain, nb201)) == 10


def test_a_multi_objective_journal_has_a_direction_and_value_per_term(nb201, tmp_path):
    run = tmp_path / "multi"
    Search(nb201, None, "random", budget=6, seed=0, directory=run, objectives=["val", "-latency@edgegpu"],
           dashboard=True).run()
    trials = _check_journal_equals_history(run, nb201, terms=("val", "latency@edgegpu"))
    study = optuna.load_study(study_name="multi", storage=optuna.storages.JournalStorage(
        optuna.storages.journal.JournalFileBackend(str(run / "optuna_journal.log"))))
    assert study.directions == [optuna.study.StudyDirection.MAXIMIZE, optuna.study.StudyDirection.MINIMIZE]
    assert study.metric_names == ["val", "latency@edgegpu"]
    assert len(trials) == 6 and len(study.best_trials) >= 1


def test_a_dashboard_needs_a_run_directory(nb201):
    with pytest.raises(ConfigError, match="dashboard: true writes its journal into the run directory"):
        Search(nb201, None, "random", budget=3, dashboard=True)
