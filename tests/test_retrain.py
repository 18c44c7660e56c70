"""retrain: a search's winner trained under its space's protocol, resumed after a kill, and exported."""
import json

import numpy as np
import pytest
import torch

from nasearch.cli import main
from nasearch.errors import ConfigError
from nasearch.testing.datasets import write_cifar
from nasearch.training import loop
from nasearch.training.retrain import resolve, retrain

from test_darts_network import DARTS_V2

TINY = {"channels": 4, "cells_per_stage": 1, "epochs": 3, "batch_size": 40}


@pytest.fixture(scope="module")
def searched(tmp_path_factory):
    """A finished two-cell DARTS training search on CIFAR-shaped files."""
    root = tmp_path_factory.mktemp("searched")
    write_cifar(root / "cifar", "cifar10", train_images=120, test_images=40)
    run = root / "run"
    assert main(["search", "--quiet", "--out", str(run), "--set", "space=darts", "--set", "objective=train",
                 "--set", "optimizer=random", "--set", "budget=2",
                 "--set", f"training={{dataset: cifar10, data: {root / 'cifar'}, epochs: 1, channels: 4}}"]) == 0
    return run


def test_retrain_trains_the_runs_best_cell_and_exports_it(searched, tmp_path, darts):
    record = retrain(searched, settings=TINY, output=tmp_path / "out", log=lambda text: None)
    summary = json.loads((searched / "summary.json").read_text())
    assert record["arch"] == summary["best_arch"] and record["training"]["dataset"] == "cifar10"
    # the DARTS protocol, except what was overridden: auxiliary head, drop-path, cutout, no Nesterov
    assert record["training"]["auxiliary_weight"] == 0.4 and record["training"]["cutout"] == 16
    assert record["training"]["channels"] == 4 and 0 <= record["test"] <= 100
    assert record["onnx_max_difference"] < 1e-4 and record["torchscript_max_difference"] < 1e-4
    out = tmp_path / "out"
    epochs = [json.loads(line) for line in (out / "epochs.jsonl").read_text().splitlines()]
    assert [e["epoch"] for e in epochs] == [1, 2, 3] and abs(epochs[-1]["test"] - record["test"]) < 1e-3
    notation, string = (out / "architecture.txt").read_text().splitlines()
    assert notation == summary["best_export"] and string == record["arch"]
    # the three files hold the same network: weights rebuilt into a fresh one, TorchScript and ONNX
    network = darts.network(darts.from_string(string), 3, 10, channels=4, cells_per_stage=1)
    network.load_state_dict(torch.load(out / "model.pt"))
    images = torch.randn(5, 3, 32, 32)
    expected = network.eval()(images).detach().numpy()
    assert np.abs(torch.jit.load(str(out / "model.torchscript.pt"))(images).detach().numpy() - expected).max() < 1e-4
    import onnxruntime

    session = onnxruntime.InferenceSession(str(out / "model.onnx"), providers=["CPUExecutionProvider"])
    assert np.abs(session.run(["logits"], {"images": images.numpy()})[0] - expected).max() < 1e-4


def test_a_killed_retraining_resumes_to_the_same_weights(searched, tmp_path, monkeypatch):
    whole = retrain(searched, settings=TINY, output=tmp_path / "whole", log=lambda text: None)
    real_epoch, calls = loop.Trainer.train_epoch, {"n": 0}

    def dies_in_epoch_three(self):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real_epoch(self)

    monkeypatch.setattr(loop.Trainer, "train_epoch", dies_in_epoch_three)
    with pytest.raises(KeyboardInterrupt):
        retrain(searched, settings=TINY, output=tmp_path / "killed", log=lambda text: None)
    monkeypatch.setattr(loop.Trainer, "train_epoch", real_epoch)
    said = []
    resumed = retrain(searched, settings=TINY, output=tmp_path / "killed", log=said.append)
    assert said[0] == "resumed after epoch 2 of 3"
    assert resumed["test"] == whole["test"]
    for name, value in torch.load(tmp_path / "whole" / "model.pt").items():
        assert torch.equal(value, torch.load(tmp_path / "killed" / "model.pt")[name])
    assert len((tmp_path / "killed" / "epochs.jsonl").read_text().splitlines()) == 3
    # a finished retraining is not trained again; other settings in its folder are refused
    assert retrain(searched, settings=TINY, output=tmp_path / "whole", log=said.append) == whole
    assert "already holds" in said[-1]
    # a damaged checkpoint is one line naming the file and the fix
    (tmp_path / "whole" / "retrain.json").unlink()
    (tmp_path / "whole" / "checkpoint.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(ConfigError, match="checkpoint.pt' is damaged .*delete it to restart"):
        retrain(searched, settings=TINY, output=tmp_path / "whole", log=said.append)


def test_the_darts_protocol_builds_the_papers_network(darts):
    space, arch, config = resolve(space="darts", arch=darts.to_string(DARTS_V2),
                                  settings={"dataset": "cifar10", "data": "somewhere"})
    assert (config.channels, config.cells_per_stage, config.epochs, config.batch_size) == (36, 6, 600, 96)
    network = loop.network_for(space, arch, config, 3, 10)
    main_part = sum(p.numel() for n, p in network.named_parameters() if not n.startswith("auxiliary_head."))
    assert main_part == 3_349_342 and sum(p.numel() for p in network.parameters()) > main_part
    assert sum(isinstance(m, loop.DropPath) for m in network.modules()) == 18 * (8 - 2) + 2 * (8 - 3)   # every operation but the identities (skip_connect at stride 1)


def test_a_table_search_retrains_on_its_benchmarks_dataset(nb201_path, tmp_path):
    run = tmp_path / "run"
    assert main(["search", "--quiet", "--out", str(run), "--data", str(nb201_path), "--set", "optimizer=random",
                 "--set", "budget=3", "--set", "dataset=cifar100"]) == 0
    space, arch, config = resolve(run, settings={"data": "somewhere"})
    assert config.dataset == "cifar100" and (config.channels, config.cells_per_stage, config.epochs) == (16, 5, 200)
    assert space.to_string(arch) == json.loads((run / "summary.json").read_text())["best_arch"]
    # the default dataset ("": the space's first, cifar10-valid) is trained on CIFAR-10, never silently on digits
    default = tmp_path / "default"
    assert main(["search", "--quiet", "--out", str(default), "--data", str(nb201_path), "--set", "optimizer=random",
                 "--set", "budget=3"]) == 0
    with pytest.raises(ConfigError, match="training dataset cifar10 needs data"):
        resolve(default)
    assert resolve(default, settings={"data": "somewhere"})[2].dataset == "cifar10"
    imagenet = tmp_path / "imagenet"
    assert main(["search", "--quiet", "--out", str(imagenet), "--data", str(nb201_path), "--set", "optimizer=random",
                 "--set", "budget=3", "--set", "dataset=ImageNet16-120"]) == 0
    with pytest.raises(ConfigError, match="which images the benchmark dataset 'ImageNet16-120' was trained on"):
        resolve(imagenet)
    assert resolve(imagenet, settings={"dataset": "folder", "data": "imgs"})[2].dataset == "folder"


@pytest.mark.parametrize("argv, message", [
    (["retrain"], "needs RUN_DIR"),
    (["retrain", "{tmp}"], "is not a search run"),
    (["retrain", "--space", "nasbench_graph", "--arch", "x"], "has no network"),
    (["retrain", "--space", "darts", "--arch", "nonsense", "--out", "{tmp}/o"], "malformed DARTS string"),
    (["retrain", "{run}", "--set", "epochs=2", "--set", "channels=8", "--out", "{run}/retrain-other"], None),
    (["retrain", "{run}", "--set", "device=cuda", "--out", "{tmp}/cuda"], "cuda"),
])
def test_bad_retrain_inputs_are_one_line_errors(argv, message, searched, tmp_path, capsys):
    if message == "cuda" and torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    argv = [a.format(tmp=tmp_path, run=searched) for a in argv]
    if message is None:   # a folder holding a retraining with other settings is never overwritten
        (searched / "retrain-other").mkdir(exist_ok=True)
        (searched / "retrain-other" / "retrain.yaml").write_text("space: darts\narch: x\ntraining: {}\n")
        (searched / "retrain-other" / "checkpoint.pt").write_bytes(b"an epoch was trained")
        message = "holds a retraining with another architecture"
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0], err
    assert not (tmp_path / "cuda").exists(), "a failed start writes nothing"
