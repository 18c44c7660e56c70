"""One writer per run directory: a lock file holding the writer's pid, host and start time.

``search``, ``compare`` and ``evaluate`` hold :class:`RunLock` on their output
directory while they write it, and each comparison worker holds its trial's directory (a
worker can outlive a killed comparison, and must not write beside the next one's retry of the
same trial). The lock is created atomically
(``O_CREAT | O_EXCL``), so of two runs started at once into one directory exactly
one proceeds; the other stops with one line naming the holder. A lock left by a
process that no longer runs on this host (a killed run) is taken over, saying so.
"""
from __future__ import annotations

import contextlib
import json
import os
import socket
import sys
import time
from pathlib import Path

from ..errors import ConfigError

from .directory import LOCK, RunDirectory


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:   # it exists, under another user
        return True
    return True


class RunLock:
    """``with RunLock(directory):`` holds ``directory/.lock`` for the block (the directory must exist)."""

    def __init__(self, directory):
        self.path = RunDirectory(directory).file(LOCK)
        self._held = False

    def _holder(self) -> dict:
        try:
            holder = json.loads(self.path.read_text())
            return holder if isinstance(holder, dict) else {}
        except (OSError, ValueError):
            return {}

    @staticmethod
    def dead_here(holder: dict) -> bool:
        """Whether ``holder`` names a process on this host that no longer runs (a stale lock)."""
        pid = holder.get("pid")
        return isinstance(pid, int) and holder.get("host") == socket.gethostname() and not _alive(pid)

    def acquire(self, take_over: bool = False) -> None:
        """Take the lock; ``take_over``: also from a holder that may still look alive (the caller
        knows it was lost, e.g. a comparison's worker on a Ray node that dropped out)."""
        me = {"pid": os.getpid(), "host": socket.gethostname(), "started": time.strftime("%Y-%m-%d %H:%M:%S")}
        for _ in range(3):
            try:
                handle = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                holder = self._holder()
                pid, host = holder.get("pid"), holder.get("host")
                dead = self.dead_here(holder)
                if dead or (take_over and holder):
                    why = "no longer runs" if dead else f"on {host}, was lost"
                    print(f"taking over the lock of {self.path.parent}: its holder, pid {pid}, {why}",
                          file=sys.stderr)
                    self.path.unlink(missing_ok=True)
                    continue
                if not holder:   # being written this instant, or unreadable: let the writer finish
                    time.sleep(0.2)
                    holder = self._holder()
                    if not holder:
                        raise ConfigError(f"{self.path} exists but names no holder; if no run uses "
                                          f"{self.path.parent}, delete {self.path} and start again") from None
                    continue
                raise ConfigError(
                    f"{self.path.parent} is in use by pid {pid} on {host} since {holder.get('started', '?')}; "
                    f"wait for that run to finish or stop it, or choose another --out") from None
            with os.fdopen(handle, "w") as stream:
                stream.write(json.dumps(me))
            self._held = True
            return
        raise ConfigError(f"could not take the lock {self.path}; delete it if no run uses {self.path.parent}")

    def release(self) -> None:
        if self._held:
            self.path.unlink(missing_ok=True)
            self._held = False

    def __enter__(self) -> "RunLock":
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()



@contextlib.contextmanager
def locked_directory(directory, take_over: bool = False):
    """Create ``directory`` if needed and hold its lock for the block (``take_over``: see
    :meth:`RunLock.acquire`); a directory this call created and the block left empty (a run that
    failed its checks) is removed again."""
    directory = Path(directory)
    created = not directory.exists()
    directory.mkdir(parents=True, exist_ok=True)
    lock = RunLock(directory)
    try:
        lock.acquire(take_over)
        yield directory
    finally:
        lock.release()
        if created and directory.is_dir() and not any(directory.iterdir()):
            directory.rmdir()


def holder_alive(directory) -> bool:
    """Whether ``directory`` is locked by a process that still runs (or runs on another host,
    where it cannot be checked)."""
    lock = RunLock(directory)
    return lock.path.exists() and not lock.dead_here(lock._holder())
