"""HW-NAS-Bench hardware costs of the NAS-Bench-201 cells, as benchmark metrics.

The package ships ``data/nasbench201_hw.csv.gz`` (MIT-licensed, see ``data/NOTICE``):
one row per cell in official index order, columns ``<dataset>_<device>_<metric>``.
A cost is exposed as the metric ``<metric>@<device>`` (``latency@edgegpu``,
``energy@fpga``); latency is in ms, energy in mJ. Lower is better for every cost.
HW-NAS-Bench writes -1 for a value it did not measure (``latency@edgetpu`` on
4,699 cells); it is kept as NaN here and :meth:`HardwareTable.cost` raises
:class:`~nasearch.errors.MissingValueError` for it, so it never reads as a number.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from nasearch.errors import DataError, MissingValueError

from .table import read_rows

PACKAGED_HARDWARE = Path(__file__).with_name("data") / "nasbench201_hw.csv.gz"
DEVICES = ("edgegpu", "raspi4", "edgetpu", "pixel3", "eyeriss", "fpga")
#: NAS-Bench-201 dataset → the HW-NAS-Bench column prefix (input size and classifier head).
HARDWARE_DATASET = {"cifar10-valid": "cifar10", "cifar10": "cifar10", "cifar100": "cifar100",
                    "ImageNet16-120": "imagenet16"}
UNITS = {"latency": "ms", "energy": "mJ", "arithmetic_intensity": ""}
#: The cost metrics of every dataset, in the table's column order (known without loading it).
COST_METRICS = ("latency@edgegpu", "energy@edgegpu", "latency@raspi4", "latency@edgetpu", "latency@pixel3",
                "latency@eyeriss", "energy@eyeriss", "arithmetic_intensity@eyeriss", "latency@fpga", "energy@fpga")


class HardwareTable:
    """``values[(prefix, "metric@device")]`` is a ``(15625,)`` float64 array in official index
    order, NaN where the cost was not measured."""

    def __init__(self, arch_strings: list, values: dict):
        self.arch_strings = arch_strings
        self.values = values

    @classmethod
    def load(cls, path=PACKAGED_HARDWARE, num_archs: int = 15625) -> "HardwareTable":
        path = Path(path)
        fix = "reinstall nasearch to restore the packaged hardware table"
        header, rows = read_rows(path, "hardware table", fix)
        if header[:2] != ["index", "arch"] or len(rows) != num_archs:
            raise DataError(f"hardware table {str(path)!r} is not an index,arch,<costs> table of "
                            f"{num_archs} rows; {fix}")
        names = {}
        for position, column in enumerate(header[2:], start=2):
            prefix, _, rest = column.partition("_")
            device, _, metric = rest.partition("_")
            if device not in DEVICES or metric not in UNITS:
                raise DataError(f"hardware table {str(path)!r} has an unknown column {column!r}; {fix}")
            names[position] = (prefix, f"{metric}@{device}")
        try:
            matrix = np.array([[float(x) for x in row[2:]] for row in rows])
            order = np.array([int(row[0]) for row in rows])
        except ValueError:
            raise DataError(f"hardware table {str(path)!r} has a non-numeric value; {fix}") from None
        expected = {(prefix, metric) for prefix in set(HARDWARE_DATASET.values()) for metric in COST_METRICS}
        if set(names.values()) != expected:
            raise DataError(f"hardware table {str(path)!r} does not have every {COST_METRICS} column for "
                            f"{sorted(set(HARDWARE_DATASET.values()))}; {fix}")
        if sorted(order.tolist()) != list(range(num_archs)) or matrix.shape[1] != len(names):
            raise DataError(f"hardware table {str(path)!r} has bad, duplicate or ragged rows; {fix}")
        if not np.all(np.isfinite(matrix)) or np.any((matrix < 0) & (matrix != -1)):
            raise DataError(f"hardware table {str(path)!r} has a negative or non-finite cost; {fix}")
        matrix = np.where(matrix == -1, np.nan, matrix)
        arch_strings = [""] * num_archs
        values = {key: np.empty(num_archs) for key in names.values()}
        for row_number, (index, row) in enumerate(zip(order, rows)):
            arch_strings[index] = row[1]
            for position, key in names.items():
                values[key][index] = matrix[row_number, position - 2]
        return cls(arch_strings, values)

    def column(self, dataset: str, metric: str) -> np.ndarray:
        return self.values[(HARDWARE_DATASET[dataset], metric)]

    def cost(self, index: int, dataset: str, metric: str) -> float:
        value = self.column(dataset, metric)[index]
        if np.isnan(value):
            raise MissingValueError(f"{metric} on {dataset} was not measured for NAS-Bench-201 cell {index} "
                                    "(HW-NAS-Bench has no value)")
        return float(value)
