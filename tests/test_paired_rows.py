"""benchmarks/paired_rows.py: one row minus another, paired by seed, pooled over comparisons."""
import csv
import sys

import numpy as np
import pytest
import yaml

from conftest import REPO

sys.path.insert(0, str(REPO / "benchmarks"))
import paired_rows  # noqa: E402

CONFIG = {"space": "nasbench201", "dataset": "cifar10-valid", "budget": 60, "seeds": 5, "workers": 1,
          "optimizers": [{"name": "evolution", "label": "RE", "options": {"population": 10, "sample_size": 5}},
                         {"name": "random", "label": "RS"}]}


def _config(tmp_path, name, first_seed):
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(dict(CONFIG, first_seed=first_seed, output=str(tmp_path / name))))
    return str(path)


def _at_50(output, label):
    """``{seed: incumbent after 50 evaluations}`` of one row, from compare's own incumbents.csv."""
    rows = csv.DictReader((output / "incumbents.csv").read_text().splitlines())
    return {int(r["seed"]): float(r["incumbent"]) for r in rows
            if r["optimizer"] == label and int(r["query"]) == 50}


def test_a_group_pools_the_seed_pairs_of_its_comparisons(tmp_path):
    first, second = _config(tmp_path, "first", 0), _config(tmp_path, "second", 5)
    text = paired_rows.table([("first alone", [first]), ("both", [first, second])], "RE", "RS")
    rows = {line.split(" | ")[0].lstrip("| "): line.split(" | ")[1:] for line in text.splitlines()
            if line.startswith("| first") or line.startswith("| both")}
    differences = []
    for name in ("first", "second"):
        re, rs = _at_50(tmp_path / name, "RE"), _at_50(tmp_path / name, "RS")
        differences += [re[seed] - rs[seed] for seed in sorted(re)]
    assert len(differences) == 10
    for name, pairs in (("first alone", differences[:5]), ("both", differences)):
        mean, error = np.mean(pairs), np.std(pairs, ddof=1) / np.sqrt(len(pairs))
        assert rows[name][0].startswith(f"{mean:+.3f} ± {error:.3f}")
        assert rows[name][1:] == ["–", "–", "–", "– |"]   # past the budget of 60


def test_a_missing_row_is_a_one_line_error_naming_the_rows(tmp_path):
    with pytest.raises(SystemExit, match=r"has no row 'TPE'; its rows are \['RE', 'RS'\]"):
        paired_rows.table([("g", [_config(tmp_path, "only", 0)])], "TPE", "RS")


def test_a_group_without_a_config_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as stop:
        paired_rows.main(["--row", "RE", "--minus", "RS", "--group", "lonely"])
    assert stop.value.code == 2 and "names no config" in capsys.readouterr().err


def test_a_missing_config_is_one_line_naming_the_fix(tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        paired_rows.main(["--row", "RE", "--minus", "RS", "--group", "g", str(tmp_path / "nope.yaml")])
    error = capsys.readouterr().err
    assert stop.value.code == 2 and error.count("\n") == 1
    assert "does not exist; pass an existing YAML file" in error
