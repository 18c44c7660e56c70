"""The training objective: build an architecture's network, train it, return validation accuracy.

The space supplies the network (``space.network(arch, in_channels, classes, ...)``,
e.g. the NAS-Bench-201 macro skeleton). The data is scikit-learn's 8×8 digits by
default (it ships inside that package, so training runs offline), CIFAR-10 or
CIFAR-100 from a local copy, an image folder, or your own tensors (see :mod:`.data`).
Each architecture trains from a seed derived from the objective's seed and the
architecture, so its result does not depend on the order of evaluation, nor on the
worker or the checkpoint it continued from.
"""
from __future__ import annotations

import time
from typing import Optional

import numpy as np

from ..config import build
from ..errors import ConfigError
from ..objective import Objective
from ..seeding import component_rng
from .checkpoints import CheckpointStore
from .config import TrainingConfig
from .data import ImageData, digits_split, folder_split, folder_test_split, load_cifar
from .devices import device_for
from .loop import seeded_trainer


def load_data(config: TrainingConfig) -> ImageData:
    """The config's dataset as :class:`ImageData` (one-line errors for missing or damaged files)."""
    if config.dataset == "digits":
        return ImageData(*digits_split(config.held_out, config.seed))
    if config.dataset == "folder":
        return ImageData(*folder_split(config.data, config.image_size),
                         *folder_test_split(config.data, config.image_size))
    return load_cifar(config.data, config.dataset, config.held_out, config.seed, config.download)


class TrainingObjective(Objective):
    """Validation accuracy (percent) of the architecture's network after training.

    ``data`` (optional) is ``(x_train, y_train, x_val, y_val)``: images ``(n, C, H, W)``
    and integer labels, as arrays or tensors. Returns ``val``, ``val_by_epoch``, ``train``
    (final training accuracy), ``parameters``, ``train_seconds`` (this call),
    ``epochs`` and ``trained_epochs`` (those this call trained; the rest continued from a
    checkpoint). Its fidelities are the epochs: a multi-fidelity search stops bad
    trainings early, and a promotion continues the stopped training.
    """

    metric = "val"
    report_metric = ""
    continues_lower_fidelity = True

    def unit(self, metric: str) -> str:
        return "%" if metric in ("val", "train") else "s" if metric == "train_seconds" else ""

    def __init__(self, space, config: Optional[TrainingConfig] = None, data=None):
        if not space.builds_networks:
            space.network(None, 0, 0)   # the ABC's default: the one-line error naming the fix
        self.space = space
        self.config = config if isinstance(config, TrainingConfig) else build(TrainingConfig, config or {}, "training")
        self._data = None if data is None else ImageData(*(np.asarray(part) for part in data))
        self._given_data = data is not None
        self.checkpoints = CheckpointStore()

    def __getstate__(self):
        # a worker process loads its own copy of a dataset named by the config (one copy per worker,
        # never one per evaluation); tensors the caller gave travel with the objective
        state = dict(self.__dict__)
        if not self._given_data:
            state["_data"] = None
        return state

    def use_checkpoints(self, folder) -> None:
        self.checkpoints = CheckpointStore(folder)

    def data(self) -> ImageData:
        if self._data is None:
            self._data = load_data(self.config)
        return self._data

    def check_data(self) -> None:
        """Load the data and check the device now, before any slow work (one-line errors)."""
        device_for(self.config)
        self.data()

    def describe(self) -> str:
        c = self.config
        return f"train on {c.dataset} for {c.epochs} epochs, val accuracy"

    def fidelities(self) -> list:
        """Epochs 1 .. ``epochs``: a multi-fidelity search may stop any training after any epoch."""
        return list(range(1, self.config.epochs + 1))

    def evaluate(self, arch) -> dict:
        return self.evaluate_at(arch, self.config.epochs)

    def evaluate_at(self, arch, fidelity: float) -> dict:
        """Train ``arch`` for ``fidelity`` epochs of its full ``epochs``-long cosine schedule (so a
        stopped training is the start of the full one), continuing from a checkpoint of a shorter
        training of the same architecture when there is one; the result equals training from
        scratch."""
        c, epochs = self.config, int(fidelity)
        if not 1 <= epochs <= c.epochs or epochs != fidelity:
            raise ConfigError(f"a training fidelity must be a whole number of epochs in 1..{c.epochs}, got {fidelity}")
        device = device_for(c)
        data = self.data()
        key = self.space.to_string(arch)
        start = time.perf_counter()
        trainer = seeded_trainer(self.space, arch, c, data, device, component_rng(c.seed, "training", key))
        curve, train = [], 0.0
        saved = self.checkpoints.load(key, device)
        if saved is not None and saved["epochs_done"] <= epochs:   # continue a shorter training
            trainer.load(saved)
            curve, train = list(saved["curve"]), saved["train"]
        continued = trainer.epochs_done
        while trainer.epochs_done < epochs:
            train = trainer.train_epoch()
            curve.append(trainer.accuracy(data.x_val, data.y_val))
            # after every epoch when checkpoints outlive the process (a kill loses one epoch at most),
            # else once, when the training stops short of the schedule (a promotion continues it)
            if trainer.epochs_done < c.epochs and (self.checkpoints.folder is not None or
                                                   trainer.epochs_done == epochs):
                self.checkpoints.save(key, {**trainer.state(), "curve": curve, "train": train})
        if epochs == c.epochs:
            self.checkpoints.discard(key)
        return {"val": curve[-1], "val_by_epoch": curve, "train": train,
                "parameters": int(sum(p.numel() for p in trainer.model.parameters())),
                "train_seconds": time.perf_counter() - start, "epochs": epochs,
                "trained_epochs": epochs - continued}
