"""Figures of search runs, drawn with matplotlib's object API (no pyplot, no global backend)."""
from __future__ import annotations

import numpy as np


def _figure(width: float, height: float):
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height))
    return figure, figure.subplots()


def metric_label(summary: dict) -> str:
    """``"val accuracy on cifar10-valid (%)"``-style axis label from a run summary."""
    metric = summary.get("metric") or "objective"
    dataset = summary.get("dataset")
    where = f" on {dataset}" if dataset else ""
    return f"best {metric}{where} so far"


def incumbent_plot(path, records: list, summary: dict) -> None:
    """Each evaluation's value (dots) and the running best (line) against evaluations;
    the optimum, when known, as a dashed line; the incumbent's report metric in the legend."""
    figure, axis = _figure(5.5, 3.8)
    x = np.arange(1, len(records) + 1)
    values = np.array([np.nan if r["value"] is None else r["value"] for r in records], dtype=float)
    incumbents = np.array([np.nan if r["incumbent"] is None else r["incumbent"] for r in records], dtype=float)
    axis.scatter(x, values, s=6, color="0.6", label="evaluated architectures")
    label = "incumbent (best so far)"
    if summary.get("test_of_best") is not None:
        label += f"; its {summary.get('report_metric') or 'report'}: {summary['test_of_best']:.3f}"
    axis.plot(x, incumbents, drawstyle="steps-post", color="C0", linewidth=1.6, label=label)
    if summary.get("optimum") is not None:
        axis.axhline(summary["optimum"], color="k", linestyle="--", linewidth=0.8,
                     label=f"optimum {summary['optimum']:.3f}")
    finite = incumbents[np.isfinite(incumbents)]
    if finite.size:   # keep the climb readable: the lowest evaluations would flatten it
        low = float(np.nanpercentile(values, 25)) if np.isfinite(values).any() else float(finite.min())
        top = max(float(finite.max()), summary.get("optimum") or -np.inf)
        axis.set_ylim(min(low, float(finite.min())) - 0.02 * abs(top), top + 0.01 * abs(top) + 1e-6)
    axis.set_xlabel("evaluations")
    axis.set_ylabel(metric_label(summary))
    axis.set_title(f"{summary['optimizer']} on {summary['space']} ({summary.get('objective', '')}), "
                   f"seed {summary['seed']}", fontsize=9)
    axis.legend(fontsize=7, loc="lower right")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
