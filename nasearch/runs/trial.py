"""The typed record of one evaluation, as one line of a run's ``history.jsonl``.

A :class:`Trial` is frozen: once an evaluation is recorded it never changes. It
is written as one JSON object per line (:meth:`Trial.to_json`) and read back by
:meth:`Trial.from_json`, which also reads the lines written by nasearch 0.1.0
(``test`` and ``incumbent_test`` for what is now ``report`` and
``incumbent_report``; no ``handed``/``told_before`` in the oldest ones).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional

from ..errors import DataError
from ..objective import FAILED, OK, TIMEOUT
from .directory import HISTORY

STATUSES = (OK, FAILED, TIMEOUT)

#: Keys of nasearch 0.1.0 records, read as the fields they became.
_RENAMED = {"test": "report", "incumbent_test": "incumbent_report"}


@dataclass(frozen=True)
class Trial:
    """One evaluated architecture.

    ``value`` is the searched metric in the objective's unit (percent for accuracies;
    ``None`` unless ``status == "ok"``), ``report`` the objective's report metric of the
    same architecture (e.g. test accuracy). ``incumbent`` / ``incumbent_report`` are the
    best feasible value so far and its report metric. ``handed`` is the hand-out number
    and ``told_before`` the number of trials recorded before it was handed out: together
    they let a resume replay the exact interleaving of asks and tells. ``seconds`` is the
    evaluation's wall time, ``wall`` the run's clock when it was recorded (seconds).
    ``feasible`` is set only under constraints; ``front_size`` and ``hypervolume_ratio``
    only in a multi-objective search. ``fidelity`` (e.g. epochs) and ``cost`` (the budget
    units it spent) are set only in a multi-fidelity search (:mod:`nasearch.fidelity`),
    where only full-fidelity trials become the incumbent.
    """

    query: int
    arch: str
    status: str
    value: Optional[float]
    report: Optional[float]
    metrics: dict
    incumbent: Optional[float]
    incumbent_report: Optional[float]
    predicted: Optional[float]
    handed: int
    told_before: int
    seconds: float
    wall: float
    error: str = ""
    feasible: Optional[bool] = None
    front_size: Optional[int] = None
    hypervolume_ratio: Optional[float] = None
    fidelity: Optional[float] = None
    cost: Optional[float] = None

    @property
    def ok(self) -> bool:
        return self.status == OK

    def to_json(self) -> dict:
        """The JSON object of one ``history.jsonl`` line (optional fields only when set)."""
        data = {"query": self.query, "arch": self.arch, "status": self.status, "value": self.value,
                "report": self.report, "metrics": self.metrics, "incumbent": self.incumbent,
                "incumbent_report": self.incumbent_report, "predicted": self.predicted, "handed": self.handed,
                "told_before": self.told_before, "seconds": self.seconds, "wall": self.wall}
        if self.error:
            data["error"] = self.error
        if self.feasible is not None:
            data["feasible"] = self.feasible
        if self.front_size is not None:
            data["front_size"] = self.front_size
            data["hypervolume_ratio"] = self.hypervolume_ratio
        if self.fidelity is not None:
            data["fidelity"], data["cost"] = self.fidelity, self.cost
        return data

    @classmethod
    def from_json(cls, data, where: str = HISTORY) -> "Trial":
        """Parse one history line (this version's keys or 0.1.0's); a missing or mistyped
        field is a :class:`~nasearch.errors.DataError` naming ``where`` and the field."""
        if not isinstance(data, dict):
            raise DataError(f"{where} is not a JSON object; restore the file from a backup or start a new run")
        data = {_RENAMED.get(key, key): value for key, value in data.items()}

        def need(key, kinds, optional=False):
            value = data.get(key)
            if value is None and optional:
                return None
            if key not in data or isinstance(value, bool) and bool not in kinds or not isinstance(value, kinds):
                raise DataError(f"{where}: field {key!r} is {'missing' if key not in data else repr(value)}; "
                                "restore the file from a backup or start a new run")
            return value

        query = need("query", (int,))
        status = data.get("status", OK)
        if status not in STATUSES:
            raise DataError(f"{where}: status {status!r} is not one of {', '.join(STATUSES)}; "
                            "restore the file from a backup or start a new run")
        value = need("value", (int, float), optional=True)
        if status == OK and (value is None or not math.isfinite(value)):
            raise DataError(f"{where}: an ok trial has value {value!r}; restore the file from a backup "
                            "or start a new run")
        number = (int, float)
        return cls(query=query, arch=need("arch", (str,)), status=status, value=value,
                   report=need("report", number, optional=True), metrics=need("metrics", (dict,), optional=True) or {},
                   incumbent=need("incumbent", number, optional=True),
                   incumbent_report=need("incumbent_report", number, optional=True),
                   predicted=need("predicted", number, optional=True),
                   handed=need("handed", (int,), optional=True) if "handed" in data else query,
                   told_before=need("told_before", (int,), optional=True) if "told_before" in data else query,
                   seconds=float(need("seconds", number, optional=True) or 0.0),
                   wall=float(need("wall", number)), error=str(data.get("error", "") or ""),
                   feasible=need("feasible", (bool,), optional=True),
                   front_size=need("front_size", (int,), optional=True),
                   hypervolume_ratio=need("hypervolume_ratio", number, optional=True),
                   fidelity=_float(need("fidelity", number, optional=True)),
                   cost=_float(need("cost", number, optional=True)))


def _float(value) -> Optional[float]:
    return None if value is None else float(value)
