"""The compact NAS-Bench-201 table: one CSV row per architecture, official index order.

Columns are documented in :data:`COLUMNS`. Accuracies are percent. The package
ships the table (``data/nasbench201.csv.gz``, MIT-licensed, see ``data/NOTICE``),
so NAS-Bench-201 works with no download; ``python main.py convert-nb201``
rebuilds it from a copy of the official release, for ``--data`` or ``$NASEARCH_NB201``.
"""
from __future__ import annotations

import csv
import gzip
import io
import os
from pathlib import Path
from typing import Optional

import numpy as np

from nasearch.errors import DataError

NUM_ARCHS = 15625
ENV_VAR = "NASEARCH_NB201"
#: The table shipped inside the package, used when neither --data nor $NASEARCH_NB201 is given.
PACKAGED_TABLE = Path(__file__).with_name("data") / "nasbench201.csv.gz"

#: (dataset, metric, epochs) → CSV column.
COLUMNS = {
    ("cifar10-valid", "train", 200): "cifar10_valid_train_200",
    ("cifar10-valid", "val", 200): "cifar10_valid_val_200",
    ("cifar10-valid", "test", 200): "cifar10_valid_test_200",
    ("cifar10", "test", 200): "cifar10_test_200",
    ("cifar100", "train", 200): "cifar100_train_200",
    ("cifar100", "val", 200): "cifar100_val_200",
    ("cifar100", "test", 200): "cifar100_test_200",
    ("ImageNet16-120", "train", 200): "imagenet16_train_200",
    ("ImageNet16-120", "val", 200): "imagenet16_val_200",
    ("ImageNet16-120", "test", 200): "imagenet16_test_200",
    ("cifar10-valid", "val", 12): "cifar10_valid_val_12",
    ("cifar100", "val", 12): "cifar100_val_12",
    ("ImageNet16-120", "val", 12): "imagenet16_val_12",
}
HEADER = ["index", "arch", *COLUMNS.values()]

MISSING_HELP = (
    "download NAS-Bench-201-v1_1-096897.pth (github.com/D-X-Y/NAS-Bench-201), convert it once with "
    "`python main.py convert-nb201 --source NAS-Bench-201-v1_1-096897.pth --out nb201.csv`, "
    f"then pass --data nb201.csv or set {ENV_VAR}=nb201.csv"
)


def resolve_path(data: Optional[str] = None) -> Path:
    """The table path from the argument, else ``$NASEARCH_NB201``, else the packaged table."""
    candidate = data or os.environ.get(ENV_VAR)
    if not candidate:
        if not PACKAGED_TABLE.is_file():
            raise DataError(f"the NAS-Bench-201 table shipped with nasearch is missing ({PACKAGED_TABLE}); "
                            f"reinstall nasearch, or {MISSING_HELP}")
        return PACKAGED_TABLE
    path = Path(candidate).expanduser()
    if not path.is_file():
        source = "--data or data:" if data else ENV_VAR
        raise DataError(f"NAS-Bench-201 data file {str(path)!r} (from {source}) does not exist; fix the path, or "
                        "drop it to use the table that ships with nasearch")
    if path.suffix in (".pth", ".pickle", ".pkl"):
        raise DataError(f"{str(path)!r} is an official release file; convert it first with "
                        f"`python main.py convert-nb201 --source {path} --out nb201.csv`")
    return path


def read_rows(path: Path, description: str, fix: str) -> tuple:
    """``(header, rows)`` of a CSV file, gzipped or not; a DataError naming ``description`` and
    ``fix`` when it cannot be read or is empty."""
    try:
        raw = path.read_bytes()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        reader = csv.reader(io.StringIO(raw.decode("utf-8"), newline=""))
        header = next(reader, None)
        rows = list(reader)
    except (OSError, EOFError, UnicodeDecodeError, csv.Error) as error:
        raise DataError(f"cannot read {description} {str(path)!r} ({error}); {fix}") from None
    if header is None:
        raise DataError(f"{description} {str(path)!r} is empty; {fix}")
    return header, rows


class Table:
    """Accuracies of all architectures, addressed by official index.

    ``values[column]`` is a ``(15625,)`` float64 array in official index order;
    ``arch_strings[i]`` is the official string of index ``i``.
    """

    def __init__(self, arch_strings: list, values: dict):
        self.arch_strings = arch_strings
        self.values = values

    @classmethod
    def load(cls, path) -> "Table":
        path = Path(path)
        fix = f"regenerate it with `python main.py convert-nb201` ({MISSING_HELP})"
        header, rows = read_rows(path, "NAS-Bench-201 table", fix)
        missing = [c for c in HEADER if c not in header]
        if missing:
            raise DataError(f"NAS-Bench-201 table {str(path)!r} lacks columns {missing}; {fix}")
        if len(rows) != NUM_ARCHS:
            raise DataError(f"NAS-Bench-201 table {str(path)!r} has {len(rows)} rows, expected "
                            f"{NUM_ARCHS} (truncated?); {fix}")
        position = {name: header.index(name) for name in HEADER}
        width = len(header)
        values = {c: np.empty(NUM_ARCHS) for c in COLUMNS.values()}
        arch_strings = [""] * NUM_ARCHS
        for line, row in enumerate(rows, start=2):
            if len(row) != width:
                raise DataError(f"NAS-Bench-201 table {str(path)!r} line {line} has {len(row)} fields, "
                                f"expected {width}; {fix}")
            try:
                index = int(row[position["index"]])
                if not 0 <= index < NUM_ARCHS or arch_strings[index]:
                    raise ValueError
                arch_strings[index] = row[position["arch"]]
                for column, array in values.items():
                    array[index] = float(row[position[column]])
            except ValueError:
                raise DataError(f"NAS-Bench-201 table {str(path)!r} line {line} has a bad or duplicate "
                                f"index or a non-numeric value; {fix}") from None
            for column, array in values.items():
                if not 0.0 <= array[index] <= 100.0:   # also false for NaN
                    raise DataError(f"NAS-Bench-201 table {str(path)!r} line {line} has {column} = "
                                    f"{row[position[column]]!r}, not an accuracy in 0..100; {fix}")
        return cls(arch_strings, values)
