"""compare: table, plot, resume, configs and paired statistics (its Ray executor: test_ray.py)."""
import json

import numpy as np
import pytest

from nasearch.cli import main
from nasearch.experiment import load_compare_config

CONFIG = {"space": "nasbench201", "dataset": "cifar10-valid", "budget": 30, "seeds": 2, "workers": 2,
          "optimizers": [{"name": "evolution", "label": "RE", "options": {"population": 10, "sample_size": 5}},
                         {"name": "random", "label": "RS"}]}


def test_compare_writes_table_and_plot(tmp_path, nb201_path, capsys):
    import yaml

    config = tmp_path / "compare.yaml"
    config.write_text(yaml.safe_dump(dict(CONFIG, output=str(tmp_path / "out"))))
    assert main(["compare", "--quiet", "--config", str(config), "--data", str(nb201_path)]) == 0
    out = tmp_path / "out"
    for name in ("compare.md", "compare.png", "incumbents.csv", "summary.json"):
        assert (out / name).is_file()
    rows = json.loads((out / "summary.json").read_text())
    assert [r["optimizer"] for r in rows] == ["RE", "RS"]
    # each row's mean best is that of its trials' own histories (the table adds nothing up wrong)
    for row in rows:
        bests = [max(json.loads(line)["value"] for line in path.read_text().splitlines())
                 for path in sorted(out.glob(f"{row['optimizer']}/seed*/history.jsonl"))]
        assert row["seeds"] == 2 == len(bests) and row["best_val"][0] == pytest.approx(np.mean(bests))
    assert "| RE |" in capsys.readouterr().out
    # Re-running keeps finished trials (and their numbers).
    assert main(["compare", "--quiet", "--config", str(config), "--data", str(nb201_path)]) == 0
    assert json.loads((out / "summary.json").read_text()) == rows
    # --resume with a new budget extends every trial, keeping its first 30 evaluations.
    before = {path: path.read_text().splitlines() for path in out.glob("*/seed*/history.jsonl")}
    assert len(before) == 4
    assert main(["compare", "--quiet", "--resume", str(out), "--set", "budget=36", "--data", str(nb201_path)]) == 0
    for path, lines in before.items():
        after = path.read_text().splitlines()
        assert len(after) == 36 and [json.loads(a)["arch"] for a in after[:30]] == [json.loads(b)["arch"] for b in lines]
    assert "36 queries" in (out / "compare.md").read_text()
    capsys.readouterr()
    assert main(["compare", "--quiet", "--resume", str(out), "--set", "seeds=3"]) == 2
    assert "only the budget of a comparison can change on resume, not seeds" in capsys.readouterr().err
    assert main(["compare", "--quiet", "--resume", str(tmp_path)]) == 2   # holds the user's compare.yaml only
    assert "not a compare output directory" in capsys.readouterr().err
    (tmp_path / "comparison.yaml").write_text(yaml.safe_dump({"output": str(out)}))
    assert main(["compare", "--quiet", "--resume", str(tmp_path)]) == 2
    assert "pass that directory to --resume" in capsys.readouterr().err


def test_compare_rejects_bad_optimizers(tmp_path, nb201_path, capsys):
    assert main(["compare", "--quiet", "--data", str(nb201_path), "--out", str(tmp_path / "x"),
                 "--set", "optimizers=[simulated_annealing]"]) == 2
    assert "unknown optimizer" in capsys.readouterr().err


def test_shipped_search_configs_load():
    from conftest import REPO

    import yaml
    from nasearch.optimizers import registry
    from nasearch.experiment import load_search_config

    paths = sorted((REPO / "experiments" / "search").rglob("*.yaml"))
    assert len(paths) >= 5
    for path in paths:
        data = yaml.safe_load(path.read_text())
        if "optimizers" in data:
            config = load_compare_config(data)
            specs = [(o.name, o.options) for o in config.optimizers]
        else:
            config = load_search_config(data)
            specs = [(config.optimizer, config.options)]
        for name, options in specs:
            registry.factory(name).configure(dict(options))   # unknown options raise


def test_paired_difference_and_verdict():
    from nasearch.compare import paired_difference, verdict

    mean, error = paired_difference(np.array([1.0, 2.0, 3.0]), np.array([0.0, 1.0, 1.0]))
    assert mean == pytest.approx(4 / 3) and error == pytest.approx(np.std([1, 1, 2], ddof=1) / np.sqrt(3))
    assert verdict(0.5, 0.1, 5) == "win" and verdict(-0.5, 0.1, 20) == "loss"
    # Within two standard errors is a tie (one standard error used to count as a win).
    assert verdict(0.15, 0.1, 20) == "tie" and verdict(-0.19, 0.1, 20) == "tie" and verdict(0.0, 0.0, 20) == "tie"
    assert verdict(0.21, 0.1, 20) == "win"
    assert verdict(0.5, 0.01, 4) == verdict(0.5, 0.01, 2) == "too few seeds for a verdict"


def test_a_compare_config_is_a_search_config_plus_seeds_and_contenders():
    from nasearch.experiment import compare_trials

    config = load_compare_config({"objective": "train", "training": {"epochs": 1}, "seeds": 2,
                                  "search": {"budget": 4, "timeout": 30}, "optimizers": ["random", "evolution"]})
    trials = compare_trials(config)
    assert [(t.label, t.seed) for t in trials] == [("random", 0), ("random", 1), ("evolution", 0), ("evolution", 1)]
    assert all(t.config.objective == "train" and t.config.training == {"epochs": 1} and t.config.budget == 4
               and t.config.timeout == 30 for t in trials)
    assert trials[3].config.optimizer == "evolution" and trials[3].config.seed == 1
    assert trials[3].directory.endswith("evolution/seed1")
    shifted = compare_trials(load_compare_config({"seeds": 2, "first_seed": 100, "optimizers": ["random"]}))
    assert [(t.seed, t.config.seed) for t in shifted] == [(100, 100), (101, 101)]
    assert shifted[1].directory.endswith("random/seed101")


@pytest.mark.parametrize("data,message", [
    ({"optimizer": "random"}, "'optimizer' is set per trial"),
    ({"seed": 3}, "set seeds: N"),
    ({"first_seed": -1}, "first_seed and retries >= 0; got seeds 20, workers 2, first_seed -1"),
    ({"budgett": 3}, "unknown compare config key 'budgett'"),
    ({"budget": 3, "search": {"budget": 4}}, "'budget' is set at the top level and under search:"),
    ({"optimizers": [{"label": "RE"}]}, "optimizers[0] = {'label': 'RE'} has no name"),
])
def test_compare_config_mistakes_are_one_line_errors(data, message, tmp_path, capsys):
    import yaml

    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data))
    assert main(["compare", "--quiet", "--config", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_a_compare_config_without_optimizers_is_an_error_naming_the_key(tmp_path, capsys):
    assert main(["compare", "--quiet", "--set", "budget=5", "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err == ("error: the compare config has no optimizers: key; list the contenders, e.g. optimizers: "
                   "[emprox_nao, evolution, random] or [{name: ..., options: {...}}]\n")
    assert not (tmp_path / "out").exists()


def test_compare_leaves_out_the_columns_a_benchmark_cannot_fill(tmp_path, capsys, monkeypatch):
    """A callable objective has no known optimum and no report metric: no nan columns, no 0/2."""
    from conftest import REPO

    monkeypatch.syspath_prepend(str(REPO / "tests"))
    out = tmp_path / "out"
    assert main(["compare", "--quiet", "--out", str(out), "--set", "objective=parallel_objectives:by_hash",
                 "--set", "optimizers=[random, local_search]", "--set", "seeds=2", "--set", "budget=12"]) == 0
    table = (out / "compare.md").read_text()
    assert "| optimizer | best val | wall (s) |" in table and "the optimum is unknown" in table
    assert "nan" not in table and "optimum found" not in table and "0/2" not in table


def _dying_compare(tmp_path, objective, retries=3):
    config = dict(CONFIG, objective=f"parallel_objectives:{objective}", budget=12, retries=retries,
                  optimizers=[{"name": "random", "label": "RS"}], output=str(tmp_path / "out"))
    return load_compare_config(config)


def test_a_trial_whose_worker_dies_is_retried_and_matches_a_clean_run(tmp_path, monkeypatch):
    from nasearch.compare import execute, prepare_trials

    monkeypatch.setenv("NASEARCH_TEST_MARKERS", str(tmp_path))
    clean = load_compare_config(dict(CONFIG, objective="parallel_objectives:by_hash", budget=12,
                                     optimizers=[{"name": "random", "label": "RS"}], output=str(tmp_path / "clean")))
    expected = [r.incumbents for r in execute(prepare_trials(clean), "local", 2, progress=False)]
    config = _dying_compare(tmp_path, "dies_once")
    results = execute(prepare_trials(config), "local", 2, progress=False, retries=3, output=config.output)
    assert (tmp_path / "died").exists(), "the objective must have killed one worker"
    assert [r.incumbents for r in results] == expected
    records = [json.loads(line) for line in (tmp_path / "out" / "retries.jsonl").read_text().splitlines()]
    assert len(records) == 1 and records[0]["retried"] and records[0]["label"] == "RS"


def test_a_trial_that_keeps_losing_its_worker_stops_with_one_line(tmp_path, capsys):
    import yaml

    path = tmp_path / "compare.yaml"
    path.write_text(yaml.safe_dump(dict(CONFIG, objective="parallel_objectives:always_dies", budget=12, retries=1,
                                        optimizers=["random"], seeds=1, output=str(tmp_path / "out"))))
    assert main(["compare", "--quiet", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "trial random seed 0 stopped" in err and "its 1 retries are spent" in err
    assert f"compare --resume {tmp_path / 'out'}" in err and "retries.jsonl" in err
    records = [json.loads(line) for line in (tmp_path / "out" / "retries.jsonl").read_text().splitlines()]
    assert [r["retried"] for r in records] == [True, False]
    with pytest.raises(Exception, match="retries >= 0"):
        load_compare_config(dict(CONFIG, retries=-1))
