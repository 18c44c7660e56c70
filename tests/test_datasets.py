"""Training data: CIFAR read from the official on-disk format, augmentation, devices, and checkpoints
that let a stopped or killed training continue instead of restarting."""
import pickle

import numpy as np
import pytest
import torch

from nasearch import Search
from nasearch.cli import main
from nasearch.errors import ConfigError, DataError
from nasearch.testing.datasets import write_cifar
from nasearch.training import TrainingConfig, TrainingObjective, load_data
from nasearch.training.augment import Augmentation
from nasearch.training.devices import training_device
from nasearch.runs.history import read_trials


@pytest.fixture(scope="module")
def cifar10(tmp_path_factory):
    root = tmp_path_factory.mktemp("cifar_ten")
    write_cifar(root, "cifar10", train_images=400, test_images=100)
    return root


def test_cifar10_and_cifar100_load_from_the_python_format_with_the_standard_split(cifar10, tmp_path):
    data = load_data(TrainingConfig(dataset="cifar10", data=str(cifar10)))
    # half of the official training set is held out, as DARTS and NAS-Bench-201 search; test kept apart
    assert data.x_train.shape == (200, 3, 32, 32) and data.x_val.shape == (200, 3, 32, 32)
    assert data.x_test.shape == (100, 3, 32, 32) and data.x_train.dtype == np.uint8
    assert data.classes == 10 and len(data.mean) == 3
    # the split is a fixed permutation of all 400 images: together they are the training files
    with open(cifar10 / "cifar-10-batches-py" / "data_batch_1", "rb") as handle:
        first = np.asarray(pickle.load(handle, encoding="bytes")[b"data"][0]).reshape(3, 32, 32)
    assert sum((np.concatenate([data.x_train, data.x_val]) == first).all(axis=(1, 2, 3))) == 1
    batch = data.batch(data.x_train[:8], torch.device("cpu"))
    assert batch.dtype == torch.float32 and abs(float(batch.mean())) < 1.5   # normalised, not 0..255
    write_cifar(tmp_path, "cifar100", train_images=300, test_images=50)
    hundred = load_data(TrainingConfig(dataset="cifar100", data=str(tmp_path), val_fraction=0.1))
    assert len(hundred.y_train) == 270 and len(hundred.y_val) == 30 and hundred.y_train.max() > 10


def test_missing_or_damaged_cifar_files_are_one_line_errors(cifar10, tmp_path, capsys):
    with pytest.raises(DataError, match="does not exist.*download: true"):
        load_data(TrainingConfig(dataset="cifar10", data=str(tmp_path / "nowhere")))
    broken = tmp_path / "broken"
    folder = write_cifar(broken, "cifar10", 100, 20)
    (folder / "data_batch_3").write_bytes((folder / "data_batch_3").read_bytes()[:500])
    with pytest.raises(DataError, match="data_batch_3.* is damaged"):
        load_data(TrainingConfig(dataset="cifar10", data=str(broken)))
    folder = write_cifar(tmp_path / "partial", "cifar10", 100, 20)
    (folder / "test_batch").unlink()
    with pytest.raises(DataError, match="test_batch.* is missing"):
        load_data(TrainingConfig(dataset="cifar10", data=str(tmp_path / "partial")))
    with pytest.raises(ConfigError, match="must be one of digits, cifar10, cifar100, folder"):
        TrainingConfig(dataset="imagenet")
    with pytest.raises(ConfigError, match="needs data"):
        TrainingConfig(dataset="cifar100")
    assert main(["search", "--quiet", "--out", str(tmp_path / "run"), "--set", "objective=train",
                 "--set", f"training={{dataset: cifar10, data: {tmp_path / 'nowhere'}}}"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "does not exist" in err[0]
    assert not (tmp_path / "run" / "history.jsonl").exists()


def test_download_fetches_checks_and_unpacks_the_archive(tmp_path, monkeypatch):
    import hashlib
    import tarfile

    from nasearch.training import data as data_module

    write_cifar(tmp_path / "source", "cifar10", 60, 20)
    archive = tmp_path / "cifar-10-python.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(tmp_path / "source" / "cifar-10-batches-py", arcname="cifar-10-batches-py")
    url, md5, *rest = data_module.CIFAR["cifar10"]
    monkeypatch.setitem(data_module.CIFAR, "cifar10",
                        (archive.as_uri(), hashlib.md5(archive.read_bytes()).hexdigest(), *rest))
    loaded = load_data(TrainingConfig(dataset="cifar10", data=str(tmp_path / "fetched"), download=True))
    assert len(loaded.y_train) + len(loaded.y_val) == 60 and len(loaded.y_test) == 20
    # a damaged download (its MD5 differs) is refused, and names the file
    monkeypatch.setitem(data_module.CIFAR, "cifar10", (archive.as_uri(), "0" * 32, *rest))
    with pytest.raises(DataError, match="is damaged \\(MD5 mismatch\\)"):
        load_data(TrainingConfig(dataset="cifar10", data=str(tmp_path / "again"), download=True))


def test_augmentation_crops_flips_and_cuts_out_reproducibly():
    x = torch.arange(2 * 3 * 8 * 8, dtype=torch.float32).reshape(2, 3, 8, 8)
    crop = Augmentation(crop_padding=2)
    out = crop(x, torch.Generator().manual_seed(0))
    padded = torch.nn.functional.pad(x, (2, 2, 2, 2))
    for i in range(2):   # every output image is some 8x8 window of its padded input
        assert any(torch.equal(out[i], padded[i, :, r:r + 8, c:c + 8]) for r in range(5) for c in range(5))
    assert torch.equal(out, crop(x, torch.Generator().manual_seed(0)))
    flips = Augmentation(flip=True)(x.repeat(16, 1, 1, 1), torch.Generator().manual_seed(1))
    mirrored = [torch.equal(f, x[i % 2].flip(2)) for i, f in enumerate(flips)]
    assert 4 <= sum(mirrored) <= 28 and all(m or torch.equal(f, x[i % 2]) for i, (f, m) in
                                            enumerate(zip(flips, mirrored)))
    ones = torch.ones(64, 1, 8, 8)
    cut = Augmentation(cutout=4)(ones, torch.Generator().manual_seed(2))
    zeroed = (cut == 0).sum(dim=(1, 2, 3))
    assert zeroed.max() == 16 and zeroed.min() >= 4   # a 4x4 square, clipped at the border
    assert Augmentation()(x, None) is x


def test_a_network_learns_cifar_shaped_data_with_augmentation(cifar10, nb201):
    arch = nb201.from_string("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|"
                             "nor_conv_1x1~2|")
    objective = TrainingObjective(nb201, {"dataset": "cifar10", "data": str(cifar10), "epochs": 3, "channels": 4,
                                          "batch_size": 32, "cutout": 8})
    result = objective.evaluate(arch)
    assert result["val"] > 30, "the written classes differ in colour: far above chance (10%)"
    assert objective.evaluate(arch)["val_by_epoch"] == result["val_by_epoch"]


def test_devices_and_gpu_settings_fail_in_one_line_without_a_gpu(nb201, monkeypatch):
    monkeypatch.setenv("NASEARCH_WORKER", "3")
    assert training_device("auto").type == ("cuda" if torch.cuda.is_available() else "cpu")
    if not torch.cuda.is_available():
        with pytest.raises(ConfigError, match="sees no CUDA GPU; use device: auto or cpu"):
            training_device("cuda:1")
        with pytest.raises(ConfigError, match="amp .* needs a CUDA device"):
            TrainingObjective(nb201, {"epochs": 1, "channels": 4, "amp": True}).check_data()
        with pytest.raises(ConfigError, match="sees no CUDA GPU"):   # before any pretraining or evaluation
            Search(nb201, TrainingObjective(nb201, {"device": "cuda"}), optimizer="random", budget=2)
    with pytest.raises(ConfigError, match="gpus_per_trial is a Ray setting"):
        Search(nb201, optimizer="random", budget=2, workers=2, gpus_per_trial=0.5)
    with pytest.raises(ConfigError, match="device must be auto, cpu, cuda or cuda:N"):
        TrainingConfig(device="gpu")


def _few_digits():
    from nasearch.training import digits_split

    x_train, y_train, x_val, y_val = digits_split(0.3, 0)
    return x_train[:240], y_train[:240], x_val[:80], y_val[:80]


def test_checkpoints_in_a_folder_reach_another_objective_and_are_removed_when_done(nb201, tmp_path):
    arch = nb201.sample(np.random.default_rng(5))
    config = {"epochs": 3, "channels": 4}
    straight = TrainingObjective(nb201, config, _few_digits()).evaluate(arch)
    first = TrainingObjective(nb201, config, _few_digits())
    first.use_checkpoints(tmp_path / "checkpoints")
    assert first.evaluate_at(arch, 1)["trained_epochs"] == 1
    assert len(list((tmp_path / "checkpoints").iterdir())) == 1
    other = TrainingObjective(nb201, config, _few_digits())   # another worker, or the run resumed
    other.use_checkpoints(tmp_path / "checkpoints")
    continued = other.evaluate_at(arch, 3)
    assert continued["trained_epochs"] == 2 and continued["val_by_epoch"] == straight["val_by_epoch"]
    assert not list((tmp_path / "checkpoints").iterdir()), "a finished training's checkpoint is removed"


def _scheduled(nb201, directory):
    objective = TrainingObjective(nb201, {"epochs": 4, "channels": 4}, _few_digits())
    return Search(nb201, objective, optimizer="random", budget=16, seed=0, schedule={"eta": 2},
                  directory=directory)


def test_a_killed_scheduled_training_search_resumes_without_retraining(nb201, tmp_path, monkeypatch):
    from nasearch.training import loop

    calls = {"n": 0}
    real_epoch = loop.Trainer.train_epoch

    def counted(self):
        calls["n"] += 1
        if calls["n"] == calls.get("kill"):
            raise KeyboardInterrupt   # the process dies at the start of this epoch
        return real_epoch(self)

    monkeypatch.setattr(loop.Trainer, "train_epoch", counted)
    whole = _scheduled(nb201, tmp_path / "whole").run().history
    uninterrupted = calls["n"]
    calls.update(n=0, kill=8)   # at the last epoch of a promotion (epochs 3 and 4 of one cell)
    with pytest.raises(KeyboardInterrupt):
        _scheduled(nb201, tmp_path / "killed").run()
    calls.update(n=0, kill=None)
    resumed = _scheduled(nb201, tmp_path / "killed").run().history
    key = lambda trials: [(t.arch, t.fidelity, t.cost, t.value) for t in trials]
    assert key(resumed) == key(whole) == key(read_trials(tmp_path / "killed" / "history.jsonl"))
    # the epochs before the kill are never trained again, the interrupted promotion's third included:
    # only the epoch in progress is lost
    assert 7 + calls["n"] == uninterrupted
    assert sum(t.metrics["trained_epochs"] for t in resumed) == uninterrupted - 1
