"""The converter reads a file built in the official release format."""
import csv

import pytest
import torch
from nas_201_api.api_utils import ArchResults, ResultsCount

from nasearch.cli import main
from search_spaces.nasbench201.table import COLUMNS

ARCHS = [
    "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|",
    "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|",
    "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|",
]
SETS = {"cifar10-valid": ["x-valid", "ori-test"], "cifar10": ["ori-test"],
        "cifar100": ["x-valid", "x-test", "ori-test"], "ImageNet16-120": ["x-valid", "x-test", "ori-test"]}


def _accuracy(index, dataset, setname, epochs, seed):
    """A distinct, recognisable number per (arch, dataset, set, budget, seed)."""
    return 10.0 * index + len(dataset) + len(setname) / 10 + epochs / 1000 + seed


def _arch_results(index, arch, epochs):
    results = ArchResults(index, arch)
    for dataset, setnames in SETS.items():
        for seed in (777, 888):
            train = {e: _accuracy(index, dataset, "train", epochs, seed) for e in range(epochs)}
            count = ResultsCount(dataset, None, train, dict(train), 1.0, 2.0, {"arch_str": arch}, seed, epochs, 0.1)
            accs = {f"{s}@{e}": _accuracy(index, dataset, s, epochs, seed) for s in setnames for e in range(epochs)}
            count.update_eval(accs, dict(accs), dict(accs))
            results.update(dataset, seed, count)
    return results.state_dict()


@pytest.fixture
def official_file(tmp_path):
    data = {"meta_archs": ARCHS, "evaluated_indexes": list(range(len(ARCHS))),
            "arch2infos": {i: {"less": _arch_results(i, a, 12), "full": _arch_results(i, a, 200)}
                           for i, a in enumerate(ARCHS)}}
    path = tmp_path / "NAS-Bench-201-mini.pth"
    torch.save(data, path)
    return path


def test_convert_matches_the_official_api(official_file, tmp_path):
    out = tmp_path / "table.csv"
    assert main(["convert-nb201", "--source", str(official_file), "--out", str(out)]) == 0
    with open(out, newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["arch"] for r in rows] == ARCHS
    set_of = {"train": "train", "val": "x-valid"}
    for index, row in enumerate(rows):
        for (dataset, metric, epochs), column in COLUMNS.items():
            setname = set_of.get(metric) or ("ori-test" if dataset in ("cifar10-valid", "cifar10") else "x-test")
            expected = (_accuracy(index, dataset, setname, epochs, 777) + _accuracy(index, dataset, setname, epochs, 888)) / 2
            assert float(row[column]) == pytest.approx(expected, abs=1e-4), column


def test_convert_rejects_missing_and_foreign_files(tmp_path, capsys):
    assert main(["convert-nb201", "--source", str(tmp_path / "nope.pth"), "--out", str(tmp_path / "o.csv")]) == 2
    assert "does not exist" in capsys.readouterr().err
    foreign = tmp_path / "foreign.pth"
    torch.save({"weights": 1}, foreign)
    assert main(["convert-nb201", "--source", str(foreign), "--out", str(tmp_path / "o.csv")]) == 2
    err = capsys.readouterr().err
    assert "not a NAS-Bench-201 release" in err and err.count("\n") == 1
    assert not (tmp_path / "o.csv").exists()
