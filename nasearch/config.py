"""Frozen dataclass configs built from plain dicts (YAML), rejecting unknown keys.

``build(MyConfig, data)`` checks every key against the dataclass fields and
coerces simple types (int, float, bool, str, tuples, nested dataclasses); any
mismatch raises :class:`~nasearch.errors.ConfigError` naming the offending key.
"""
from __future__ import annotations

import dataclasses
import re
import typing
from pathlib import Path
from typing import Any, Mapping

from .errors import ConfigError, did_you_mean


@dataclasses.dataclass(frozen=True)
class ComponentSpec:
    """One registered component to run: its registry ``name``, a display ``label``
    (default: the name) and its ``options`` (checked later against its config class)."""

    name: str
    label: str = ""
    options: dict = dataclasses.field(default_factory=dict)

    def display(self) -> str:
        return self.label or self.name


def _coerce(value: Any, annotation: Any, where: str):
    origin = typing.get_origin(annotation)
    if origin is typing.Union:
        # str last whatever the written order: typing caches equal Unions, so Union[int, str] may
        # hand back the members of an earlier Union[str, int], and str would take every number
        options = sorted((a for a in typing.get_args(annotation) if a is not type(None)), key=lambda a: a is str)
        if value is None:
            return None
        for option in options[:-1]:   # the first type the value fits, e.g. a count before the word "all"
            try:
                return _coerce(value, option, where)
            except ConfigError:
                continue
        return _coerce(value, options[-1], where)
    if dataclasses.is_dataclass(annotation):
        if isinstance(value, annotation):
            return value
        return build(annotation, value, where)
    if origin in (tuple, list):
        if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
            value = [value]
        args = typing.get_args(annotation)
        inner = args[0] if args else Any
        return tuple(_coerce(v, inner, where) for v in value)
    if origin in (dict, Mapping) or annotation is dict:
        if not isinstance(value, Mapping):
            raise ConfigError(f"config key {where!r} must be a mapping, got {value!r}")
        return dict(value)
    if annotation is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false", "yes", "no", "1", "0"):
            return value.lower() in ("true", "yes", "1")
        raise ConfigError(f"config key {where!r} must be true or false, got {value!r}")
    if annotation in (int, float):
        if isinstance(value, bool):
            raise ConfigError(f"config key {where!r} must be a number, got {value!r}")
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ConfigError(f"config key {where!r} must be a number, got {value!r}") from None
        if annotation is int:
            if number != int(number):
                raise ConfigError(f"config key {where!r} must be an integer, got {value!r}")
            return int(number)
        return number
    if annotation is str:
        if not isinstance(value, (str, int, float)):
            raise ConfigError(f"config key {where!r} must be a string, got {value!r}")
        return str(value)
    return value


def build(cls, data: Mapping | None, where: str = ""):
    """Instantiate frozen dataclass ``cls`` from ``data``, rejecting unknown keys."""
    data = {} if data is None else data
    if not isinstance(data, Mapping):
        raise ConfigError(f"config section {where or cls.__name__!r} must be a mapping, got {data!r}")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    hints = typing.get_type_hints(cls)
    values = {}
    for key, value in data.items():
        path = f"{where}.{key}" if where else str(key)
        if key not in fields:
            raise ConfigError(f"unknown config key {path!r};{did_you_mean(key, fields)} valid keys here: "
                              f"{', '.join(sorted(fields))}")
        values[key] = _coerce(value, hints[key], path)
    try:
        return cls(**values)
    except ConfigError:
        raise
    except (TypeError, ValueError) as error:
        raise ConfigError(f"invalid config {where or cls.__name__}: {error}") from None


_COMMENT = re.compile(r"#:\s?(.*)$")


def comment_at(lines: list, lineno: int) -> str:
    """The ``#:`` documentation of the field on line ``lineno`` (1-based) of ``lines``: its
    trailing comment, else the ``#:`` lines directly above it; ``""`` when it has none. The API
    reference (``docs/hooks/option_comments.py``) and ``--help`` both read options this way."""
    trailing = _COMMENT.search(lines[lineno - 1])
    if trailing:
        return trailing.group(1).strip()
    found, index = [], lineno - 2
    while index >= 0 and lines[index].strip().startswith("#:"):
        found.insert(0, _COMMENT.search(lines[index]).group(1).strip())
        index -= 1
    return " ".join(found)


def option_comments(cls) -> dict:
    """``{field: its #: comment}`` of config dataclass ``cls``, inherited fields included (a
    class's own comment wins); a class whose source is unavailable contributes none."""
    import ast
    import inspect
    import textwrap

    comments: dict = {}
    for klass in reversed([k for k in cls.__mro__ if dataclasses.is_dataclass(k)]):
        try:
            lines, _ = inspect.getsourcelines(klass)
        except (OSError, TypeError):
            continue
        body = ast.parse(textwrap.dedent("".join(lines))).body[0].body
        for node in body:
            if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                text = comment_at(lines, node.lineno)
                if text or node.target.id not in comments:
                    comments[node.target.id] = text
    return comments


def _default_items(cls, prefix: str = "", exclude=()) -> list:
    """``(key=default, comment)`` for every field of ``cls``, nested sections flattened."""
    items = []
    comments = option_comments(cls)
    for f in dataclasses.fields(cls):
        if f.name in exclude:
            continue
        if f.default is not dataclasses.MISSING:
            default = f.default
        elif f.default_factory is not dataclasses.MISSING:
            default = f.default_factory()
        else:
            default = "(required)"
        if dataclasses.is_dataclass(default):   # a nested section: its keys as section.key=default
            items += _default_items(type(default), f"{prefix}{f.name}.")
            continue
        if isinstance(default, tuple) and default and isinstance(default[0], ComponentSpec):
            default = "[" + ", ".join(d.display() for d in default) + "]"
        text = f"{prefix}{f.name}={default!r}" if default == "" else f"{prefix}{f.name}={default}"
        items.append((text, comments.get(f.name, "")))
    return items


def defaults_help(cls, indent: str = "  ", width: int = 100, exclude=()) -> str:
    """One line per field of config dataclass ``cls``: ``key=default`` and its ``#:`` comment
    (nested sections as ``section.key=default``; ``exclude`` names fields to leave out), for ``--help``."""
    import textwrap

    items = _default_items(cls, exclude=exclude)
    column = min(max((len(text) for text, _ in items), default=0) + 2, 34)
    lines = []
    for text, comment in items:
        if not comment:
            lines.append(indent + text)
            continue
        lead = indent + text.ljust(column) if len(text) < column else indent + text + "  "
        lines.append(textwrap.fill(comment, width=width, initial_indent=lead,
                                   subsequent_indent=" " * (len(indent) + column), break_on_hyphens=False))
    return "\n".join(lines)


def to_dict(config) -> dict:
    """Plain-dict view of a config dataclass (tuples become lists), for YAML/JSON."""
    def plain(value):
        if dataclasses.is_dataclass(value):
            return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        if isinstance(value, (list, tuple)):
            return [plain(v) for v in value]
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        return value
    return plain(config)


def load_yaml(path) -> dict:
    """Read a YAML mapping; missing files and syntax errors become ConfigError."""
    import yaml

    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"config file {str(path)!r} does not exist; pass an existing YAML file")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as error:
        raise ConfigError(f"config file {str(path)!r} is not UTF-8 text (byte {error.start}); "
                          "save it as UTF-8 YAML") from None
    except yaml.YAMLError as error:
        line = str(error).splitlines()[0]
        raise ConfigError(f"config file {str(path)!r} is not valid YAML ({line}); fix its syntax") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"config file {str(path)!r} must hold a mapping of keys to values")
    return data


def apply_overrides(data: dict, overrides) -> dict:
    """Apply ``key.sub=value`` strings (values parsed as YAML) to a nested dict copy."""
    import copy

    import yaml

    data = copy.deepcopy(data)
    for item in overrides or ():
        if "=" not in item:
            raise ConfigError(f"override {item!r} must look like key=value, e.g. budget=200")
        key, raw = item.split("=", 1)
        try:
            value = yaml.safe_load(raw)
        except yaml.YAMLError:
            value = raw
        node = data
        parts = key.strip().split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise ConfigError(f"override {item!r}: {part!r} is not a section")
        node[parts[-1]] = value
    return data
