"""Requeues: evaluations handed out that will never report, handed out again.

An evaluation in flight when a run stops (or one whose worker a user gave up on)
is put back at the front of the queue by :meth:`~nasearch.search.Search.requeue`,
and the next asks hand it out again under new hand-out numbers. Which asks those
are depends on when the requeue happened, and nothing in ``history.jsonl`` says
so: a job lost twice leaves two gaps in the hand-out numbers and no trace of
either requeue. So every requeue is one line of the run directory's
``requeues.jsonl``, appended (and fsynced) when it is made: the hand-out count at
that moment and the jobs, in the order they will be handed out again. A resume's
replay makes each requeue again at the same hand-out count.

Like the history, the log knows the lines already on file: the requeues a replay
makes again are checked against them and not written twice.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from ..errors import DataError
from .directory import REQUEUES, RunDirectory


@dataclass(frozen=True)
class Requeue:
    handed: int    #: architectures handed out when the requeue was made
    jobs: tuple    #: ``(architecture string, fidelity or None)`` pairs, in the order handed out again

    def to_json(self) -> dict:
        return {"handed": self.handed, "jobs": [[arch, fidelity] for arch, fidelity in self.jobs]}


def damaged(line: int, what: str) -> DataError:
    return DataError(f"{REQUEUES} line {line}: {what}; the file was edited or damaged, restore it from a "
                     "backup or start a new run")


class RequeueLog:
    """The requeues of one run: those on file (read at start) and those made since.

    ``directory`` ``None``: kept in memory only.
    """

    def __init__(self, directory=None):
        self.directory = None if directory is None else RunDirectory(directory)
        self.recorded: tuple = self._read() if self.directory is not None else ()
        self.made = 0   #: requeues made by this process, replayed ones included

    def _read(self) -> tuple:
        requeues = []
        for line, data in enumerate(self.directory.read_json_lines(REQUEUES), start=1):
            try:
                requeue = Requeue(int(data["handed"]), tuple((str(arch), None if fidelity is None else
                                                              float(fidelity)) for arch, fidelity in data["jobs"]))
            except (KeyError, TypeError, ValueError):
                raise damaged(line, f"{str(data)[:60]!r} is not a requeue") from None
            if requeue.handed < (requeues[-1].handed if requeues else 0) or not requeue.jobs:
                raise damaged(line, "it does not follow the lines before it")
            requeues.append(requeue)
        return tuple(requeues)

    def upcoming(self) -> Optional[Requeue]:
        """The next recorded requeue a replay has not made again yet (``None``: all made)."""
        return self.recorded[self.made] if self.made < len(self.recorded) else None

    def add(self, requeue: Requeue) -> None:
        """Note ``requeue``: a recorded one must equal the line on file; a new one is appended."""
        if self.made < len(self.recorded):
            if requeue != self.recorded[self.made]:
                raise damaged(self.made + 1, f"the run requeues {list(requeue.jobs)} after {requeue.handed} "
                                             f"hand-outs, not what the line says")
        elif self.directory is not None:
            self.directory.append_json_line(REQUEUES, requeue.to_json())
        self.made += 1
