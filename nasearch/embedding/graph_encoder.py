"""A graph isomorphism network (GIN) over a space's architecture graphs, messages both ways.

Shapes: a :class:`GraphBatch` holds ``labels`` ``(B, N)`` int64 node labels, ``adjacency``
``(B, N, N)`` float32 with ``adjacency[b, i, j] = 1`` for an edge ``i → j``, and ``mask``
``(B, N)`` float32 marking real nodes (graphs are padded to the largest ``N``), plus optional
``extra`` ``(B, e)`` float32 graph-level features (zero-cost proxies).

Each layer updates node states from themselves, from their predecessors (the data that
flows in) and from their successors (where their output goes), each through its own
weights: ``h ← MLP([(1 + ε) h, Aᵀ h, A h])``. Sending messages only along the data flow
leaves an operation blind to what consumes it; both directions ranked clearly better.
The graph embedding is a projection of the mean node state of every layer (and of
``extra``), ``(B, dim)``.
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
    adjacency: torch.Tensor
    mask: torch.Tensor
    extra: Optional[torch.Tensor] = None

    def __len__(self) -> int:
        return int(self.labels.shape[0])

    def take(self, index) -> "GraphBatch":
        """The sub-batch of rows ``index`` (a tensor or list of ints)."""
        return GraphBatch(self.labels[index], self.adjacency[index], self.mask[index],
                          None if self.extra is None else self.extra[index])


def graph_batch(space, archs: list, extra: Optional[np.ndarray] = None) -> GraphBatch:
    """Pad the graphs of ``archs`` (``space.graph``) into one :class:`GraphBatch`."""
    graphs = [space.graph(a) for a in archs]
    nodes = max((len(g.labels) for g in graphs), default=1)
    labels = np.zeros((len(graphs), nodes), dtype=np.int64)
    adjacency = np.zeros((len(graphs), nodes, nodes), dtype=np.float32)
    mask = np.zeros((len(graphs), nodes), dtype=np.float32)
    for row, graph in enumerate(graphs):
        labels[row, :len(graph.labels)] = graph.labels
        mask[row, :len(graph.labels)] = 1.0
        for source, target in graph.edges:
            adjacency[row, source, target] = 1.0
    return GraphBatch(torch.from_numpy(labels), torch.from_numpy(adjacency), torch.from_numpy(mask),
                      None if extra is None else torch.as_tensor(extra, dtype=torch.float32))


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
        self.eps = nn.Parameter(torch.zeros(layers, members, 1, 1, 1))
        self.layers = nn.ModuleList(
            nn.ModuleList([EnsembleLinear(members, 3 * width, width), EnsembleLinear(members, width, width)])
            for _ in range(layers))
        self.project = EnsembleLinear(members, width * (layers + 1) + extra, dim)

    def forward(self, batch: GraphBatch) -> torch.Tensor:
        mask = batch.mask.unsqueeze(-1)                                   # (B, N, 1)
        h = self.embed[:, batch.labels] * mask                            # (M, B, N, width)
        incoming = batch.adjacency.transpose(1, 2)                        # row i: predecessors of i
        count = mask.sum(1).clamp(min=1.0)                                # (B, 1)
        readouts = [h.sum(2) / count]
        for index, (first, second) in enumerate(self.layers):
            # Without both_ways (an ablation) the successor part of the message is zero.
            outgoing = batch.adjacency @ h if self.both_ways else torch.zeros_like(h)
            message = torch.cat([(1 + self.eps[index]) * h, incoming @ h, outgoing], -1)
            h = torch.relu(second(torch.relu(first(message)))) * mask
            readouts.append(h.sum(2) / count)
        if batch.extra is not None:
            readouts.append(batch.extra.expand(self.members, *batch.extra.shape))
        return self.project(torch.cat(readouts, -1))


def pairwise_ranking_loss(predicted: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean logistic loss over ordered pairs, ``log(1 + exp(-(p_i - p_j)))`` for every ``y_i > y_j``:
    ``predicted`` ``(..., n)``, ``target`` ``(n,)`` → ``(...)``."""
    difference = predicted.unsqueeze(-1) - predicted.unsqueeze(-2)        # (..., n, n): p_i - p_j
    better = (target.unsqueeze(-1) > target.unsqueeze(-2)).float()
    pairs = better.sum().clamp(min=1.0)
    return (nn.functional.softplus(-difference) * better).sum((-1, -2)) / pairs
