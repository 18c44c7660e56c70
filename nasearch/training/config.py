"""How a network is trained: one frozen config for a search's trainings and for a retraining.

A search trains many small networks briefly (the defaults below); ``retrain`` trains the
winner once at full size, starting from its space's published protocol
(:meth:`~nasearch.network_builder.NetworkBuilder.full_training`, e.g. DARTS' 600 epochs at
36 channels and 20 cells) with the user's overrides on top. Both read this one class.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from ..errors import ConfigError
from .data import DATASETS

#: the share of the official training set held out for validation when ``val_fraction`` is unset:
#: half, as DARTS and NAS-Bench-201 search; 30% of the small digits set
DEFAULT_VAL_FRACTION = {"digits": 0.3, "cifar10": 0.5, "cifar100": 0.5}


@dataclass(frozen=True)
class TrainingConfig:
    """How each architecture is trained. Accuracy is percent; ``lr`` is the initial SGD rate,
    annealed to 0 by a cosine schedule over ``epochs``; ``batch_size`` counts images."""

    dataset: str = "digits"       #: digits (scikit-learn's 8x8 digits), cifar10, cifar100, or folder
    data: str = ""                #: cifar: the folder holding the unpacked python version; folder: train/ and val/ per class
    download: bool = False        #: cifar: fetch the archive into data: when it is not there
    epochs: int = 10              #: length of the cosine schedule (a search's full fidelity)
    batch_size: int = 64          #: images per SGD step
    lr: float = 0.05              #: initial SGD learning rate
    momentum: float = 0.9         #: SGD momentum
    nesterov: bool = True         #: Nesterov momentum (NAS-Bench-201 trains with it, DARTS without)
    weight_decay: float = 5e-4    #: L2 penalty on every weight
    grad_clip: float = 5.0        #: gradient-norm clip; 0 = none
    channels: int = 8             #: stem width (NAS-Bench-201 uses 16, DARTS 36)
    cells_per_stage: int = 1      #: cells per stage (NAS-Bench-201 uses 5; DARTS 6, which with its 2 reduction cells makes 20)
    auxiliary_weight: float = 0.0  #: weight of an auxiliary head's loss (DARTS: 0.4); 0 = no auxiliary head
    drop_path: float = 0.0        #: final drop-path probability, raised linearly from 0 over the epochs (DARTS: 0.2)
    crop_padding: Optional[int] = None  #: random crop after this much zero padding; None = 4 on CIFAR, else 0
    flip: Optional[bool] = None   #: random horizontal flip; None = on for CIFAR
    cutout: int = 0               #: side in pixels of the cutout square (DARTS: 16); 0 = none
    val_fraction: Optional[float] = None  #: share of the training set held out; None = 0.5 on CIFAR, 0.3 on digits
    image_size: int = 32          #: folder only: images are resized to this square
    seed: int = 0                 #: seeds the split and each architecture's initialisation and batches
    device: str = "auto"          #: auto (each worker its own GPU when there are any), cpu, cuda or cuda:N
    amp: Optional[bool] = None    #: mixed precision (float16 with loss scaling); None = on CUDA
    channels_last: Optional[bool] = None  #: channels-last memory layout; None = on CUDA

    def __post_init__(self):
        if self.dataset not in DATASETS:
            raise ConfigError(f"training dataset must be one of {', '.join(DATASETS)}, got {self.dataset!r}")
        if self.dataset == "folder" and not self.data:
            raise ConfigError("training dataset 'folder' needs data: a directory with train/ and val/ subfolders")
        if self.dataset.startswith("cifar") and not self.data:
            raise ConfigError(f"training dataset {self.dataset} needs data: the folder holding its unpacked "
                              "python version (add download: true to fetch it there)")
        if min(self.epochs, self.batch_size, self.channels, self.cells_per_stage) < 1:
            raise ConfigError("training epochs, batch_size, channels and cells_per_stage must be >= 1")
        if self.val_fraction is not None and not 0 < self.val_fraction < 1:
            raise ConfigError(f"val_fraction must be in (0, 1), got {self.val_fraction}")
        if not (self.device in ("auto", "cpu", "cuda") or
                (self.device.startswith("cuda:") and self.device[5:].isdigit())):
            raise ConfigError(f"device must be auto, cpu, cuda or cuda:N, got {self.device!r}")
        if min(self.lr, self.momentum, self.weight_decay, self.grad_clip, self.auxiliary_weight, self.cutout) < 0 \
                or (self.crop_padding or 0) < 0:
            raise ConfigError("lr, momentum, weight_decay, grad_clip, auxiliary_weight, crop_padding and cutout "
                              "must be >= 0")
        if not 0 <= self.drop_path < 1:
            raise ConfigError(f"drop_path must be in [0, 1), got {self.drop_path}")

    @property
    def is_cifar(self) -> bool:
        return self.dataset.startswith("cifar")

    @property
    def held_out(self) -> float:
        """The validation share actually used (``val_fraction`` or the dataset's default)."""
        return self.val_fraction if self.val_fraction is not None else DEFAULT_VAL_FRACTION.get(self.dataset, 0.3)
