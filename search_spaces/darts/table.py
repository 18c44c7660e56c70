"""The shipped NAS-Bench-301 subset: 725 DARTS cells with CIFAR-10 validation accuracy."""
from __future__ import annotations

import csv
import gzip
from pathlib import Path

import numpy as np

from nasearch.errors import DataError, InvalidArchitectureError


def load_table(path, from_compact) -> dict:
    """Read the gzipped NAS-Bench-301 subset (columns ``idx, compact, cifar10_val``), validating every row;
    ``from_compact`` parses a cell's compact text (:meth:`DARTS.from_compact`)."""
    path = Path(path)
    fix = "reinstall nasearch to restore the shipped file"
    try:
        with gzip.open(path, "rt", newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, EOFError, UnicodeDecodeError, csv.Error) as error:
        raise DataError(f"cannot read DARTS table {str(path)!r} ({error}); {fix}") from None
    table = {}
    for line, row in enumerate(rows, start=2):
        try:
            arch = from_compact(row["compact"])
            value = float(row["cifar10_val"])
        except (KeyError, TypeError, ValueError, InvalidArchitectureError) as error:
            raise DataError(f"DARTS table {str(path)!r} line {line} is malformed ({error}); {fix}") from None
        if not np.isfinite(value) or not 0.0 <= value <= 100.0:
            raise DataError(f"DARTS table {str(path)!r} line {line} has accuracy {value}, outside 0..100; {fix}")
        if arch in table:
            raise DataError(f"DARTS table {str(path)!r} line {line} repeats a cell; {fix}")
        table[arch] = value
    if not table:
        raise DataError(f"DARTS table {str(path)!r} has no rows; {fix}")
    return table
