"""The NAS-Bench-201 cell as a ConfigSpace, for the configuration-based contenders (TPE, SMAC):
one categorical per edge, named ``edge_<from>_<to>``, over the five operations."""
from __future__ import annotations

from nasearch.errors import InvalidArchitectureError

from .cell import OPERATIONS, STRING_EDGES

NUM_EDGES = len(STRING_EDGES)


def edge_name(edge: int) -> str:
    start, end = STRING_EDGES[edge]
    return f"edge_{start}_{end}"


def config_space(seed=None):
    from ConfigSpace import Categorical, ConfigurationSpace

    space = ConfigurationSpace(seed=seed)
    space.add([Categorical(edge_name(e), list(OPERATIONS)) for e in range(NUM_EDGES)])
    return space


def to_config(cell: tuple) -> dict:
    """``{edge name: operation}`` of a cell (a tuple of operation indices, one per edge)."""
    return {edge_name(e): OPERATIONS[op] for e, op in enumerate(cell)}


def from_config(config) -> tuple:
    """The cell of a configuration; a one-line error for one that is not a cell."""
    config = dict(config)
    try:
        return tuple(OPERATIONS.index(config[edge_name(e)]) for e in range(NUM_EDGES))
    except (KeyError, ValueError):
        raise InvalidArchitectureError(
            f"configuration {config!r} is not a NAS-Bench-201 cell; it needs keys "
            f"{[edge_name(e) for e in range(NUM_EDGES)]} with values in {OPERATIONS}") from None
