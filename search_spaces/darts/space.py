"""The DARTS cell space (NAS-Bench-301's), about 1.1e18 architectures.

An architecture is a normal and a reduction cell. Each cell has 4
intermediate nodes; node ``i`` (0..3) takes two *distinct* inputs from
``{c_{k-2}, c_{k-1}, node 0, ..., node i-1}`` (input index 0, 1, 2.., so
``0..i+1``), each through one of :data:`OPERATIONS`. The cell output
concatenates the four nodes.

Canonical form: a node's two ``(input, op)`` pairs are ordered by input, so
two orderings of the same node are one architecture. An architecture is a
:class:`DartsArch` of two tuples of 8 ``(input, op)`` pairs; pairs ``2i`` and
``2i+1`` feed node ``i`` (the NASLib / BANANAS compact layout).

String: ``normal=|op~in+op~in|op~in+op~in|op~in+op~in|op~in+op~in|;reduce=|...|``
(one ``|...|`` group per node, its two pairs joined by ``+``).

Token sequence (NAO's DARTS layout: 4 tokens per node, 16 per cell, 32 in all;
vocabulary 14)::

    token 0         decoder start / padding
    tokens 1..6     input 0..5 (c_{k-2}, c_{k-1}, node 0, node 1, node 2, node 3)
    tokens 7..13    operation index 0..6

    per node i: [first input, its op, second input, its op]

The decoder mask follows the canonical form, so every masked sequence is a
member: the first input of node ``i`` ranges over ``0..i``, the second over
``first+1..i+1`` (a prefix-dependent mask).

Benchmarks (:mod:`.benchmark`): dataset ``cifar10`` is the 725 NAS-Bench-301
cells of NAS-Bench-Suite-Zero with measured CIFAR-10 validation accuracy, a
partial table for predictor evaluation; dataset ``nb301`` is the NAS-Bench-301
*surrogate* over the whole space (:mod:`.surrogate`), which scores searches.
"""
from __future__ import annotations

import ast
import re
from typing import NamedTuple, Optional, Sequence

import numpy as np

from nasearch.errors import DataError, InvalidArchitectureError
from nasearch.search_space import ArchitectureGraph, SearchSpace

from .graph import cells_graph
from .operations import CELLS, NODES, OPERATIONS
from . import configspace
from .benchmark import SURROGATE, SURROGATE_NOTE, DartsBenchmark

INPUT_OFFSET = 1                       #: token of input j is j + 1
OP_OFFSET = INPUT_OFFSET + NODES + 2   #: token of operation k is k + 7
_CELL_PATTERN = r"\|" + r"\|".join([r"([a-z0-9_]+)~(\d+)\+([a-z0-9_]+)~(\d+)"] * NODES) + r"\|"
#: Exclusive upper bounds of the draws of :meth:`DARTS.sample`, per cell and node:
#: first input, the other input's rank among the rest, first op, second op.
_SAMPLE_HIGHS = np.array([[node + 2, node + 1, len(OPERATIONS), len(OPERATIONS)]
                          for _ in CELLS for node in range(NODES)]).ravel()
_STRING_PATTERN = re.compile(rf"^normal={_CELL_PATTERN};reduce={_CELL_PATTERN}$")
FORMAT_HELP = ("write normal=|op~in+op~in|...|;reduce=|...| with 4 nodes per cell, node i taking two distinct "
               f"inputs in 0..i+1, op in {', '.join(OPERATIONS)}")


class DartsArch(NamedTuple):
    """A canonical DARTS genotype: 8 ``(input, op)`` pairs per cell, pairs of a node ordered by input."""

    normal: tuple
    reduce: tuple


def _canonical_cell(pairs) -> tuple:
    cell = []
    for node in range(NODES):
        first, second = sorted(pairs[2 * node:2 * node + 2])
        cell += [first, second]
    return tuple(cell)


def _check_cell(pairs, where: str) -> tuple:
    if not isinstance(pairs, (tuple, list)) or len(pairs) != 2 * NODES:
        raise InvalidArchitectureError(f"{where} must have {2 * NODES} (input, op) pairs; {FORMAT_HELP}")
    cell = []
    for index, pair in enumerate(pairs):
        node = index // 2
        try:
            source, op = (int(v) for v in pair)
        except (TypeError, ValueError):
            raise InvalidArchitectureError(f"{where} pair {index} is not (input, op): {pair!r}; {FORMAT_HELP}") from None
        if not 0 <= source <= node + 1:
            raise InvalidArchitectureError(
                f"{where} node {node} reads input {source}; node {node} may read 0..{node + 1}; {FORMAT_HELP}")
        if not 0 <= op < len(OPERATIONS):
            raise InvalidArchitectureError(f"{where} pair {index} has op index {op}, outside 0..6; {FORMAT_HELP}")
        cell.append((source, op))
    for node in range(NODES):
        if cell[2 * node][0] == cell[2 * node + 1][0]:
            raise InvalidArchitectureError(
                f"{where} node {node} reads input {cell[2 * node][0]} twice; its two inputs must differ")
    return _canonical_cell(cell)


def make_arch(normal, reduce) -> DartsArch:
    """Validate and canonicalise two cells of 8 ``(input, op)`` pairs."""
    return DartsArch(_check_cell(normal, "normal cell"), _check_cell(reduce, "reduction cell"))


class DARTS(SearchSpace):
    """The DARTS / NAS-Bench-301 cell space, its measured 725-cell table and its surrogate benchmark."""

    name = "darts"

    def __init__(self):
        self._benchmark = DartsBenchmark(self.from_compact)

    # ----------------------------------------------------------- architectures
    def _check(self, arch) -> DartsArch:
        if isinstance(arch, DartsArch):
            return arch
        if isinstance(arch, tuple) and len(arch) == 2:
            arch = make_arch(*arch)
            return arch
        raise InvalidArchitectureError(f"{arch!r} is not a DARTS architecture; build one with from_string()")

    def sample(self, rng):
        # One generator call per architecture (``rng.choice`` without replacement costs ~20x
        # more, and pretraining on a stream samples hundreds of thousands of cells). Per
        # node: a first input of ``node + 2``, a second of the ``node + 1`` others, two ops.
        draws = rng.integers(0, _SAMPLE_HIGHS).reshape(len(CELLS), NODES, 4)
        cells = []
        for cell_draws in draws:
            cell = []
            for first, other, first_op, second_op in cell_draws.tolist():
                second = other + (other >= first)   # uniform over the inputs other than ``first``
                pairs = sorted([(first, first_op), (second, second_op)])
                cell += pairs
            cells.append(tuple(cell))
        return DartsArch(*cells)

    def neighbors(self, arch) -> list:
        arch = self._check(arch)
        found, seen = [], {arch}
        for which, cell in enumerate(arch):
            for index, (source, op) in enumerate(cell):
                node, partner = index // 2, cell[index ^ 1][0]
                edits = [(source, other) for other in range(len(OPERATIONS)) if other != op]
                edits += [(other, op) for other in range(node + 2) if other not in (source, partner)]
                for pair in edits:
                    changed = list(cell)
                    changed[index] = pair
                    cells = list(arch)
                    cells[which] = _canonical_cell(changed)
                    neighbour = DartsArch(*cells)
                    if neighbour not in seen:
                        seen.add(neighbour)
                        found.append(neighbour)
        return found

    def arch_id(self, arch):
        return self._check(arch)

    def to_string(self, arch) -> str:
        arch = self._check(arch)

        def cell_text(cell):
            nodes = [f"{OPERATIONS[cell[2 * n][1]]}~{cell[2 * n][0]}+{OPERATIONS[cell[2 * n + 1][1]]}~{cell[2 * n + 1][0]}"
                     for n in range(NODES)]
            return "|" + "|".join(nodes) + "|"
        return f"normal={cell_text(arch.normal)};reduce={cell_text(arch.reduce)}"

    def from_string(self, text: str):
        match = _STRING_PATTERN.match(text.strip()) if isinstance(text, str) else None
        if match is None:
            raise InvalidArchitectureError(f"malformed DARTS string {text!r}; {FORMAT_HELP}")
        groups = match.groups()
        cells = []
        for start in (0, 4 * NODES):
            part = groups[start:start + 4 * NODES]
            pairs = []
            for name, source in zip(part[0::2], part[1::2]):
                if name not in OPERATIONS:
                    raise InvalidArchitectureError(f"unknown DARTS operation {name!r}; {FORMAT_HELP}")
                pairs.append((int(source), OPERATIONS.index(name)))
            cells.append(pairs)
        return make_arch(*cells)

    def from_compact(self, text: str) -> DartsArch:
        """Parse NASLib's compact form ``[[(in, op) x 8], [(in, op) x 8]]``."""
        try:
            normal, reduce = ast.literal_eval(text)
        except (ValueError, SyntaxError, TypeError):
            raise InvalidArchitectureError(f"malformed compact DARTS cell {text!r}; "
                                           "expected [[(input, op), ...8], [(input, op), ...8]]") from None
        return make_arch(normal, reduce)

    @property
    def size(self) -> int:
        per_cell = 1
        for node in range(NODES):
            per_cell *= (node + 2) * (node + 1) // 2 * len(OPERATIONS) ** 2
        return per_cell ** 2

    # ---------------------------------------------------------------- sequence
    def network(self, arch, in_channels: int, classes: int, channels: int = 16, cells_per_stage: int = 2,
                cells: int = 0, affine_ops: bool = True, auxiliary: bool = False, drop_path: bool = False):
        """The DARTS CIFAR network of this genotype (see :mod:`.network`): ``channels`` initial
        channels, ``cells`` cells (default ``3 · cells_per_stage + 2``: that many normal cells
        per stage and the two reduction cells; 2 gives NAS-Bench-301's 8, 6 the paper's 20),
        optionally DARTS' auxiliary head and drop-path."""
        from .network import DartsNetwork

        return DartsNetwork(self._check(arch), in_channels, classes, channels, cells or 3 * cells_per_stage + 2,
                            affine_ops, auxiliary, drop_path)

    def full_training(self) -> dict:
        """DARTS' evaluation protocol (Liu et al., 2019): 36 channels, 20 cells, 600 epochs of SGD
        (batch 96, lr 0.025 cosine, momentum 0.9 without Nesterov, weight decay 3e-4, clip 5),
        auxiliary head at weight 0.4, drop-path 0.2, cutout 16, crop and flip."""
        return {"channels": 36, "cells_per_stage": 6, "epochs": 600, "batch_size": 96, "lr": 0.025,
                "momentum": 0.9, "nesterov": False, "weight_decay": 3e-4, "grad_clip": 5.0,
                "auxiliary_weight": 0.4, "drop_path": 0.2, "cutout": 16}

    def export(self, arch) -> str:
        """The cell in the DARTS code's ``Genotype(...)`` notation: ``(operation, input)`` pairs,
        two per node, inputs 0 and 1 the previous cells' outputs, every node concatenated."""
        arch = self._check(arch)
        pairs = lambda cell: "[" + ", ".join(f"('{OPERATIONS[op]}', {source})" for source, op in cell) + "]"
        concat = list(range(2, 2 + NODES))
        return (f"Genotype(normal={pairs(arch.normal)}, normal_concat={concat}, "
                f"reduce={pairs(arch.reduce)}, reduce_concat={concat})")

    def graph(self, arch) -> ArchitectureGraph:
        """Both cells as one two-component graph, operations as nodes (see :mod:`.graph`)."""
        return cells_graph(self._check(arch), NODES, len(OPERATIONS))

    @property
    def graph_labels(self) -> int:
        return 2 * (4 + len(OPERATIONS))

    def graph_label_names(self) -> list:
        roles = ["c_{k-2}", "c_{k-1}", "sum", "concat", *OPERATIONS]
        return roles + [f"reduce {name}" for name in roles]

    @property
    def vocab_size(self) -> int:
        return OP_OFFSET + len(OPERATIONS)

    @property
    def seq_len(self) -> int:
        return 2 * 4 * NODES

    @property
    def prefix_dependent(self) -> bool:
        return True

    def to_sequence(self, arch) -> list:
        tokens = []
        for cell in self._check(arch):
            for source, op in cell:
                tokens += [source + INPUT_OFFSET, op + OP_OFFSET]
        return tokens

    def from_sequence(self, tokens: Sequence[int]):
        tokens = self.check_tokens(tokens)
        pairs = [(tokens[i] - INPUT_OFFSET, tokens[i + 1] - OP_OFFSET) for i in range(0, len(tokens), 2)]
        return DartsArch(tuple(pairs[:2 * NODES]), tuple(pairs[2 * NODES:]))

    def allowed_tokens(self, position: int, prefix: Sequence[int] = ()) -> list:
        if not 0 <= position < self.seq_len:
            raise InvalidArchitectureError(f"position {position} is outside 0..{self.seq_len - 1}")
        slot = position % 4
        node = (position % (4 * NODES)) // 4
        if slot % 2:
            return list(range(OP_OFFSET, OP_OFFSET + len(OPERATIONS)))
        if slot == 0:   # the smaller input leaves room for a larger one
            return list(range(INPUT_OFFSET, INPUT_OFFSET + node + 1))
        if len(prefix) >= position:
            first = int(prefix[position - 2]) - INPUT_OFFSET
            return list(range(INPUT_OFFSET + first + 1, INPUT_OFFSET + node + 2))
        return list(range(INPUT_OFFSET + 1, INPUT_OFFSET + node + 2))

    # ------------------------------------------------------------- ConfigSpace
    def config_space(self, seed=None):
        """Per cell and node: the unordered input pair (``"a-b"``, a < b) and the op of each input."""
        return configspace.config_space(seed)

    def to_config(self, arch) -> dict:
        return configspace.to_config(self._check(arch))

    def from_config(self, config):
        return make_arch(*configspace.cells_of(config))

    # --------------------------------------------------------------- benchmark
    @property
    def datasets(self) -> list:
        return list(DartsBenchmark.datasets)

    def metrics(self, dataset: str) -> list:
        return ["val"]

    def epochs(self, dataset: str, metric: str) -> list:
        return DartsBenchmark.epochs(dataset) if metric == "val" else []

    def cost_metrics(self, dataset: str) -> list:
        """``runtime`` on nb301: the surrogate's training seconds for the full 98 epochs."""
        return DartsBenchmark.cost_metrics(dataset)

    def metric_unit(self, metric: str) -> str:
        return "s" if metric == "runtime" else super().metric_unit(metric)

    def benchmark_note(self, dataset: str) -> str:
        return SURROGATE_NOTE if dataset == SURROGATE else ""

    @property
    def table(self) -> dict:
        """``{arch: CIFAR-10 validation accuracy (percent)}`` for the 725 measured cells."""
        return self._benchmark.table

    def table_archs(self, dataset: str) -> Optional[list]:
        self.check_dataset(dataset)
        return None if dataset == SURROGATE else list(self.table)

    def query(self, arch, dataset: str, metric: str = "val", epochs: Optional[int] = None) -> float:
        epochs = self.check_query(dataset, metric, epochs)
        arch = self._check(arch)
        if dataset == SURROGATE:
            return self._benchmark.surrogate_value(arch, metric, epochs)
        return self._benchmark.measured_value(arch, self.to_string)

    def values(self, dataset: str, metric: str = "val", epochs: Optional[int] = None) -> np.ndarray:
        if dataset == SURROGATE:   # the whole space cannot be listed: one-line DataError
            return super().values(dataset, metric, epochs)
        self.check_query(dataset, metric, epochs)
        return np.fromiter(self.table.values(), dtype=np.float64, count=len(self.table))
