"""Multi-fidelity search: successive halving over an objective's fidelities (nasearch.fidelity)."""
import numpy as np
import pytest

from nasearch import Search
from nasearch.errors import ConfigError
from nasearch.fidelity import ScheduleConfig, rungs_for
from nasearch.objective import CallableObjective
from nasearch.optimizers import RandomSearch
from nasearch.runs.history import read_trials
from nasearch.training import TrainingObjective


def test_rungs_are_eta_apart_down_to_the_lowest_fidelity():
    assert rungs_for([12, 200], ScheduleConfig(eta=3)) == (12.0, 200.0)
    assert rungs_for(list(range(1, 28)), ScheduleConfig(eta=3)) == (1.0, 3.0, 9.0, 27.0)
    assert rungs_for(list(range(1, 28)), ScheduleConfig(eta=3, min_fidelity=3)) == (3.0, 9.0, 27.0)
    assert rungs_for(list(range(1, 11)), ScheduleConfig(eta=2, max_fidelity=8)) == (1.0, 2.0, 4.0, 8.0)
    with pytest.raises(ConfigError, match="min_fidelity 5 is not a fidelity of the objective; choose one of 12, 200"):
        rungs_for([12, 200], ScheduleConfig(min_fidelity=5))
    with pytest.raises(ConfigError, match="lower eta or min_fidelity"):
        rungs_for([12, 200], ScheduleConfig(eta=17))
    with pytest.raises(ConfigError, match="eta must be >= 2"):
        ScheduleConfig(eta=1)


def _search(nb201, directory=None, budget=4000, optimizer="random", **options):
    return Search(nb201, optimizer=optimizer, budget=budget, seed=3, directory=directory,
                  schedule={"eta": 3, **options})


def test_a_tabular_schedule_promotes_the_best_third_and_spends_epochs(nb201):
    result = _search(nb201).run()
    trials = result.history
    low = [t for t in trials if t.fidelity == 12]
    full = [t for t in trials if t.fidelity == 200]
    assert len(low) > 2 * len(full) > 0
    # each job costs its epochs (NAS-Bench-201's 12-epoch run is a separate training), within budget
    assert all(t.cost == t.fidelity for t in trials)
    assert result.summary.spent == sum(t.cost for t in trials) <= 4000
    assert result.summary.spent > 4000 - 12 and result.summary.fidelity_unit == "epochs"
    # a 12-epoch result is its own value, the short schedule's, and has no test accuracy
    for t in low[:20]:
        assert t.value == nb201.query(nb201.from_string(t.arch), "cifar10-valid", "val", 12)
        assert t.report is None
    # a promotion was, when handed out, among the best floor(n/3) of the 12-epoch results told by then
    for t in full:
        seen = [x for x in trials[:t.told_before] if x.fidelity == 12]
        ranked = sorted(seen, key=lambda x: -x.value)[:len(seen) // 3]
        assert t.arch in {x.arch for x in ranked}
    assert len({t.arch for t in full}) == len(full) and len({t.arch for t in low}) == len(low)
    # only full-fidelity values become the incumbent
    best = max(t.value for t in full)
    assert result.best_value == best and result.summary.full_fidelity_queries == len(full)
    assert all(t.incumbent is None or t.incumbent in {x.value for x in full} for t in trials)


class Recording(RandomSearch):
    name = "recording"

    def tell(self, arch, value):
        super().tell(arch, value)
        self.told_values = getattr(self, "told_values", []) + [(self.space.to_string(arch), value)]


def test_the_optimizer_learns_from_the_lowest_rung_only(nb201):
    optimizer = Recording(nb201, None, np.random.default_rng(0))
    search = Search(nb201, optimizer=optimizer, budget=3000, seed=0, schedule={"eta": 3})
    trials = search.run().history
    assert optimizer.told_values == [(t.arch, t.value) for t in trials if t.fidelity == 12]


@pytest.mark.parametrize("cut", [7, 20, 33])
def test_a_killed_multi_fidelity_run_resumes_to_the_same_history(nb201, tmp_path, cut):
    whole = _search(nb201, optimizer="evolution").run().history
    directory = tmp_path / "run"
    _search(nb201, directory, optimizer="evolution").run()
    path = directory / "history.jsonl"
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[:cut]))
    resumed = _search(nb201, directory, optimizer="evolution").run().history
    key = lambda trials: [(t.arch, t.fidelity, t.cost, t.value, t.incumbent, t.handed) for t in trials]
    assert key(resumed) == key(whole) == key(read_trials(path))


def test_ask_tell_gives_each_job_its_fidelity_and_counts_epochs(nb201):
    search = Search(nb201, optimizer="random", budget=500, seed=1, schedule={"eta": 3})
    promoted = 0
    while not search.finished:
        archs = search.ask(2)
        if not archs:
            break
        for arch in archs:
            fidelity = search.fidelity_of(arch)
            promoted += fidelity == 200
            search.tell(arch, nb201.query(arch, "cifar10-valid", "val", int(fidelity)))
    assert promoted >= 1 and search.remaining < 12
    assert search.history.spent == sum(t.cost for t in search.history.trials) <= 500


def test_bad_schedules_are_one_line_errors(nb201):
    with pytest.raises(ConfigError, match="has a single fidelity"):
        Search(nb201, CallableObjective(lambda arch: 1.0), optimizer="random", budget=100,
               schedule={"eta": 3})
    with pytest.raises(ConfigError, match="searches one objective"):
        Search(nb201, optimizer="nsga2", budget=1000, objectives=["val", "-latency@edgegpu"],
               schedule={"eta": 3})
    with pytest.raises(ConfigError, match="etta"):
        Search(nb201, optimizer="random", budget=1000, schedule={"etta": 3})
    with pytest.raises(ConfigError, match=r"smaller than the 30 initial evaluations \(360 epochs\)"):
        Search(nb201, optimizer="evolution", budget=100, schedule={"eta": 3})


def _few_digits():
    """300 training and 100 validation digits: enough to train, fast enough for a test."""
    from nasearch.training import digits_split

    x_train, y_train, x_val, y_val = digits_split(0.3, 0)
    return x_train[:300], y_train[:300], x_val[:100], y_val[:100]


def test_a_stopped_training_continues_exactly_where_it_stopped(nb201):
    arch = nb201.sample(np.random.default_rng(3))
    config = {"epochs": 3, "channels": 4}
    straight = TrainingObjective(nb201, config, _few_digits()).evaluate(arch)
    objective = TrainingObjective(nb201, config, _few_digits())
    stopped = objective.evaluate_at(arch, 1)
    continued = objective.evaluate_at(arch, 3)
    assert stopped["val_by_epoch"] == straight["val_by_epoch"][:1] and stopped["epochs"] == 1
    assert continued["val_by_epoch"] == straight["val_by_epoch"] and continued["train"] == straight["train"]
    assert len(straight["val_by_epoch"]) == 3 and straight["val"] == straight["val_by_epoch"][-1]
    with pytest.raises(ConfigError, match="whole number of epochs in 1..3"):
        objective.evaluate_at(arch, 4)


def test_a_training_search_stops_bad_networks_and_charges_only_new_epochs(nb201):
    objective = TrainingObjective(nb201, {"epochs": 4, "channels": 4}, _few_digits())
    result = Search(nb201, objective, optimizer="random", budget=14, seed=0, schedule={"eta": 2}).run()
    trials = result.history
    assert {t.fidelity for t in trials} == {1.0, 2.0, 4.0} and all(t.ok for t in trials)
    # a promotion continues the stopped training: it costs the epochs it adds
    assert all(t.cost == {1.0: 1.0, 2.0: 1.0, 4.0: 2.0}[t.fidelity] for t in trials)
    assert all(len(t.metrics["val_by_epoch"]) == t.fidelity for t in trials)
    assert result.best_value == max(t.value for t in trials if t.fidelity == 4)


def test_promotions_in_flight_when_a_run_stops_are_handed_out_again_first(nb201, tmp_path):
    value = lambda arch, fidelity: nb201.query(arch, "cifar10-valid", "val", int(fidelity))
    search = _search(nb201, tmp_path, budget=3000)
    in_flight = []
    while not any(fidelity == 200 for _, fidelity in in_flight):
        for arch in search.ask(3):
            in_flight.append((arch, search.fidelity_of(arch)))
        arch, fidelity = in_flight.pop(0)   # one result back, the rest still out
        search.tell(arch, value(arch, fidelity))
    resumed = _search(nb201, tmp_path, budget=3000)
    again = resumed.ask(len(in_flight))
    assert sorted((nb201.to_string(a), resumed.fidelity_of(a)) for a in again) == \
        sorted((nb201.to_string(a), f) for a, f in in_flight)


@pytest.mark.parametrize("old_run", [False, True], ids=["requeues recorded", "recorded before requeues"])
def test_lost_promotions_and_new_jobs_are_requeued_promotions_first_and_resume_exactly(nb201, tmp_path, old_run):
    value = lambda arch, fidelity: nb201.query(arch, "cifar10-valid", "val", int(fidelity))
    first = _search(nb201, tmp_path, budget=3000)
    in_flight = []
    while not (any(f > 12 for _, f in in_flight) and any(f == 12 for _, f in in_flight)):
        in_flight += [(arch, first.fidelity_of(arch)) for arch in first.ask(2)]
        arch, fidelity = in_flight.pop(0)   # one result back, the other still out
        first.tell(arch, value(arch, fidelity))
    newest = first.ask(1)[0]                 # told after the lost ones were handed out
    first.tell(newest, value(newest, first.fidelity_of(newest)))
    second = _search(nb201, tmp_path, budget=3000)
    again = [(arch, second.fidelity_of(arch)) for arch in second.ask(len(in_flight))]
    promotions = [job for job in in_flight if job[1] > 12]
    assert [f for _, f in again] == [f for _, f in promotions] + [12] * (len(in_flight) - len(promotions))
    assert sorted(nb201.to_string(a) for a, _ in again) == sorted(nb201.to_string(a) for a, _ in in_flight)
    for arch, fidelity in again + [(a, second.fidelity_of(a)) for a in second.ask(2)]:
        second.tell(arch, value(arch, fidelity))
    if old_run:   # a run recorded before requeues.jsonl: the replay infers where the resume requeued
        (tmp_path / "requeues.jsonl").unlink()
        second.requeues.recorded, second.requeues.made = (), 0
    third = _search(nb201, tmp_path, budget=3000)
    assert [t.to_json() for t in third.history.trials] == [t.to_json() for t in second.history.trials]
    assert third.ask(4) == second.ask(4)


def test_the_multi_fidelity_config_runs_from_the_cli_and_plots_against_epochs(nb201_path, tmp_path, capsys):
    import json

    from nasearch.cli import main
    from nasearch.plots import incumbent_plot
    from nasearch.runs.history import read_summary

    from conftest import REPO

    out = tmp_path / "run"
    config = REPO / "experiments" / "search" / "nb201_cifar10_multi_fidelity.yaml"
    assert main(["search", "--config", str(config), "--data", str(nb201_path), "--set", "budget=2500",
                 "--out", str(out)]) == 0
    out_text = capsys.readouterr().out
    shown = json.loads(out_text[out_text.index("{"):out_text.index("run directory:")])
    assert shown["fidelity_unit"] == "epochs" and 2500 - 12 < shown["spent"] <= 2500
    summary, trials = read_summary(out), read_trials(out / "history.jsonl")
    assert summary.full_fidelity_queries == sum(t.fidelity == 200 for t in trials) == shown["full_fidelity_queries"]
    axis = incumbent_plot(tmp_path / "plot.png", trials, summary).axes[0]
    assert axis.get_xlabel() == "epochs spent"
    assert any("stopped early" in text.get_text() for text in axis.get_legend().get_texts())
    assert axis.get_xlim()[1] >= summary.spent * 0.95
    # the run listing counts the epochs spent, and knows the run finished
    assert main(["runs", str(out)]) == 0
    listing = capsys.readouterr().out
    assert f"{summary.spent:g}/2500" in listing and "finished" in listing
    import yaml

    comparison = tmp_path / "compare.yaml"
    comparison.write_text(yaml.safe_dump({"space": "nasbench201", "schedule": {"eta": 3}, "budget": 1000,
                                          "seeds": 2, "optimizers": [{"name": "random"}]}))
    assert main(["compare", "--config", str(comparison), "--out", str(tmp_path / "cmp")]) == 2
    assert "compare counts evaluations" in capsys.readouterr().err


def test_emprox_nao_fits_the_full_fidelity_results_once_it_has_enough(nb201):
    search = Search(nb201, optimizer="emprox_nao", budget=3000, seed=0, schedule={"eta": 3},
                    options={"n_init": 4, "batch_size": 4, "n_seeds": 4, "candidates": 8})
    trials = search.run().history
    full = [t for t in trials if t.fidelity == 200]
    assert len(full) >= 4 and search.optimizer.stats["fit_fidelity"] == 200
    # the guide fits the 200-epoch values and nothing else: one fidelity, never mixed
    fitted = sorted(zip(map(nb201.to_string, search.optimizer.guide.archs), search.optimizer.guide.values))
    assert fitted == sorted((t.arch, t.value) for t in full)
    # while the lowest rung stays what it was told
    assert search.optimizer.known_values == [t.value for t in trials if t.fidelity == 12]
