"""Run directories: creation rules and the saved configuration."""
from __future__ import annotations

from pathlib import Path

from .errors import ConfigError


def ensure_empty(directory, force: bool = False, hint: str = "or continue a search there with --resume") -> Path:
    """Refuse a non-empty ``directory`` unless ``force``; creates nothing, deletes nothing.
    ``hint`` is the command's other way out, named in the error."""
    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise ConfigError(f"run directory {str(directory)!r} is a file; choose another --out")
    # the lock file alone is not content: whether its holder still runs is the lock's to say
    if directory.exists() and any(p.name != ".lock" for p in directory.iterdir()) and not force:
        raise ConfigError(f"run directory {str(directory)!r} is not empty; choose another --out, {hint}")
    return directory


def prepare(directory, force: bool = False, hint: str = "or pass --force to write into it") -> Path:
    """Create ``directory``; refuse a non-empty one unless ``force`` (nothing is deleted)."""
    directory = ensure_empty(directory, force, hint)
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def save_config(directory, data: dict, name: str = "config.yaml") -> None:
    """Write ``data`` as YAML to ``directory/name``, atomically: a kill leaves the old file or the new."""
    import os

    import yaml

    path = Path(directory) / name
    partial = path.with_name(path.name + ".partial")
    partial.write_text(yaml.safe_dump(data, sort_keys=False))
    os.replace(partial, path)


def data_path(cli_value, config_value):
    """The NAS-Bench-201 table: --data, else $NASEARCH_NB201, else the config's ``data``."""
    import os

    return cli_value or os.environ.get("NASEARCH_NB201") or config_value
