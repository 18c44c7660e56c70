"""The append-only run history: one JSON line per evaluated architecture.

Each line is flushed and fsynced before the next query, so a killed run loses
at most the line being written; :meth:`History.load` drops such a torn last
line (and truncates the file to the last complete one) so a resume continues
exactly after the last recorded query.
"""
from __future__ import annotations

import json
import os
from pathlib import Path


class History:
    """Records of one search run, in evaluation order; backed by ``history.jsonl``,
    or held in memory only when ``path`` is None."""

    def __init__(self, path=None):
        self.path = None if path is None else Path(path)
        self.records: list = []

    @classmethod
    def load(cls, path) -> "History":
        history = cls(path)
        if history.path is None or not history.path.exists():
            return history
        raw = history.path.read_bytes()
        good_length = 0
        for line in raw.splitlines(keepends=True):
            if not line.endswith(b"\n"):
                break
            try:
                history.records.append(json.loads(line))
            except json.JSONDecodeError:
                break
            good_length += len(line)
        if good_length != len(raw):
            with open(history.path, "r+b") as handle:
                handle.truncate(good_length)
        return history

    def append(self, record: dict) -> None:
        self.records.append(record)
        if self.path is None:
            return
        with open(self.path, "a") as handle:
            handle.write(json.dumps(record) + "\n")
            handle.flush()
            os.fsync(handle.fileno())

    def __len__(self) -> int:
        return len(self.records)
