"""The optimizer options a run directory was searched with, kept so that its resume rebuilds them.

A new run writes its optimizer's resolved config (every option, defaults included) to
the options file (``OPTIONS``). A resume builds the optimizer from those options with the
options it is given laid over them, so a default that changed since the run started
does not change the run: the replay proposes what the run proposed. A run directory
written before this file existed holds a history but no options: it was searched with
the defaults of its time, which the optimizer declares where they differ from today's
(:attr:`~nasearch.optimizers.Optimizer.defaults_of_unrecorded_runs`).
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

from ..config import load_yaml, to_dict
from ..errors import ConfigError

from .directory import OPTIONS, RunDirectory


def merged(base: dict, given: dict) -> dict:
    """``given`` laid over ``base``, nested sections key by key (``surrogate: {k: 5}`` keeps the
    rest of ``base``'s ``surrogate``). A section that names another component (a different
    ``name``) replaces the recorded one whole: the other component's options do not apply."""
    out = dict(base)
    for key, value in given.items():
        nested = isinstance(value, dict) and isinstance(out.get(key), dict)
        if nested and value.get("name", out[key].get("name")) != out[key].get("name"):
            nested = False
        out[key] = merged(out[key], value) if nested else value
    return out


def resumed_options(directory: Optional[Path], optimizer, options: Optional[dict],
                    has_history: bool) -> Optional[dict]:
    """The options to build ``optimizer`` (a registered name) with for the run in ``directory``:
    ``options`` over the recorded ones, or over the declared defaults of an unrecorded run
    that has a history; ``options`` unchanged for a new run, without a directory, or for an
    optimizer object (it brings its own config)."""
    if directory is None or not isinstance(optimizer, str):
        return options
    from ..registry import optimizers

    factory = optimizers.factory(optimizer)
    given = factory.upgrade_options(options or {})
    path = RunDirectory(directory).file(OPTIONS)
    if path.exists():
        try:
            recorded = load_yaml(path)
        except ConfigError as error:   # the run's own file: the fix is the run's, not an edit of a config
            raise ConfigError(f"{error}; or restore it from a backup, or delete it to resume with today's "
                              "defaults") from None
        return merged(factory.upgrade_recorded_options(recorded), given)
    if has_history:
        declared = factory.defaults_of_unrecorded_runs
        return merged(dict(declared), given) if declared else options
    return options


def record_options(directory: Optional[Path], config, new_run: bool) -> None:
    """Write ``config`` (the optimizer's resolved config) as the options of a new run in
    ``directory``, atomically; a resumed run keeps the options it started with."""
    if directory is None or not new_run:
        return
    RunDirectory(directory).write_yaml(OPTIONS, to_dict(config))
