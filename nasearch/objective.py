"""Objectives: how architectures are scored, apart from what a search space is.

An :class:`Objective` turns one architecture into a dict of metrics in one call;
the search maximises ``metrics[objective.metric]`` and may report
``metrics[objective.report_metric]`` beside it. A search calls it exactly once
per architecture it proposes, and never for anything else, so an objective may
be as expensive as training a network. Built-ins:

* :class:`TabularObjective`: a space's tabular benchmark (``space.query``);
  it knows the optimum only when the table covers the space;
* :class:`CallableObjective`: any Python callable ``arch -> float | dict``.

:func:`evaluate` wraps one call: an exception, a timeout or a non-finite value
becomes an :class:`Evaluation` with a failure status instead of a crash, so a
failed architecture counts against the budget and never reaches a predictor.
"""
from __future__ import annotations

import abc
import math
import signal
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np

from .errors import ConfigError, MissingValueError, NasearchError

OK, FAILED, TIMEOUT = "ok", "failed", "timeout"


class Objective(abc.ABC):
    """Scores architectures: ``evaluate(arch)`` returns every metric of one architecture."""

    #: key of the maximised metric in :meth:`evaluate`'s dict
    metric: str = "value"
    #: key of a metric reported for the best architecture (e.g. test accuracy), or ""
    report_metric: str = ""
    #: the benchmark dataset scored, when there is one (named in summaries and plots)
    dataset: Optional[str] = None
    #: the unit of :meth:`fidelities` (a multi-fidelity budget counts it)
    fidelity_unit: str = "epochs"
    #: whether :meth:`evaluate_at` continues the same architecture's evaluation at a lower
    #: fidelity (training resumed from its checkpoint), so a promotion costs the difference
    continues_lower_fidelity: bool = False

    @abc.abstractmethod
    def evaluate(self, arch) -> dict:
        """``{metric name: value}`` for ``arch``; must contain :attr:`metric`."""

    def optimum(self) -> Optional[float]:
        """The best achievable value, when it is known cheaply (else ``None``)."""
        return None

    def fidelities(self) -> list:
        """The fidelities :meth:`evaluate_at` accepts (e.g. epochs), ascending; the last is what
        :meth:`evaluate` scores. ``[]`` (the default): one fidelity only, no multi-fidelity search."""
        return []

    def evaluate_at(self, arch, fidelity: float) -> dict:
        """Like :meth:`evaluate` at one of :meth:`fidelities` (a multi-fidelity search's jobs)."""
        raise ConfigError(f"objective {self.describe()!r} has one fidelity; implement fidelities() and "
                          "evaluate_at() to search it with a schedule")

    def check_data(self) -> None:
        """Load whatever data the objective needs now, so that missing or broken data fails
        with its one-line error before any slow work (pretraining). Default: nothing to load."""

    def use_checkpoints(self, folder) -> None:
        """Keep state that must outlive this process (unfinished trainings) in ``folder``, a
        folder of the run directory that every worker reaches. Default: nothing to keep."""

    def require(self, metrics: list) -> None:
        """Ask :meth:`evaluate` to return these metrics too (objective terms, constrained
        metrics); raise an error naming the valid metrics when one cannot be provided."""

    def known_metrics(self, arch, metrics: list) -> dict:
        """Those of ``metrics`` known for ``arch`` without evaluating it (free lookups such as a
        benchmark's hardware costs): ``{name: value or None when not measured}``."""
        return {}

    def table_values(self, metric: str) -> Optional[np.ndarray]:
        """``(n,)`` values of ``metric`` for every architecture of the space (NaN = not measured),
        when a table covers the space; else ``None``. Gives the exact optimum under constraints
        and the true Pareto front."""
        return None

    def unit(self, metric: str) -> str:
        """The unit of ``metric``'s values, for plots (``""`` when unknown)."""
        return ""

    def describe(self) -> str:
        return type(self).__name__


def scoring_dataset(space) -> str:
    """The first of ``space``'s datasets that can score a search (a table covering the space, or a
    surrogate benchmark over it), else its first dataset; ``""`` when it has no benchmark."""
    for dataset in space.datasets:
        if space.table_archs(dataset) is None or space.table_covers_space(dataset):
            return dataset
    return (space.datasets or [""])[0]


class TabularObjective(Objective):
    """Maximise ``metric`` of a space's benchmark table on ``dataset``; report ``report_metric``.

    Values are percent. Optimising the test metric must be asked for explicitly
    (``allow_test_objective``), because selecting on test data overstates results.
    """

    def __init__(self, space, dataset: str = "", metric: str = "", epochs: Optional[int] = None,
                 report_metric: Optional[str] = None, allow_test_objective: bool = False):
        self.space = space
        self.dataset = space.check_dataset(dataset or scoring_dataset(space))
        metrics = space.metrics(self.dataset)
        self.metric = metric or ("val" if "val" in metrics else metrics[0])
        self.allow_test_objective = allow_test_objective
        if self.metric == "test" and not allow_test_objective:
            raise ConfigError("the objective metric is 'test'; search on 'val', or set "
                              "allow_test_objective: true to select on test data deliberately")
        self.epochs = space.check_query(self.dataset, self.metric, epochs)
        if report_metric is None:
            report_metric = "test" if "test" in metrics and self.metric != "test" else ""
        self.report_metric = report_metric
        if report_metric:
            space.check_query(self.dataset, report_metric, None)
        archs = space.table_archs(self.dataset)
        if archs is not None and not space.table_covers_space(self.dataset):
            raise ConfigError(f"the {space.name} table has values for only {len(archs):,} architectures, so a "
                              "search cannot be scored by it; pass an objective of your own (a Python callable)")

        self.extra_metrics: list = []
        self._covers: Optional[bool] = None   # whether the table covers the space (asked once)
        self._listed = archs is not None      # False: a model scores the space (a surrogate benchmark)

    def use_checkpoints(self, folder) -> None:
        """Keep state that must outlive this process (unfinished trainings) in ``folder``, a
        folder of the run directory that every worker reaches. Default: nothing to keep."""

    def require(self, metrics: list) -> None:
        if "test" in metrics and self.metric != "test" and not self.allow_test_objective:
            raise ConfigError("an objective or constraint reads 'test'; use 'val', or set "
                              "allow_test_objective: true to select on test data deliberately")
        for name in metrics:
            self.space.check_query(self.dataset, name, self.epochs if name == self.metric else None)
            if name not in (self.metric, self.report_metric, *self.extra_metrics):
                self.extra_metrics.append(name)

    def _lookup(self, arch, name: str) -> Optional[float]:
        try:
            return self.space.query(arch, self.dataset, name, self.epochs if name == self.metric else None)
        except MissingValueError:   # a cost the benchmark never measured: missing, not a number
            return None

    def fidelities(self) -> list:
        levels = sorted(self.space.epochs(self.dataset, self.metric))
        return levels if len(levels) > 1 and self.epochs == levels[-1] else []

    def evaluate_at(self, arch, fidelity: float) -> dict:
        if fidelity == self.epochs:
            return self.evaluate(arch)
        if fidelity not in self.fidelities():
            super().evaluate_at(arch, fidelity)
        # a shorter schedule has its own value only: the report metric belongs to the full one
        metrics = {self.metric: self.space.query(arch, self.dataset, self.metric, int(fidelity))}
        for name in self.extra_metrics:
            metrics[name] = self._lookup(arch, name)
        return metrics

    def evaluate(self, arch) -> dict:
        metrics = {self.metric: self.space.query(arch, self.dataset, self.metric, self.epochs)}
        if self.report_metric:
            metrics[self.report_metric] = self.space.query(arch, self.dataset, self.report_metric, None)
        for name in self.extra_metrics:
            metrics[name] = self._lookup(arch, name)
        return metrics

    def known_metrics(self, arch, metrics: list) -> dict:
        free = self.space.cost_metrics(self.dataset)
        return {name: self._lookup(arch, name) for name in metrics if name in free}

    def table_values(self, metric: str) -> Optional[np.ndarray]:
        if self._covers is None:
            self._covers = self.space.table_covers_space(self.dataset)
        if not self._covers:
            return None
        return np.asarray(self.space.values(self.dataset, metric, self.epochs if metric == self.metric else None),
                          dtype=float)

    def optimum(self) -> Optional[float]:
        return self.space.optimum(self.dataset, self.metric, self.epochs)

    def check_data(self) -> None:
        """Load the table (or run the surrogate once) now, so missing or broken data fails before any slow work."""
        if not self._listed:   # nothing to list: one query loads the model
            self.space.query(self.space.sample(np.random.default_rng(0)), self.dataset, self.metric, self.epochs)
        else:
            self.space.optimum(self.dataset, self.metric, self.epochs)

    def unit(self, metric: str) -> str:
        return self.space.metric_unit(metric)

    def describe(self) -> str:
        epochs = "" if self.epochs is None else f"@{self.epochs}"
        surrogate = " (surrogate benchmark)" if self.space.benchmark_note(self.dataset) else ""
        return f"{self.space.name}/{self.dataset} {self.metric}{epochs}{surrogate}"


class CallableObjective(Objective):
    """Any callable ``arch -> float`` or ``arch -> dict``; a dict must hold ``metric``.

    ``known`` (optional) is a cheap callable ``arch -> dict`` of metrics known without
    evaluating, such as a latency predictor or lookup table; constraints and objective
    terms on those metrics are then checked before an architecture is evaluated.
    """

    def __init__(self, function: Callable, metric: str = "value", report_metric: str = "",
                 known: Optional[Callable] = None):
        if not callable(function):
            raise ConfigError(f"objective {function!r} is not callable; pass a function arch -> float or dict")
        if known is not None and not callable(known):
            raise ConfigError(f"known={known!r} is not callable; pass a function arch -> dict of free metrics")
        self.function, self.metric, self.report_metric, self.known = function, metric, report_metric, known

    def evaluate(self, arch) -> dict:
        result = self.function(arch)
        if isinstance(result, dict):
            if self.metric not in result:
                raise ConfigError(f"the objective returned keys {sorted(result)} without {self.metric!r}; "
                                  f"return a number, or a dict with {self.metric!r}, or set metric=")
            return dict(result)
        return {self.metric: result}

    def known_metrics(self, arch, metrics: list) -> dict:
        if self.known is None:
            return {}
        values = self.known(arch)
        return {name: values[name] for name in metrics if name in values}

    def describe(self) -> str:
        return getattr(self.function, "__name__", type(self.function).__name__)


def as_objective(objective, space) -> Objective:
    """An :class:`Objective` from an objective, a callable, or ``None`` (the space's table)."""
    if objective is None:
        return TabularObjective(space)
    if isinstance(objective, Objective):
        return objective
    return CallableObjective(objective)


@dataclass(frozen=True)
class Evaluation:
    """The outcome of scoring one architecture.

    ``value`` is the objective metric (``None`` unless ``status == "ok"``),
    ``metrics`` everything the objective returned, ``seconds`` the call's wall time.
    """

    value: Optional[float]
    metrics: dict = field(default_factory=dict)
    status: str = OK
    error: str = ""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status == OK


def failure(error: str, status: str = FAILED, seconds: float = 0.0) -> Evaluation:
    """A failed :class:`Evaluation` (``status`` "failed" or "timeout")."""
    return Evaluation(None, {}, status, error, seconds)


def as_evaluation(result, metric: str, seconds: float = 0.0) -> Evaluation:
    """An :class:`Evaluation` from what a user tells: a number, a metrics dict, an exception or
    an Evaluation. A missing, non-numeric or non-finite objective value is a failure."""
    if isinstance(result, Evaluation):
        return result
    if isinstance(result, BaseException):
        return failure(f"{type(result).__name__}: {result}", seconds=seconds)
    metrics = dict(result) if isinstance(result, dict) else {metric: result}
    value = metrics.get(metric)
    try:
        number = float(value)
    except (TypeError, ValueError):
        return failure(f"objective value {value!r} is not a number", seconds=seconds)
    if not math.isfinite(number):
        return failure(f"objective value is {number}", seconds=seconds)
    return Evaluation(number, metrics, OK, "", seconds)


class _Timeout(Exception):
    pass


def evaluate(objective: Objective, arch, timeout: Optional[float] = None,
             fidelity: Optional[float] = None) -> Evaluation:
    """Call ``objective`` once on ``arch`` (at ``fidelity`` when given); any exception, timeout or
    bad value is a failed Evaluation.

    ``timeout`` (seconds) is enforced with ``SIGALRM`` in the main thread of a POSIX
    process; elsewhere it is not enforced. Errors in nasearch's own configuration
    (:class:`~nasearch.errors.ConfigError`) and Ctrl-C still propagate.
    """
    start = time.perf_counter()
    use_alarm = bool(timeout) and hasattr(signal, "SIGALRM") and threading.current_thread() is threading.main_thread()
    if use_alarm:
        def _expire(signum, frame):
            raise _Timeout()
        previous = signal.signal(signal.SIGALRM, _expire)
        signal.setitimer(signal.ITIMER_REAL, float(timeout))
    try:
        metrics = objective.evaluate(arch) if fidelity is None else objective.evaluate_at(arch, fidelity)
    except _Timeout:
        return failure(f"evaluation exceeded {timeout} s", TIMEOUT, time.perf_counter() - start)
    except ConfigError:
        raise
    except NasearchError as error:
        return failure(str(error), seconds=time.perf_counter() - start)
    except Exception as error:  # the user's objective crashed: record it, keep searching
        return failure(f"{type(error).__name__}: {error}", seconds=time.perf_counter() - start)
    finally:
        if use_alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
    return as_evaluation(metrics, objective.metric, time.perf_counter() - start)
