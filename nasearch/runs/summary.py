"""The typed summary of one search run, as its ``summary.json``.

:class:`RunSummary` is what :meth:`nasearch.runs.history.RunHistory.summary`
returns and what ``compare`` and the CLI read; :meth:`RunSummary.from_json` also
reads the ``summary.json`` of nasearch 0.1.0 (``test_of_best`` for what is now
``report_of_best``).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Optional

from ..errors import DataError
from .directory import SUMMARY

#: Fields present only under constraints, and only in a multi-objective search.
CONSTRAINT_FIELDS = ("constraints", "infeasible_queries", "rejected_before_query", "feasible_fraction")
#: Fields present only in a multi-fidelity search.
FIDELITY_FIELDS = ("fidelity_unit", "spent", "full_fidelity_queries", "spent_to_optimum")
MULTI_FIELDS = ("objectives", "front_size", "front", "hypervolume_ratio", "true_front_size")


@dataclass(frozen=True)
class RunSummary:
    """Best value and architecture, optimum (when known cheaply), failures, timing and optimizer stats.

    Values are in the objective's unit (percent for accuracies); ``report_of_best`` is the
    report metric (e.g. test accuracy) of the best architecture. With constraints, the best
    value and the optimum are over feasible architectures. With several objectives,
    ``front`` lists the non-dominated set found (``[{arch, metric: value, ...}]``) and
    ``hypervolume_ratio`` compares it with the true front (when a table covers the space).
    ``wall_seconds`` is the run's clock at its last trial; ``evaluation_seconds`` the sum of
    the objective's call times.
    """

    optimizer: str
    space: str
    objective: str
    metric: str
    report_metric: str
    seed: int
    dataset: Optional[str]
    queries: int
    failed: int
    best_value: Optional[float]
    best_arch: Optional[str]
    report_of_best: Optional[float]
    optimum: Optional[float]
    regret: Optional[float]
    queries_to_optimum: Optional[int]
    wall_seconds: float
    evaluation_seconds: float
    optimizer_stats: dict = field(default_factory=dict)
    optimizer_options: dict = field(default_factory=dict)   #: the optimizer's resolved settings
    goal: Optional[str] = None          #: set with constraints or several objectives
    constraints: Optional[list] = None
    infeasible_queries: Optional[int] = None
    rejected_before_query: Optional[int] = None
    feasible_fraction: Optional[float] = None
    objectives: Optional[list] = None
    front_size: Optional[int] = None
    front: Optional[list] = None
    hypervolume_ratio: Optional[float] = None
    true_front_size: Optional[int] = None
    unit: str = ""                      #: the unit of the objective metric's values ("%", "ms", "" unknown)
    best_export: Optional[str] = None   #: the best architecture in the space's reference notation (DARTS Genotype)
    #: multi-fidelity only: the budget's unit (epochs), the units spent, the full-fidelity trials,
    #: and the units spent when the optimum was first reached
    fidelity_unit: Optional[str] = None
    spent: Optional[float] = None
    full_fidelity_queries: Optional[int] = None
    spent_to_optimum: Optional[float] = None

    @property
    def multi_objective(self) -> bool:
        return self.objectives is not None

    def to_json(self) -> dict:
        """The ``summary.json`` object: goal fields only when the run had that goal."""
        data = dataclasses.asdict(self)
        if self.goal is None:
            del data["goal"]
        if self.constraints is None:
            for key in CONSTRAINT_FIELDS:
                del data[key]
        elif self.feasible_fraction is None:
            del data["feasible_fraction"]
        if self.objectives is None:
            for key in MULTI_FIELDS:
                del data[key]
        if self.best_export is None:
            del data["best_export"]
        if self.fidelity_unit is None:
            for key in FIDELITY_FIELDS:
                del data[key]
        return data

    @classmethod
    def from_json(cls, data, where: str = SUMMARY) -> "RunSummary":
        """Parse a ``summary.json`` object (this version's or 0.1.0's)."""
        if not isinstance(data, dict):
            raise DataError(f"{where} is not a JSON object; delete it and resume the run to rewrite it")
        data = dict(data)
        if "test_of_best" in data:
            data.setdefault("report_of_best", data.pop("test_of_best"))
        names = {f.name for f in dataclasses.fields(cls)}
        required = [f.name for f in dataclasses.fields(cls)
                    if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]
        missing = [name for name in required if name not in data]
        if missing:
            raise DataError(f"{where} lacks {', '.join(missing)}; delete it and resume the run to rewrite it")
        return cls(**{key: value for key, value in data.items() if key in names})


@dataclass(frozen=True)
class SearchResult:
    """What :meth:`~nasearch.Search.run` returns: the best architecture, every trial and the summary."""

    best_arch: object
    best_value: Optional[float]
    history: list        #: the Trials, in record order
    summary: RunSummary
