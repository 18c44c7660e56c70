"""Run directories written by earlier versions still resume, and finish as they would have.

``tests/fixtures/runs_v0.1.0`` was written by that version's CLI: ``single`` and ``multi``
are searches stopped part-way (their first lines of history), ``*.expected_history.jsonl``
the whole histories those runs wrote uninterrupted, and ``compare`` a finished comparison
with its ``compare.md``.

``tests/fixtures/runs_flat_options`` was written the same way by the last version whose
EmProx-NAO options were one flat list (``optimizer_options.yaml`` holds them so): a
label-aware search with its ``labels`` and ``k``/``step`` set, a two-objective one with
``temperature`` and ``pareto``, and one with ``mix: false``. Their options now live in
sections; the resumes must not move.
"""
import dataclasses
import json
import shutil

import pytest

from conftest import REPO
from nasearch.cli import main
from nasearch.runs.history import read_trials
from nasearch.runs.trial import Trial

FIXTURES = REPO / "tests" / "fixtures" / "runs_v0.1.0"
FLAT = REPO / "tests" / "fixtures" / "runs_flat_options"


def _timeless(trials):
    """The trials without their timings, and with their float32 surrogate predictions kept apart:
    those move in the last digits from one CPU's vector instructions to another's."""
    return [dataclasses.replace(t, wall=0.0, seconds=0.0, predicted=None) for t in trials]


def _predictions(trials):
    return [t.predicted for t in trials]


@pytest.mark.parametrize("fixtures, run", [(FIXTURES, "single"), (FIXTURES, "multi"), (FLAT, "single"),
                                           (FLAT, "multi"), (FLAT, "nomix")])
def test_an_interrupted_old_run_resumes_to_the_uninterrupted_history(tmp_path, fixtures, run):
    directory = tmp_path / run
    shutil.copytree(fixtures / run, directory)
    before = (directory / "history.jsonl").read_text()
    assert main(["search", "--quiet", "--resume", str(directory)]) == 0
    expected = [Trial.from_json(json.loads(line)) for line in
                (fixtures / f"{run}.expected_history.jsonl").read_text().splitlines()]
    resumed = read_trials(directory / "history.jsonl")
    assert (directory / "history.jsonl").read_text().startswith(before), "the old lines are kept as they were"
    assert len(resumed) == len(expected) > len(before.splitlines())
    assert _timeless(resumed) == _timeless(expected)
    got, want = _predictions(resumed), _predictions(expected)
    assert [p is None for p in got] == [p is None for p in want]
    # A label-aware prediction is a float32 GIN trained for some hundred steps: another CPU's vector
    # instructions round its sums differently and the drift grows with training, to about 1e-5
    # relative on the machines seen (the trials themselves, compared above, are the same bits).
    assert [p for p in got if p is not None] == pytest.approx([p for p in want if p is not None], rel=1e-4)
    summary = json.loads((directory / "summary.json").read_text())
    assert summary["report_of_best"] == max((t for t in expected if t.ok and t.feasible is not False),
                                            key=lambda t: t.value).report


def test_a_finished_old_comparison_is_read_back_with_the_same_table(tmp_path):
    out = tmp_path / "compare"
    shutil.copytree(FIXTURES / "compare", out)
    (out / "compare.md").unlink()
    assert main(["compare", "--quiet", "--config", str(FIXTURES / "compare.yaml"), "--out", str(out)]) == 0
    assert (out / "compare.md").read_text() == (FIXTURES / "compare" / "compare.md").read_text()


def _damage(lines, index, edit):
    record = json.loads(lines[index])
    edit(record)
    return lines[:index] + [json.dumps(record) + "\n"] + lines[index + 1:]


@pytest.mark.parametrize("edit,message", [
    (lambda r: r.update(value=r["value"] + 1.0), "line 5: value is"),
    (lambda r: r.update(incumbent=99.0), "line 5: incumbent is 99.0 but its outcome gives"),
    (lambda r: r.update(query=7), "line 5: query is 7, expected 4"),
    (lambda r: r.update(arch="|conv~0|"), "line 5: architecture '|conv~0|' is not one of 'nasbench201'"),
    (lambda r: r.update(status="done"), "status 'done' is not one of"),
])
def test_a_damaged_history_stops_the_resume_and_is_left_as_it_was(tmp_path, capsys, edit, message):
    directory = tmp_path / "single"
    shutil.copytree(FIXTURES / "single", directory)
    lines = (directory / "history.jsonl").read_text().splitlines(keepends=True)
    damaged = "".join(_damage(lines, 4, edit))
    (directory / "history.jsonl").write_text(damaged)
    assert main(["search", "--quiet", "--resume", str(directory)]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1, err
    assert (directory / "history.jsonl").read_text() == damaged, "nothing is rewritten"
    assert not (directory / "summary.json").exists()
