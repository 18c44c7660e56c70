"""Figures of search runs, drawn with matplotlib's object API (no pyplot, no global backend)."""
from __future__ import annotations

import numpy as np


def _figure(width: float, height: float):
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height))
    return figure, figure.subplots()


def metric_label(summary) -> str:
    """``"best val on cifar10-valid so far"``-style axis label from a :class:`~nasearch.run_summary.RunSummary`."""
    where = f" on {summary.dataset}" if summary.dataset else ""
    return f"best {summary.metric or 'objective'}{where} so far"


def incumbent_plot(path, trials: list, summary) -> None:
    """Each evaluation's value (dots) and the running best (line) against evaluations;
    the optimum, when known, as a dashed line; the incumbent's report metric in the legend.
    ``trials`` are :class:`~nasearch.trial.Trial` s, ``summary`` their run's summary."""
    figure, axis = _figure(5.5, 3.8)
    x = np.arange(1, len(trials) + 1)
    values = np.array([np.nan if t.value is None else t.value for t in trials], dtype=float)
    incumbents = np.array([np.nan if t.incumbent is None else t.incumbent for t in trials], dtype=float)
    axis.scatter(x, values, s=6, color="0.6", label="evaluated architectures")
    label = "incumbent (best so far)"
    if summary.report_of_best is not None:
        label += f"; its {summary.report_metric or 'report'}: {summary.report_of_best:.3f}"
    axis.plot(x, incumbents, drawstyle="steps-post", color="C0", linewidth=1.6, label=label)
    if summary.optimum is not None:
        axis.axhline(summary.optimum, color="k", linestyle="--", linewidth=0.8, label=f"optimum {summary.optimum:.3f}")
    finite = incumbents[np.isfinite(incumbents)]
    if finite.size:   # keep the climb readable: the lowest evaluations would flatten it
        low = float(np.nanpercentile(values, 25)) if np.isfinite(values).any() else float(finite.min())
        top = max(float(finite.max()), summary.optimum if summary.optimum is not None else -np.inf)
        axis.set_ylim(min(low, float(finite.min())) - 0.02 * abs(top), top + 0.01 * abs(top) + 1e-6)
    axis.set_xlabel("evaluations")
    axis.set_ylabel(metric_label(summary))
    axis.set_title(f"{summary.optimizer} on {summary.space} ({summary.objective}), seed {summary.seed}", fontsize=9)
    axis.legend(fontsize=7, loc="lower right")
    figure.tight_layout()
    figure.savefig(path, dpi=110)


def compare_plot(path, curves: dict, title: str, metric_text: str, optimum=None) -> None:
    """Mean incumbent against evaluations per optimizer, with ±1 standard-error bands.

    ``curves`` maps an optimizer label to a ``(seeds, evaluations)`` array. When the
    optimum is known the y-axis is the regret on a log scale, so the early climb and the
    last hundredths are both readable; otherwise it is the value itself. The legend sits
    outside the axes so it never covers a line.
    """
    figure, axis = _figure(7.5, 4.2)
    floor = 1e-3
    for index, (label, curve) in enumerate(curves.items()):
        curve = np.array([[np.nan if v is None else v for v in seed] for seed in curve], dtype=float)
        x = np.arange(1, curve.shape[1] + 1)
        y = np.maximum(optimum - curve, floor) if optimum is not None else curve
        mean = np.nanmean(y, 0)
        # 95% band of the mean (1.96 standard errors), as the README promises.
        error = 1.96 * np.nanstd(y, 0, ddof=1) / np.sqrt(len(y)) if len(y) > 1 else np.zeros_like(mean)
        color = f"C{index % 10}"
        axis.plot(x, mean, color=color, linewidth=1.5, label=f"{label} ({len(y)} seeds)")
        lower = np.maximum(mean - error, floor) if optimum is not None else mean - error
        axis.fill_between(x, lower, mean + error, color=color, alpha=0.12, linewidth=0)
    axis.set_xlabel("evaluations")
    if optimum is not None:
        axis.set_yscale("log")
        axis.set_ylabel("regret: optimum − best so far (log)")
        axis.set_title(f"{title}\nregret in {metric_text} (optimum {optimum:.3f}); mean and 95% band (±1.96 s.e.) over seeds",
                       fontsize=9)
    else:
        axis.set_ylabel(f"best {metric_text} so far")
        axis.set_title(f"{title}; mean and 95% band (±1.96 s.e.) over seeds", fontsize=9)
    axis.grid(alpha=0.3, which="both", linewidth=0.5)
    axis.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    figure.tight_layout()
    figure.savefig(path, dpi=110)


def scatter_plot(path, rows: list, title: str, target: str) -> None:
    """Predicted against true values at the largest train size, every trial, one panel per predictor."""
    largest = max(r["train_size"] for r in rows)
    names = list(dict.fromkeys(r["predictor"] for r in rows))
    columns = min(3, len(names))
    lines = (len(names) + columns - 1) // columns
    from matplotlib.figure import Figure

    figure = Figure(figsize=(4 * columns, 4 * lines))
    axes = np.atleast_1d(figure.subplots(lines, columns, squeeze=False)).ravel()
    trials = tests = 0
    for axis, name in zip(axes, names):
        true, predicted = [], []
        mine = [row for row in rows if row["predictor"] == name and row["train_size"] == largest]
        for row in mine:
            true += row["_true"]
            predicted += row["_predicted"]
        trials, tests = len(mine), len(mine[0]["_true"]) if mine else 0
        axis.scatter(true, predicted, s=4, alpha=0.4)
        low, high = min(true + predicted), max(true + predicted)
        axis.plot([low, high], [low, high], "k--", linewidth=0.8)
        axis.set_title(name, fontsize=9)
        axis.set_xlabel(f"true {target}")
        axis.set_ylabel(f"predicted {target}")
    for axis in axes[len(names):]:
        axis.axis("off")
    figure.suptitle(f"{title}: trained on {largest}, {tests} test architectures per trial × {trials} trials",
                    fontsize=10)
    figure.tight_layout()
    figure.savefig(path, dpi=110)


def pareto_plot(path, terms, evaluated: np.ndarray, front: np.ndarray, true_front=None, title: str = "") -> None:
    """The found non-dominated set (line and points) over every feasible evaluation (grey) and,
    when known, the true Pareto front (dashed), in the first two objectives' own units."""
    figure, axis = _figure(5.5, 4.0)
    signs = np.array([t.sign for t in terms[:2]], dtype=float)

    def raw(points):
        points = np.asarray(points, dtype=float).reshape(-1, len(terms))[:, :2]
        return points * signs   # back to the metrics' own units (costs positive)

    if len(evaluated):
        shown = raw(evaluated)
        axis.scatter(shown[:, 1], shown[:, 0], s=6, color="0.7", label="evaluated (feasible)")
    if true_front is not None and len(true_front):
        shown = raw(true_front)
        shown = shown[np.argsort(shown[:, 1])]
        axis.plot(shown[:, 1], shown[:, 0], drawstyle="steps-post", color="k", linestyle="--", linewidth=0.9,
                  label=f"true front ({len(true_front)})")
    if len(front):
        shown = raw(front)
        shown = shown[np.argsort(shown[:, 1])]
        axis.plot(shown[:, 1], shown[:, 0], drawstyle="steps-post", color="C3", linewidth=1.4)
        axis.scatter(shown[:, 1], shown[:, 0], s=14, color="C3", label=f"found front ({len(front)})")
    axis.set_xlabel(terms[1].metric + (" (minimised)" if terms[1].sign < 0 else " (maximised)"))
    axis.set_ylabel(terms[0].metric + (" (minimised)" if terms[0].sign < 0 else " (maximised)"))
    if len(terms) > 2:
        title += f" (first 2 of {len(terms)} objectives)"
    axis.set_title(title, fontsize=9)
    axis.legend(fontsize=7, loc="lower right")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
