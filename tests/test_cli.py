"""CLI commands print real numbers; bad input gives one line and exit status 2."""
import os
import subprocess
import sys

import pytest

from conftest import REPO
from nasearch.cli import build_parser, main

BEST = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|"


def test_spaces_lists_both_spaces_with_sizes(capsys, nb201_path):
    assert main(["spaces", "--data", str(nb201_path)]) == 0
    out = capsys.readouterr().out
    assert "nasbench201" in out and "15,625" in out
    assert "nasbench_graph" in out and "26,206" in out and "2,021" in out


def test_info_graph_prints_optimum(capsys):
    assert main(["info", "--space", "nasbench_graph", "--dataset", "cora"]) == 0
    out = capsys.readouterr().out
    assert "26,206" in out and "81.9333" in out


def test_info_and_query_nb201(capsys, nb201_path):
    assert main(["info", "--space", "nasbench201", "--dataset", "cifar10-valid", "--data", str(nb201_path)]) == 0
    assert "91.6067" in capsys.readouterr().out
    assert main(["query", "--space", "nasbench201", "--data", str(nb201_path), "--arch", BEST,
                 "--metric", "val", "--epochs", "200"]) == 0
    assert "val (200 epochs): 91.6067" in capsys.readouterr().out


@pytest.mark.parametrize("argv,fragment", [
    (["query", "--space", "nasbench201", "--arch", "|bogus~0|"], "malformed"),
    (["query", "--space", "nasbench201", "--arch", BEST.replace("nor_conv_1x1~2", "conv~2")], "unknown operation"),
    (["query", "--space", "nasbench201", "--arch", BEST.replace("~2|", "~1|")], "must come from node 2"),
    (["query", "--space", "nasbench201", "--arch", BEST + "|"], "malformed"),
    (["info", "--space", "nope"], "unknown search space"),
    (["query", "--space", "nasbench201", "--arch", BEST, "--dataset", "mnist"], "unknown dataset"),
    (["query", "--space", "nasbench201", "--arch", BEST, "--metric", "acc"], "unknown metric"),
    (["query", "--space", "nasbench201", "--arch", BEST, "--metric", "val", "--epochs", "50"], "unknown epochs"),
    (["query", "--space", "nasbench_graph", "--arch", "|gcn~0|"], "malformed"),
    (["info", "--space", "nasbench201", "--data", "/no/such/file.csv"], "does not exist"),
    (["bogus-command"], "invalid choice"),
])
def test_bad_input_gives_one_line_and_status_2(argv, fragment, capsys, nb201_path):
    if "--data" not in argv and argv[0] != "bogus-command":
        argv = argv + ["--data", str(nb201_path)]
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert fragment in captured.err
    assert captured.err.count("\n") == 1 and "Traceback" not in captured.err


def test_a_missing_data_file_points_back_to_the_shipped_table(capsys, tmp_path):
    """The table ships with the package: a wrong --data path is fixed by the path, or by dropping it."""
    assert main(["info", "--space", "nasbench201", "--data", str(tmp_path / "missing.csv")]) == 2
    err = capsys.readouterr().err
    assert "does not exist; fix the path, or drop it to use the table that ships with nasearch" in err
    assert "download" not in err and err.count("\n") == 1


def test_nb201_works_out_of_the_box(capsys):
    assert main(["info", "--space", "nasbench201", "--dataset", "cifar10-valid"]) == 0
    out = capsys.readouterr().out
    assert "15,625 architectures" in out and "91.6067" in out


def test_abbreviated_options_are_rejected(capsys):
    assert main(["pretrain", "--space", "nasbench201", "--data", "x"]) == 2
    assert "unrecognized arguments: --data" in capsys.readouterr().err


def test_main_py_runs_as_a_script():
    env = dict(os.environ)
    result = subprocess.run([sys.executable, "main.py", "query", "--space", "nasbench_graph",
                             "--arch", "|gcn~0|gat~0|sage~1|fc~2|"], cwd=REPO, capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    assert "cora val:" in result.stdout
    result = subprocess.run([sys.executable, "main.py", "query", "--space", "nasbench_graph", "--arch", "bad"],
                            cwd=REPO, capture_output=True, text=True, env=env)
    assert result.returncode == 2 and result.stderr.count("\n") == 1


def test_a_non_utf8_config_is_a_one_line_error(tmp_path, capsys):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("budget: 10 # caf\xe9\n".encode("latin-1"))
    assert main(["search", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert "not UTF-8" in err and err.count("\n") == 1


def test_help_lists_optimizers_predictors_and_config_keys(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["search", "--help"])
    out = capsys.readouterr().out
    assert "emprox_nao:" in out and "pretrain_steps=4000" in out and "budget=100" in out and "darts" in out
    with pytest.raises(SystemExit):
        build_parser().parse_args(["evaluate", "--help"])
    out = capsys.readouterr().out
    assert "seminas:" in out and "grid_predictor=''" in out


def test_spaces_survives_a_broken_plugin(capsys):
    from nasearch.registry import search_spaces

    def broken():
        raise RuntimeError("cannot import my_space")

    search_spaces.register("broken_plugin", broken)
    try:
        assert main(["spaces"]) == 0
    finally:
        search_spaces._factories.pop("broken_plugin")
    out = capsys.readouterr().out
    assert "broken_plugin: cannot be loaded" in out and "nasbench201: NASBench201" in out


def test_a_budget_spent_on_the_random_start_warns_in_one_line(tmp_path):
    result = subprocess.run([sys.executable, "main.py", "search", "--quiet", "--out", str(tmp_path / "run"),
                             "--set", "optimizer=evolution", "--set", "budget=12",
                             "--set", "options={population: 12}"], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    warning = [line for line in result.stderr.splitlines() if "random" in line]
    assert warning == ["warning: budget 12 equals the 12 initial evaluations of 'evolution' (option population), "
                       "so every evaluation is a random one; raise the budget or lower population"]


@pytest.mark.parametrize("argv, suggestion", [
    (["search", "--set", "budjet=20"], "unknown config key 'budjet'; did you mean 'budget'?"),
    (["search", "--set", "optimizer=evolutoin"], "unknown optimizer 'evolutoin'; did you mean 'evolution'?"),
    (["search", "--set", "options={batch_sise: 3}"], "unknown config key 'emprox_nao.batch_sise'; did you mean 'batch_size'?"),
    (["compare", "--set", "seedz=3"], "unknown compare config key 'seedz'; did you mean 'seeds'?"),
    (["search", "--set", "space=nasbench210"], "did you mean 'nasbench201'?"),
])
def test_a_misspelt_key_or_name_gets_a_suggestion_in_one_line(argv, suggestion, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert suggestion in err and err.count("\n") == 1, err


@pytest.mark.parametrize("command", ["search", "compare", "evaluate", "retrain"])
def test_help_documents_every_option_from_its_comment(command):
    """--help reads each option's ``#:`` comment, the source the API reference reads too."""
    import re

    from nasearch.config import option_comments
    from nasearch.training import TrainingConfig

    import subprocess
    import sys
    from pathlib import Path

    # a fresh process: plug-ins that other tests register in this one are not the project's options
    text = subprocess.run([sys.executable, str(Path(__file__).resolve().parents[1] / "main.py"), command, "--help"],
                          capture_output=True, text=True, check=True).stdout
    bare = [line.strip() for line in text.splitlines() if re.fullmatch(r" +[a-z_.]+=\S*", line)]
    assert not bare, f"options without a #: comment: {bare}"
    assert "initial SGD learning rate" in text if command in ("search", "retrain") else True
    assert option_comments(TrainingConfig)["cutout"].startswith("side in pixels of the cutout square")
