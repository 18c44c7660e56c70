"""Convert the official NAS-Bench-201 release (``.pth``) into the compact CSV table.

Run once: ``python main.py convert-nb201 --source NAS-Bench-201-v1_1-096897.pth --out nb201.csv``.
The official file is loaded with ``weights_only=False`` (torch >= 2.6 defaults to
True, which the release cannot satisfy) and read through the nas-bench-201 package.
"""
from __future__ import annotations

import csv
from pathlib import Path

from nasearch.errors import DataError

from .table import COLUMNS, HEADER

#: our metric name → the set name the official API uses, per dataset.
_SET_NAMES = {
    ("cifar10-valid", "train"): "train", ("cifar10-valid", "val"): "x-valid",
    ("cifar10-valid", "test"): "ori-test", ("cifar10", "test"): "ori-test",
    ("cifar100", "train"): "train", ("cifar100", "val"): "x-valid", ("cifar100", "test"): "x-test",
    ("ImageNet16-120", "train"): "train", ("ImageNet16-120", "val"): "x-valid",
    ("ImageNet16-120", "test"): "x-test",
}
_HP_KEYS = {200: "full", 12: "less"}


def convert(source, out, progress: bool = True) -> int:
    """Write the compact table for every architecture in ``source``; return the row count."""
    import torch
    from nas_201_api.api_utils import ArchResults

    source, out = Path(source), Path(out)
    if not source.is_file():
        raise DataError(f"official NAS-Bench-201 file {str(source)!r} does not exist; download "
                        "NAS-Bench-201-v1_1-096897.pth and pass its path with --source")
    try:
        data = torch.load(source, map_location="cpu", weights_only=False)
    except Exception as error:  # torch raises many types for a corrupt archive
        raise DataError(f"cannot load {str(source)!r} as a NAS-Bench-201 release ({type(error).__name__}); "
                        "pass the official NAS-Bench-201-v1_0/v1_1 .pth file") from None
    if not isinstance(data, dict) or not {"meta_archs", "arch2infos"} <= set(data):
        raise DataError(f"{str(source)!r} is not a NAS-Bench-201 release (no meta_archs/arch2infos); "
                        "pass the official NAS-Bench-201-v1_0/v1_1 .pth file")
    indexes = sorted(data["arch2infos"])
    if progress:
        from tqdm import tqdm
        indexes = tqdm(indexes, desc="converting", unit="arch")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(out.suffix + ".tmp")
    with open(tmp, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for index in indexes:
            results = {hp: ArchResults.create_from_state_dict(data["arch2infos"][index][key])
                       for hp, key in _HP_KEYS.items()}
            row = [index, data["meta_archs"][index]]
            for (dataset, metric, epochs) in COLUMNS:
                info = results[epochs].get_metrics(dataset, _SET_NAMES[(dataset, metric)])
                row.append(f"{float(info['accuracy']):.4f}")
            writer.writerow(row)
    tmp.replace(out)
    return len(indexes)
