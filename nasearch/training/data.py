"""Image datasets for training: scikit-learn's digits, CIFAR-10, CIFAR-100 and image folders.

Every source becomes one :class:`ImageData`: training and validation splits (and a test
split where the dataset has one) held in memory, CIFAR's as ``uint8`` so that a worker
holds 150 MB per copy of CIFAR's 50,000 training images rather than 600 MB as floats.
Batches are converted and normalised on the training device (:meth:`ImageData.batch`).

CIFAR is read from the official "python version" archives' folders
(``cifar-10-batches-py/`` with ``data_batch_1..5`` and ``test_batch``;
``cifar-100-python/`` with ``train`` and ``test``), the same files torchvision's
``CIFAR10``/``CIFAR100`` read. nasearch reads them itself: PyPI's torchvision wheels are
built against CUDA and do not import beside the CPU build of torch this project pins.
``download=True`` fetches the archive from its authors' site and checks its MD5.

The search split follows DARTS and NAS-Bench-201: the official training set is cut in
two by a fixed permutation (half for training, half for validation, by default), and
the official test set is kept for the final report of a retrained network.
"""
from __future__ import annotations

import hashlib
import pickle
import tarfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import numpy as np

from ..errors import DataError
from ..seeding import component_rng

DATASETS = ("digits", "cifar10", "cifar100", "folder")

#: name -> (archive URL, archive MD5, folder inside it, training files, test files, label key)
CIFAR = {
    "cifar10": ("https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz", "c58f30108f718f92721af3b95e74349a",
                "cifar-10-batches-py", [f"data_batch_{i}" for i in range(1, 6)], ["test_batch"], "labels"),
    "cifar100": ("https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz", "eb9058c3a382ffc7106e4002c42a8d85",
                 "cifar-100-python", ["train"], ["test"], "fine_labels"),
}
#: per-channel mean and standard deviation of the training images (in [0, 1]), as DARTS normalises
CIFAR_STATISTICS = {
    "cifar10": ((0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616)),
    "cifar100": ((0.5071, 0.4865, 0.4409), (0.2673, 0.2564, 0.2762)),
}


@dataclass
class ImageData:
    """Images ``(n, C, H, W)`` (float32 in [0, 1], or uint8 in 0..255) and int64 labels ``(n,)``
    per split. ``mean``/``std`` (per channel, on the [0, 1] scale) normalise batches; empty = none."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: Optional[np.ndarray] = None
    y_test: Optional[np.ndarray] = None
    mean: tuple = ()
    std: tuple = ()
    #: ``mean`` and ``std`` as tensors, per device (made on first use; every batch needs them)
    _on_device: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def classes(self) -> int:
        return int(max(self.y_train.max(), self.y_val.max())) + 1

    @property
    def channels(self) -> int:
        return int(self.x_train.shape[1])

    def batch(self, images, device):
        """A tensor slice of one split's images as float32 on ``device``, scaled to [0, 1] and
        normalised; ``images`` may be a numpy array or a (pinned) CPU tensor."""
        import torch

        x = torch.as_tensor(images).to(device, non_blocking=True)
        x = x.float().div_(255.0) if x.dtype == torch.uint8 else x.float()
        if self.mean:
            mean, std = self._statistics(device)
            x = (x - mean) / std
        return x

    def _statistics(self, device) -> tuple:
        """``mean`` and ``std`` as ``(1, C, 1, 1)`` tensors on ``device``."""
        import torch

        if device not in self._on_device:
            self._on_device[device] = tuple(torch.tensor(v, device=device).view(1, -1, 1, 1)
                                            for v in (self.mean, self.std))
        return self._on_device[device]


def split_indices(n: int, val_fraction: float, seed: int, name: str):
    """A fixed permutation of ``range(n)`` cut into (train, val) index arrays."""
    order = component_rng(seed, f"{name}-split").permutation(n)
    cut = int(round(n * (1 - val_fraction)))
    return order[:cut], order[cut:]


def digits_split(val_fraction: float, seed: int):
    """scikit-learn's digits as ``(x_train, y_train, x_val, y_val)``: float32 ``(n, 1, 8, 8)`` in [0, 1]
    and int64 labels, split by a fixed permutation."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    images = (digits.images / 16.0).astype(np.float32)[:, None]
    labels = digits.target.astype(np.int64)
    train, val = split_indices(len(labels), val_fraction, seed, "digits")
    return images[train], labels[train], images[val], labels[val]


def _read_image_folder(root: Path, split: str, classes: list, image_size: int):
    from PIL import Image

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
    return np.stack(images), np.array(labels, dtype=np.int64)


def folder_split(directory, image_size: int):
    """Images under ``directory/{train,val}/<class>/`` as ``(x_train, y_train, x_val, y_val)`` arrays."""
    root = Path(directory)
    classes = sorted(p.name for p in (root / "train").iterdir() if p.is_dir()) if (root / "train").is_dir() else []
    if not classes or not (root / "val").is_dir():
        raise DataError(f"image folder {str(root)!r} needs train/<class>/ and val/<class>/ subfolders of images")
    return (*_read_image_folder(root, "train", classes, image_size),
            *_read_image_folder(root, "val", classes, image_size))


def folder_test_split(directory, image_size: int):
    """The optional ``directory/test/<class>/`` images, or ``(None, None)``."""
    root = Path(directory)
    if not (root / "test").is_dir():
        return None, None
    classes = sorted(p.name for p in (root / "train").iterdir() if p.is_dir())
    return _read_image_folder(root, "test", classes, image_size)


def cifar_folder(root, name: str) -> Path:
    """Where CIFAR ``name``'s batch files lie under ``root`` (``root`` itself when they lie there)."""
    root = Path(root)
    inner = root / CIFAR[name][2]
    return inner if inner.is_dir() else root


def download_cifar(root, name: str) -> Path:
    """Fetch and unpack CIFAR ``name``'s archive into ``root`` (skipped when its files are there)."""
    import urllib.request

    url, md5, inner, train_files, _, _ = CIFAR[name]
    root = Path(root)
    if all((root / inner / f).is_file() for f in train_files):
        return root / inner
    root.mkdir(parents=True, exist_ok=True)
    archive = root / url.rsplit("/", 1)[1]
    try:
        urllib.request.urlretrieve(url, archive)
    except OSError as error:
        raise DataError(f"cannot download {name} from {url} ({error}); download it elsewhere and point "
                        f"data: at the unpacked folder") from None
    if hashlib.md5(archive.read_bytes()).hexdigest() != md5:
        raise DataError(f"the downloaded {str(archive)!r} is damaged (MD5 mismatch); delete it and download again")
    with tarfile.open(archive) as tar:
        tar.extractall(root, filter="data")
    return root / inner


def _read_cifar_file(path: Path, label_key: str, name: str) -> tuple:
    """One batch file's ``(images (n, 3, 32, 32) uint8, labels (n,) int64)``."""
    if not path.is_file():
        raise DataError(f"{name} file {str(path)!r} is missing; point data: at the unpacked "
                        f"'{CIFAR[name][2]}' folder, or set download: true")
    try:
        with open(path, "rb") as handle:
            batch = pickle.load(handle, encoding="bytes")
        data = np.asarray(batch[b"data"], dtype=np.uint8).reshape(-1, 3, 32, 32)
        labels = np.asarray(batch[label_key.encode()], dtype=np.int64)
    except Exception as error:   # truncated pickle, wrong keys, wrong sizes
        raise DataError(f"{name} file {str(path)!r} is damaged ({type(error).__name__}); delete the folder "
                        f"and unpack the archive again, or set download: true") from None
    if len(labels) != len(data):
        raise DataError(f"{name} file {str(path)!r} is damaged ({len(data)} images, {len(labels)} labels); "
                        "unpack the archive again")
    return data, labels


def _read_training_files(folder: Path, files: list, label_key: str, name: str, val_fraction: float,
                         seed: int) -> tuple:
    """The training files split into ``(x_train, y_train, x_val, y_val)`` by a fixed permutation.
    Each file's images are scattered into their places and released at once, so loading peaks
    at about one copy of the data plus one file, not the two copies of concatenating, then indexing."""
    chunks = [_read_cifar_file(folder / file, label_key, name) for file in files]
    total = sum(len(labels) for _, labels in chunks)
    train, val = split_indices(total, val_fraction, seed, name)
    part = np.zeros(total, dtype=np.int8)
    part[val] = 1
    place = np.empty(total, dtype=np.int64)   # each image's row in its part
    place[train], place[val] = np.arange(len(train)), np.arange(len(val))
    images_out = [np.empty((len(rows), 3, 32, 32), dtype=np.uint8) for rows in (train, val)]
    labels_out = [np.empty(len(rows), dtype=np.int64) for rows in (train, val)]
    offset = 0
    while chunks:
        images, labels = chunks.pop(0)
        span = slice(offset, offset + len(labels))
        for index in (0, 1):
            mine = part[span] == index
            images_out[index][place[span][mine]] = images[mine]
            labels_out[index][place[span][mine]] = labels[mine]
        offset += len(labels)
        del images, labels
    return images_out[0], labels_out[0], images_out[1], labels_out[1]


def load_cifar(root, name: str, val_fraction: float, seed: int, download: bool = False) -> ImageData:
    """CIFAR ``name`` from ``root``: the official training set split into train and val
    (``val_fraction`` of it, by a fixed permutation), and the official test set."""
    if not root:
        raise DataError(f"training dataset {name} needs data: a folder holding '{CIFAR[name][2]}' "
                        "(or download: true to fetch it there)")
    if download:
        download_cifar(root, name)
    elif not Path(root).is_dir():
        raise DataError(f"{name} folder {str(root)!r} does not exist; point data: at the unpacked "
                        f"'{CIFAR[name][2]}' folder, or set download: true")
    _, _, _, train_files, test_files, label_key = CIFAR[name]
    folder = cifar_folder(root, name)
    splits = _read_training_files(folder, train_files, label_key, name, val_fraction, seed)
    x_test, y_test = _read_cifar_file(folder / test_files[0], label_key, name)
    mean, std = CIFAR_STATISTICS[name]
    return ImageData(*splits, x_test, y_test, mean, std)


def full_training_set(data: ImageData) -> ImageData:
    """``data`` with its train and val splits merged for training, the test split kept for the
    report (as a retraining uses them); without a test split, val stays the held-out set."""
    if data.x_test is None:
        return data
    return ImageData(np.concatenate([data.x_train, data.x_val]), np.concatenate([data.y_train, data.y_val]),
                     data.x_test, data.y_test, data.x_test, data.y_test, data.mean, data.std)

