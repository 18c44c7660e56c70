"""Figures of search runs, drawn with matplotlib's object API (no pyplot, no global backend).

Each function saves its figure to ``path`` and returns the matplotlib ``Figure``.
"""
from __future__ import annotations

import numpy as np


def _figure(width: float, height: float):
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height))
    return figure, figure.subplots()


def metric_label(summary) -> str:
    """``"best val on cifar10-valid so far (%)"``-style axis label from a :class:`~nasearch.runs.summary.RunSummary`."""
    where = f" on {summary.dataset}" if summary.dataset else ""
    unit = f" ({summary.unit})" if getattr(summary, "unit", "") else ""
    return f"best {summary.metric or 'objective'}{where} so far{unit}"


def incumbent_plot(path, trials: list, summary, budget_changes: tuple = ()):
    """Each evaluation's value (dots) and the running best (line) against evaluations;
    the optimum, when known, as a dashed line; the incumbent's report metric in the legend.
    The y-range starts near the lower quartile so the climb stays readable: evaluations
    below it are drawn as markers on the bottom edge and counted in the legend. A
    constrained run names its constraints in the title; an extended run marks where its
    budget changed (``budget_changes``: :class:`~nasearch.runs.budget.BudgetChange` s).
    ``trials`` are :class:`~nasearch.runs.trial.Trial` s, ``summary`` their run's summary."""
    figure, axis = _figure(5.5, 3.8)
    multi_fidelity = summary.fidelity_unit is not None
    # a multi-fidelity run is drawn against the budget it spent (epochs), its stopped evaluations apart
    x = np.cumsum([t.cost for t in trials]) if multi_fidelity else np.arange(1, len(trials) + 1)
    values = np.array([np.nan if t.value is None else t.value for t in trials], dtype=float)
    every = values.copy()   # what is pinned to the bottom edge when below the range
    if multi_fidelity:
        full = max(t.fidelity for t in trials)
        stopped = np.array([t.fidelity < full for t in trials])
        axis.scatter(x[stopped], values[stopped], s=6, color="C1", alpha=0.5,
                     label=f"stopped early (below {full:g} {summary.fidelity_unit})")
        values = np.where(stopped, np.nan, values)
    incumbents = np.array([np.nan if t.incumbent is None else t.incumbent for t in trials], dtype=float)
    axis.scatter(x, values, s=6, color="0.6", label="evaluated architectures" + (" at full fidelity"
                                                                                 if multi_fidelity else ""))
    label = "incumbent (best so far)"
    if summary.report_of_best is not None:
        label += f"; its {summary.report_metric or 'report'}: {summary.report_of_best:.3f}"
    axis.plot(x, incumbents, drawstyle="steps-post", color="C0", linewidth=1.6, label=label)
    if summary.optimum is not None:
        axis.axhline(summary.optimum, color="k", linestyle="--", linewidth=0.8, label=f"optimum {summary.optimum:.3f}")
    finite = incumbents[np.isfinite(incumbents)]
    if finite.size:
        low = float(np.nanpercentile(values, 25)) if np.isfinite(values).any() else float(finite.min())
        top = max(float(finite.max()), summary.optimum if summary.optimum is not None else -np.inf)
        span = max(top - min(low, float(finite.min())), 1e-6)
        bottom = min(low, float(finite.min())) - 0.04 * span
        axis.set_ylim(bottom, top + 0.04 * span)
        below = np.isfinite(every) & (every < bottom)
        if below.any():   # never drop a point silently: pin it to the bottom edge and count it
            axis.scatter(x[below], np.full(int(below.sum()), bottom), s=14, marker="v", color="0.45", clip_on=False,
                         label=f"{int(below.sum())} below the axis (lowest {np.nanmin(every):.2f})")
    else:   # nothing to draw: say so, instead of empty axes around zero
        axis.text(0.5, 0.5, f"no successful evaluation ({len(trials)} failed)", transform=axis.transAxes,
                  ha="center", va="center", fontsize=11, color="C3")
        axis.set_yticks([])
        axis.set_xlim(0, float(x[-1]) + 1 if len(x) else 1)
    from matplotlib.ticker import MaxNLocator

    if not multi_fidelity:   # whole evaluations: no fractional ticks
        axis.xaxis.set_major_locator(MaxNLocator(integer=True))
    axis.set_xlabel(f"{summary.fidelity_unit} spent" if multi_fidelity else "evaluations")
    axis.set_ylabel(metric_label(summary))
    if not multi_fidelity:
        for change in budget_changes:
            if change.after != change.before:   # the first line only records the starting budget
                axis.axvline(change.handed + 0.5, color="C2", linestyle=":", linewidth=1.0,
                             label=f"budget {change.before} → {change.after}")
    import textwrap

    title = textwrap.fill(f"{summary.optimizer} on {summary.space} ({summary.objective}), seed {summary.seed}", 75)
    if summary.constraints:
        title += "\nsubject to " + ", ".join(str(c) for c in summary.constraints)
    axis.set_title(title, fontsize=9)
    if finite.size:
        axis.legend(fontsize=7, loc="lower right")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    return figure


#: With more contenders than this, 95% intervals are drawn as error bars at a few
#: evaluation counts instead of shaded bands, which would cover each other.
MAX_BANDS = 4


def compare_plot(path, curves: dict, title: str, metric_text: str, optimum=None):
    """Mean incumbent against evaluations per optimizer, with 95% intervals of the mean (±1.96 s.e.).

    ``curves`` maps an optimizer label to a ``(seeds, evaluations)`` array. When the
    optimum is known the y-axis is the regret on a log scale, so the early climb and the
    last hundredths are both readable; otherwise it is the value itself. Up to
    :data:`MAX_BANDS` contenders get shaded bands, more get error bars at five evaluation
    counts (staggered so none hides another). A curve identical to an earlier one is drawn
    dashed and says so in the legend. The legend sits outside the axes.
    """
    figure, axis = _figure(7.5, 4.2)
    floor = 1e-3
    bands = len(curves) <= MAX_BANDS
    drawn = {}   # label -> mean curve, to name identical ones
    at_floor = False   # whether any drawn regret is 0 (drawn at the floor), so the axis must show the floor
    for index, (label, curve) in enumerate(curves.items()):
        curve = np.array([[np.nan if v is None else v for v in seed] for seed in curve], dtype=float)
        x = np.arange(1, curve.shape[1] + 1)
        y = np.maximum(optimum - curve, floor) if optimum is not None else curve
        mean = np.nanmean(y, 0)
        error = 1.96 * np.nanstd(y, 0, ddof=1) / np.sqrt(len(y)) if len(y) > 1 else np.zeros_like(mean)
        twin = next((other for other, seen in drawn.items() if seen.shape == mean.shape and np.allclose(seen, mean)),
                    None)
        drawn[label] = mean
        # Past the 10 colours of the cycle, a dotted line tells a contender from the one sharing its colour.
        color, style = f"C{index % 10}", "--" if twin else ("-" if index < 10 else ":")
        text = f"{label} ({len(y)} seeds)" + (f"; identical to {twin}" if twin else "")
        axis.plot(x, mean, color=color, linewidth=1.5, linestyle=style, label=text,
                  zorder=3 if twin else 2)
        lower = np.maximum(mean - error, floor) if optimum is not None else mean - error
        at_floor = at_floor or (optimum is not None and bool(np.any(lower <= floor)))   # a regret or band at 0
        if bands:
            axis.fill_between(x, lower, mean + error, color=color, alpha=0.12, linewidth=0)
        else:
            marks = np.unique(np.linspace(0, len(x) - 1, 6)[1:].round().astype(int))
            shift = (index - (len(curves) - 1) / 2) * 0.006 * len(x)
            axis.errorbar(x[marks] + shift, mean[marks], yerr=[mean[marks] - lower[marks], error[marks]],
                          fmt="none", ecolor=color, elinewidth=1.0, capsize=2)
    how = "shaded" if bands else "error bars"
    from matplotlib.ticker import MaxNLocator

    axis.xaxis.set_major_locator(MaxNLocator(integer=True))   # whole evaluations
    axis.set_xlabel("evaluations")
    if optimum is not None:
        axis.set_yscale("log")
        if at_floor:   # the note names a value the axis shows
            axis.set_ylim(bottom=floor / 1.5)
            axis.set_ylabel(f"regret: optimum − best so far (log; 0 and below drawn at {floor:g})")
        else:
            axis.set_ylabel("regret: optimum − best so far (log)")
        axis.set_title(f"{title}; regret in {metric_text} (optimum {optimum:.3f})\n"
                       f"mean over seeds, 95% interval of the mean (±1.96 s.e., {how})", fontsize=8)
    else:
        axis.set_ylabel(f"best {metric_text} so far")
        axis.set_title(f"{title}\nmean over seeds, 95% interval of the mean (±1.96 s.e., {how})", fontsize=8)
    axis.grid(alpha=0.3, which="both", linewidth=0.5)
    axis.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    return figure


#: most points a prediction panel draws (a whole-space evaluation tests every architecture)
SCATTER_POINTS = 20_000


def scatter_plot(path, rows: list, title: str, target: str):
    """Predicted against true values at the largest train size, every trial, one panel per
    predictor; each panel's title gives its mean Spearman over those trials (± std)."""
    largest = max(r["train_size"] for r in rows)
    names = list(dict.fromkeys(r["predictor"] for r in rows))
    columns = min(3, len(names))
    lines = (len(names) + columns - 1) // columns
    from matplotlib.figure import Figure

    figure = Figure(figsize=(4 * columns, 4 * lines + 0.6))
    axes = np.atleast_1d(figure.subplots(lines, columns, squeeze=False)).ravel()
    trials = tests = 0
    for axis, name in zip(axes, names):
        true, predicted = [], []
        mine = [row for row in rows if row["predictor"] == name and row["train_size"] == largest]
        for row in mine:
            true += row["_true"]
            predicted += row["_predicted"]
        trials, tests = len(mine), len(mine[0]["_true"]) if mine else 0
        if len(true) > SCATTER_POINTS:   # a whole-space test set: an evenly spaced, reproducible subset
            keep = np.linspace(0, len(true) - 1, SCATTER_POINTS).astype(int)
            true, predicted = [true[i] for i in keep], [predicted[i] for i in keep]
        axis.scatter(true, predicted, s=4, alpha=0.4)
        low, high = min(true + predicted), max(true + predicted)
        axis.plot([low, high], [low, high], "k--", linewidth=0.8)
        rho = [row["spearman"] for row in mine if row.get("spearman") is not None]
        score = f"\nSpearman {np.mean(rho):.3f} ± {np.std(rho):.3f}" if rho else ""
        axis.set_title(f"{name}{score}", fontsize=9)
        axis.set_xlabel(f"true {target}")
        axis.set_ylabel(f"predicted {target}")
    for axis in axes[len(names):]:
        axis.axis("off")
    figure.suptitle(f"{title}: trained on {largest}, {tests} test architectures per trial × {trials} trials",
                    fontsize=10)
    # leave the top strip to the suptitle, so it never overlaps the panel titles
    figure.tight_layout(rect=(0, 0, 1, 1 - 0.5 / (4 * lines + 0.6)))
    figure.savefig(path, dpi=110)
    return figure


def pareto_plot(path, terms, evaluated: np.ndarray, front: np.ndarray, true_front=None, units=None,
                title: str = ""):
    """The found non-dominated set (red points and line) over every feasible evaluation (grey)
    and, when known, the true Pareto front (black dashed, drawn on top so it shows where the two
    agree), in the first two objectives' own units (``units``, one per term, ``""`` unknown).

    The y-range covers the better 75% of the evaluations and the fronts' best; points beyond it
    (a front's cheapest, useless members included) are pinned to the edge as markers and counted
    in the legend, so one bad cell cannot squash the plot.
    """
    figure, axis = _figure(5.5, 4.0)
    signs = np.array([t.sign for t in terms[:2]], dtype=float)
    units = list(units or [""] * len(terms))

    def raw(points):
        points = np.asarray(points, dtype=float).reshape(-1, len(terms))[:, :2]
        return points * signs   # back to the metrics' own units (costs positive)

    fronts = [raw(f) for f in (front, true_front) if f is not None and len(f)]
    shown = raw(evaluated) if len(evaluated) else np.zeros((0, 2))
    limits = None
    if len(shown) and fronts:
        ys = np.concatenate([f[:, 0] for f in fronts])
        maximised = terms[0].sign > 0
        worst = np.percentile(shown[:, 0], 25 if maximised else 75)
        low, high = (worst, ys.max()) if maximised else (ys.min(), worst)
        pad = 0.05 * max(high - low, 1e-9)
        limits = (low - pad, high + pad)
        edge = limits[0] if maximised else limits[1]
        beyond = lambda points: (points[:, 0] < limits[0]) if maximised else (points[:, 0] > limits[1])
        pinned = np.concatenate([shown[beyond(shown)]] + [f[beyond(f)] for f in fronts])
        if len(pinned):   # drawn on the edge, never dropped
            lowest = pinned[:, 0].min() if maximised else pinned[:, 0].max()
            axis.scatter(pinned[:, 1], np.full(len(pinned), edge), s=16, marker="v" if maximised else "^",
                         color="0.45", clip_on=False, zorder=4,
                         label=f"{len(pinned)} beyond the axis ({terms[0].metric} down to {lowest:.3g})")
        shown = shown[~beyond(shown)]
    if len(shown):
        axis.scatter(shown[:, 1], shown[:, 0], s=6, color="0.7", label="evaluated (feasible)", zorder=1)
    if len(front):
        found = raw(front)
        found = found[np.argsort(found[:, 1])]
        axis.plot(found[:, 1], found[:, 0], drawstyle="steps-post", color="C3", linewidth=1.6, zorder=2)
        axis.scatter(found[:, 1], found[:, 0], s=22, color="C3", label=f"found front ({len(front)})", zorder=2)
    if true_front is not None and len(true_front):
        true = raw(true_front)
        true = true[np.argsort(true[:, 1])]
        axis.plot(true[:, 1], true[:, 0], drawstyle="steps-post", color="k", linestyle="--", linewidth=1.0,
                  zorder=3, label=f"true front ({len(true_front)})")
        axis.scatter(true[:, 1], true[:, 0], s=10, facecolors="none", edgecolors="k", linewidths=0.7, zorder=3)
    if limits is not None:
        axis.set_ylim(*limits)

    def axis_label(index):
        unit = f" ({units[index]})" if units[index] else ""
        return f"{terms[index].metric}{unit}, " + ("minimised" if terms[index].sign < 0 else "maximised")

    axis.set_xlabel(axis_label(1))
    axis.set_ylabel(axis_label(0))
    if len(terms) > 2:
        title += f" (first 2 of {len(terms)} objectives)"
    axis.set_title(title, fontsize=9)
    axis.legend(fontsize=7, loc="lower right")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    return figure


def grid_heatmap(path, cells: dict, row_values: list, column_values: list, options: list, title: str):
    """A predictor evaluated over a grid of two options as one table: rows the first option's
    values, columns the second's, each cell the mean Spearman (± std over trials) of that point.
    ``cells`` maps ``(row value, column value)`` to a summary entry with a ``spearman`` column."""
    figure, axis = _figure(1.6 + 1.3 * len(column_values), 1.4 + 0.7 * len(row_values))
    means = np.array([[cells[(r, c)]["spearman"]["mean"] for c in column_values] for r in row_values])
    image = axis.imshow(means, cmap="viridis", aspect="auto")
    for i, r in enumerate(row_values):
        for j, c in enumerate(column_values):
            cell = cells[(r, c)]["spearman"]
            light = means[i, j] < means.min() + 0.6 * (means.max() - means.min() + 1e-12)
            axis.text(j, i, f"{cell['mean']:.3f}\n± {cell['std']:.3f}", ha="center", va="center", fontsize=8,
                      color="white" if light else "black")
    axis.set_xticks(range(len(column_values)), [str(c) for c in column_values])
    axis.set_yticks(range(len(row_values)), [str(r) for r in row_values])
    axis.set_xlabel(options[1])
    axis.set_ylabel(options[0])
    axis.set_title(f"{title}\nSpearman, mean ± std over trials", fontsize=9)
    figure.colorbar(image, ax=axis, fraction=0.05)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    return figure
