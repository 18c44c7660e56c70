"""The training objective: the NB201 skeleton trains on digits offline, deterministically."""
import json

import numpy as np
import pytest
import torch

from nasearch.cli import main
from nasearch.errors import ConfigError
from nasearch.training import TrainingObjective

GOOD = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|"
EMPTY = "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|"


def test_network_shapes_follow_the_skeleton(nb201):
    arch = nb201.from_string(GOOD)
    network = nb201.network(arch, in_channels=3, classes=7, channels=4, cells_per_stage=2)
    assert network(torch.zeros(2, 3, 16, 16)).shape == (2, 7)
    assert sum(isinstance(m, torch.nn.Conv2d) for m in network.modules()) > 10


def test_training_learns_and_is_deterministic(nb201):
    objective = TrainingObjective(nb201, {"epochs": 2, "channels": 4})
    good = objective.evaluate(nb201.from_string(GOOD))
    assert good["val"] > 60 and good["parameters"] > 0 and good["train_seconds"] > 0
    assert objective.evaluate(nb201.from_string(GOOD))["val"] == good["val"]
    # a cell whose edges are all `none` passes nothing through the cells: near chance
    assert objective.evaluate(nb201.from_string(EMPTY))["val"] < good["val"] - 20


def test_user_tensors_are_trained_on(nb201):
    rng = np.random.default_rng(0)
    x = rng.normal(scale=0.3, size=(160, 2, 6, 6)).astype(np.float32)
    y = rng.integers(2, size=160)
    x[y == 1, :, :3] += 1.5   # class 1: a bright top half
    objective = TrainingObjective(nb201, {"epochs": 4, "channels": 4, "batch_size": 16},
                                  data=(x[:120], y[:120], x[120:], y[120:]))
    assert objective.evaluate(nb201.from_string(GOOD))["val"] > 80


def test_search_with_the_training_objective_from_the_cli(tmp_path):
    out = tmp_path / "run"
    assert main(["search", "--quiet", "--out", str(out), "--set", "objective=train", "--set", "optimizer=random",
                 "--set", "budget=3", "--set", "training={epochs: 1, channels: 4}"]) == 0
    records = [json.loads(line) for line in (out / "history.jsonl").read_text().splitlines()]
    assert len(records) == 3 and all(r["value"] == r["metrics"]["val"] and r["metrics"]["train_seconds"] > 0
                                     for r in records)
    assert len({r["value"] for r in records}) > 1, "three networks trained from scratch do not all score alike"


def test_bad_training_options_are_one_line_errors(nb201):
    with pytest.raises(ConfigError, match="unknown config key 'training.epoch'"):
        TrainingObjective(nb201, {"epoch": 3})
    with pytest.raises(ConfigError, match="needs data"):
        TrainingObjective(nb201, {"dataset": "folder"})
