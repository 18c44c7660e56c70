"""How many intra-op threads torch uses for nasearch's small models.

The autoencoders and predictors here are tiny (LSTMs of 16–128 units over
sequences of 6–35 tokens). Their operations are too small to split across
cores: with 2 threads, every op pays a synchronisation, and as soon as another
process shares a core the waits dominate. On a 2-core machine, 3 epochs of
NAS-Bench-201 pretraining took 1.44 s with 2 threads against 1.75 s with 1 when
idle, but 3.58 s against 1.81 s with one core busy, and 6–85 s against 1.75 s on
a loaded host. One thread is therefore the default; ``$NASEARCH_THREADS`` (or
:func:`set_threads`) raises it for machines where more is measured to help.
"""
from __future__ import annotations

import os

from .errors import ConfigError

ENV_VAR = "NASEARCH_THREADS"
DEFAULT_THREADS = 1


def configured_threads() -> int:
    """Thread count from ``$NASEARCH_THREADS`` (default 1); a bad value is a ConfigError."""
    raw = os.environ.get(ENV_VAR, "").strip()
    if not raw:
        return DEFAULT_THREADS
    try:
        threads = int(raw)
    except ValueError:
        threads = 0
    if threads < 1:
        raise ConfigError(f"${ENV_VAR}={raw!r} is not a positive integer; set it to e.g. 1 or 2, or unset it")
    return threads


def set_threads(threads: int | None = None) -> int:
    """Pin torch's intra-op threads (default: :func:`configured_threads`); returns the count."""
    import torch

    threads = configured_threads() if threads is None else int(threads)
    if threads < 1:
        raise ConfigError(f"threads must be >= 1, got {threads}")
    if torch.get_num_threads() != threads:
        torch.set_num_threads(threads)
    return threads
