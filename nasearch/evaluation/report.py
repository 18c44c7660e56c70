"""Writes an evaluation run directory: trials.csv, summary.json, summary.md, and scatter.png
(or, for a grid over two options, grid.png: the table as a heatmap)."""
from __future__ import annotations

import csv
from pathlib import Path

from ..runs.directory import GRID_PLOT, SCATTER_PLOT, SUMMARY, SUMMARY_TABLE, TRIALS, RunDirectory
from .protocol import markdown_table, summarize


def write_report(directory, rows: list, title: str, target: str = "value (%)", points: dict = None) -> list:
    """Write the run's files into ``directory``; return the summary. ``target`` names the
    predicted quantity on the scatter plot's axes, e.g. "val accuracy on cifar10-valid (%)".
    ``points`` (``{label: {option: value}}``) are a grid's points: over two options the grid is
    drawn as a heatmap of mean Spearman instead of one scatter panel per point."""
    directory = Path(directory)
    columns = [k for k in rows[0] if not k.startswith("_")]
    files = RunDirectory(directory)
    with open(files.file(TRIALS), "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    summary = summarize(rows)
    files.write_json(SUMMARY, summary)
    files.write_text(SUMMARY_TABLE, f"# {title}\n\nMean ± std over trials.\n\n{markdown_table(summary)}\n")
    from ..plots import grid_heatmap, scatter_plot

    options = list(next(iter(points.values()))) if points else []   # the grid's own order: k, then d
    if len(options) == 2:
        rows_of, cols_of = (sorted({p[key] for p in points.values()}) for key in options)
        cells = {(p[options[0]], p[options[1]]): next(r for r in summary if r["predictor"] == label)
                 for label, p in points.items()}
        grid_heatmap(files.file(GRID_PLOT), cells, rows_of, cols_of, options, title)
    else:
        scatter_plot(files.file(SCATTER_PLOT), rows, title, target)
    return summary
