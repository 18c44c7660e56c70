"""Hardware-aware search: HW-NAS-Bench costs as metrics, constraints, and Pareto fronts."""
import csv

import shutil

import numpy as np
import pytest

from nasearch import Search
from nasearch.cli import main
from nasearch.errors import ConfigError, MissingValueError, UnknownNameError
from nasearch.goal import Constraint, Goal
from nasearch.objective import CallableObjective, TabularObjective
from nasearch.pareto import FrontScale, non_dominated

DATASET = "cifar10-valid"
LATENCY = "latency@edgegpu"


def latency_quartile(space) -> float:
    return float(np.percentile(space.values(DATASET, LATENCY), 25))


def sweep_front(points: np.ndarray) -> np.ndarray:
    """Non-dominated rows of a 2-objective ``points`` (maximised), by a sort-and-sweep."""
    order = np.lexsort((-points[:, 1], -points[:, 0]))   # by the first objective, then the second
    front, best_second = [], -np.inf
    for i in order:
        if points[i, 1] > best_second or (front and np.array_equal(points[i], front[-1])):
            front.append(points[i])
            best_second = max(best_second, points[i, 1])
    return np.array(front)


def brute_force_front(points: np.ndarray) -> np.ndarray:
    """Non-dominated rows of ``points`` (maximised), by direct comparison."""
    keep = [i for i, p in enumerate(points)
            if not np.any(np.all(points >= p, axis=1) & np.any(points > p, axis=1))]
    return points[keep]


# ------------------------------------------------------------------ costs as metrics
def test_costs_come_with_accuracy_in_one_call_and_missing_costs_are_not_numbers(nb201):
    assert {LATENCY, "energy@fpga", "latency@edgetpu"} <= set(nb201.cost_metrics(DATASET))
    objective = TabularObjective(nb201, DATASET)
    objective.require(["val", LATENCY, "energy@fpga", "latency@edgetpu"])
    edgetpu = nb201.values(DATASET, "latency@edgetpu")
    assert np.isnan(edgetpu).sum() == 4699          # HW-NAS-Bench's -1 cells
    archs = list(nb201.enumerate())
    measured, unmeasured = archs[int(np.argmax(np.isfinite(edgetpu)))], archs[int(np.argmax(np.isnan(edgetpu)))]
    metrics = objective.evaluate(measured)
    assert set(metrics) == {"val", "test", LATENCY, "energy@fpga", "latency@edgetpu"}
    assert metrics[LATENCY] == pytest.approx(nb201.values(DATASET, LATENCY)[nb201.code(measured)])
    assert metrics["latency@edgetpu"] > 0
    assert objective.evaluate(unmeasured)["latency@edgetpu"] is None
    with pytest.raises(MissingValueError, match="not measured"):
        nb201.query(unmeasured, DATASET, "latency@edgetpu")
    # cifar10-valid and cifar10 share the CIFAR-10 network's costs; ImageNet16-120 has its own
    assert nb201.query(measured, "cifar10", LATENCY) == metrics[LATENCY]
    assert nb201.query(measured, "ImageNet16-120", LATENCY) != metrics[LATENCY]


def test_unknown_device_or_metric_is_one_line_listing_valid_names(nb201, capsys):
    with pytest.raises(UnknownNameError, match="latency@edgegpu.*energy@fpga"):
        Search(nb201, TabularObjective(nb201, DATASET), "random", 10, constraints={"latency@tpu9": "<= 3"})
    assert main(["search", "--set", "objectives=[val, -energy@gpu]", "--quiet"]) == 2
    error = capsys.readouterr().err.strip()
    assert "\n" not in error and "'energy@gpu'" in error and "energy@edgegpu" in error


def test_info_and_query_show_costs(capsys):
    assert main(["info", "--space", "nasbench201", "--dataset", DATASET]) == 0
    out = capsys.readouterr().out
    assert "latency@edgegpu" in out and "p25    4.1375" in out and "not measured for 4,699 cells" in out
    assert main(["query", "--space", "nasbench201", "--arch",
                 "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|"]) == 0
    out = capsys.readouterr().out
    assert "latency@fpga:" in out and "energy@edgegpu:" in out


@pytest.mark.parametrize("text, problem", [(5, "no comparison"), ("5 ms", "not a comparison"),
                                           ("<= fast", "not a comparison"), ("=< 5", "not a comparison")])
def test_bad_constraints_are_rejected(text, problem):
    with pytest.raises(ConfigError, match=problem):
        Constraint.parse(LATENCY, text)


def test_goal_parsing_and_feasibility():
    goal = Goal.build(["val", "-latency@edgegpu"], {"energy@fpga": "< 20"}, "val")
    assert goal.multi and goal.metrics == ["val", LATENCY, "energy@fpga"]
    assert list(goal.vector({"val": 90.0, LATENCY: 3.0})) == [90.0, -3.0]
    assert goal.vector({"val": 90.0, LATENCY: None}) is None
    assert goal.feasible({"energy@fpga": 19.9}) and not goal.feasible({"energy@fpga": 20.0})
    assert not goal.feasible({"energy@fpga": None})
    assert not goal.admissible({"energy@fpga": 25.0}) and goal.admissible({"energy@fpga": 5.0, LATENCY: 1.0})
    assert not goal.admissible({LATENCY: None})     # a missing term value can never sit on the front
    with pytest.raises(ConfigError, match="twice"):
        Goal.build(["val", "-val"], None, "val")


# ------------------------------------------------------------------ constrained search
@pytest.mark.parametrize("optimizer, options", [
    ("emprox_nao", {"n_init": 10, "batch_size": 5, "candidates": 10}), ("evolution", {"population": 10}),
    ("evolution", {"population": 10, "screen": 5}), ("random", {}), ("local_search", {"n_init": 5}),
    ("nsga2", {"population": 10})])
def test_every_optimizer_searches_only_feasible_cells_under_a_known_cost(nb201, optimizer, options):
    bound = latency_quartile(nb201)
    search = Search(nb201, TabularObjective(nb201, DATASET), optimizer, 40, seed=1, options=options,
                    constraints={LATENCY: f"<= {bound}"})
    result = search.run()
    latencies = [r.metrics[LATENCY] for r in result.history]
    assert len(latencies) == 40 and max(latencies) <= bound
    assert all(r.feasible for r in result.history)
    summary = result.summary
    assert summary.infeasible_queries == 0
    # the optimum under the constraint, computed here from the tables directly
    feasible = nb201.values(DATASET, LATENCY) <= bound
    assert summary.optimum == pytest.approx(nb201.values(DATASET, "val")[feasible].max())
    assert summary.optimum < nb201.optimum(DATASET, "val")
    assert summary.best_value == max(r.value for r in result.history) <= summary.optimum
    assert summary.feasible_fraction == pytest.approx(feasible.mean())


def test_emprox_nao_rejects_decodes_that_break_the_constraint_before_any_query(nb201):
    bound = float(np.percentile(nb201.values(DATASET, LATENCY), 10))
    search = Search(nb201, TabularObjective(nb201, DATASET), "emprox_nao", 40, seed=0,
                    options={"n_init": 10, "batch_size": 5, "candidates": 10, "sources": {"ascent": {}}},
                    constraints={LATENCY: f"<= {bound}"})
    result = search.run()
    assert search.optimizer.stats["rejected_decodes"] > 0
    assert all(r.metrics[LATENCY] <= bound for r in result.history)


def test_a_cost_known_only_after_evaluation_counts_infeasible_queries(nb201):
    latency = nb201.values(DATASET, LATENCY)
    accuracy = nb201.values(DATASET, "val")

    def measure(arch):   # a "real" measurement: the search learns the latency only by evaluating
        return {"val": accuracy[nb201.code(arch)], "latency": latency[nb201.code(arch)]}

    bound = latency_quartile(nb201)
    result = Search(nb201, CallableObjective(measure, metric="val"), "evolution", 60, seed=0,
                    options={"population": 10}, constraints={"latency": f"<= {bound}"}).run()
    infeasible = [r for r in result.history if not r.feasible]
    assert result.summary.infeasible_queries == len(infeasible) > 0
    best_feasible = max(r.value for r in result.history if r.feasible)
    assert result.summary.best_value == best_feasible
    assert result.history[-1].incumbent == best_feasible
    assert result.summary.optimum is None      # no table: the constrained optimum is unknown


def test_an_impossible_constraint_fails_before_searching(nb201):
    with pytest.raises(ConfigError, match="no architecture satisfies"):
        Search(nb201, TabularObjective(nb201, DATASET), "random", 10, constraints={LATENCY: "< 0.01"})


# ------------------------------------------------------------------ Pareto fronts
def test_hypervolume_in_the_normalised_frame():
    front = np.array([[1.0, 0.0], [0.0, 1.0]])
    scale = FrontScale.of(front)
    # normalised: (0, 1) and (1, 0); reference 1.1: 1.1·0.1 + 0.1·1.1 − 0.1·0.1
    assert scale.hypervolume(front) == pytest.approx(0.21)
    assert scale.hypervolume(front[:1]) == pytest.approx(0.11)
    assert scale.hypervolume(np.array([[-1.0, -1.0]])) == 0.0     # beyond the reference point
    assert scale.improvement(front[:1], front[1]) == pytest.approx(0.10)
    assert non_dominated(np.array([[1, 1], [0, 0], [1, 1], [2, 0]])).tolist() == [True, False, True, True]


@pytest.mark.parametrize("optimizer", ["emprox_nao", "nsga2", "random"])
def test_multi_objective_search_tracks_the_front_and_its_hypervolume(nb201, optimizer, tmp_path):
    options = {"emprox_nao": {"n_init": 10, "batch_size": 5, "candidates": 10},
               "nsga2": {"population": 10}, "random": {}}[optimizer]
    search = Search(nb201, TabularObjective(nb201, DATASET), optimizer, 60, seed=1, options=options,
                    directory=tmp_path, objectives=["val", f"-{LATENCY}"])
    result = search.run()
    points = np.array([[r.metrics["val"], -r.metrics[LATENCY]] for r in result.history])
    expected = {tuple(p) for p in brute_force_front(points)}
    assert expected == {tuple(p) for p in sweep_front(points)}
    summary = result.summary
    assert {(m["val"], -m[LATENCY]) for m in summary.front} == expected
    # the true front from the tables, independently
    table = np.column_stack([nb201.values(DATASET, "val"), -nb201.values(DATASET, LATENCY)])
    true_front = np.unique(sweep_front(table), axis=0)
    assert summary.true_front_size == len(true_front)
    ratios = [r.hypervolume_ratio for r in result.history if r.hypervolume_ratio is not None]
    assert np.all(np.diff(ratios) >= -1e-12) and ratios[-1] <= 1.0
    if optimizer != "random":   # measured at seed 1: EmProx-NAO 0.987, NSGA-II 0.985, random search 0.963
        random = Search(nb201, TabularObjective(nb201, DATASET), "random", 60, seed=1,
                        objectives=["val", f"-{LATENCY}"]).run()
        assert ratios[-1] > random.summary.hypervolume_ratio
    scale = FrontScale.of(true_front)
    assert ratios[-1] == pytest.approx(scale.hypervolume(points) / scale.hypervolume(true_front), abs=1e-6)
    with open(tmp_path / "pareto.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(summary.front) and set(rows[0]) == {"arch", "val", LATENCY, "on_true_front"}
    assert (tmp_path / "pareto.png").stat().st_size > 10_000


def test_emprox_nao_beats_random_on_the_front_early(nb201):
    """With costs exact and accuracy from the soft kNN, EmProx-NAO's front after 60 evaluations
    is better than random search's on average over seeds (same initial budget)."""
    def ratio(optimizer, seed):
        options = {"n_init": 10, "batch_size": 5, "candidates": 10} if optimizer == "emprox_nao" else {}
        return Search(nb201, TabularObjective(nb201, "cifar100"), optimizer, 60, seed=seed, options=options,
                      objectives=["val", "-energy@fpga"]).run().summary.hypervolume_ratio
    # seeds 0 and 1: the autoencoders other tests pretrain anyway (one pretraining per seed)
    emprox = [ratio("emprox_nao", seed) for seed in range(2)]
    random = [ratio("random", seed) for seed in range(2)]
    assert np.mean(emprox) > np.mean(random)


@pytest.mark.parametrize("optimizer, options", [("nsga2", {"population": 8}),
                                               ("emprox_nao", {"n_init": 10, "batch_size": 5, "candidates": 10})])
def test_multi_objective_resume_replays_the_same_front(nb201, tmp_path, optimizer, options):
    def search(budget, directory):
        return Search(nb201, TabularObjective(nb201, DATASET), optimizer, budget, seed=1, directory=directory,
                      options=options, objectives=["val", f"-{LATENCY}"])
    whole = search(30, tmp_path / "whole").run()
    part = tmp_path / "part"   # the same run, killed after 17 evaluations
    shutil.copytree(tmp_path / "whole", part)
    (part / "history.jsonl").write_text("".join((part / "history.jsonl").read_text().splitlines(True)[:17]))
    resumed = search(30, part).run()
    assert [r.arch for r in resumed.history] == [r.arch for r in whole.history]
    assert resumed.summary.front == whole.summary.front
    assert resumed.summary.hypervolume_ratio == whole.summary.hypervolume_ratio


def test_several_objectives_need_a_multi_objective_optimizer(nb201):
    with pytest.raises(ConfigError, match="emprox_nao, nsga2, random"):
        Search(nb201, TabularObjective(nb201, DATASET), "evolution", 40, objectives=["val", f"-{LATENCY}"])


def test_compare_reports_hypervolume_ratios_with_paired_differences(tmp_path, capsys):
    config = tmp_path / "hw.yaml"
    config.write_text(f"""space: nasbench201
dataset: {DATASET}
objectives: [val, -{LATENCY}]
budget: 40
seeds: 3
workers: 1
output: {tmp_path / 'out'}
optimizers:
  - {{name: nsga2, options: {{population: 10}}}}
  - {{name: random}}
""")
    assert main(["compare", "--config", str(config), "--quiet"]) == 0
    table = (tmp_path / "out" / "compare.md").read_text()
    assert "hypervolume" in table and "nsga2 − random (paired ± s.e.)" in table
    with open(tmp_path / "out" / "hypervolume.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 2 * 3 * 40
    assert all(0.0 < float(r["hypervolume_ratio"]) <= 1.0 for r in rows if r["hypervolume_ratio"])
    assert (tmp_path / "out" / "compare.png").is_file()


def test_emprox_nao_predicts_a_cost_it_cannot_look_up_with_a_second_surrogate(nb201):
    latency = nb201.values(DATASET, LATENCY)
    accuracy = nb201.values(DATASET, "val")

    def measure(arch):   # both metrics come only from evaluating
        return {"val": accuracy[nb201.code(arch)], "latency": latency[nb201.code(arch)]}

    search = Search(nb201, CallableObjective(measure, metric="val"), "emprox_nao", 40, seed=0,
                    options={"n_init": 10, "batch_size": 5, "candidates": 10}, objectives=["val", "-latency"])
    result = search.run()
    guide = search.optimizer.guide
    assert guide.free == [] and set(guide.predictors) == {0, 1}
    # exact on the known set, up to cells the GIN cannot tell apart: told cells with the same graph (dead
    # operations dropped) share one embedding, and the kNN returns their mean latency
    known = search.optimizer.known_archs
    graph_mean = [np.mean([latency[nb201.code(b)] for b in known if nb201.graph(b) == nb201.graph(a)]) for a in known[:3]]
    assert guide.predictors[1].predict(known[:3])[0] == pytest.approx([-value for value in graph_mean])
    points = np.array([[r.metrics["val"], -r.metrics["latency"]] for r in result.history])
    assert {(m["val"], -m["latency"]) for m in result.summary.front} == {tuple(p) for p in brute_force_front(points)}
    assert result.summary.hypervolume_ratio is None   # no table behind a callable: the true front is unknown


def test_objectives_and_constraints_together(nb201):
    search = Search(nb201, TabularObjective(nb201, DATASET), "nsga2", 40, seed=0, options={"population": 10},
                    objectives=["val", f"-{LATENCY}"], constraints={"energy@fpga": "<= 20"})
    result = search.run()
    assert all(r.metrics["energy@fpga"] <= 20 for r in result.history)
    feasible = nb201.values(DATASET, "energy@fpga") <= 20
    table = np.column_stack([nb201.values(DATASET, "val"), -nb201.values(DATASET, LATENCY)])[feasible]
    assert result.summary.true_front_size == len(np.unique(sweep_front(table), axis=0))
    assert 0 < result.summary.hypervolume_ratio <= 1


def test_selecting_on_test_data_through_objectives_needs_the_explicit_flag(nb201):
    with pytest.raises(ConfigError, match="allow_test_objective"):
        Search(nb201, TabularObjective(nb201, DATASET), "random", 10, objectives=["test", f"-{LATENCY}"])
    with pytest.raises(ConfigError, match="allow_test_objective"):
        Search(nb201, TabularObjective(nb201, DATASET), "random", 10, constraints={"test": ">= 90"})
    allowed = TabularObjective(nb201, DATASET, allow_test_objective=True)
    assert Search(nb201, allowed, "random", 10, objectives=["test", f"-{LATENCY}"]).run().summary.front_size >= 1
