"""The NAS-Bench-201 macro skeleton as a PyTorch network, for real training.

Stem (3×3 conv + BN) → stage 1: ``cells_per_stage`` cells at ``channels`` →
residual reduction block (stride 2, channels ×2) → stage 2 → reduction → stage 3
(channels ×4) → BN-ReLU → global average pool → linear classifier. This is the
skeleton the benchmark was trained with (there ``channels = 16``,
``cells_per_stage = 5``); both are configurable so small inputs train quickly.

A cell has 4 nodes; node ``j`` sums ``op(i→j)(node i)`` over ``i < j`` with the
architecture's operation on each edge; the cell's output is node 3.
"""
from __future__ import annotations

import torch
from torch import nn

from .cell import OPERATIONS, STRING_EDGES


class _ReLUConvBN(nn.Sequential):
    def __init__(self, channels: int, kernel: int):
        super().__init__(nn.ReLU(inplace=False), nn.Conv2d(channels, channels, kernel, padding=kernel // 2, bias=False),
                         nn.BatchNorm2d(channels))


class _Zero(nn.Module):
    def forward(self, x):
        return x.mul(0.0)


def _operation(name: str, channels: int) -> nn.Module:
    if name == "none":
        return _Zero()
    if name == "skip_connect":
        return nn.Identity()
    if name == "nor_conv_1x1":
        return _ReLUConvBN(channels, 1)
    if name == "nor_conv_3x3":
        return _ReLUConvBN(channels, 3)
    if name == "avg_pool_3x3":
        return nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False)
    raise ValueError(f"unknown NAS-Bench-201 operation {name!r}")


class Cell(nn.Module):
    """One NAS-Bench-201 cell: ``(B, C, H, W) → (B, C, H, W)``."""

    def __init__(self, arch: tuple, channels: int):
        super().__init__()
        self.edges = nn.ModuleList(_operation(OPERATIONS[op], channels) for op in arch)

    def forward(self, x):
        nodes = [x]
        for target in (1, 2, 3):
            nodes.append(sum(self.edges[index](nodes[source])
                             for index, (source, end) in enumerate(STRING_EDGES) if end == target))
        return nodes[3]


class _Reduction(nn.Module):
    """ResNet basic block with stride 2 that doubles the channels."""

    def __init__(self, channels: int):
        super().__init__()
        out = 2 * channels
        self.path = nn.Sequential(nn.ReLU(), nn.Conv2d(channels, out, 3, stride=2, padding=1, bias=False),
                                  nn.BatchNorm2d(out), nn.ReLU(), nn.Conv2d(out, out, 3, padding=1, bias=False),
                                  nn.BatchNorm2d(out))
        self.shortcut = nn.Sequential(nn.AvgPool2d(2, stride=2, ceil_mode=True), nn.Conv2d(channels, out, 1, bias=False))

    def forward(self, x):
        return self.path(x) + self.shortcut(x)


class NASBench201Network(nn.Module):
    """``(B, in_channels, H, W)`` images → ``(B, classes)`` logits for one cell architecture."""

    def __init__(self, arch: tuple, in_channels: int, classes: int, channels: int = 16, cells_per_stage: int = 5):
        super().__init__()
        layers = [nn.Conv2d(in_channels, channels, 3, padding=1, bias=False), nn.BatchNorm2d(channels)]
        width = channels
        for stage in range(3):
            if stage:
                layers.append(_Reduction(width))
                width *= 2
            layers += [Cell(arch, width) for _ in range(cells_per_stage)]
        layers += [nn.BatchNorm2d(width), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten()]
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Linear(width, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x))
