"""objective: package.module:name runs your own scoring or training code from the CLI."""
import json
import textwrap

import pytest

from nasearch.cli import main

MODULE = textwrap.dedent('''
    from nasearch import Objective

    CALLS = []

    def score(arch):
        """A stand-in for training: a score of the cell's operations."""
        return {"value": 50.0 + 2.0 * sum(arch), "cost": float(len(arch))}

    class Scored(Objective):
        metric = "acc"

        def __init__(self, space):
            self.space = space

        def evaluate(self, arch):
            return {"acc": 40.0 + sum(arch)}

    def broken(arch):
        raise RuntimeError("out of memory")

    NOT_CALLABLE = 3
''')


@pytest.fixture
def user_module(tmp_path, monkeypatch):
    (tmp_path / "user_scoring.py").write_text(MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    return "user_scoring"


def _search(tmp_path, objective, *extra):
    out = tmp_path / "run"
    code = main(["search", "--quiet", "--out", str(out), "--set", f"objective={objective}", "--set", "budget=12",
                 "--set", "optimizer=random", "--set", "options={}", *extra])
    return code, out


@pytest.mark.parametrize("name,best", [("score", 50.0 + 2.0 * 24), ("Scored", None)])
def test_an_importable_function_or_objective_class_is_searched(tmp_path, user_module, name, best):
    code, out = _search(tmp_path, f"{user_module}:{name}")
    assert code == 0
    trials = [json.loads(line) for line in (out / "history.jsonl").read_text().splitlines()]
    assert len(trials) == 12 and all(t["status"] == "ok" for t in trials)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["best_value"] == max(t["value"] for t in trials)
    assert summary["metric"] == ("value" if name == "score" else "acc")
    assert summary["objective"] == name


def test_a_failing_call_is_a_failed_trial_not_a_crash(tmp_path, user_module):
    code, out = _search(tmp_path, f"{user_module}:broken")
    assert code == 0
    trials = [json.loads(line) for line in (out / "history.jsonl").read_text().splitlines()]
    assert all(t["status"] == "failed" and "out of memory" in t["error"] for t in trials)


@pytest.mark.parametrize("objective,message", [
    ("no_such_module_xyz:score", "importing 'no_such_module_xyz' failed"),
    ("user_scoring:missing", "'user_scoring' has no 'missing'"),
    ("user_scoring:NOT_CALLABLE", "is a int, not a function or Objective"),
    ("user_scoring", "must be 'table', 'train' or an import path"),
])
def test_import_mistakes_are_one_line_errors(tmp_path, user_module, capsys, objective, message):
    code, out = _search(tmp_path, objective)
    err = capsys.readouterr().err
    assert code == 2 and message in err and err.count("\n") == 1
    assert not out.exists()
