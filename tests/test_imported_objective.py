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
    assert code == 1   # every evaluation failed: recorded, then one line and exit 1
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


def test_a_space_named_by_its_module_path_searches_and_resumes_from_the_cli(tmp_path, monkeypatch, capsys):
    """``space: package.module:Class``, as objectives work: no entry point, no registration."""
    from conftest import REPO

    monkeypatch.syspath_prepend(str(REPO / "tests" / "plugin_package"))
    out = tmp_path / "run"
    argv = ["search", "--quiet", "--out", str(out), "--set", "space=nasearch_widechain:WideChain",
            "--set", "optimizer=random", "--set", "options={}", "--set", "budget=8"]
    assert main(argv) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["space"] == "widechain" and summary["queries"] == 8
    assert main(["search", "--quiet", "--resume", str(out), "--set", "budget=10"]) == 0
    assert len((out / "history.jsonl").read_text().splitlines()) == 10
    capsys.readouterr()
    for space, fragment in (("nasearch_widechain:Missing", "'nasearch_widechain' has no 'Missing'"),
                            ("no_such_module:Space", "importing 'no_such_module' failed"),
                            ("nasearch_widechain:OPS", "is a tuple, not a SearchSpace class or object")):
        assert main(["search", "--quiet", "--out", str(tmp_path / "bad"), "--set", f"space={space}"]) == 2
        err = capsys.readouterr().err
        assert fragment in err and err.count("\n") == 1, err
