"""What a search optimises: one or more objective terms, under constraints.

* A term names a metric of the objective's result and a direction:
  ``val`` is maximised, ``-latency@edgegpu`` minimised. One term is an ordinary
  search; several make it multi-objective (the search tracks the non-dominated set).
* A constraint bounds a metric: ``{"latency@pixel3": "<= 5"}``. The search maximises
  among feasible architectures; an infeasible one is never the incumbent.

Metrics a benchmark knows without training (a space's ``cost_metrics``, such as
HW-NAS-Bench latencies) are looked up before proposing: an architecture that
breaks a constraint on such a metric, or whose term value is missing, is
rejected without spending an evaluation (:meth:`Goal.admissible`).
"""
from __future__ import annotations

import functools
import math
import operator
from dataclasses import dataclass
from typing import Optional

import numpy as np

from .errors import ConfigError

_OPERATORS = {"<=": operator.le, "<": operator.lt, ">=": operator.ge, ">": operator.gt}


@dataclass(frozen=True)
class Term:
    """One optimised metric; ``sign`` +1 maximises it, -1 minimises it."""

    metric: str
    sign: int = 1

    @classmethod
    def parse(cls, text) -> "Term":
        if not isinstance(text, str) or not text.strip().lstrip("+-").strip():
            raise ConfigError(f"objective {text!r} is not a metric name; write e.g. val (maximise) or "
                              "-latency@edgegpu (minimise)")
        text = text.strip()
        if text[0] in "+-":
            return cls(text[1:].strip(), -1 if text[0] == "-" else 1)
        return cls(text, 1)

    @property
    def label(self) -> str:
        return self.metric if self.sign > 0 else f"-{self.metric}"


@dataclass(frozen=True)
class Constraint:
    """``metric <operator> bound``; a missing or non-finite value never satisfies it."""

    metric: str
    operator: str
    bound: float

    @classmethod
    def parse(cls, metric: str, text) -> "Constraint":
        usage = f'write the constraint as {{{metric}: "<= 5"}} with one of {", ".join(_OPERATORS)} and a number'
        if isinstance(text, (int, float)) and not isinstance(text, bool):
            raise ConfigError(f"constraint {metric}: {text!r} has no comparison; {usage}")
        if not isinstance(text, str):
            raise ConfigError(f"constraint {metric}: {text!r} is not text; {usage}")
        stripped = text.strip()
        for symbol in sorted(_OPERATORS, key=len, reverse=True):
            if stripped.startswith(symbol):
                try:
                    bound = float(stripped[len(symbol):])
                except ValueError:
                    break
                if not math.isfinite(bound):
                    break
                return cls(str(metric), symbol, bound)
        raise ConfigError(f"constraint {metric}: {text!r} is not a comparison with a number; {usage}")

    def satisfied(self, value) -> bool:
        try:
            number = float(value)
        except (TypeError, ValueError):
            return False
        return math.isfinite(number) and _OPERATORS[self.operator](number, self.bound)

    def satisfied_array(self, values: np.ndarray) -> np.ndarray:
        """``(n,)`` bool: which of ``values`` (NaN = missing) satisfy the constraint."""
        values = np.asarray(values, dtype=float)
        with np.errstate(invalid="ignore"):
            return np.isfinite(values) & _OPERATORS[self.operator](values, self.bound)

    @property
    def label(self) -> str:
        return f"{self.metric} {self.operator} {self.bound:g}"


class Goal:
    """Objective terms plus constraints; turns a metrics dict into a signed vector and a verdict."""

    def __init__(self, terms: list, constraints: list = ()):
        if not terms:
            raise ConfigError("objectives is empty; name at least one metric, e.g. [val]")
        labels = [t.metric for t in terms]
        if len(set(labels)) != len(labels):
            raise ConfigError(f"objectives {[t.label for t in terms]} name a metric twice; list each once")
        self.terms, self.constraints = tuple(terms), tuple(constraints)

    @classmethod
    def build(cls, objectives, constraints, default_metric: str) -> "Goal":
        """From config values: ``objectives`` a list of names (None = ``[default_metric]``),
        ``constraints`` a ``{metric: "<= bound"}`` mapping (None = none)."""
        if objectives is None or objectives == []:
            terms = [Term(default_metric)]
        elif isinstance(objectives, (list, tuple)):
            terms = [Term.parse(o) for o in objectives]
        else:
            raise ConfigError(f"objectives must be a list such as [val, -latency@edgegpu], got {objectives!r}")
        if constraints is None:
            constraints = {}
        if not isinstance(constraints, dict):
            raise ConfigError(f'constraints must be a mapping such as {{latency@pixel3: "<= 5"}}, got {constraints!r}')
        return cls(terms, [Constraint.parse(m, t) for m, t in constraints.items()])

    @property
    def multi(self) -> bool:
        return len(self.terms) > 1

    @property
    def metrics(self) -> list:
        """Every metric the goal reads: terms first, then constraints."""
        names = [t.metric for t in self.terms]
        return names + [c.metric for c in self.constraints if c.metric not in names]

    def vector(self, metrics: dict) -> Optional[np.ndarray]:
        """``(m,)`` signed term values (all maximised), or ``None`` when one is missing or not finite."""
        values = []
        for term in self.terms:
            try:
                number = float(metrics.get(term.metric))
            except (TypeError, ValueError):
                return None
            if not math.isfinite(number):
                return None
            values.append(term.sign * number)
        return np.array(values)

    def missing(self, metrics: dict) -> list:
        """Term metrics that ``metrics`` lacks or holds as a non-number."""
        return [t.metric for t in self.terms if Goal([t]).vector(metrics) is None]

    def feasible(self, metrics: dict) -> bool:
        return all(c.satisfied(metrics.get(c.metric)) for c in self.constraints)

    def admissible(self, known: dict) -> bool:
        """Whether the metrics known before evaluation (``known``: name -> value or None) allow
        the architecture: every known constrained metric satisfies its constraint, and no
        known term value is missing."""
        for constraint in self.constraints:
            if constraint.metric in known and not constraint.satisfied(known[constraint.metric]):
                return False
        return all(known[t.metric] is not None for t in self.terms if t.metric in known)

    def describe(self) -> str:
        text = ", ".join(t.label for t in self.terms)
        if self.constraints:
            text += " subject to " + ", ".join(c.label for c in self.constraints)
        return text


@dataclass(frozen=True)
class TableReference:
    """Exact limits of a goal from a table that covers the space.

    ``feasible`` is an ``(n,)`` bool mask over the table's architectures; ``optimum`` the best
    feasible value of the single term (signed; ``None`` for several terms); ``front`` the
    ``(k, m)`` true Pareto front of the feasible architectures (signed, maximised) and
    ``scale`` its normalised frame, when there are several terms.
    """

    feasible: np.ndarray
    optimum: Optional[float]
    front: Optional[np.ndarray]
    scale: object

    @functools.cached_property
    def true_hypervolume(self) -> Optional[float]:
        return None if self.front is None else self.scale.hypervolume(self.front)


def table_reference(goal: Goal, objective) -> Optional[TableReference]:
    """The goal's exact optimum or Pareto front from ``objective.table_values`` (``None`` when no
    table covers the space). Raises ConfigError when no architecture satisfies the constraints."""
    from .pareto import FrontScale, non_dominated

    columns = {name: objective.table_values(name) for name in goal.metrics}
    if any(values is None for values in columns.values()):
        return None
    feasible = np.ones(len(next(iter(columns.values()))), dtype=bool)
    for constraint in goal.constraints:
        feasible &= constraint.satisfied_array(columns[constraint.metric])
    if not feasible.any():
        tightest = ", ".join(f"{c.metric} ranges {np.nanmin(columns[c.metric]):g}..{np.nanmax(columns[c.metric]):g}"
                             for c in goal.constraints)
        raise ConfigError(f"no architecture satisfies {', '.join(c.label for c in goal.constraints)} "
                          f"({tightest}); loosen the constraints")
    points = np.column_stack([t.sign * columns[t.metric] for t in goal.terms])
    usable = feasible & np.all(np.isfinite(points), axis=1)
    if not goal.multi:
        return TableReference(feasible, float(points[usable, 0].max()), None, None)
    candidates = points[usable]
    front = np.unique(candidates[non_dominated(candidates)], axis=0)
    return TableReference(feasible, None, front, FrontScale.of(front))
