import csv
import gzip

import numpy as np
import pytest

from nasearch.errors import DataError, InvalidArchitectureError, UnknownNameError
from search_spaces.nasbench201 import NASBench201
from search_spaces.nasbench201.space import DAG_ADJACENCY, OP_POSITIONS, TEMPLATE

BEST = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|"


def _table_lines(path):
    return gzip.decompress(path.read_bytes()).decode().splitlines()


def test_index_mapping_matches_every_official_row(nb201, nb201_path):
    rows = list(csv.DictReader(_table_lines(nb201_path)))
    assert len(rows) == 15625
    for row in rows:
        arch = nb201.from_string(row["arch"])
        assert nb201.to_string(arch) == row["arch"]
        assert nb201.index(arch) == int(row["index"])
        assert nb201.query(arch, "cifar10-valid", "val", 200) == pytest.approx(float(row["cifar10_valid_val_200"]))


def test_optimum_of_cifar10_valid(nb201):
    values = nb201.values("cifar10-valid", "val", 200)
    best = list(nb201.enumerate())[int(np.argmax(values))]
    assert values.max() == pytest.approx(91.6067)
    assert nb201.index(best) == 6111
    assert nb201.to_string(best) == BEST
    assert values.mean() == pytest.approx(83.67, abs=0.01)


@pytest.mark.parametrize("dataset,metric,optimum", [
    ("cifar100", "val", 73.4933), ("cifar100", "test", 73.5133),
    ("ImageNet16-120", "val", 46.7333), ("ImageNet16-120", "test", 47.3111), ("cifar10", "test", 94.3733)])
def test_published_optima(nb201, dataset, metric, optimum):
    assert nb201.values(dataset, metric).max() == pytest.approx(optimum)


def test_twelve_epoch_fidelity_is_distinct(nb201):
    arch = nb201.from_string(BEST)
    assert nb201.query(arch, "cifar10-valid", "val", 12) < nb201.query(arch, "cifar10-valid", "val", 200)
    with pytest.raises(UnknownNameError, match="epochs"):
        nb201.query(arch, "cifar10-valid", "test", 12)
    with pytest.raises(UnknownNameError, match="metric"):
        nb201.query(arch, "cifar10", "val")


def test_token_sequence_layout():
    space = NASBench201()
    assert space.seq_len == 35 and space.vocab_size == 9
    assert OP_POSITIONS == (1, 4, 8, 13, 19, 26)
    assert TEMPLATE[34] == 8
    # Cell semantics: edge 0->1 feeds edges 1->2 and 1->3; 0->2 and 1->2 feed 2->3.
    assert DAG_ADJACENCY[1, 4] == DAG_ADJACENCY[1, 5] == DAG_ADJACENCY[2, 6] == DAG_ADJACENCY[4, 6] == 1
    assert DAG_ADJACENCY.sum() == 10
    arch = space.from_string(BEST)
    tokens = space.to_sequence(arch)
    # DAG order (0->1, 0->2, 0->3, 1->2, 1->3, 2->3) = conv3, conv3, skip, conv3, conv3, conv1
    assert [tokens[p] for p in OP_POSITIONS] == [6, 6, 4, 6, 6, 5]
    varying = {p for p in range(35) if len(space.allowed_tokens(p)) > 1}
    assert varying == set(OP_POSITIONS)


@pytest.mark.parametrize("text,fragment", [
    ("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|", "6 edges"),
    ("|conv~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|", "unknown operation"),
    ("|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|", "node 0"),
    (BEST + "extra", "6 edges"),
])
def test_malformed_strings_name_the_problem(text, fragment):
    with pytest.raises(InvalidArchitectureError, match=fragment):
        NASBench201().from_string(text)


def test_packaged_table_is_the_default_and_a_missing_file_points_back_to_it(monkeypatch, tmp_path):
    monkeypatch.delenv("NASEARCH_NB201", raising=False)
    space = NASBench201()
    assert space.query(space.from_string(BEST), "cifar10-valid") == pytest.approx(91.6067)
    missing = NASBench201(data=str(tmp_path / "nope.csv"))
    arch = missing.sample(np.random.default_rng(0))
    assert missing.from_sequence(missing.to_sequence(arch)) == arch   # the space works without data
    with pytest.raises(DataError, match="drop it to use the table that ships with nasearch"):
        missing.query(arch, "cifar10-valid")


@pytest.mark.parametrize("bad", ["nan", "inf", "101.5", "-3", "abc"])
def test_table_values_that_are_not_accuracies_name_the_line(tmp_path, nb201_path, bad):
    lines = _table_lines(nb201_path)
    header = lines[0].split(",")
    cells = lines[500].split(",")
    cells[header.index("cifar100_val_200")] = bad
    lines[500] = ",".join(cells)
    _rejects(tmp_path, lines, "line 501")


def test_duplicate_rows_are_rejected(tmp_path, nb201_path):
    lines = _table_lines(nb201_path)
    lines[3] = lines[2]
    _rejects(tmp_path, lines, "duplicate")


def _rejects(tmp_path, lines, fragment):
    path = tmp_path / "edited.csv"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError, match=fragment):
        NASBench201(data=str(path)).query((0,) * 6, "cifar10-valid")


def test_truncated_and_wrong_schema_tables_are_rejected(tmp_path, nb201_path):
    lines = _table_lines(nb201_path)
    truncated = tmp_path / "truncated.csv"
    truncated.write_text("\n".join(lines[:100]) + "\n")
    with pytest.raises(DataError, match="99 rows"):
        NASBench201(data=str(truncated)).query((0,) * 6, "cifar10-valid")
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("a,b,c\n1,2,3\n")
    with pytest.raises(DataError, match="lacks columns"):
        NASBench201(data=str(wrong)).query((0,) * 6, "cifar10-valid")
    cut = tmp_path / "cut.csv"
    cut.write_text("\n".join(lines[:-1] + [lines[-1][:30]]) + "\n")
    with pytest.raises(DataError):
        NASBench201(data=str(cut)).query((0,) * 6, "cifar10-valid")


def test_environment_variable_supplies_the_path(monkeypatch, nb201_path):
    monkeypatch.setenv("NASEARCH_NB201", str(nb201_path))
    assert NASBench201().query(NASBench201().from_string(BEST), "cifar10-valid") == pytest.approx(91.6067)
