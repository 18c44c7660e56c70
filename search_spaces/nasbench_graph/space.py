"""The NAS-Bench-Graph space.

An architecture has 4 computing nodes; node ``i`` reads from node ``links[i]``
(0 is the raw input, ``j >= 1`` is computing node ``j``, so ``links[i] <= i``)
and applies ``ops[i]``. Equivalent architectures are merged with the package's
own ``Arch.valid_hash`` canonicalisation; the members of the space are exactly
the canonical architectures in the benchmark table (26,206, or 2,021 for
proteins, which has its own operation list).

String format: ``|gcn~0|gat~0|skip~1|fc~2|``, one ``op~input`` per node.

Token sequence (8 tokens, vocabulary 14)::

    position  2i      link token of node i: 1 + links[i]   (allowed 1..i+1)
    position  2i+1    op token of node i:   5 + index in GNN_OPERATIONS
    token 0           decoder start / padding

The decoder mask forbids a fourth ``skip`` after three (the all-skip cell is
not in the benchmark), so every constrained decode is a member.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple, Optional, Sequence

import numpy as np

from nasearch.errors import DataError, InvalidArchitectureError
from nasearch.search_space import ArchitectureGraph, SearchSpace

DATASETS = ("cora", "citeseer", "pubmed", "cs", "physics", "photo", "computers", "arxiv", "proteins")
NUM_NODES = 4
LINK_OFFSET, OP_OFFSET = 1, 5
_NODE_PATTERN = re.compile(r"([a-z]+)~(\d)")


class GraphArch(NamedTuple):
    """A canonical NAS-Bench-Graph architecture: input index and operation per node."""

    links: tuple
    ops: tuple


def _package():
    try:
        import nas_bench_graph
    except ImportError:
        raise DataError("NAS-Bench-Graph needs its data package; install it with "
                        "`pip install nas-bench-graph`") from None
    return nas_bench_graph


@lru_cache(maxsize=None)
def _bench(dataset: str) -> dict:
    try:
        return _package().light_read(dataset)
    except (OSError, EOFError, ValueError) as error:
        raise DataError(f"cannot read NAS-Bench-Graph table for {dataset!r} ({error}); reinstall it "
                        "with `pip install --force-reinstall nas-bench-graph`") from None


class NASBenchGraph(SearchSpace):
    """NAS-Bench-Graph restricted to ``dataset``'s operation list (default ``cora``)."""

    name = "nasbench_graph"

    def __init__(self, dataset: str = "cora"):
        if dataset not in DATASETS:
            from nasearch.errors import unknown
            raise unknown("NAS-Bench-Graph dataset", dataset, DATASETS)
        package = _package()
        self.dataset = dataset
        self.all_operations = tuple(package.gnn_list)
        self.link_patterns = tuple(tuple(p) for p in package.link_list)
        self.operations = tuple(package.gnn_list_proteins if dataset == "proteins" else package.gnn_list)
        self._members: Optional[list] = None
        self._position: Optional[dict] = None

    # ------------------------------------------------------------------ arches
    def _decode_hash(self, value: int) -> GraphArch:
        digits = []
        for _ in range(NUM_NODES):
            value, digit = divmod(value, len(self.all_operations) + 1)
            digits.append(digit)
        return GraphArch(self.link_patterns[value], tuple(self.all_operations[d] for d in reversed(digits)))

    def _hash(self, links, ops) -> int:
        return _package().Arch(list(links), list(ops)).valid_hash()

    def canonical(self, links, ops) -> GraphArch:
        """The canonical member equivalent to ``(links, ops)``; InvalidArchitectureError if none."""
        links, ops = tuple(int(l) for l in links), tuple(ops)
        if len(links) != NUM_NODES or len(ops) != NUM_NODES:
            raise InvalidArchitectureError(f"a NAS-Bench-Graph architecture has {NUM_NODES} nodes, "
                                           f"got {len(links)} links and {len(ops)} ops")
        for node, link in enumerate(links):
            if not 0 <= link <= node:
                raise InvalidArchitectureError(
                    f"node {node} cannot read from node {link}; node i reads from 0..i (0 is the input)")
        for op in ops:
            if op not in self.operations:
                raise InvalidArchitectureError(
                    f"unknown operation {op!r} for NAS-Bench-Graph/{self.dataset}; "
                    f"use one of {', '.join(self.operations)}")
        value = self._hash(links, ops)
        if value not in self._index():
            raise InvalidArchitectureError(
                f"architecture {links}/{ops} is not in the NAS-Bench-Graph benchmark "
                "(an all-skip cell computes nothing); use at least one non-skip operation")
        return self._decode_hash(value)

    def _index(self) -> dict:
        if self._position is None:
            keys = sorted(_bench(self.dataset))
            self._members = [self._decode_hash(k) for k in keys]
            self._position = {k: i for i, k in enumerate(keys)}
        return self._position

    def _check(self, arch) -> GraphArch:
        if not isinstance(arch, GraphArch):
            raise InvalidArchitectureError(f"{arch!r} is not a NAS-Bench-Graph architecture; "
                                           "build one with from_string()")
        return arch

    def sample(self, rng):
        self._index()
        return self._members[int(rng.integers(len(self._members)))]

    def neighbors(self, arch) -> list:
        arch = self._check(arch)
        seen, result = {self.arch_id(arch)}, []
        candidates = []
        for node in range(NUM_NODES):
            candidates += [(arch.links, arch.ops[:node] + (op,) + arch.ops[node + 1:])
                           for op in self.operations if op != arch.ops[node]]
            candidates += [(arch.links[:node] + (link,) + arch.links[node + 1:], arch.ops)
                           for link in range(node + 1) if link != arch.links[node]]
        index = self._index()
        for links, ops in candidates:
            value = self._hash(links, ops)
            if value in index and value not in seen:
                seen.add(value)
                result.append(self._decode_hash(value))
        return result

    def arch_id(self, arch) -> int:
        arch = self._check(arch)
        return self._hash(arch.links, arch.ops)

    def to_string(self, arch) -> str:
        arch = self._check(arch)
        return "|" + "|".join(f"{op}~{link}" for link, op in zip(arch.links, arch.ops)) + "|"

    def from_string(self, text: str) -> GraphArch:
        help_text = ("use |op~input|op~input|op~input|op~input| with node i reading from 0..i, "
                     f"e.g. |gcn~0|gat~0|skip~1|fc~2|, ops in {', '.join(self.operations)}")
        if not isinstance(text, str):
            raise InvalidArchitectureError(f"malformed NAS-Bench-Graph string {text!r}; {help_text}")
        parts = text.strip().split("|")
        if len(parts) != NUM_NODES + 2 or parts[0] or parts[-1]:
            raise InvalidArchitectureError(
                f"malformed NAS-Bench-Graph string {text!r}: need {NUM_NODES} nodes; {help_text}")
        links, ops = [], []
        for part in parts[1:-1]:
            match = _NODE_PATTERN.fullmatch(part)
            if match is None:
                raise InvalidArchitectureError(
                    f"malformed node {part!r} in NAS-Bench-Graph string; {help_text}")
            ops.append(match.group(1))
            links.append(int(match.group(2)))
        return self.canonical(links, ops)

    @property
    def size(self) -> int:
        return len(self._index())

    def enumerate(self):
        self._index()
        return iter(self._members)

    def dataset_sizes(self) -> dict:
        """Number of architectures per dataset (proteins has its own operation list)."""
        return {d: len(_bench(d)) for d in DATASETS}

    # ---------------------------------------------------------------- sequence
    def graph(self, arch) -> ArchitectureGraph:
        """Input (label 0), the 4 computing nodes labelled with their operation (2 + index in the
        package's full operation list) and an output (label 1) that gathers every node no other
        node reads; edges follow the links."""
        arch = self._check(arch)
        labels = (0, *(2 + self.all_operations.index(op) for op in arch.ops), 1)
        read = set(arch.links)
        edges = [(link, node + 1) for node, link in enumerate(arch.links)]
        edges += [(node + 1, NUM_NODES + 1) for node in range(NUM_NODES) if node + 1 not in read]
        return ArchitectureGraph(labels, tuple(edges))

    @property
    def graph_labels(self) -> int:
        return 2 + len(self.all_operations)

    def graph_label_names(self) -> list:
        return ["input", "output", *self.all_operations]

    @property
    def vocab_size(self) -> int:
        return OP_OFFSET + len(self.all_operations)

    @property
    def seq_len(self) -> int:
        return 2 * NUM_NODES

    @property
    def prefix_dependent(self) -> bool:
        return True

    def to_sequence(self, arch) -> list:
        arch = self._check(arch)
        tokens = []
        for link, op in zip(arch.links, arch.ops):
            tokens += [LINK_OFFSET + link, OP_OFFSET + self.all_operations.index(op)]
        return tokens

    def from_sequence(self, tokens: Sequence[int]) -> GraphArch:
        tokens = self.check_tokens(tokens)
        links = [t - LINK_OFFSET for t in tokens[0::2]]
        ops = [self.all_operations[t - OP_OFFSET] for t in tokens[1::2]]
        return self.canonical(links, ops)

    def allowed_tokens(self, position: int, prefix: Sequence[int] = ()) -> list:
        if not 0 <= position < self.seq_len:
            raise InvalidArchitectureError(f"position {position} is outside 0..{self.seq_len - 1}")
        node = position // 2
        if position % 2 == 0:
            return list(range(LINK_OFFSET, LINK_OFFSET + node + 1))
        tokens = [OP_OFFSET + self.all_operations.index(op) for op in self.operations]
        skip = OP_OFFSET + self.all_operations.index("skip")
        earlier_ops = list(prefix)[1::2]
        if node == NUM_NODES - 1 and len(earlier_ops) >= NUM_NODES - 1 and all(t == skip for t in earlier_ops[:3]):
            tokens.remove(skip)
        return tokens

    # ------------------------------------------------------------- ConfigSpace
    def config_space(self, seed=None):
        from ConfigSpace import Categorical, ConfigurationSpace

        space = ConfigurationSpace(seed=seed)
        space.add([Categorical("links", ["".join(map(str, p)) for p in self.link_patterns])])
        space.add([Categorical(f"op_{n}", list(self.operations)) for n in range(NUM_NODES)])
        return space

    def to_config(self, arch) -> dict:
        arch = self._check(arch)
        config = {"links": "".join(map(str, arch.links))}
        config.update({f"op_{n}": op for n, op in enumerate(arch.ops)})
        return config

    def from_config(self, config) -> GraphArch:
        config = dict(config)
        try:
            links = [int(c) for c in config["links"]]
            ops = [config[f"op_{n}"] for n in range(NUM_NODES)]
        except (KeyError, ValueError, TypeError):
            raise InvalidArchitectureError(
                f"configuration {config!r} is not a NAS-Bench-Graph architecture; it needs keys "
                "links (e.g. '0012') and op_0..op_3") from None
        return self.canonical(links, ops)

    # --------------------------------------------------------------- benchmark
    @property
    def datasets(self) -> list:
        if self.dataset == "proteins":
            return ["proteins"]
        return [d for d in DATASETS if d != "proteins"]

    def metrics(self, dataset: str) -> list:
        return ["val", "test"]

    _FIELDS = {"val": "valid_perf", "test": "perf"}

    def query(self, arch, dataset: str, metric: str = "val", epochs: Optional[int] = None) -> float:
        self.check_query(dataset, metric, epochs)
        return 100.0 * float(_bench(dataset)[self.arch_id(arch)][self._FIELDS[metric]])

    def values(self, dataset: str, metric: str = "val", epochs: Optional[int] = None) -> np.ndarray:
        self.check_query(dataset, metric, epochs)
        bench, field = _bench(dataset), self._FIELDS[metric]
        return np.array([100.0 * float(bench[k][field]) for k in sorted(self._index())])

    def __repr__(self) -> str:
        return f"NASBenchGraph(dataset={self.dataset!r})"
