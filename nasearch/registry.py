"""Name → factory registries for pluggable components.

Search spaces, predictors and optimizers each have a :class:`Registry`. Plugins
(including the built-in search spaces) announce themselves through a Python
entry-point group, e.g. ``nasearch.search_spaces``; :func:`Registry.register`
adds one at run time. Entry points are loaded lazily, on first lookup.
"""
from __future__ import annotations

from importlib import metadata
from typing import Callable, Dict, Optional

from .errors import unknown


class Registry:
    """Maps names to factories (a class or any callable returning the component)."""

    def __init__(self, kind: str, entry_point_group: Optional[str] = None):
        self.kind = kind
        self.entry_point_group = entry_point_group
        self._factories: Dict[str, Callable] = {}
        self._entry_points_loaded = False

    def register(self, name: str, factory: Optional[Callable] = None):
        """Register ``factory`` under ``name``; usable as a decorator."""
        def add(obj):
            self._factories[name] = obj
            return obj
        return add(factory) if factory is not None else add

    def _load_entry_points(self) -> None:
        if self._entry_points_loaded or self.entry_point_group is None:
            return
        self._entry_points_loaded = True
        for entry_point in metadata.entry_points(group=self.entry_point_group):
            self._factories.setdefault(entry_point.name, entry_point)

    def names(self) -> list:
        self._load_entry_points()
        return sorted(self._factories)

    def factory(self, name: str) -> Callable:
        self._load_entry_points()
        if name not in self._factories:
            raise unknown(self.kind, name, self.names())
        factory = self._factories[name]
        if not callable(factory):
            # an entry point, loaded on first use; not an isinstance check, because a package that
            # imports the importlib_metadata backport (SMAC does) hands out the backport's class
            factory = self._factories[name] = factory.load()
        return factory


def is_import_path(text) -> bool:
    """Whether ``text`` reads ``package.module:name`` (a plug-in named by where it is defined)."""
    module, _, name = str(text).partition(":")
    return bool(module) and bool(name) and all(part.isidentifier() for part in (*module.split("."), *name.split(".")))


def import_named(path: str, kind: str):
    """The object ``package.module:name`` names (imported from ``PYTHONPATH``); every failure is
    a one-line :class:`~nasearch.errors.ConfigError` naming the fix. ``kind`` ("objective",
    "space") words the messages."""
    import importlib

    from .errors import ConfigError

    module_name, _, attribute = path.partition(":")
    try:
        module = importlib.import_module(module_name)
    except Exception as error:   # ImportError, or the module itself failing to run
        raise ConfigError(f"{kind} {path!r}: importing {module_name!r} failed ({type(error).__name__}: "
                          f"{error}); put its package on PYTHONPATH or install it") from None
    target = module
    for part in attribute.split("."):
        if not hasattr(target, part):
            raise ConfigError(f"{kind} {path!r}: {module_name!r} has no {attribute!r}; name a class, function or "
                              f"object defined there") from None
        target = getattr(target, part)
    return target


search_spaces = Registry("search space", "nasearch.search_spaces")
predictors = Registry("predictor", "nasearch.predictors")
optimizers = Registry("optimizer", "nasearch.optimizers")
#: EmProx-NAO's candidate makers (:mod:`nasearch.optimizers.emprox_nao.sources`)
proposal_sources = Registry("proposal source", "nasearch.proposal_sources")


def get_search_space(name: str, **options):
    """Instantiate a registered search space, passing only the options its factory accepts.

    ``get_search_space("nasbench_graph", dataset="cora", data=None)`` works for
    every space: options a space does not take (or that are ``None``) are dropped. ``name`` may
    also be ``package.module:Class`` (or a factory function, or a space object there), so a
    space that is neither installed nor registered runs from the CLI and configs too.
    """
    import inspect

    if is_import_path(name):
        from .errors import ConfigError
        from .search_space import SearchSpace

        factory = import_named(name, "space")
        if isinstance(factory, SearchSpace):
            return factory
        if not callable(factory):
            raise ConfigError(f"space {name!r} is a {type(factory).__name__}, not a SearchSpace class or object; "
                              "name the class")
    else:
        factory = search_spaces.factory(name)
    try:
        parameters = inspect.signature(factory).parameters
    except (TypeError, ValueError):
        parameters = {}
    accepts_any = any(p.kind is p.VAR_KEYWORD for p in parameters.values())
    kwargs = {k: v for k, v in options.items() if v is not None and (accepts_any or k in parameters)}
    return factory(**kwargs)
