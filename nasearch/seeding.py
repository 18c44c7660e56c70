"""One master seed, one independent generator per component.

``component_rng(seed, "optimizer")`` and ``component_rng(seed, "predictor", 3)``
are independent streams that depend only on the master seed and the names, so
adding a component never shifts another component's random numbers.
"""
from __future__ import annotations

import zlib

import numpy as np


def _key(part) -> int:
    return zlib.crc32(str(part).encode()) if not isinstance(part, int) else int(part)


def component_rng(seed: int, *names) -> np.random.Generator:
    """A NumPy generator for the component identified by ``names`` under master ``seed``."""
    sequence = np.random.SeedSequence(entropy=int(seed), spawn_key=tuple(_key(n) for n in names))
    return np.random.Generator(np.random.PCG64(sequence))


def torch_generator(rng: np.random.Generator):
    """A ``torch.Generator`` seeded from (and advancing) a NumPy generator."""
    import torch

    generator = torch.Generator()
    generator.manual_seed(int(rng.integers(2**62)))
    return generator


class torch_seeded:
    """Context manager: run torch code with its global RNG seeded from ``rng``, then restore it.

    torch draws parameter initialisation and dropout masks from its global
    generator; forking it keeps each component's stream independent and leaves
    no global state behind.
    """

    def __init__(self, rng: np.random.Generator):
        self.seed = int(rng.integers(2**62))

    def __enter__(self):
        import torch

        self._fork = torch.random.fork_rng(devices=[])
        self._fork.__enter__()
        torch.manual_seed(self.seed)
        return self

    def __exit__(self, *exc):
        return self._fork.__exit__(*exc)


def hash_seed_fixed() -> bool:
    """Whether this interpreter's string hashing is fixed (``PYTHONHASHSEED`` set to a number), so
    that code iterating a set of strings (SMAC's local search) runs the same every time."""
    import os

    return os.environ.get("PYTHONHASHSEED", "random").isdigit()


def restart_with_fixed_hash_seed() -> None:
    """Fix string hashing for this script and its worker processes: unless ``PYTHONHASHSEED`` is
    already a number, restart the same command line once with ``PYTHONHASHSEED=0`` (does not return
    then). Call it first thing in a ``__main__`` that runs searches, so SMAC's set-ordered local
    search is reproducible."""
    import os
    import sys

    if not hash_seed_fixed():
        os.environ["PYTHONHASHSEED"] = "0"
        os.execv(sys.executable, [sys.executable, *sys.orig_argv[1:]])
