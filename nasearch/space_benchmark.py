"""The optional benchmark part of a search space: the values of its architectures, looked up.

A tabular or surrogate benchmark answers ``query(arch, dataset, metric, epochs)`` without
training, lists its datasets, metrics, fidelities and deployment costs, and, when a table
covers the space, its values and optimum. Every :class:`~nasearch.SearchSpace` is a
Benchmark, with defaults that mean "no benchmark": such a space is scored by an objective
of the user's (see :mod:`nasearch.objective`). The benchmark reads the space's own
``name``, ``enumerate``, ``listable`` and ``size``.
"""
from __future__ import annotations

from typing import Hashable, Optional

import numpy as np

from .errors import DataError, unknown

Architecture = Hashable


class Benchmark:
    """Benchmark values of architectures: datasets, metrics, fidelities, costs, queries, tables."""

    #: Registry name of the space, e.g. ``"nasbench201"`` (named in errors).
    name: str = ""

    @property
    def datasets(self) -> list:
        """Names of the datasets the benchmark covers (empty: the space has no benchmark)."""
        return []

    def metrics(self, dataset: str) -> list:
        """Metrics available for ``dataset``, e.g. ``["train", "val", "test"]``."""
        return []

    def metric_unit(self, metric: str) -> str:
        """The unit of a metric's values, for axis labels: ``"%"`` for the accuracies
        (``train``, ``val``, ``test``); ``""`` (unknown) for anything else unless a space says."""
        return "%" if metric in ("train", "val", "test") else ""

    def cost_metrics(self, dataset: str) -> list:
        """Deployment costs of ``dataset``'s architectures, lower is better (e.g. ``latency@edgegpu``).

        A cost is a lookup that needs no training, so a search reads it for free
        before deciding what to evaluate (it filters constrained proposals with it).
        :meth:`query` returns it, or raises MissingValueError when it was never measured.
        """
        return []

    def epochs(self, dataset: str, metric: str) -> list:
        """Training budgets available for ``(dataset, metric)``; the first is the default.

        An empty list means the benchmark has a single fidelity and ``epochs``
        must be left as ``None``.
        """
        return []

    def query(self, arch: Architecture, dataset: str, metric: str = "val",
              epochs: Optional[int] = None) -> float:
        """Benchmark value of ``arch`` in percent accuracy (a table lookup)."""
        raise DataError(f"search space {self.name!r} has no benchmark table; score its architectures with "
                        "an objective of your own (nasearch.Search(space, objective))")

    def benchmark_note(self, dataset: str) -> str:
        """What a reader must know about ``dataset``'s values, shown wherever they are reported ("": nothing)."""
        return ""

    def table_archs(self, dataset: str) -> Optional[list]:
        """The architectures the benchmark has values for, when they can be listed cheaply.

        Default: every architecture of a listable space (the benchmark covers the
        space), else ``None``. A space with a partial table (e.g. DARTS with its
        NAS-Bench-301 subset) returns the tabulated architectures.
        """
        return list(self.enumerate()) if self.listable and self.datasets else None

    def table_covers_space(self, dataset: str) -> bool:
        """Whether every architecture of the space has a benchmark value."""
        archs = self.table_archs(dataset)
        return archs is not None and self.size is not None and len(archs) == self.size

    def values(self, dataset: str, metric: str = "val", epochs: Optional[int] = None) -> np.ndarray:
        """``(n,)`` float64 values in :meth:`table_archs` order. Override for speed."""
        archs = self.table_archs(dataset)
        if archs is None:
            raise DataError(f"space {self.name!r} has no listable table for {dataset!r}; "
                            "query single architectures instead")
        return np.array([self.query(a, dataset, metric, epochs) for a in archs])

    def optimum(self, dataset: str, metric: str = "val", epochs: Optional[int] = None) -> Optional[float]:
        """The best value in the space, or ``None`` when the table cannot say so cheaply."""
        if not self.table_covers_space(dataset):
            return None
        return float(np.max(self.values(dataset, metric, epochs)))

    def dataset_sizes(self) -> dict:
        """``{dataset: number of architectures}``; differs from :attr:`size` for a space whose
        datasets have spaces of their own (NAS-Bench-Graph's proteins). Default: :attr:`size` each."""
        return {dataset: self.size for dataset in self.datasets}

    @classmethod
    def convert_table(cls, source: str, out: str) -> int:
        """Rebuild the space's benchmark table at ``out`` from its official release file ``source``
        (``python main.py convert --space NAME``); returns the rows written. Default: no converter."""
        raise DataError(f"search space {cls.name!r} has no table converter; its table ships as it is")

    def check_dataset(self, dataset: str) -> str:
        """Raise UnknownNameError unless ``dataset`` is one of :attr:`datasets`."""
        if not self.datasets:
            raise DataError(f"search space {self.name!r} has no benchmark table; score its architectures with "
                            "an objective of your own (nasearch.Search(space, objective))")
        if dataset not in self.datasets:
            raise unknown(f"dataset for space {self.name!r}:", dataset, self.datasets)
        return dataset

    def check_query(self, dataset: str, metric: str, epochs: Optional[int]) -> Optional[int]:
        """Validate a query's names; return the epochs to use (the default when ``None``)."""
        self.check_dataset(dataset)
        if metric in self.cost_metrics(dataset):
            if epochs is not None:
                raise unknown(f"epochs for the cost {metric!r} (omit epochs):", epochs, ["none"])
            return None
        if metric not in self.metrics(dataset):
            raise unknown(f"metric for {self.name}/{dataset}:", metric,
                          self.metrics(dataset) + self.cost_metrics(dataset))
        available = self.epochs(dataset, metric)
        if not available:
            if epochs is not None:
                raise unknown(f"epochs for {self.name}/{dataset} (single fidelity; omit epochs):",
                              epochs, ["none"])
            return None
        if epochs is None:
            return available[0]
        if int(epochs) not in available:
            raise unknown(f"epochs for {self.name}/{dataset}/{metric}:", epochs, available)
        return int(epochs)
