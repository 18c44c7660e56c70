"""Writes an evaluation run directory: trials.csv, summary.json, summary.md, scatter.png."""
from __future__ import annotations

import csv
from pathlib import Path

from ..runs.directory import SCATTER_PLOT, SUMMARY, SUMMARY_TABLE, TRIALS, RunDirectory
from .protocol import markdown_table, summarize


def write_report(directory, rows: list, title: str, target: str = "value (%)") -> list:
    """Write the run's files into ``directory``; return the summary. ``target`` names the
    predicted quantity on the scatter plot's axes, e.g. "val accuracy on cifar10-valid (%)"."""
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
    from ..plots import scatter_plot

    scatter_plot(files.file(SCATTER_PLOT), rows, title, target)
    return summary
