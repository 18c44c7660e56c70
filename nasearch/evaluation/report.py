"""Writes an evaluation run directory: trials.csv, summary.json, summary.md, scatter.png."""
from __future__ import annotations

import csv
import json
from pathlib import Path

from .protocol import markdown_table, summarize


def write_report(directory, rows: list, title: str) -> list:
    """Write the run's files into ``directory``; return the summary."""
    directory = Path(directory)
    columns = [k for k in rows[0] if not k.startswith("_")]
    with open(directory / "trials.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    summary = summarize(rows)
    (directory / "summary.json").write_text(json.dumps(summary, indent=2))
    (directory / "summary.md").write_text(f"# {title}\n\nMean ± std over trials.\n\n{markdown_table(summary)}\n")
    scatter_plot(directory / "scatter.png", rows, title)
    return summary


def scatter_plot(path, rows: list, title: str) -> None:
    """Predicted against true values of the largest train size, all trials, one panel per predictor."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    largest = max(r["train_size"] for r in rows)
    names = list(dict.fromkeys(r["predictor"] for r in rows))
    columns = min(3, len(names))
    lines = (len(names) + columns - 1) // columns
    figure, axes = plt.subplots(lines, columns, figsize=(4 * columns, 4 * lines), squeeze=False)
    for axis, name in zip(axes.flat, names):
        true, predicted = [], []
        for row in rows:
            if row["predictor"] == name and row["train_size"] == largest:
                true += row["_true"]
                predicted += row["_predicted"]
        axis.scatter(true, predicted, s=4, alpha=0.4)
        low, high = min(true + predicted), max(true + predicted)
        axis.plot([low, high], [low, high], "k--", linewidth=0.8)
        axis.set_title(name, fontsize=9)
        axis.set_xlabel("true (%)")
        axis.set_ylabel("predicted (%)")
    for axis in list(axes.flat)[len(names):]:
        axis.axis("off")
    figure.suptitle(f"{title} (n={largest})", fontsize=10)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
