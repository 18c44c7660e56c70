"""``python main.py runs [DIR]``: every search run directory below DIR, one line each.

A run directory is one holding ``config.yaml`` and ``history.jsonl`` (a
``search``, or one trial of a ``compare``). Listing only reads: a torn last line
is skipped, not repaired, and a damaged file shows as such instead of stopping
the listing.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from ..errors import NasearchError
from .directory import CONFIG, HISTORY, RunDirectory


@dataclass(frozen=True)
class RunListing:
    """One run directory: what it searches, how far it got and whether it is finished."""

    directory: str
    space: str
    dataset: str
    optimizer: str
    budget: Optional[int]
    done: float   #: evaluations, or a multi-fidelity run's spent units (epochs)
    best: Optional[float]
    state: str   #: finished, interrupted, locked (a live process writes it) or damaged (why)


def _listing(directory: Path) -> RunListing:
    from ..config import load_yaml
    from .history import read_summary, read_trials
    from .lock import holder_alive

    try:
        config = load_yaml(RunDirectory(directory).file(CONFIG))
        trials = read_trials(RunDirectory(directory).file(HISTORY), repair=False)
    except NasearchError as error:
        return RunListing(str(directory), "?", "?", "?", None, 0, None, f"damaged: {error}")
    dataset = config.get("dataset") or ""
    if not dataset:   # the space's first dataset, as the run resolved it
        try:
            summary = read_summary(directory)
        except NasearchError:
            summary = None
        dataset = (summary.dataset if summary is not None else None) or "-"
    budget = config.get("budget")
    budget = budget if isinstance(budget, int) else None
    best = max((t.incumbent for t in trials if t.incumbent is not None), default=None)
    # a multi-fidelity run spends its trials' costs (epochs), and ends when no further job fits
    done = sum(1 if t.cost is None else t.cost for t in trials)
    multi_fidelity = any(t.cost is not None for t in trials)
    if holder_alive(directory):
        state = "locked"
    elif budget is not None and done >= budget or multi_fidelity and _summarised(directory, len(trials)):
        state = "finished"
    else:
        state = "interrupted"
    return RunListing(str(directory), str(config.get("space", "?")), str(dataset),
                      str(config.get("optimizer", "?")), budget, int(done) if done == int(done) else done, best, state)


def _summarised(directory, trials: int) -> bool:
    """Whether the directory's summary.json was written after all ``trials`` (by a finished run)."""
    from .history import read_summary

    try:
        summary = read_summary(directory)
    except NasearchError:
        return False
    return summary is not None and summary.queries == trials


def list_runs(root) -> list:
    """A :class:`RunListing` per run directory below ``root`` (``root`` itself included), by path."""
    root = Path(root)
    found = [path.parent for path in sorted(root.rglob(CONFIG)) if RunDirectory(path.parent).has(HISTORY)]
    return [_listing(directory) for directory in found]


def format_runs(listings: list) -> str:
    """The listing as an aligned table (``-`` for what is unknown)."""
    rows = [("directory", "space", "dataset", "optimizer", "done/budget", "best", "state")]
    for run in listings:
        rows.append((run.directory, run.space, run.dataset, run.optimizer,
                     f"{run.done}/{'?' if run.budget is None else run.budget}",
                     "-" if run.best is None else f"{run.best:.4f}", run.state))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[-1]
                     for row in rows)
