"""The NAS-Bench-201 cell space and its NAO-style token sequence.

An architecture is a tuple of 6 operation indices (into :data:`OPERATIONS`) in
the order of the official string: edges 0→1, 0→2, 1→2, 0→3, 1→3, 2→3.

Token sequence (NAO / SemiNAS, as NASLib encodes NAS-Bench-201)
----------------------------------------------------------------
The cell becomes an 8-node DAG: node 0 is the input, nodes 1..6 hold the edge
operations in the order (0→1), (0→2), (0→3), (1→2), (1→3), (2→3), and node 7
is the output. An edge node feeds every edge node that leaves its end cell
node; edge nodes ending in cell node 3 feed the output. Adjacency
(:data:`DAG_ADJACENCY`, row → column)::

        0 1 2 3 4 5 6 7
    0 [ . 1 1 1 . . . . ]   input     → 0→1, 0→2, 0→3
    1 [ . . . . 1 1 . . ]   0→1       → 1→2, 1→3
    2 [ . . . . . . 1 . ]   0→2       → 2→3
    3 [ . . . . . . . 1 ]   0→3       → output
    4 [ . . . . . . 1 . ]   1→2       → 2→3
    5 [ . . . . . . . 1 ]   1→3       → output
    6 [ . . . . . . . 1 ]   2→3       → output

For each column 1..7 the sequence holds one connection token per row
0..column-1, then the column's operation token:

    ======  =====================================================
    token   meaning
    ======  =====================================================
    0       decoder start / padding (never inside a sequence)
    1       no edge
    2       edge
    3..7    operation none, skip_connect, nor_conv_1x1, nor_conv_3x3, avg_pool_3x3
    8       output node
    ======  =====================================================

That gives 28 connection + 7 operation = 35 tokens over a vocabulary of 9.
Only the operation positions 1, 4, 8, 13, 19 and 26 vary; position 34 is the
output token.
"""
from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Optional, Sequence

import numpy as np

from nasearch.errors import InvalidArchitectureError
from nasearch.search_space import ArchitectureGraph, SearchSpace  # noqa: F401  (graph's type)

from . import configspace
from .hardware import COST_METRICS, HARDWARE_DATASET, HardwareTable
from .cell import OPERATIONS, STRING_EDGES
from .graph import GRAPH_OP_OFFSET, cell_graph
from .table import COLUMNS, Table, resolve_path

#: Zero-cost proxies of every cell, built by benchmarks/zero_cost_table.py.
ZERO_COST_TABLE = Path(__file__).with_name("data") / "nasbench201_zero_cost.csv.gz"

#: (from, to) cell edges in DAG node order 1..6.
DAG_EDGES = ((0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3))
DAG_TO_STRING = tuple(STRING_EDGES.index(edge) for edge in DAG_EDGES)
NUM_EDGES = 6
NUM_OPS = len(OPERATIONS)
NO_EDGE, EDGE, OP_OFFSET, OUTPUT_TOKEN = 1, 2, 3, 8


def _dag_adjacency() -> np.ndarray:
    adjacency = np.zeros((8, 8), dtype=int)
    for node, (start, end) in enumerate(DAG_EDGES, start=1):
        if start == 0:
            adjacency[0, node] = 1
        if end == 3:
            adjacency[node, 7] = 1
        for other, (other_start, _) in enumerate(DAG_EDGES, start=1):
            if other_start == end:
                adjacency[node, other] = 1
    return adjacency


DAG_ADJACENCY = _dag_adjacency()


def _fixed_sequence() -> tuple:
    tokens, op_positions = [], []
    for column in range(1, 8):
        tokens.extend(EDGE if DAG_ADJACENCY[row, column] else NO_EDGE for row in range(column))
        op_positions.append(len(tokens))
        tokens.append(OUTPUT_TOKEN if column == 7 else -1)
    return tuple(tokens), tuple(op_positions[:-1])


TEMPLATE, OP_POSITIONS = _fixed_sequence()
_STRING_PATTERN = re.compile(r"^\|([^|~+]+)~(\d+)\|\+\|([^|~+]+)~(\d+)\|([^|~+]+)~(\d+)\|\+"
                             r"\|([^|~+]+)~(\d+)\|([^|~+]+)~(\d+)\|([^|~+]+)~(\d+)\|$")
FORMAT_HELP = ("use the official format |op~0|+|op~0|op~1|+|op~0|op~1|op~2| "
               f"with op in {', '.join(OPERATIONS)}")


class NASBench201(SearchSpace):
    """The NAS-Bench-201 space; ``data`` is the compact table (else ``$NASEARCH_NB201``)."""

    name = "nasbench201"

    def __init__(self, data: Optional[str] = None):
        self.data = data
        self._table: Optional[Table] = None
        self._row_of_code: Optional[np.ndarray] = None
        self._hardware: Optional[HardwareTable] = None
        self._hardware_row_of_code: Optional[np.ndarray] = None

    # ------------------------------------------------------------------ arches
    @staticmethod
    def code(arch) -> int:
        """Base-5 integer code of ``arch`` in 0..15624 (the order of :meth:`enumerate`)."""
        value = 0
        for op in arch:
            value = value * NUM_OPS + op
        return value

    @staticmethod
    def from_code(code: int) -> tuple:
        ops = []
        for _ in range(NUM_EDGES):
            code, op = divmod(int(code), NUM_OPS)
            ops.append(op)
        return tuple(reversed(ops))

    def sample(self, rng):
        return tuple(int(op) for op in rng.integers(NUM_OPS, size=NUM_EDGES))

    def neighbors(self, arch):
        arch = self._check(arch)
        return [arch[:edge] + (op,) + arch[edge + 1:]
                for edge in range(NUM_EDGES) for op in range(NUM_OPS) if op != arch[edge]]

    def arch_id(self, arch):
        return self.code(self._check(arch))

    def _check(self, arch) -> tuple:
        if (not isinstance(arch, tuple) or len(arch) != NUM_EDGES
                or not all(isinstance(op, (int, np.integer)) and 0 <= op < NUM_OPS for op in arch)):
            raise InvalidArchitectureError(
                f"{arch!r} is not a NAS-Bench-201 architecture (a tuple of 6 op indices 0..4); "
                "build one with from_string()")
        return tuple(int(op) for op in arch)

    def to_string(self, arch) -> str:
        names = [OPERATIONS[op] for op in self._check(arch)]
        return "|{}~0|+|{}~0|{}~1|+|{}~0|{}~1|{}~2|".format(*names)

    def from_string(self, text: str):
        match = _STRING_PATTERN.match(text.strip()) if isinstance(text, str) else None
        if match is None:
            raise InvalidArchitectureError(
                f"malformed NAS-Bench-201 string {text!r}: need 6 edges in 3 groups; {FORMAT_HELP}")
        groups = match.groups()
        ops = []
        for edge, (name, source) in enumerate(zip(groups[0::2], groups[1::2])):
            if name not in OPERATIONS:
                raise InvalidArchitectureError(
                    f"unknown operation {name!r} in NAS-Bench-201 string; {FORMAT_HELP}")
            if int(source) != STRING_EDGES[edge][0] or source != str(int(source)):
                raise InvalidArchitectureError(
                    f"edge {edge} of NAS-Bench-201 string must come from node {STRING_EDGES[edge][0]}, "
                    f"not {source}; {FORMAT_HELP}")
            ops.append(OPERATIONS.index(name))
        return tuple(ops)

    @property
    def size(self) -> int:
        return NUM_OPS ** NUM_EDGES

    def enumerate(self):
        return (tuple(ops) for ops in itertools.product(range(NUM_OPS), repeat=NUM_EDGES))

    #: Input→output paths as string-edge indices: 0→3; 0→1→3; 0→2→3; 0→1→2→3.
    PATHS = ((3,), (0, 4), (1, 5), (0, 2, 5))

    def path_encoding(self, arch) -> np.ndarray:
        """BANANAS path encoding, ``(155,)`` float32: one bit per operation sequence of a
        length-1, -2 or -3 input→output path (5 + 25 + 125 bits)."""
        arch = self._check(arch)
        bits = np.zeros(5 + 25 + 125, dtype=np.float32)
        offsets = {1: 0, 2: 5, 3: 30}
        for path in self.PATHS:
            code = 0
            for edge in path:
                code = code * NUM_OPS + arch[edge]
            bits[offsets[len(path)] + code] = 1.0
        return bits

    def network(self, arch, in_channels: int, classes: int, channels: int = 16, cells_per_stage: int = 5):
        """The NAS-Bench-201 macro skeleton with this cell, as a ``torch.nn.Module`` (for training)."""
        from .network import NASBench201Network

        return NASBench201Network(self._check(arch), in_channels, classes, channels, cells_per_stage)

    def full_training(self) -> dict:
        """NAS-Bench-201's training (Dong & Yang, 2020): the skeleton at 16 channels and 5 cells per
        stage, 200 epochs of SGD (batch 256, lr 0.1 cosine, Nesterov momentum 0.9, weight decay
        5e-4), crop and flip, no gradient clipping."""
        return {"channels": 16, "cells_per_stage": 5, "epochs": 200, "batch_size": 256, "lr": 0.1,
                "momentum": 0.9, "nesterov": True, "weight_decay": 5e-4, "grad_clip": 0.0}

    def zero_cost_table(self):
        """The proxies of all 15,625 cells (C=16, N=5, 32×32×3, 10 classes) when a table built by
        ``benchmarks/zero_cost_table.py`` lies at :data:`ZERO_COST_TABLE`; none ships, since building
        it takes about an hour on one core, so by default proxies are computed as needed."""
        path = ZERO_COST_TABLE
        return path if path.exists() else None

    def graph(self, arch) -> ArchitectureGraph:
        """Operations as nodes, dead ones removed, so equivalent cells meet (see :mod:`.graph`)."""
        return cell_graph(self._check(arch), DAG_ADJACENCY, DAG_TO_STRING, OPERATIONS.index("none"))

    @property
    def graph_labels(self) -> int:
        return GRAPH_OP_OFFSET + NUM_OPS

    def graph_label_names(self) -> list:
        return ["input", "output", *OPERATIONS]

    @classmethod
    def convert_table(cls, source: str, out: str) -> int:
        """Rebuild the packaged table from the official ``NAS-Bench-201-v1_1-096897.pth``."""
        from .convert import convert

        return convert(source, out)

    # ---------------------------------------------------------------- sequence
    @property
    def vocab_size(self) -> int:
        return 9

    @property
    def seq_len(self) -> int:
        return len(TEMPLATE)

    def to_sequence(self, arch) -> list:
        arch = self._check(arch)
        tokens = list(TEMPLATE)
        for node, position in enumerate(OP_POSITIONS):
            tokens[position] = arch[DAG_TO_STRING[node]] + OP_OFFSET
        return tokens

    def from_sequence(self, tokens: Sequence[int]):
        tokens = self.check_tokens(tokens)
        ops = [0] * NUM_EDGES
        for node, position in enumerate(OP_POSITIONS):
            ops[DAG_TO_STRING[node]] = tokens[position] - OP_OFFSET
        return tuple(ops)

    def allowed_tokens(self, position: int, prefix: Sequence[int] = ()) -> list:
        if not 0 <= position < len(TEMPLATE):
            raise InvalidArchitectureError(f"position {position} is outside 0..{len(TEMPLATE) - 1}")
        if position in OP_POSITIONS:
            return list(range(OP_OFFSET, OP_OFFSET + NUM_OPS))
        return [TEMPLATE[position]]

    # ------------------------------------------------------------- ConfigSpace
    def config_space(self, seed=None):
        return configspace.config_space(seed)

    def to_config(self, arch) -> dict:
        return configspace.to_config(self._check(arch))

    def from_config(self, config):
        return configspace.from_config(config)

    # --------------------------------------------------------------- benchmark
    @property
    def datasets(self) -> list:
        return ["cifar10-valid", "cifar10", "cifar100", "ImageNet16-120"]

    def metrics(self, dataset: str) -> list:
        return [m for m in ("train", "val", "test") if any(k[:2] == (dataset, m) for k in COLUMNS)]

    def epochs(self, dataset: str, metric: str) -> list:
        return [k[2] for k in COLUMNS if k[:2] == (dataset, metric)]

    def metric_unit(self, metric: str) -> str:
        from .hardware import UNITS

        return UNITS.get(metric.partition("@")[0], super().metric_unit(metric))

    def cost_metrics(self, dataset: str) -> list:
        """HW-NAS-Bench costs, ``latency@<device>`` (ms), ``energy@<device>`` (mJ) and
        ``arithmetic_intensity@eyeriss``, from the packaged hardware table."""
        return list(COST_METRICS) if dataset in HARDWARE_DATASET else []

    @property
    def hardware(self) -> HardwareTable:
        """The packaged HW-NAS-Bench table (loaded on first use)."""
        if self._hardware is None:
            hardware = HardwareTable.load()
            row_of_code = np.empty(self.size, dtype=np.int64)
            for index, text in enumerate(hardware.arch_strings):
                row_of_code[self.code(self.from_string(text))] = index
            self._hardware, self._hardware_row_of_code = hardware, row_of_code
        return self._hardware

    @property
    def table(self) -> Table:
        """The loaded compact table (loaded on first use)."""
        if self._table is None:
            table = Table.load(resolve_path(self.data))
            row_of_code = np.empty(self.size, dtype=np.int64)
            for index, text in enumerate(table.arch_strings):
                try:
                    row_of_code[self.code(self.from_string(text))] = index
                except InvalidArchitectureError as error:
                    from nasearch.errors import DataError
                    raise DataError(f"NAS-Bench-201 table row {index}: {error}; regenerate the table "
                                    "with `python main.py convert-nb201`") from None
            self._table, self._row_of_code = table, row_of_code
        return self._table

    def index(self, arch) -> int:
        """Official NAS-Bench-201 index of ``arch`` (needs the table)."""
        self.table
        return int(self._row_of_code[self.arch_id(arch)])

    def query(self, arch, dataset: str, metric: str = "val", epochs: Optional[int] = None) -> float:
        epochs = self.check_query(dataset, metric, epochs)
        if metric in self.cost_metrics(dataset):
            return self.hardware.cost(int(self._hardware_row_of_code[self.arch_id(arch)]), dataset, metric)
        return float(self.table.values[COLUMNS[(dataset, metric, epochs)]][self.index(arch)])

    def values(self, dataset: str, metric: str = "val", epochs: Optional[int] = None) -> np.ndarray:
        """``(15625,)`` values in :meth:`enumerate` order; NaN where a cost was not measured."""
        epochs = self.check_query(dataset, metric, epochs)
        if metric in self.cost_metrics(dataset):
            return self.hardware.column(dataset, metric)[self._hardware_row_of_code]
        column = self.table.values[COLUMNS[(dataset, metric, epochs)]]
        return column[self._row_of_code]

    def __repr__(self) -> str:
        return f"NASBench201(data={self.data!r})"
