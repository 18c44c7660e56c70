"""The DARTS space as a ConfigSpace, for the configuration-based contenders (TPE, SMAC).

Per cell and node, three categoricals: the unordered input pair ``"a-b"`` (a < b) and
the operation on each of the two inputs.
"""
from __future__ import annotations

from nasearch.errors import InvalidArchitectureError

from .operations import CELLS, NODES, OPERATIONS


def names(cell: str, node: int) -> tuple:
    """The three hyperparameter names of ``cell``'s node ``node``."""
    return f"{cell}_node{node}_inputs", f"{cell}_node{node}_op_first", f"{cell}_node{node}_op_second"


def config_space(seed=None):
    from ConfigSpace import Categorical, ConfigurationSpace

    space = ConfigurationSpace(seed=seed)
    for cell in CELLS:
        for node in range(NODES):
            inputs, op_first, op_second = names(cell, node)
            pairs = [f"{a}-{b}" for a in range(node + 2) for b in range(a + 1, node + 2)]
            space.add([Categorical(inputs, pairs), Categorical(op_first, list(OPERATIONS)),
                       Categorical(op_second, list(OPERATIONS))])
    return space


def to_config(arch) -> dict:
    """The configuration of a canonical ``DartsArch``."""
    config = {}
    for cell, pairs in zip(CELLS, arch):
        for node in range(NODES):
            (a, op_a), (b, op_b) = pairs[2 * node:2 * node + 2]
            inputs, op_first, op_second = names(cell, node)
            config.update({inputs: f"{a}-{b}", op_first: OPERATIONS[op_a], op_second: OPERATIONS[op_b]})
    return config


def cells_of(config) -> list:
    """The two cells' ``(input, op)`` pairs of a configuration (validated by ``make_arch`` after)."""
    config = dict(config)
    cells = []
    try:
        for cell in CELLS:
            pairs = []
            for node in range(NODES):
                inputs, op_first, op_second = names(cell, node)
                a, b = (int(v) for v in str(config[inputs]).split("-"))
                pairs += [(a, OPERATIONS.index(config[op_first])), (b, OPERATIONS.index(config[op_second]))]
            cells.append(pairs)
    except (KeyError, ValueError):
        raise InvalidArchitectureError(
            f"configuration is not a DARTS cell pair; it needs keys like {names('normal', 0)} "
            "for every cell and node, with input pairs 'a-b' and ops from the DARTS list") from None
    return cells
