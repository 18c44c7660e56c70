"""The evaluate command: protocol, outputs, sweeps, reproducibility and bad configs."""
import json

import pytest
import yaml

from conftest import REPO
from nasearch.cli import main
from nasearch.evaluation.metrics import precision_at, prediction_metrics
from nasearch.evaluation.protocol import make_splits

FAST = [{"name": "emprox", "label": "EmProx", "options": {"epochs": 2}},
        {"name": "xgb", "label": "XGB", "options": {"rounds": 20}}]


def _config(tmp_path, **overrides):
    data = {"space": "nasbench201", "dataset": "cifar10-valid", "trials": 2, "test_size": 50,
            "train_sizes": [20], "predictors": FAST, "output": str(tmp_path / "out")}
    data.update(overrides)
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(data))
    return str(path)


def test_metrics_by_hand():
    true = [1.0, 2.0, 3.0, 4.0]
    metrics = prediction_metrics(true, [1.0, 2.0, 3.0, 5.0], top_k=2)
    assert metrics["mae"] == pytest.approx(0.25) and metrics["rmse"] == pytest.approx(0.5)
    assert metrics["spearman"] == pytest.approx(1.0) and metrics["kendall"] == pytest.approx(1.0)
    assert precision_at([1, 2, 3, 4], [4, 3, 2, 1], 2) == 0.0
    assert prediction_metrics(true, [2.0] * 4)["spearman"] == 0.0


def test_splits_are_disjoint_and_seeded():
    splits = list(make_splits(15625, 3, 100, 121, seed=0))
    for test, train in splits:
        assert len(set(test)) == 100 and len(set(train)) == 121 and not set(test) & set(train)
    again = list(make_splits(15625, 3, 100, 121, seed=0))
    assert all((a[0] == b[0]).all() and (a[1] == b[1]).all() for a, b in zip(splits, again))


def test_evaluate_writes_results_and_is_reproducible(tmp_path, nb201_path):
    config = _config(tmp_path)
    assert main(["evaluate", "--quiet", "--config", config, "--data", str(nb201_path)]) == 0
    out = tmp_path / "out"
    for name in ("trials.csv", "summary.json", "summary.md", "scatter.png", "config.yaml"):
        assert (out / name).is_file(), name
    summary = json.loads((out / "summary.json").read_text())
    assert [s["predictor"] for s in summary] == ["EmProx", "XGB"]
    for entry in summary:
        assert set(entry) >= {"spearman", "kendall", "pearson", "mae", "rmse", "precision@10", "fit_seconds",
                              "query_ms"}
    first = (out / "trials.csv").read_text().splitlines()
    assert main(["evaluate", "--quiet", "--config", config, "--data", str(nb201_path), "--out",
                 str(tmp_path / "again")]) == 0
    second = (tmp_path / "again" / "trials.csv").read_text().splitlines()
    strip = lambda lines: [",".join(line.split(",")[:-2]) for line in lines]   # drop the two timings
    assert strip(first) == strip(second)


def test_grid_and_train_size_sweep(tmp_path, nb201_path):
    config = _config(tmp_path, trials=1, train_sizes=[8, 24], predictors=[FAST[0]])
    assert main(["evaluate", "--quiet", "--config", config, "--data", str(nb201_path)]) == 0
    # run after the config's own evaluation (the README's order), the grid writes beside it
    assert main(["evaluate", "--quiet", "--config", config, "--data", str(nb201_path), "--grid", "k=3,10",
                 "d=16"]) == 0
    summary = json.loads((tmp_path / "out-grid-k-embedding_dim" / "summary.json").read_text())
    labels = {(s["predictor"], s["train_size"]) for s in summary}
    assert labels == {(f"EmProx k={k} d=16", n) for k in (3, 10) for n in (8, 24)}


def test_the_grid_applies_to_one_entry_and_matches_the_grid_config():
    from nasearch.config import load_yaml
    from nasearch.evaluation.protocol import expand_grid, load_config, parse_grid

    table1 = load_config(load_yaml(REPO / "experiments" / "predictors" / "nb201_cifar10.yaml"))
    from_cli = expand_grid(table1.predictors, parse_grid(["k=3,10,60", "d=16,32,64,128"]))
    grid = load_config(load_yaml(REPO / "experiments" / "predictors" / "nb201_grid.yaml"))
    from_file = expand_grid(grid.predictors, grid.grid)
    assert len(from_cli) == len(from_file) == 12
    assert [(s.display(), s.options["k"], s.options["embedding_dim"]) for s in from_cli] == \
        [(s.display(), s.options["k"], s.options["embedding_dim"]) for s in from_file]
    assert from_cli[0].display() == "EmProx k=3 d=16"
    chosen = expand_grid(table1.predictors, {"k": [3, 60]}, "EmProx k=60")
    assert [s.display() for s in chosen] == ["EmProx k=3", "EmProx k=60"]


@pytest.mark.parametrize("overrides,fragment", [
    ({"predictors": [{"name": "gp"}]}, "unknown predictor 'gp'"),
    ({"predictors": [{"name": "emprox", "options": {"k": 0}}]}, "k must be >= 1"),
    ({"train_sizes": [20000]}, "exceeds the 15,625 architectures"),
    ({"trails": 3}, "unknown config key 'trails'"),
    ({"predictors": [{"name": "emprox", "options": {"neighbours": 3}}]}, "unknown config key 'emprox.neighbours'"),
    ({"metric": "accuracy"}, "unknown metric"),
])
def test_bad_configs_fail_with_one_line(tmp_path, nb201_path, capsys, overrides, fragment):
    config = _config(tmp_path, **overrides)
    assert main(["evaluate", "--quiet", "--config", config, "--data", str(nb201_path)]) == 2
    err = capsys.readouterr().err
    assert fragment in err and err.count("\n") == 1


def test_shipped_configs_load(nb201_path):

    from nasearch.evaluation.protocol import expand_grid, load_config

    for path in sorted((REPO / "experiments" / "predictors").glob("*.yaml")):
        config = load_config(yaml.safe_load(path.read_text()))
        assert expand_grid(config.predictors, config.grid), path


@pytest.mark.parametrize("grid", ["k=", "=3,10", "k=3,,10", "k"])
def test_malformed_grid_fails_with_one_line(tmp_path, nb201_path, capsys, grid):
    config = _config(tmp_path)
    assert main(["evaluate", "--quiet", "--config", config, "--data", str(nb201_path), "--grid", grid]) == 2
    err = capsys.readouterr().err
    assert "grid entry" in err and err.count("\n") == 1


def test_a_two_option_grid_is_drawn_as_one_heatmap_in_the_grids_order(tmp_path):
    from nasearch.plots import grid_heatmap

    cells = {(k, d): {"spearman": {"mean": 0.5 + 0.01 * k + 0.001 * d, "std": 0.01}}
             for k in (3, 10) for d in (16, 32, 64)}
    figure = grid_heatmap(tmp_path / "g.png", cells, [3, 10], [16, 32, 64], ["k", "embedding_dim"], "t")
    axis = figure.axes[0]
    assert axis.get_ylabel() == "k" and axis.get_xlabel() == "embedding_dim"
    texts = [t.get_text() for t in axis.texts]
    assert len(texts) == 6 and texts[0] == "0.546\n± 0.010" and texts[-1] == "0.664\n± 0.010"
    out = tmp_path / "run"
    assert main(["evaluate", "--quiet", "--out", str(out), "--set", "trials=1", "--set", "test_size=20",
                 "--set", "predictors=[{name: emprox, options: {epochs: 2}}]",
                 "--grid", "k=3,10", "d=16,32"]) == 0
    assert (out / "grid.png").is_file() and not (out / "scatter.png").exists()


def test_test_size_all_tests_on_every_architecture_outside_the_training_set():
    splits = list(make_splits(300, 2, "all", 40, seed=0))
    for test, train in splits:
        assert len(train) == 40 and len(test) == 260 and sorted(set(test) | set(train)) == list(range(300))
    assert not (splits[0][1] == splits[1][1]).all()
    from nasearch.errors import ConfigError
    from nasearch.evaluation.protocol import EvaluateConfig

    with pytest.raises(ConfigError, match="leaves none of the 300"):
        list(make_splits(300, 1, "all", 300, seed=0))
    with pytest.raises(ConfigError, match="a count >= 1 or 'all'"):
        EvaluateConfig(test_size="everything")


def test_a_whole_space_evaluation_runs_from_the_cli(tmp_path):
    out = tmp_path / "out"
    assert main(["evaluate", "--quiet", "--config", _config(tmp_path, test_size="all", trials=1,
                                                            predictors=[FAST[1]])]) == 0
    import csv

    with open(out / "trials.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 1 and float(rows[0]["spearman"]) > 0.2   # XGB on 20 cells, tested on the other 15,605
