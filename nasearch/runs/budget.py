"""Budget changes: a finished or interrupted run continued under another budget.

A run directory's ``budget.jsonl`` holds one line per change, appended (and
fsynced) when it is made: how many architectures had been handed out then
(``handed``), the budget before and the budget after. Its first line, written when
the run starts, records the starting budget (``handed`` 0, before = after), so a
later ``Search`` on the directory with another budget is a recorded change, never a
silent one. Resume needs them because an
optimizer sizes its batch by the evaluations left: an ask made before a change is
replayed with the budget that was in force then, so an extended run replays
exactly, however often it was extended or interrupted.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass

from ..errors import DataError

from .directory import BUDGET, RunDirectory


@dataclass(frozen=True)
class BudgetChange:
    handed: int    #: architectures handed out when the budget changed
    before: int    #: the budget until then (evaluations)
    after: int     #: the budget from then on (evaluations)


def read_changes(directory) -> tuple:
    """The :class:`BudgetChange` s of a run directory, in the order made (``()`` without the file)."""
    path = RunDirectory(directory).file(BUDGET)
    if not path.is_file():
        return ()
    changes = []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        try:
            data = json.loads(line)
            change = BudgetChange(int(data["handed"]), int(data["before"]), int(data["after"]))
        except (ValueError, KeyError, TypeError):
            raise DataError(f"{path} line {number} is not a budget change ({line[:60]!r}); restore the file "
                            "from a backup, or start a new run") from None
        if change.handed < (changes[-1].handed if changes else 0) or min(change.before, change.after) < 1:
            raise DataError(f"{path} line {number} does not follow the lines before it; restore the file "
                            "from a backup, or start a new run")
        changes.append(change)
    return tuple(changes)


def append_change(directory, change: BudgetChange) -> None:
    """Append ``change`` to the run directory's budget file, on disk before this returns."""
    with open(RunDirectory(directory).file(BUDGET), "a") as handle:
        handle.write(json.dumps({"handed": change.handed, "before": change.before, "after": change.after}) + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def budget_in_force(changes: tuple, budget: int, handed: int) -> int:
    """The budget an ask made after ``handed`` hand-outs was made under: the ``before`` of the
    first change made later, else the current ``budget``."""
    for change in changes:
        if handed < change.handed:
            return change.before
    return budget


def open_budget(directory, budget: int, new_run: bool) -> tuple:
    """``(changes, budget to replay under)`` of a run directory (``None``: no directory). A new
    run records ``budget`` as its first line; a recorded run replays under its last budget."""
    if directory is None:
        return (), budget
    changes = read_changes(directory)
    if changes:
        return changes, changes[-1].after
    if new_run:
        first = BudgetChange(0, budget, budget)
        append_change(directory, first)
        return (first,), budget
    return (), budget   # a run recorded before budget.jsonl existed


def check_budget(budget, space, unit: str = "evaluations") -> int:
    """The budget as a whole number >= 1, checked once for every way a search is built; counted
    in evaluations (at most the space's size) or, in a multi-fidelity search, in ``unit``
    (``space`` ``None``: no size limit)."""
    from ..errors import ConfigError
    from ..search_space import describe_size

    try:
        number = int(budget)
    except (TypeError, ValueError):
        raise ConfigError(f"budget must be a whole number of {unit}, got {budget!r}") from None
    if number < 1 or number != budget:
        raise ConfigError(f"budget must be a whole number >= 1 of {unit}, got {budget!r}")
    if space is not None and space.size is not None and number > space.size:
        raise ConfigError(f"budget {number} exceeds the {describe_size(space.size)} architectures of "
                          f"{space.name!r}; lower the budget")
    return number
