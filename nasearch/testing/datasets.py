"""Small datasets in real on-disk formats, for tests and the GPU check: the real loading code
reads them, and nothing is downloaded."""
from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np

from ..training.data import CIFAR


def write_cifar(root, name: str, train_images: int, test_images: int, seed: int = 0) -> Path:
    """Write a small CIFAR-shaped dataset in the official python format under ``root`` (for tests
    and the GPU check when no copy is present): random images whose class shifts their mean
    colour, so a network can learn it. Returns the batch folder."""
    _, _, inner, train_files, test_files, label_key = CIFAR[name]
    classes = 10 if name == "cifar10" else 100
    rng = np.random.default_rng(seed)
    folder = Path(root) / inner
    folder.mkdir(parents=True, exist_ok=True)
    palette = rng.integers(40, 215, size=(classes, 3))
    sizes = np.array_split(np.arange(train_images), len(train_files))
    for files, counts in ((train_files, [len(s) for s in sizes]), (test_files, [test_images])):
        for file, count in zip(files, counts):
            labels = rng.integers(classes, size=count)
            images = rng.normal(palette[labels][:, :, None, None], 40, size=(count, 3, 32, 32))
            batch = {b"data": np.clip(images, 0, 255).astype(np.uint8).reshape(count, -1),
                     label_key.encode(): labels.tolist(), b"batch_label": file.encode()}
            with open(folder / file, "wb") as handle:
                pickle.dump(batch, handle)
    return folder
