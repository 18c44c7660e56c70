"""The DARTS space's two benchmarks, one per dataset name.

* ``cifar10``: the 725 NAS-Bench-301 cells measured on CIFAR-10 (NAS-Bench-Suite-Zero's
  subset, ``data/nasbench301_subset.csv.gz``). A partial table: it serves predictor
  evaluation, and any other cell has no value.
* ``nb301``: the NAS-Bench-301 surrogate (:mod:`.surrogate`) over the whole space, CIFAR-10
  validation accuracy predicted at epochs 1..98 (98 by default), and the training runtime in
  seconds as a cost. A **surrogate benchmark**: predictions, not measurements.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

from nasearch.errors import DataError

from .surrogate import EPOCHS, FULL_EPOCHS, RUNTIME, VALUE, NB301Surrogate
from .table import load_table

TABLE = Path(__file__).with_name("data") / "nasbench301_subset.csv.gz"
MEASURED, SURROGATE = "cifar10", "nb301"
SURROGATE_NOTE = ("surrogate benchmark: YAHPO Gym's NAS-Bench-301 model predicts these values "
                  "(Spearman 0.59 against the 725 measured cells); it is not ground truth")


class DartsBenchmark:
    """Answers the DARTS space's queries: the measured subset table and the surrogate, each loaded on first use."""

    datasets = (MEASURED, SURROGATE)

    def __init__(self, from_compact):
        self._from_compact = from_compact
        self._table: Optional[dict] = None
        self.surrogate = NB301Surrogate()

    @property
    def table(self) -> dict:
        """``{arch: CIFAR-10 validation accuracy (percent)}`` for the 725 measured cells."""
        if self._table is None:
            self._table = load_table(TABLE, self._from_compact)
        return self._table

    @staticmethod
    def epochs(dataset: str) -> list:
        """The surrogate's epochs, the default (98) first; the measured table has one fidelity."""
        return [FULL_EPOCHS, *EPOCHS[:-1]] if dataset == SURROGATE else []

    @staticmethod
    def cost_metrics(dataset: str) -> list:
        return ["runtime"] if dataset == SURROGATE else []

    def surrogate_value(self, arch, metric: str, epochs: Optional[int]) -> float:
        """``val`` in percent at ``epochs``, or ``runtime``: seconds to train the full 98 epochs."""
        if metric == "runtime":
            return float(self.surrogate.predict([arch], FULL_EPOCHS)[0, RUNTIME])
        return float(100.0 * self.surrogate.predict([arch], epochs)[0, VALUE])

    def measured_value(self, arch, describe) -> float:
        try:
            return self.table[arch]
        except KeyError:
            raise DataError(f"DARTS cell {describe(arch)} is not among the {len(self.table)} measured "
                            "NAS-Bench-301 cells of dataset cifar10; search with dataset nb301 (the surrogate "
                            "over the whole space), or score DARTS cells with your own objective") from None
