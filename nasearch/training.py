"""The training objective: build an architecture's network, train it, return validation accuracy.

The space supplies the network (``space.network(arch, in_channels, classes, ...)``,
e.g. the NAS-Bench-201 macro skeleton). The default data is scikit-learn's 8×8
handwritten digits (1,797 images, 10 classes), which ships inside that package,
so training runs offline; pass your own tensors, or an image folder with
``train/<class>/*`` and ``val/<class>/*``. Training is SGD with Nesterov momentum
and a cosine schedule, as NAS-Bench-201 trains, on the GPU when there is one.
Each architecture trains from a seed derived from the objective's seed and the
architecture, so its result does not depend on the order of evaluation.
"""
from __future__ import annotations

import io
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import numpy as np

from .config import build
from .errors import ConfigError, DataError
from .objective import Objective
from .seeding import component_rng

#: Stopped trainings whose state a training objective keeps for promotions (about 1 MB each for
#: the small networks it trains); with several worker processes each keeps its own.
CHECKPOINTS_KEPT = 64


@dataclass(frozen=True)
class TrainingConfig:
    """How each architecture is trained. Accuracy is percent; ``lr`` is the initial SGD rate."""

    dataset: str = "digits"       #: "digits" (scikit-learn's 8x8 digits) or "folder"
    data: str = ""                #: with dataset "folder": a directory holding train/<class>/ and val/<class>/ images
    epochs: int = 10
    batch_size: int = 64
    lr: float = 0.05
    momentum: float = 0.9
    weight_decay: float = 5e-4
    channels: int = 8             #: stem width (NAS-Bench-201 uses 16)
    cells_per_stage: int = 1      #: cells per stage (NAS-Bench-201 uses 5)
    val_fraction: float = 0.3     #: digits only: share held out for validation
    image_size: int = 32          #: folder only: images are resized to this square
    seed: int = 0
    device: str = "auto"          #: "auto" (CUDA when available), "cpu" or "cuda"

    def __post_init__(self):
        if self.dataset not in ("digits", "folder"):
            raise ConfigError(f"training dataset must be 'digits' or 'folder', got {self.dataset!r}")
        if self.dataset == "folder" and not self.data:
            raise ConfigError("training dataset 'folder' needs data: a directory with train/ and val/ subfolders")
        if min(self.epochs, self.batch_size, self.channels, self.cells_per_stage) < 1:
            raise ConfigError("training epochs, batch_size, channels and cells_per_stage must be >= 1")
        if not 0 < self.val_fraction < 1:
            raise ConfigError(f"val_fraction must be in (0, 1), got {self.val_fraction}")
        if self.device not in ("auto", "cpu", "cuda"):
            raise ConfigError(f"device must be auto, cpu or cuda, got {self.device!r}")


def digits_split(val_fraction: float, seed: int):
    """scikit-learn's digits as ``(x_train, y_train, x_val, y_val)``: float32 ``(n, 1, 8, 8)`` in [0, 1]
    and int64 labels, split by a fixed permutation."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    images = (digits.images / 16.0).astype(np.float32)[:, None]
    labels = digits.target.astype(np.int64)
    order = component_rng(seed, "digits-split").permutation(len(labels))
    cut = int(round(len(labels) * (1 - val_fraction)))
    return images[order[:cut]], labels[order[:cut]], images[order[cut:]], labels[order[cut:]]


def folder_split(directory, image_size: int):
    """Images under ``directory/{train,val}/<class>/`` as ``(x_train, y_train, x_val, y_val)`` arrays."""
    from PIL import Image

    root = Path(directory)
    splits = []
    classes = sorted(p.name for p in (root / "train").iterdir() if p.is_dir()) if (root / "train").is_dir() else []
    if not classes or not (root / "val").is_dir():
        raise DataError(f"image folder {str(root)!r} needs train/<class>/ and val/<class>/ subfolders of images")
    for split in ("train", "val"):
        images, labels = [], []
        for label, name in enumerate(classes):
            for path in sorted((root / split / name).glob("*")):
                try:
                    with Image.open(path) as image:
                        rgb = image.convert("RGB").resize((image_size, image_size))
                except OSError:
                    raise DataError(f"{str(path)!r} is not a readable image; remove it from the folder") from None
                images.append(np.asarray(rgb, dtype=np.float32).transpose(2, 0, 1) / 255.0)
                labels.append(label)
        if not images:
            raise DataError(f"image folder {str(root / split)!r} holds no images")
        splits += [np.stack(images), np.array(labels, dtype=np.int64)]
    return tuple(splits)


class TrainingObjective(Objective):
    """Validation accuracy (percent) of the architecture's network after training.

    ``data`` (optional) is ``(x_train, y_train, x_val, y_val)``: images ``(n, C, H, W)``
    and integer labels, as arrays or tensors. Returns ``val``, ``val_by_epoch``, ``train``
    (final training accuracy), ``parameters``, ``train_seconds`` and ``epochs``. Its
    fidelities are the epochs: a multi-fidelity search stops bad trainings early.
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
        self._data = None if data is None else tuple(np.asarray(part) for part in data)
        # architecture string -> (epochs, val curve, train correct, serialized training state) of
        # stopped trainings, least recently used first; a miss only means training from scratch
        self._checkpoints: OrderedDict = OrderedDict()

    def data(self):
        if self._data is None:
            c = self.config
            self._data = digits_split(c.val_fraction, c.seed) if c.dataset == "digits" else \
                folder_split(c.data, c.image_size)
        return self._data

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
        stopped training is the start of the full one), continuing from this objective's checkpoint
        of a shorter training of the same architecture when it holds one; the result equals
        training from scratch. Returns ``val`` after the last epoch, ``val_by_epoch`` (one value
        per epoch), ``train``, ``parameters``, ``train_seconds`` (this call) and ``epochs``."""
        import torch
        import torch.nn.functional as F

        from .seeding import torch_seeded

        c, epochs = self.config, int(fidelity)
        if not 1 <= epochs <= c.epochs or epochs != fidelity:
            raise ConfigError(f"a training fidelity must be a whole number of epochs in 1..{c.epochs}, got {fidelity}")
        device = torch.device("cuda" if c.device == "cuda" or (c.device == "auto" and torch.cuda.is_available())
                              else "cpu")
        x_train, y_train, x_val, y_val = (torch.as_tensor(part) for part in self.data())
        classes = int(max(y_train.max(), y_val.max())) + 1
        key = self.space.to_string(arch)
        rng = component_rng(c.seed, "training", key)
        start = time.perf_counter()
        with torch_seeded(rng):
            model = self.space.network(arch, int(x_train.shape[1]), classes, channels=c.channels,
                                       cells_per_stage=c.cells_per_stage).to(device)
            optimizer = torch.optim.SGD(model.parameters(), lr=c.lr, momentum=c.momentum,
                                        weight_decay=c.weight_decay, nesterov=True)
            steps_per_epoch = -(-len(x_train) // c.batch_size)
            schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, c.epochs * steps_per_epoch)
            generator = torch.Generator().manual_seed(int(rng.integers(2**62)))
            done, curve, correct = 0, [], 0
            saved = self._checkpoints.get(key)
            if saved is not None and saved[0] <= epochs:   # continue a shorter training of this architecture
                done, curve, correct = saved[0], list(saved[1]), saved[2]
                state = torch.load(io.BytesIO(saved[3]), map_location=device, weights_only=False)
                model.load_state_dict(state["model"])
                optimizer.load_state_dict(state["optimizer"])
                schedule.load_state_dict(state["schedule"])
                generator.set_state(state["generator"])
            for _ in range(done, epochs):
                model.train()
                order = torch.randperm(len(x_train), generator=generator)
                correct = 0
                for first in range(0, len(x_train), c.batch_size):
                    index = order[first:first + c.batch_size]
                    inputs, targets = x_train[index].to(device), y_train[index].to(device)
                    logits = model(inputs)
                    loss = F.cross_entropy(logits, targets)
                    optimizer.zero_grad(set_to_none=True)
                    loss.backward()
                    torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
                    optimizer.step()
                    schedule.step()
                    correct += int((logits.argmax(1) == targets).sum())
                curve.append(_accuracy(model, x_val, y_val, device))
        if epochs < c.epochs:   # kept so a promotion continues instead of starting over
            buffer = io.BytesIO()
            torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                        "schedule": schedule.state_dict(), "generator": generator.get_state()}, buffer)
            self._checkpoints[key] = (epochs, tuple(curve), correct, buffer.getvalue())
            self._checkpoints.move_to_end(key)
            while len(self._checkpoints) > CHECKPOINTS_KEPT:
                self._checkpoints.popitem(last=False)
        else:
            self._checkpoints.pop(key, None)
        return {"val": curve[-1], "val_by_epoch": curve, "train": 100.0 * correct / len(x_train),
                "parameters": int(sum(p.numel() for p in model.parameters())),
                "train_seconds": time.perf_counter() - start, "epochs": epochs}


def _accuracy(model, x, y, device) -> float:
    """Percent of ``x`` (``(n, C, H, W)``) that ``model`` classifies as ``y``, in eval mode."""
    import torch

    model.eval()
    with torch.no_grad():
        predicted = torch.cat([model(x[i:i + 512].to(device)).argmax(1).cpu() for i in range(0, len(x), 512)])
    return 100.0 * float((predicted == y).float().mean())
