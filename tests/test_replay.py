"""The replay behind every resume: its checks and messages, one piece at a time (fast, so that
mutation testing of nasearch/replay.py can run them for every mutant)."""
import dataclasses
import json

import pytest

from nasearch import Search
from nasearch.errors import DataError, NasearchError
from nasearch.replay import _job_text, check_order, damaged, diverged, outcome_of

TAIL = "; the file was edited or damaged, restore it from a backup or start a new run"


def _run(nb201, directory, budget=8, objective=None, seed=0):
    return Search(nb201, objective, "random", budget=budget, seed=seed, directory=directory)


def _trials(nb201, tmp_path, count=5):
    search = _run(nb201, tmp_path / "run", budget=count)
    search.run()
    return search.history.trials


def test_messages_name_the_line_the_architectures_and_the_way_out(nb201, tmp_path):
    trial = _trials(nb201, tmp_path, 3)[2]
    assert str(damaged(trial, "value is 1")) == "history.jsonl line 3: value is 1" + TAIL
    assert str(diverged(trial, "X")) == (
        f"resume diverged at evaluation 2: the history has {trial.arch} but the run proposes X; the code, config "
        "or environment changed since the run started (or its history.jsonl was edited), start a new run")
    promoted = dataclasses.replace(trial, fidelity=36.0)
    assert f"the history has {trial.arch} at fidelity 36 but" in str(diverged(promoted, "X"))


def test_a_job_is_written_with_its_fidelity_when_it_has_one(nb201):
    search = Search(nb201, None, "random", budget=600, seed=0, schedule={"eta": 3, "min_fidelity": 12})
    arch = search.ask(1)[0]
    assert _job_text(search, arch) == nb201.to_string(arch) + " at fidelity 12"
    plain = Search(nb201, None, "random", budget=5, seed=0)
    arch = plain.ask(1)[0]
    assert _job_text(plain, arch) == nb201.to_string(arch)


def test_a_failed_trial_stands_for_its_status_and_error_and_an_ok_one_for_its_value(nb201, tmp_path):
    ok = _trials(nb201, tmp_path, 1)[0]
    failed = dataclasses.replace(ok, status="timeout", value=None, error="took 5 s", metrics={})
    outcome = outcome_of(failed, None)
    assert (outcome.value, outcome.metrics, outcome.status, outcome.error) == (None, {}, "timeout", "took 5 s")
    outcome = outcome_of(ok, None)
    assert outcome.ok and outcome.value == ok.value and outcome.metrics == ok.metrics
    # a record of nasearch 0.1.0 has no metrics: its value and report stand for the objective's metrics
    objective = Search(nb201, None, "random", budget=1).objective
    outcome = outcome_of(dataclasses.replace(ok, metrics={}), objective)
    assert outcome.metrics == {objective.metric: ok.value, objective.report_metric: ok.report}


def test_a_run_with_failed_evaluations_resumes_to_the_same_records(nb201, tmp_path):
    def flaky(arch):
        if nb201.arch_id(arch) % 3 == 0:
            raise RuntimeError("diverged")
        return nb201.query(arch, "cifar10-valid")

    directory = tmp_path / "run"
    first = _run(nb201, directory, budget=12, objective=flaky)
    first.run()
    assert {t.status for t in first.history.trials} == {"ok", "failed"}
    again = _run(nb201, directory, budget=12, objective=flaky)
    assert [t.to_json() for t in again.history.trials] == [t.to_json() for t in first.history.trials]


@pytest.mark.parametrize("edit, message", [
    (lambda t: dataclasses.replace(t, query=9), "history.jsonl line 4: query is 9, expected 3" + TAIL),
    (lambda t: dataclasses.replace(t, handed=0), "history.jsonl line 4: hand-out 0 after"),
    (lambda t: dataclasses.replace(t, handed=-1), "history.jsonl line 4: hand-out -1 after"),
    (lambda t: dataclasses.replace(t, told_before=4), "does not fit the lines before it" + TAIL),
    (lambda t: dataclasses.replace(t, told_before=-1), "hand-out 3 after -1 trials does not fit"),
    (lambda t: dataclasses.replace(t, arch="|conv~0|"), "line 4: architecture '|conv~0|' is not one of 'nasbench201' ("),
])
def test_each_broken_order_is_named_by_its_line(nb201, tmp_path, edit, message):
    trials = _trials(nb201, tmp_path, 5)
    assert [nb201.to_string(a) for a in check_order(trials, nb201)] == [t.arch for t in trials]
    trials = [dataclasses.replace(t, handed=t.query, told_before=t.query) for t in trials]
    check_order(trials, nb201)
    broken = trials[:3] + [edit(trials[3])] + trials[4:]
    with pytest.raises(DataError) as error:
        check_order(broken, nb201)
    assert message in str(error.value)
    # the last trial may count every trial before it, and hand-out numbers may have gaps
    check_order(trials[:4] + [dataclasses.replace(trials[4], told_before=4, handed=9)], nb201)


def test_a_trial_told_before_it_was_handed_out_diverges(nb201, tmp_path):
    directory = tmp_path / "run"
    _run(nb201, directory, budget=5).run()
    path = directory / "history.jsonl"
    records = [json.loads(line) for line in path.read_text().splitlines()]
    # the fourth trial claims hand-out 1, after three tells: the second trial is told before it was handed out
    records[1]["handed"], records[3]["handed"], records[3]["told_before"] = 3, 1, 3
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    with pytest.raises(NasearchError, match="resume diverged at evaluation 1: .* proposes it before it was handed out"):
        _run(nb201, directory, budget=5)


def test_a_changed_seed_diverges_at_the_first_evaluation_naming_both_architectures(nb201, tmp_path):
    directory = tmp_path / "run"
    trials = _run(nb201, directory, budget=5).run().history
    with pytest.raises(NasearchError) as error:
        _run(nb201, directory, budget=5, seed=1)
    message = str(error.value)
    assert message.startswith(f"resume diverged at evaluation 0: the history has {trials[0].arch} but the run "
                              "proposes |") and message.endswith("edited), start a new run")
    proposed = message.split("the run proposes ")[1].split(";")[0]
    assert nb201.from_string(proposed) is not None and proposed != trials[0].arch


@pytest.mark.parametrize("requeue, message", [
    ({"handed": 2, "jobs": [["A", None]]}, "is not in flight at that point"),
    ({"handed": 9, "jobs": [["A", None]]}, "its requeue after 9 hand-outs does not fit history.jsonl"),
    ({"handed": 2, "jobs": []}, "it does not follow the lines before it"),
    ({"handed": 2}, "is not a requeue"),
])
def test_a_damaged_requeue_line_is_named_and_nothing_is_resumed(nb201, tmp_path, requeue, message):
    directory = tmp_path / "run"
    first = _run(nb201, directory, budget=6)
    batch = first.ask(2)
    first.tell(batch[1], nb201.query(batch[1], "cifar10-valid"))
    known = nb201.to_string(first.ask(1)[0])
    first.tell(first.pending[-1], 90.0)
    if "jobs" in requeue and requeue["jobs"]:
        requeue["jobs"] = [[known if requeue["handed"] == 2 else nb201.to_string(batch[0]), None]]
    (directory / "requeues.jsonl").write_text(json.dumps(requeue) + "\n")
    with pytest.raises(DataError) as error:
        _run(nb201, directory, budget=6)
    assert str(error.value).startswith("requeues.jsonl line 1: ") and message in str(error.value)


@pytest.mark.parametrize("gap", [False, True], ids=["next hand-out", "a hand-out lost before it"])
def test_a_history_longer_than_its_recorded_budget_diverges_on_a_run_that_proposes_nothing(nb201, tmp_path, gap):
    directory = tmp_path / "run"
    _run(nb201, directory, budget=5).run()
    (directory / "budget.jsonl").write_text('{"handed": 0, "before": 3, "after": 3}\n')
    if gap:   # the fourth trial says a hand-out was lost before it
        path = directory / "history.jsonl"
        records = [json.loads(line) for line in path.read_text().splitlines()]
        records[3]["handed"], records[4]["handed"] = 4, 5
        path.write_text("".join(json.dumps(r) + "\n" for r in records))
    with pytest.raises(NasearchError, match="resume diverged at evaluation 3: the history has .* but the run "
                                            "proposes nothing; the code"):
        _run(nb201, directory, budget=5)
