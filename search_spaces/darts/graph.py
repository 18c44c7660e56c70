"""The DARTS genotype as a labelled graph for graph encoders."""
from __future__ import annotations

from nasearch.architecture_graph import ArchitectureGraph


def cells_graph(arch, nodes: int, operations: int) -> ArchitectureGraph:
    """Normal and reduction cell as one graph of two components, operations as nodes.

    Per cell: the two cell inputs, one node per ``(input, op)`` pair, the ``nodes``
    intermediate (sum) nodes and the output (concatenation). Labels within a cell:
    c_{k-2} 0, c_{k-1} 1, intermediate 2, output 3, operation ``4 + op``; the reduction
    cell's labels follow the normal cell's (offset ``4 + operations``), so the two cells stay
    distinguishable. Every DARTS operation computes, so nothing is dropped.
    """
    labels, edges = [], []
    for index, cell in enumerate((arch.normal, arch.reduce)):
        base, offset = index * (4 + operations), len(labels)
        labels += [base, base + 1]
        sums = [offset + 2 + 2 * nodes + node for node in range(nodes)]
        for pair, (source, op) in enumerate(cell):
            node = offset + 2 + pair
            labels.append(base + 4 + op)
            edges += [(offset + source if source < 2 else sums[source - 2], node), (node, sums[pair // 2])]
        labels += [base + 2] * nodes + [base + 3]
        edges += [(node, len(labels) - 1) for node in sums]
    return ArchitectureGraph(tuple(labels), tuple(edges))
