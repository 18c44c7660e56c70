"""An architecture drawn as its graph (:meth:`SearchSpace.graph`), as a standalone SVG.

Nodes are placed in layers by their longest path from a source, so data flows left to
right; each node shows its label's name (:meth:`SearchSpace.graph_label_names`).
"""
from __future__ import annotations

from html import escape

NODE_W, NODE_H, GAP_X, GAP_Y, MARGIN = 120, 28, 50, 14, 10   #: SVG units (px)


def layers(count: int, edges: tuple) -> list:
    """Each node's layer: 0 for a node nothing feeds, else one more than its deepest input."""
    inputs = {node: [] for node in range(count)}
    for source, target in edges:
        inputs[target].append(source)
    layer = [None] * count

    def depth(node, seen=()):
        if layer[node] is None:
            if node in seen:   # a cycle cannot happen in a DAG; stop rather than recurse forever
                return 0
            layer[node] = 1 + max((depth(source, seen + (node,)) for source in inputs[node]), default=-1)
        return layer[node]

    return [depth(node) for node in range(count)]


def cell_svg(graph, names: list, title: str = "") -> str:
    """The SVG text of ``graph`` (an :class:`~nasearch.architecture_graph.ArchitectureGraph`)."""
    count = len(graph.labels)
    depth = layers(count, graph.edges)
    columns: dict = {}
    for node in range(count):
        columns.setdefault(depth[node], []).append(node)
    place = {}
    for column, members in columns.items():
        for row, node in enumerate(members):
            place[node] = (MARGIN + column * (NODE_W + GAP_X), MARGIN + 20 + row * (NODE_H + GAP_Y))
    width = MARGIN * 2 + (max(columns) + 1) * (NODE_W + GAP_X) - GAP_X
    height = MARGIN * 2 + 20 + max(len(m) for m in columns.values()) * (NODE_H + GAP_Y)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" '
             f'font-size="11"><defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" '
             f'markerHeight="6" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>',
             f'<text x="{MARGIN}" y="{MARGIN + 10}" font-weight="bold">{escape(title)}</text>']
    for source, target in graph.edges:
        (x1, y1), (x2, y2) = place[source], place[target]
        parts.append(f'<line x1="{x1 + NODE_W}" y1="{y1 + NODE_H / 2}" x2="{x2}" y2="{y2 + NODE_H / 2}" '
                     f'stroke="#555" marker-end="url(#arrow)"/>')
    for node in range(count):
        x, y = place[node]
        label = graph.labels[node]
        name = names[label] if 0 <= label < len(names) else str(label)
        parts.append(f'<rect x="{x}" y="{y}" width="{NODE_W}" height="{NODE_H}" rx="6" fill="#eef3fb" '
                     f'stroke="#3b6fb6"/><text x="{x + NODE_W / 2}" y="{y + NODE_H / 2 + 4}" '
                     f'text-anchor="middle">{escape(name)}</text>')
    return "".join(parts) + "</svg>"
