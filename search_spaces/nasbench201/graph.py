"""The NAS-Bench-201 cell as a labelled graph for graph encoders, dead operations removed."""
from __future__ import annotations

from nasearch.architecture_graph import ArchitectureGraph

#: Node labels: 0 input, 1 output, ``GRAPH_OP_OFFSET + operation index`` for an operation.
GRAPH_INPUT, GRAPH_OUTPUT, GRAPH_OP_OFFSET = 0, 1, 2


def cell_graph(arch: tuple, dag_adjacency, dag_to_string, none: int) -> ArchitectureGraph:
    """Operations as nodes: the 8-node DAG of the token sequence (node 0 input, 1..6 the edge
    operations in DAG order, 7 output; ``dag_adjacency[a, b]`` for a link ``a → b``), with
    ``none`` operations and every operation on no input→output path removed, so cells that
    compute the same function through the same live operations give one graph. A cell with
    no path is input and output alone."""
    live = [0] + [node for node in range(1, 7) if arch[dag_to_string[node - 1]] != none] + [7]
    edges = [(a, b) for a in live for b in live if dag_adjacency[a, b]]
    forward, backward = {0}, {7}
    for a, b in sorted(edges):                    # DAG order: sources precede targets
        if a in forward:
            forward.add(b)
    for a, b in sorted(edges, reverse=True):
        if b in backward:
            backward.add(a)
    kept = [node for node in live if node in forward and node in backward] if 7 in forward else [0, 7]
    number = {node: i for i, node in enumerate(kept)}
    labels = tuple(GRAPH_INPUT if node == 0 else GRAPH_OUTPUT if node == 7
                   else GRAPH_OP_OFFSET + arch[dag_to_string[node - 1]] for node in kept)
    return ArchitectureGraph(labels, tuple((number[a], number[b]) for a, b in edges if a in number and b in number))
