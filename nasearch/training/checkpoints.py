"""Checkpoints of unfinished trainings, so a promotion or a resume continues instead of restarting.

A training objective saves its training state after every epoch of a training that
stops short of the full schedule. With a folder (a search's run directory gives its
``checkpoints/``), each architecture's state is one file, written atomically: every
worker process, every Ray worker on a shared file system, and the same search resumed
after a kill find it there, and a kill loses at most the epoch in progress. Without a
folder (a bare objective in a script) the states live in this process's memory, at most
:data:`IN_MEMORY_KEPT` of them.
"""
from __future__ import annotations

import hashlib
import io
import os
from collections import OrderedDict
from pathlib import Path
from typing import Optional

#: stopped trainings kept in memory when there is no folder (about 1 MB each for a search's
#: small networks), least recently used dropped first
IN_MEMORY_KEPT = 64


class CheckpointStore:
    """Training states by architecture key (its string): ``save``, ``load``, ``discard``."""

    def __init__(self, folder=None):
        self.folder: Optional[Path] = Path(folder) if folder else None
        self._memory: OrderedDict = OrderedDict()

    def __getstate__(self):   # workers get the folder, not this process's in-memory states
        return {"folder": self.folder, "_memory": OrderedDict()}

    def _path(self, key: str) -> Path:
        return self.folder / (hashlib.sha1(key.encode()).hexdigest()[:20] + ".pt")

    def save(self, key: str, state: dict) -> None:
        import torch

        buffer = io.BytesIO()
        torch.save(state, buffer)
        if self.folder is None:
            self._memory[key] = buffer.getvalue()
            self._memory.move_to_end(key)
            while len(self._memory) > IN_MEMORY_KEPT:
                self._memory.popitem(last=False)
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self._path(key)
        partial = path.with_name(f"{path.name}.{os.getpid()}.partial")   # workers never share a partial file
        partial.write_bytes(buffer.getvalue())
        os.replace(partial, path)

    def load(self, key: str, device) -> Optional[dict]:
        """The saved state of ``key``'s training, on ``device``, or ``None`` (also for an unreadable
        file, e.g. one cut short by a full disk: that training restarts)."""
        import torch

        if self.folder is None:
            raw = self._memory.get(key)
        else:
            path = self._path(key)
            raw = path.read_bytes() if path.is_file() else None
        if raw is None:
            return None
        try:
            return torch.load(io.BytesIO(raw), map_location=device, weights_only=False)
        except Exception:
            return None

    def discard(self, key: str) -> None:
        """Forget ``key``'s state (its training reached the full schedule)."""
        self._memory.pop(key, None)
        if self.folder is not None:
            self._path(key).unlink(missing_ok=True)
