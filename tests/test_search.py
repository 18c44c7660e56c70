"""The search loop, its run directory, its errors and resume after a real kill."""
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from conftest import REPO
from nasearch.cli import main
from nasearch.history import History

NB201_CONFIG = str(REPO / "experiments" / "search" / "nb201_cifar10.yaml")


def _records(directory):
    return [json.loads(line) for line in (directory / "history.jsonl").read_text().splitlines()]


def test_search_writes_the_run_directory(tmp_path, nb201_path, capsys):
    out = tmp_path / "run"
    assert main(["search", "--quiet", "--config", NB201_CONFIG, "--data", str(nb201_path), "--out", str(out),
                 "--set", "budget=40"]) == 0
    for name in ("config.yaml", "history.jsonl", "summary.json", "incumbent.png"):
        assert (out / name).is_file(), name
    records = _records(out)
    assert [r["query"] for r in records] == list(range(40))
    assert len({r["arch"] for r in records}) == 40
    assert set(records[0]) >= {"query", "arch", "value", "test", "incumbent", "incumbent_test", "predicted", "wall"}
    incumbents = [r["incumbent"] for r in records]
    assert incumbents == list(np.maximum.accumulate([r["value"] for r in records]))
    assert any(r["predicted"] is not None for r in records[10:])
    summary = json.loads((out / "summary.json").read_text())
    best = max(records, key=lambda r: r["value"])
    assert summary["best_value"] == best["value"] and summary["test_of_best"] == best["test"]
    assert summary["optimizer_stats"]["round_trip"] >= 0.99
    assert summary["optimum"] == pytest.approx(91.6067)


def test_default_search_runs_on_the_embedded_graph_benchmark(tmp_path):
    out = tmp_path / "default"
    assert main(["search", "--quiet", "--out", str(out), "--set", "budget=25"]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["space"] == "nasbench_graph" and summary["dataset"] == "cora"
    assert summary["queries"] == 25 and 70 < summary["best_value"] <= 81.94


def _fails(argv, fragment, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert fragment in err, err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_search_errors(tmp_path, nb201_path, capsys):
    data = ["--data", str(nb201_path)]
    _fails(["search", "--config", NB201_CONFIG, *data, "--out", str(tmp_path / "a"), "--set", "budget=5"],
           "budget 5 is smaller than n_init 10", capsys)
    _fails(["search", "--config", NB201_CONFIG, *data, "--out", str(tmp_path / "b"), "--set", "optimizer=anneal"],
           "unknown optimizer 'anneal'", capsys)
    _fails(["search", "--config", NB201_CONFIG, *data, "--out", str(tmp_path / "c"), "--set", "metric=test"],
           "allow_test_objective", capsys)
    _fails(["search", "--config", NB201_CONFIG, *data, "--set", "budgett=5"], "unknown config key 'budgett'", capsys)
    _fails(["search", "--config", NB201_CONFIG, *data, "--set", "options.n_int=5"],
           "unknown config key 'emprox_nao.n_int'", capsys)
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()
    full = tmp_path / "full"
    (full / "x").mkdir(parents=True)
    _fails(["search", "--config", NB201_CONFIG, *data, "--out", str(full)], "not empty", capsys)
    run = tmp_path / "run"
    assert main(["search", "--quiet", "--config", NB201_CONFIG, *data, "--out", str(run), "--set", "budget=20",
                 "--set", "optimizer=random", "--set", "options={}"]) == 0
    capsys.readouterr()
    _fails(["search", "--resume", str(run), *data, "--set", "seed=3"], "config differs", capsys)
    _fails(["search", "--resume", str(tmp_path / "nowhere")], "not a search run directory", capsys)


def test_searching_test_data_is_an_explicit_choice(tmp_path, nb201_path):
    out = tmp_path / "on-test"
    assert main(["search", "--quiet", "--config", NB201_CONFIG, "--data", str(nb201_path), "--out", str(out),
                 "--set", "metric=test", "--set", "allow_test_objective=true", "--set", "optimizer=random",
                 "--set", "options={}", "--set", "budget=15"]) == 0


def test_history_drops_a_torn_last_line(tmp_path):
    path = tmp_path / "history.jsonl"
    path.write_text('{"query": 0}\n{"query": 1}\n{"que')
    history = History.load(path)
    assert [r["query"] for r in history.records] == [0, 1]
    assert path.read_text() == '{"query": 0}\n{"query": 1}\n'


def _search_command(out, data, budget):
    return [sys.executable, "main.py", "search", "--quiet", "--config", NB201_CONFIG, "--data", str(data),
            "--out", str(out), "--set", f"budget={budget}", "--set", "optimizer=nao",
            "--set", "options={epochs: 15, batch_size: 5, candidates: 10}"]


def test_resume_after_kill_matches_an_uninterrupted_run(tmp_path, nb201_path):
    budget = 50
    reference = tmp_path / "reference"
    subprocess.run(_search_command(reference, nb201_path, budget), cwd=REPO, check=True, capture_output=True)
    killed = tmp_path / "killed"
    process = subprocess.Popen(_search_command(killed, nb201_path, budget), cwd=REPO,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    history = killed / "history.jsonl"
    deadline = time.time() + 300
    while time.time() < deadline:
        if history.exists() and history.read_text().count("\n") >= 22:
            break
        time.sleep(0.01)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    lines_at_kill = len(_records(killed))
    assert 22 <= lines_at_kill < budget, "the run must be killed partway"
    result = subprocess.run([sys.executable, "main.py", "search", "--quiet", "--resume", str(killed),
                             "--data", str(nb201_path)], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    strip = lambda records: [{k: v for k, v in r.items() if k != "wall"} for r in records]
    assert strip(_records(killed)) == strip(_records(reference))
    assert len(_records(killed)) == budget
