"""Which device a training runs on.

``auto`` takes a GPU when torch sees one. Local worker processes each take their own
GPU, round-robin by worker number (``$NASEARCH_WORKER``, set by the executor), so four
workers on four GPUs never share one. A Ray task asked for ``gpus_per_trial`` sees only
the GPUs Ray assigned it (Ray sets ``CUDA_VISIBLE_DEVICES``), so its first is its own.
"""
from __future__ import annotations

import os

from ..errors import ConfigError
from ..executors import WORKER_ENV


def training_device(preference: str = "auto"):
    """The ``torch.device`` for ``preference`` (auto, cpu, cuda or cuda:N)."""
    import torch

    if preference == "cpu":
        return torch.device("cpu")
    available = torch.cuda.is_available()
    if preference.startswith("cuda"):
        if not available:
            raise ConfigError(f"training device is {preference} but torch sees no CUDA GPU; use device: auto or cpu")
        index = int(preference[5:] or 0) if ":" in preference else 0
        if index >= torch.cuda.device_count():
            raise ConfigError(f"training device {preference} does not exist: torch sees "
                              f"{torch.cuda.device_count()} GPUs (cuda:0 ..); use device: auto")
        return torch.device(f"cuda:{index}")
    if not available:
        return torch.device("cpu")
    return torch.device(f"cuda:{int(os.environ.get(WORKER_ENV, '0')) % torch.cuda.device_count()}")


def device_for(config):
    """The device of a :class:`~nasearch.training.TrainingConfig`, after checking that its settings
    fit it (mixed precision needs CUDA): the one check a training makes before any work."""
    device = training_device(config.device)
    if config.amp and device.type != "cuda":
        raise ConfigError("amp (mixed precision) needs a CUDA device; set amp: false or device: auto on a GPU")
    return device
