"""The Search facade: objective calls, ask/tell with pending architectures, failures, resume."""
import dataclasses
import math
import time

import numpy as np
import pytest

from nasearch import CallableObjective, Search, TabularObjective
from nasearch.errors import ConfigError, DataError, NasearchError


class Counting:
    """A callable objective over NAS-Bench-201 that records every architecture it scores."""

    def __init__(self, space, fail=()):
        self.space, self.fail, self.calls = space, set(fail), []

    def __call__(self, arch):
        self.calls.append(self.space.arch_id(arch))
        if len(self.calls) in self.fail:
            raise RuntimeError("training diverged")
        return {"value": self.space.query(arch, "cifar10-valid"), "test": self.space.query(arch, "cifar10-valid", "test")}


@pytest.mark.parametrize("optimizer", ["emprox_nao", "evolution", "random", "local_search", "nao"])
def test_the_objective_is_called_once_per_evaluated_architecture(nb201, optimizer):
    objective = Counting(nb201)
    options = {"epochs": 3} if optimizer == "nao" else {"population": 10} if optimizer == "evolution" else {}
    result = Search(nb201, objective, optimizer, budget=30, seed=0, options=options).run()
    assert len(objective.calls) == 30 == len(set(objective.calls))
    assert [nb201.arch_id(nb201.from_string(r.arch)) for r in result.history] == objective.calls
    assert result.best_value == max(r.value for r in result.history)
    assert nb201.to_string(result.best_arch) == max(result.history, key=lambda r: r.value).arch


def test_tabular_objective_returns_every_metric_in_one_call(nb201, monkeypatch):
    objective = TabularObjective(nb201, "cifar100")
    assert objective.metric == "val" and objective.report_metric == "test" and objective.epochs == 200
    evaluated = []
    original = TabularObjective.evaluate
    monkeypatch.setattr(TabularObjective, "evaluate", lambda self, arch: evaluated.append(arch) or original(self, arch))
    result = Search(nb201, objective, "random", budget=12, seed=1).run()
    assert len(evaluated) == 12
    record = result.history[0]
    assert set(record.metrics) == {"val", "test"} and record.report == record.metrics["test"]
    assert result.summary.optimum == pytest.approx(73.4933)


def test_ask_tracks_pending_architectures_and_the_budget(nb201):
    search = Search(nb201, Counting(nb201), "emprox_nao", budget=25, seed=0)
    first = search.ask(10)
    assert len({nb201.arch_id(a) for a in first}) == 10 and len(search.pending) == 10
    second = search.ask(10)
    assert not {nb201.arch_id(a) for a in first} & {nb201.arch_id(a) for a in second}
    assert len(search.ask(10)) == 5 and search.ask(3) == [] and search.remaining == 0
    for arch in first[::-1]:   # any order
        search.tell(arch, nb201.query(arch, "cifar10-valid"))
    with pytest.raises(ConfigError, match="not pending"):
        search.tell(first[0], 90.0)
    assert search.told == 10 and len(search.pending) == 15


def test_failures_are_recorded_counted_and_never_reach_a_predictor(nb201):
    objective = Counting(nb201, fail={3, 12, 20})
    search = Search(nb201, objective, "evolution", budget=40, seed=1, options={"population": 10, "screen": 5})
    search_nan = Search(nb201, lambda a: math.nan, "random", budget=5, seed=0)
    result = search.run()
    statuses = [r.status for r in result.history]
    assert statuses.count("failed") == 3 and len(statuses) == 40
    failed = [r for r in result.history if r.status == "failed"]
    assert all(r.value is None and "training diverged" in r.error for r in failed)
    assert len(search.optimizer.known_values) == 37 and np.all(np.isfinite(search.optimizer.known_values))
    assert result.summary.failed == 3
    nan = search_nan.run()
    assert [r.status for r in nan.history] == ["failed"] * 5 and nan.best_value is None


def test_a_slow_evaluation_times_out(nb201):
    def slow(arch):
        time.sleep(5)
        return 1.0
    start = time.perf_counter()
    result = Search(nb201, slow, "random", budget=2, seed=0, timeout=0.2).run()
    assert time.perf_counter() - start < 3
    assert [r.status for r in result.history] == ["timeout", "timeout"]


def test_a_dict_without_the_objective_metric_is_a_clear_error(nb201):
    with pytest.raises(ConfigError, match="without 'value'"):
        Search(nb201, CallableObjective(lambda a: {"acc": 1.0}), "random", budget=3).run()


def test_history_and_resume_through_the_facade(nb201, tmp_path):
    full = Search(nb201, Counting(nb201), "emprox_nao", budget=30, seed=1).run()
    directory = tmp_path / "run"
    partial = Search(nb201, Counting(nb201), "emprox_nao", budget=30, seed=1, directory=directory)
    for _ in range(13):
        arch = partial.ask(1)[0]
        partial.tell(arch, Counting(nb201)(arch))
    resumed_objective = Counting(nb201)
    resumed = Search(nb201, resumed_objective, "emprox_nao", budget=30, seed=1, directory=directory)
    assert resumed.told == 13
    result = resumed.run()
    assert len(resumed_objective.calls) == 17   # only the missing evaluations
    strip = lambda trials: [dataclasses.replace(t, wall=0.0, seconds=0.0) for t in trials]
    assert strip(result.history) == strip(full.history)
    assert (directory / "summary.json").is_file() and (directory / "incumbent.png").is_file()


def test_budget_larger_than_the_space_is_refused(nb201):
    with pytest.raises(ConfigError, match="exceeds"):
        Search(nb201, Counting(nb201), "random", budget=20000)


def test_two_local_workers_record_results_as_they_arrive(nb201, tmp_path):
    from parallel_objectives import TableWithDelay

    result = Search(nb201, TableWithDelay(0.05), "random", budget=16, seed=0, workers=2).run()
    archs = [r.arch for r in result.history]
    assert len(archs) == 16 == len(set(archs)) and all(r.status == "ok" for r in result.history)
    overlapping = [r for r in result.history if r.told_before < r.query]
    assert overlapping, "with two workers some architecture must be handed out before earlier ones finish"


def test_a_dying_worker_costs_only_its_own_evaluation(nb201, tmp_path):
    from parallel_objectives import TableWithDelay

    reference = Search(nb201, TableWithDelay(0.0), "random", budget=12, seed=3).run()
    victims = {nb201.code(nb201.from_string(r.arch)) for r in reference.history[2:4]}
    directory = tmp_path / "run"
    result = Search(nb201, TableWithDelay(0.0, victims), "random", budget=12, seed=3, workers=2,
                    directory=directory).run()
    died = [r for r in result.history if r.status == "failed"]
    assert len(died) == 2 and all("worker process died" in r.error for r in died)
    assert sum(r.status == "ok" for r in result.history) == 10
    # the parallel history resumes exactly: cut it, resume with the same settings
    lines = (directory / "history.jsonl").read_text().splitlines(keepends=True)
    (directory / "history.jsonl").write_text("".join(lines[:7]))
    resumed = Search(nb201, TableWithDelay(0.0, victims), "random", budget=12, seed=3, workers=2,
                     directory=directory)
    assert [r.arch for r in resumed.history.trials] == [r.arch for r in result.history[:7]]
    final = resumed.run()
    assert len(final.history) == 12 and len({r.arch for r in final.history}) == 12


def test_an_objective_that_cannot_reach_workers_is_a_clear_error(nb201):
    with pytest.raises(ConfigError, match="define it at module level"):
        Search(nb201, lambda arch: 1.0, "random", budget=4, workers=2).run()


def test_out_of_order_tells_and_an_arch_in_flight_resume_exactly(nb201, tmp_path):
    def drive(search, stop_after):
        script = []
        while not search.finished and len(script) < stop_after:
            batch = search.ask(3)
            for arch in batch[::-1][:2]:   # tell two of three, newest first; the third stays in flight
                search.tell(arch, nb201.query(arch, "cifar10-valid"))
                script.append(nb201.to_string(arch))
            for arch in batch[::-1][2:]:
                search.tell(arch, nb201.query(arch, "cifar10-valid"))
                script.append(nb201.to_string(arch))
        return script

    directory = tmp_path / "run"
    first = Search(nb201, None, "evolution", budget=30, seed=1, directory=directory, options={"population": 8})
    drive(first, 10)
    in_flight = first.ask(2)
    first.tell(in_flight[1], nb201.query(in_flight[1], "cifar10-valid"))   # in_flight[0] never told
    resumed = Search(nb201, None, "evolution", budget=30, seed=1, directory=directory, options={"population": 8})
    assert resumed.told == first.told
    assert resumed.ask(1)[0] == in_flight[0], "the architecture in flight is handed out again first"
    assert resumed.ask(4) == first.ask(4), "the replayed optimizer continues exactly like the original"


def _tell(nb201, search, archs):
    for arch in archs:
        search.tell(arch, nb201.query(arch, "cifar10-valid"))


@pytest.mark.parametrize("old_run", [False, True], ids=["requeues recorded", "recorded before requeues"])
def test_jobs_lost_at_stops_are_handed_out_again_first_and_resume_exactly(nb201, tmp_path, old_run):
    directory = tmp_path / "run"

    def search():
        return Search(nb201, None, "evolution", budget=40, seed=1, directory=directory, options={"population": 8})

    first = search()
    for _ in range(3):
        _tell(nb201, first, first.ask(3)[::-1])
    lost = first.ask(4)
    _tell(nb201, first, lost[1::2])                # lost[0] and lost[2] are in flight when the run stops
    second = search()
    again = second.ask(3)
    assert again[:2] == [lost[0], lost[2]], "the evaluations in flight are handed out again first"
    _tell(nb201, second, again[1:])                # lost[0] is in flight at the second stop too
    if old_run:   # a run recorded before requeues.jsonl: the replay infers where the resume requeued
        (directory / "requeues.jsonl").unlink()
        second.requeues.recorded, second.requeues.made = (), 0
    third = search()
    assert [t.to_json() for t in third.history.trials] == [t.to_json() for t in second.history.trials]
    assert third.ask(1)[0] == lost[0]
    second.requeue([lost[0]])                       # what the third search did when it resumed
    assert second.ask(1)[0] == lost[0]
    assert third.ask(5) == second.ask(5), "the replayed optimizer continues exactly like the original"


def test_a_run_that_stopped_with_its_last_hand_out_in_flight_resumes_exactly(nb201, tmp_path):
    directory = tmp_path / "run"

    def search():
        return Search(nb201, None, "random", budget=30, seed=2, directory=directory)

    first = search()
    _tell(nb201, first, first.ask(4))
    last = first.ask(1)                             # in flight when the run stops, nothing after it
    second = search()
    assert second.ask(1) == last
    _tell(nb201, second, last + second.ask(2))
    (directory / "requeues.jsonl").unlink(missing_ok=True)   # as a run recorded before requeues.jsonl
    second.requeues.recorded, second.requeues.made = (), 0
    third = search()
    assert [t.to_json() for t in third.history.trials] == [t.to_json() for t in second.history.trials]
    assert third.ask(3) == second.ask(3)


def test_a_requeued_evaluation_is_handed_out_again_and_a_damaged_requeue_line_stops_the_resume(nb201, tmp_path):
    directory = tmp_path / "run"

    def search():
        return Search(nb201, None, "random", budget=20, seed=3, directory=directory)

    first = search()
    batch = first.ask(3)
    first.requeue([batch[1]])                       # its worker was lost: hand it out again
    with pytest.raises(ConfigError, match="not pending"):
        first.requeue([batch[1]])
    _tell(nb201, first, [batch[0]])
    assert first.ask(1) == [batch[1]] and first.remaining == 20 - 1 - 2
    _tell(nb201, first, [batch[2], batch[1]])
    resumed = search()
    assert [t.arch for t in resumed.history.trials] == [t.arch for t in first.history.trials]
    assert resumed.ask(4) == first.ask(4)
    path = directory / "requeues.jsonl"
    path.write_text(path.read_text().replace('"handed": 3', '"handed": 1'))
    with pytest.raises(DataError, match="requeues.jsonl line 1.*restore it"):
        search()


def test_an_optimizer_that_only_repeats_itself_stops_with_one_line(nb201):
    from nasearch.optimizers.base import Optimizer, Proposal

    @dataclasses.dataclass(frozen=True)
    class NoOptions:
        pass

    class Repeats(Optimizer):
        """Proposes the same architecture forever: after its first evaluation, nothing new."""

        name, Config = "repeats", NoOptions

        def ask(self, count):
            return [Proposal(self.space.from_string(
                "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|"))]

    with pytest.raises(NasearchError, match="proposed nothing new for 20 rounds after 1 evaluations; every "
                                             "proposal was an architecture it already knew"):
        Search(nb201, None, Repeats(nb201, None, np.random.default_rng(0)), budget=5).run()
