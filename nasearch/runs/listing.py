"""``python main.py runs [DIR]``: every search run directory below DIR, one line each.

A run directory is one holding ``config.yaml`` and ``history.jsonl`` (a
``search``, or one trial of a ``compare``). The trials of a comparison below DIR are
one line, the comparison's; ``runs COMPARE_DIR`` lists its trials one by one. Listing
only reads: a torn last line is skipped, not repaired, and a damaged file shows as such
instead of stopping the listing.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from ..errors import NasearchError
from .directory import COMPARISON, CONFIG, HISTORY, RunDirectory


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
    """A :class:`RunListing` per run directory below ``root`` (``root`` itself included), by path;
    the trials of each comparison strictly below ``root`` make one line, the comparison's."""
    root = Path(root)
    comparisons = [path.parent for path in sorted(root.rglob(COMPARISON)) if path.parent != root]
    found = [path.parent for path in sorted(root.rglob(CONFIG)) if RunDirectory(path.parent).has(HISTORY)]
    listings, trials_of = [], {}
    for directory in found:
        owner = next((c for c in comparisons if c in directory.parents), None)
        if owner is None:
            listings.append(_listing(directory))
        else:
            trials_of.setdefault(owner, []).append(_listing(directory))
    listings += [_comparison(owner, trials) for owner, trials in trials_of.items()]
    return sorted(listings, key=lambda listing: listing.directory)


def _comparison(directory: Path, trials: list) -> RunListing:
    """One line for a comparison's ``trials``: their evaluations summed, the best of them, and
    finished only when every trial is."""
    from .lock import holder_alive

    finished = sum(t.state == "finished" for t in trials)
    if holder_alive(directory) or any(t.state == "locked" for t in trials):
        state = "locked"
    elif finished == len(trials):
        state = "finished"
    else:
        state = f"interrupted ({finished}/{len(trials)} trials finished)"
    budgets = [t.budget for t in trials]
    bests = [t.best for t in trials if t.best is not None]
    first = trials[0]
    return RunListing(f"{directory} (compare, {len(trials)} trials)", first.space,
                      first.dataset, ", ".join(sorted({t.optimizer for t in trials})),
                      None if None in budgets else sum(budgets), sum(t.done for t in trials),
                      max(bests) if bests else None, state)


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
