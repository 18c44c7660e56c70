"""nasearch: neural architecture search around EmProx.

Importing this package loads no data and no torch models.
"""
from .errors import (ConfigError, DataError, InvalidArchitectureError, NasearchError, UnknownNameError,
                     unknown)
from .registry import get_search_space
from .architecture_graph import ArchitectureGraph
from .search_space import SearchSpace

__all__ = ["SearchSpace", "ArchitectureGraph", "Search", "SearchResult", "Trial", "RunSummary", "Objective", "TabularObjective",
           "CallableObjective", "Evaluation", "get_search_space", "NasearchError", "InvalidArchitectureError", "UnknownNameError",
           "DataError", "ConfigError", "unknown", "retrain", "TrainingObjective"]

_LAZY = {"Search": "search", "SearchResult": "runs.summary", "Trial": "runs.trial", "RunSummary": "runs.summary",
         "Objective": "objective", "TabularObjective": "objective", "CallableObjective": "objective",
         "Evaluation": "objective", "retrain": "training.retrain", "TrainingObjective": "training.objective"}


def __getattr__(name):
    if name == "__version__":   # one version, setup.py's, read from the installed metadata
        from importlib import metadata

        return metadata.version("nasearch")
    # The facade imports numpy and the optimizers; load it on first use so that
    # `import nasearch` stays free of side effects and cheap.
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'nasearch' has no attribute {name!r}")
