"""A graph isomorphism network (GIN) over a space's architecture graphs, messages both ways.

Shapes: a :class:`GraphBatch` holds ``B`` graphs as one disjoint union of ``V`` nodes and
``E`` edges: ``labels`` ``(V,)`` int64 node labels, ``graph`` ``(V,)`` int64 the graph each
node belongs to, ``sources`` and ``targets`` ``(E,)`` int64 the endpoints of each edge
``source → target``, ``sizes`` ``(B, 1)`` float32 node counts, plus optional ``extra``
``(B, e)`` float32 graph-level features (zero-cost proxies).

Each layer updates node states from themselves, from their predecessors (the data that
flows in) and from their successors (where their output goes), each through its own
weights: ``h ← MLP([(1 + ε) h, Aᵀ h, A h])``. Sending messages only along the data flow
leaves an operation blind to what consumes it; both directions ranked clearly better.
The graph embedding is a projection of the mean node state of every layer (and of
``extra``), ``(B, dim)``.

Why the disjoint union and not padded dense adjacency matrices: the neighbour sums then
cost O(E) gathers instead of O(B·N²) matrix products, and the first linear map is applied
before them (``[h, Aᵀh, Ah] W = h W₁ + Aᵀ(h W₂) + A(h W₃)``), so no message is ever
concatenated. On DARTS cells (30 nodes, 40 edges) that made a training step several
times cheaper.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np
import torch
from torch import nn


@dataclass
class GraphBatch:
    labels: torch.Tensor
    graph: torch.Tensor
    sources: torch.Tensor
    targets: torch.Tensor
    sizes: torch.Tensor
    extra: Optional[torch.Tensor] = None

    def __len__(self) -> int:
        return int(self.sizes.shape[0])

    def incoming(self, h: torch.Tensor) -> torch.Tensor:
        """``Aᵀ h``: each node's sum of its predecessors' states ``h`` ``(..., V, width)``."""
        return _sum_into(h, self.sources, self.targets, h.shape[-2])

    def outgoing(self, h: torch.Tensor) -> torch.Tensor:
        """``A h``: each node's sum of its successors' states ``h`` ``(..., V, width)``."""
        return _sum_into(h, self.targets, self.sources, h.shape[-2])

    def mean_nodes(self, h: torch.Tensor) -> torch.Tensor:
        """``(..., B, width)``: each graph's mean node state of ``h`` ``(..., V, width)``."""
        return _sum_into(h, None, self.graph, len(self)) / self.sizes


def _sum_into(h: torch.Tensor, rows: Optional[torch.Tensor], into: torch.Tensor, count: int) -> torch.Tensor:
    """``out[..., into[e], :] += h[..., rows[e], :]`` for every ``e`` (``rows`` None: every row in
    order), ``h`` ``(..., V, width)`` → ``(..., count, width)``.

    One gather and one sum per ensemble member, each over the first axis of that member's 2-D
    ``(V, width)`` slice: index_add over the first axis of a 2-D tensor is about twice as fast as
    over the middle axis of a 3-D one, and a member's slice needs no copy, where folding the
    members into the row (node-major) copied every input and output. Each member's rows are
    added in the same order either way, so the result is bitwise the same."""
    lead, width = h.shape[:-2], h.shape[-1]
    sums = []
    for member in h.reshape(-1, *h.shape[-2:]).unbind(0):                 # (V, width) each
        picked = member if rows is None else member.index_select(0, rows)
        sums.append(member.new_zeros(count, width).index_add_(0, into, picked))
    # (members, count, width); one member is viewed, not stacked, since stack would copy it
    out = sums[0].unsqueeze(0) if len(sums) == 1 else torch.stack(sums)
    return out.reshape(*lead, count, width)


def graph_batch(space, archs: list, extra: Optional[np.ndarray] = None) -> GraphBatch:
    """The graphs of ``archs`` (``space.graph``) as one :class:`GraphBatch`."""
    return GraphPool([space.graph(a) for a in archs], extra).batch(range(len(archs)))


class GraphPool:
    """Graphs (:class:`~nasearch.architecture_graph.ArchitectureGraph`) held as arrays, so a batch of
    any subset of them is a few concatenations (minibatch training builds one every step)."""

    def __init__(self, graphs: list, extra: Optional[np.ndarray] = None):
        self.labels = [np.asarray(g.labels, dtype=np.int64) for g in graphs]
        self.edges = [np.asarray(g.edges, dtype=np.int64).reshape(-1, 2) for g in graphs]
        self.extra = extra

    def batch(self, chosen) -> GraphBatch:
        """The graphs at positions ``chosen`` (in that order) as one :class:`GraphBatch`."""
        chosen = list(chosen)
        sizes = np.array([len(self.labels[i]) for i in chosen], dtype=np.int64)
        offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
        # the empty arrays first keep the dtypes and shapes when nothing is chosen
        labels = np.concatenate([np.zeros(0, np.int64)] + [self.labels[i] for i in chosen])
        edges = np.concatenate([np.zeros((0, 2), np.int64)] + [self.edges[i] + o for i, o in zip(chosen, offsets)])
        return GraphBatch(torch.from_numpy(labels), torch.from_numpy(np.repeat(np.arange(len(sizes)), sizes)),
                          torch.from_numpy(edges[:, 0].copy()), torch.from_numpy(edges[:, 1].copy()),
                          torch.from_numpy(np.maximum(sizes, 1).astype(np.float32)[:, None]),
                          None if self.extra is None else torch.as_tensor(np.asarray(self.extra)[chosen],
                                                                          dtype=torch.float32))


class EnsembleLinear(nn.Module):
    """``members`` independent linear maps applied at once: ``(M, ..., inputs) → (M, ..., outputs)``.

    One batched matmul instead of a loop over members: at these sizes a training step costs
    its per-operation overhead, not its arithmetic, so an ensemble trains in about the time of one model."""

    def __init__(self, members: int, inputs: int, outputs: int):
        super().__init__()
        bound = 1.0 / np.sqrt(inputs)          # nn.Linear's default initialisation range
        self.weight = nn.Parameter(torch.empty(members, inputs, outputs).uniform_(-bound, bound))
        self.bias = nn.Parameter(torch.empty(members, 1, outputs).uniform_(-bound, bound))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        shape = x.shape
        flat = x.reshape(shape[0], -1, shape[-1])
        return torch.baddbmm(self.bias, flat, self.weight).reshape(*shape[:-1], self.weight.shape[-1])


class GraphEncoder(nn.Module):
    """``GraphBatch`` → ``(members, B, dim)`` graph embeddings (not normalised), one per ensemble
    member, each member with its own weights; see the module docstring."""

    def __init__(self, label_count: int, width: int = 64, layers: int = 3, dim: int = 32, extra: int = 0,
                 members: int = 1, both_ways: bool = True):
        super().__init__()
        self.members, self.both_ways = members, both_ways
        self.embed = nn.Parameter(torch.randn(members, label_count, width))
        self.eps = nn.Parameter(torch.zeros(layers, members, 1, 1))
        self.layers = nn.ModuleList(
            nn.ModuleList([EnsembleLinear(members, 3 * width, width), EnsembleLinear(members, width, width)])
            for _ in range(layers))
        self.project = EnsembleLinear(members, width * (layers + 1) + extra, dim)

    def forward(self, batch: GraphBatch) -> torch.Tensor:
        h = self.embed[:, batch.labels]                                   # (M, V, width)
        width = h.shape[-1]
        readouts = [batch.mean_nodes(h)]
        for index, (first, second) in enumerate(self.layers):
            # first(cat[(1 + ε) h, Aᵀh, Ah]), its weight's three row blocks applied before the sums
            blocks = first.weight.unflatten(1, (3, width)).transpose(1, 2).flatten(2)   # (M, width, 3 · width)
            own, to_successors, to_predecessors = (h @ blocks).split(width, -1)
            pre = (1 + self.eps[index]) * own + batch.incoming(to_successors) + first.bias
            if self.both_ways:   # without it (an ablation) the successor part of the message is zero
                pre = pre + batch.outgoing(to_predecessors)
            h = torch.relu(second(torch.relu(pre)))
            readouts.append(batch.mean_nodes(h))
        if batch.extra is not None:
            readouts.append(batch.extra.expand(self.members, *batch.extra.shape))
        return self.project(torch.cat(readouts, -1))


def ranking_pairs(target: torch.Tensor) -> torch.Tensor:
    """``(n, n)`` float32 mask of the ordered pairs the ranking loss scores: 1 where ``target[i] > target[j]``
    (``target`` ``(n,)``). Computed once per training set, not at every step."""
    return (target.unsqueeze(-1) > target.unsqueeze(-2)).float()


def pairwise_ranking_loss(predicted: torch.Tensor, target: torch.Tensor,
                          better: Optional[torch.Tensor] = None) -> torch.Tensor:
    """Mean logistic loss over ordered pairs, ``log(1 + exp(-(p_i - p_j)))`` for every ``y_i > y_j``:
    ``predicted`` ``(..., n)``, ``target`` ``(n,)`` → ``(...)``; ``better``: :func:`ranking_pairs` of
    ``target``, if already known."""
    better = ranking_pairs(target) if better is None else better
    # p_j - p_i is exactly -(p_i - p_j) in floating point, so the negation is never computed
    reversed_difference = predicted.unsqueeze(-2) - predicted.unsqueeze(-1)     # (..., n, n): p_j - p_i
    pairs = better.sum().clamp(min=1.0)
    return (nn.functional.softplus(reversed_difference) * better).sum((-1, -2)) / pairs
