"""The figures show every point, their units and intervals, and what the run was subject to."""
import numpy as np

from nasearch import Search
from nasearch.goal import Goal
from nasearch.plots import compare_plot, incumbent_plot, pareto_plot, scatter_plot


def _legend(figure) -> list:
    return [text.get_text() for text in figure.axes[0].get_legend().get_texts()]


def test_incumbent_plot_counts_points_below_its_range_and_names_units_and_constraints(nb201, tmp_path):
    result = Search(nb201, None, "random", budget=60, seed=0,
                    constraints={"latency@pixel3": "<= 6.9"}).run()
    figure = incumbent_plot(tmp_path / "incumbent.png", result.history, result.summary)
    axis = figure.axes[0]
    values = np.array([t.value for t in result.history if t.value is not None])
    below = int((values < axis.get_ylim()[0]).sum())
    assert below > 0, "random NB201 cells include 10% ones, below the readable range"
    assert any(f"{below} below the axis" in text for text in _legend(figure))
    assert axis.get_ylabel().endswith("(%)")
    assert "subject to latency@pixel3 <= 6.9" in axis.get_title()


def test_compare_plot_names_identical_curves_and_uses_error_bars_for_many(tmp_path):
    rng = np.random.default_rng(0)
    curve = np.maximum.accumulate(rng.uniform(80, 91, (5, 50)), axis=1)
    few = compare_plot(tmp_path / "few.png", {"A": curve, "B": curve.copy()}, "t", "val (%)", 91.6)
    assert any("B (5 seeds); identical to A" == text for text in _legend(few))
    assert len(few.axes[0].collections) == 2 and "95% interval" in few.axes[0].get_title()
    many = {f"C{i}": curve - i * 0.1 for i in range(6)}
    crowded = compare_plot(tmp_path / "many.png", many, "t", "val (%)", 91.6)
    assert "error bars" in crowded.axes[0].get_title()
    assert not any(type(c).__name__ == "FillBetweenPolyCollection" or type(c).__name__ == "PolyCollection"
                   for c in crowded.axes[0].collections)


def test_pareto_plot_keeps_one_bad_cell_from_stretching_the_axis_and_shows_units(tmp_path):
    goal = Goal.build(["val", "-latency@edgegpu"], None, "val")
    rng = np.random.default_rng(1)
    evaluated = np.column_stack([rng.uniform(85, 92, 80), -rng.uniform(1, 8, 80)])
    evaluated[0] = [10.0, -0.5]    # one untrainable, very cheap cell: on both fronts
    front = np.array([[10.0, -0.5], [88.0, -1.5], [91.0, -4.0]])
    true_front = np.array([[10.0, -0.5], [89.0, -1.4], [91.5, -3.0]])
    figure = pareto_plot(tmp_path / "pareto.png", goal.terms, evaluated, front, true_front, ["%", "ms"], "t")
    axis = figure.axes[0]
    assert axis.get_ylim()[0] > 80
    assert any("beyond the axis" in text for text in _legend(figure))
    assert axis.get_xlabel().startswith("latency@edgegpu (ms)") and axis.get_ylabel().startswith("val (%)")
    found, true = [line for line in axis.get_lines() if line.get_color() in ("C3", "k")]
    assert true.get_zorder() > found.get_zorder()   # the true front is drawn over the found one


def test_scatter_plot_gives_each_panel_its_spearman(tmp_path):
    rows = [{"predictor": name, "train_size": 121, "spearman": rho, "_true": [1.0, 2.0, 3.0],
             "_predicted": [1.0, 3.0, 2.0]} for name, rho in (("A", 0.5), ("A", 0.7), ("B", 0.9))]
    figure = scatter_plot(tmp_path / "scatter.png", rows, "t", "val")
    titles = [axis.get_title() for axis in figure.axes if axis.get_title()]
    assert titles == ["A\nSpearman 0.600 ± 0.100", "B\nSpearman 0.900 ± 0.000"]


def test_units_come_from_the_space_and_the_objective(nb201, darts):
    from nasearch.objective import TabularObjective

    objective = TabularObjective(nb201, "cifar10-valid")
    assert [objective.unit(m) for m in ("val", "latency@edgegpu", "energy@fpga")] == ["%", "ms", "mJ"]
    assert darts.metric_unit("val") == "%" and darts.metric_unit("anything") == ""


def test_evaluation_axes_have_whole_number_ticks_and_the_zero_note_only_with_its_floor(tmp_path):
    figure = tmp_path / "f.png"
    far = np.full((3, 12), 90.0)   # regret 1.6 throughout: the axis never reaches the floor
    plot = compare_plot(figure, {"A": far}, "t", "val (%)", 91.6)
    axis = plot.axes[0]
    plot.canvas.draw()
    ticks = [t for t in axis.get_xticks() if axis.get_xlim()[0] <= t <= axis.get_xlim()[1]]
    assert all(float(t).is_integer() for t in ticks), ticks
    assert "0 and below drawn at" not in axis.get_ylabel()
    solved = np.full((3, 12), 91.6)   # every seed at the optimum: regret 0, drawn at the floor
    axis = compare_plot(figure, {"A": solved}, "t", "val (%)", 91.6).axes[0]
    assert "0 and below drawn at 0.001" in axis.get_ylabel() and axis.get_ylim()[0] < 1e-3


def test_a_compare_title_without_a_dataset_has_no_dangling_comma(tmp_path, monkeypatch):
    from conftest import REPO
    from nasearch.cli import main

    monkeypatch.syspath_prepend(str(REPO / "tests"))
    monkeypatch.syspath_prepend(str(REPO / "tests" / "plugin_package"))
    out = tmp_path / "out"
    assert main(["compare", "--quiet", "--out", str(out), "--set", "space=nasearch_widechain:WideChain",
                 "--set", "objective=parallel_objectives:by_hash", "--set", "optimizers=[random]",
                 "--set", "seeds=2", "--set", "budget=5"]) == 0
    table = (out / "compare.md").read_text()
    assert table.startswith("nasearch_widechain:WideChain, objective value, 5 queries") and " ," not in table


def test_an_extended_run_marks_its_budget_change_and_long_titles_wrap(nb201, tmp_path):
    from nasearch.runs.budget import read_changes

    Search(nb201, None, "random", budget=12, seed=0, directory=tmp_path).run()
    extended = Search(nb201, None, "random", budget=20, seed=0, directory=tmp_path).run()
    figure = incumbent_plot(tmp_path / "x.png", extended.history, extended.summary, read_changes(tmp_path))
    assert "budget 12 → 20" in _legend(figure)
    marks = [line for line in figure.axes[0].lines if line.get_label() == "budget 12 → 20"]
    assert marks and marks[0].get_xdata()[0] == 12.5   # between the 12th and 13th evaluation
    summary = extended.summary.__class__(**{**extended.summary.__dict__, "objective": "train " + "x" * 90})
    title = incumbent_plot(tmp_path / "y.png", extended.history, summary).axes[0].get_title()
    assert max(len(line) for line in title.splitlines()) <= 75 and len(title.splitlines()) >= 2


def test_a_contender_past_the_tenth_shares_a_colour_but_not_a_line_style(tmp_path):
    rng = np.random.default_rng(1)
    curve = np.maximum.accumulate(rng.uniform(80, 91, (5, 40)), axis=1)
    figure = compare_plot(tmp_path / "twelve.png", {f"L{i}": curve - i * 0.05 for i in range(12)}, "t", "val (%)")
    lines = {line.get_label(): line for line in figure.axes[0].get_lines() if line.get_label().startswith("L")}
    first, eleventh = lines["L0 (5 seeds)"], lines["L10 (5 seeds)"]
    assert first.get_color() == eleventh.get_color()
    assert (first.get_linestyle(), eleventh.get_linestyle()) == ("-", ":")
