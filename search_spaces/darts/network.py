"""The DARTS CIFAR network for a genotype, as a PyTorch module (for training and zero-cost proxies).

Stem (3×3 conv to ``3·channels`` + BN) → ``cells`` cells → global average pool →
linear classifier. The cells at ``cells // 3`` and ``2·cells // 3`` are reduction
cells (stride 2 on their inputs, channels ×2); the others are normal cells. Each
cell first maps its two inputs, the outputs of the two cells before it, to its own
width (a 1×1 ReLU-conv-BN, or a factorized reduction when the cell before halved the
resolution), then computes its 4 nodes, each the sum of two operations on earlier
states, and concatenates them (4× its width). This is the evaluation network of
DARTS (Liu et al., 2019); NAS-Bench-301 trained it with 32 channels and 8 cells, the
DARTS paper with 36 and 20, an auxiliary head (``auxiliary=True``: a small classifier on
the output of the cell at ``2·cells // 3``, whose loss the training adds at weight 0.4)
and drop-path (``drop_path=True``: each operation's output but the identity's is zeroed
per image with the probability the training loop sets, the survivors scaled up).
``affine_ops=False`` drops the learned scale and shift of the batch norms inside the
operations (as DARTS' search network does); NAS-Bench-Suite-Zero's published
``zc_params`` of the 725 NAS-Bench-301 cells equal this network's parameter count
at 32 channels, 8 cells and ``affine_ops=False`` exactly.

Operations (stride 2 in a reduction cell when they read one of the cell's inputs):
pooling as is; ``skip_connect`` the identity, or a factorized reduction at stride 2;
``sep_conv_k×k`` two stacked ReLU → depthwise k×k → pointwise 1×1 → BN blocks;
``dil_conv_k×k`` one ReLU → dilated (2) depthwise → pointwise → BN block.
"""
from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from nasearch.training.loop import DropPath

from .operations import NODES, OPERATIONS


def _relu_conv_bn(c_in: int, c_out: int, kernel: int, stride: int, padding: int, dilation: int = 1,
                  groups: int = 1) -> list:
    return [nn.ReLU(inplace=False),
            nn.Conv2d(c_in, c_out, kernel, stride, padding, dilation=dilation, groups=groups, bias=False)]


class _DilatedConv(nn.Sequential):
    """ReLU → depthwise (dilated) conv → pointwise conv → BN."""

    def __init__(self, c_in: int, c_out: int, kernel: int, stride: int, padding: int, dilation: int,
                 affine: bool = True):
        super().__init__(*_relu_conv_bn(c_in, c_in, kernel, stride, padding, dilation, groups=c_in),
                         nn.Conv2d(c_in, c_out, 1, bias=False), nn.BatchNorm2d(c_out, affine=affine))


class _SeparableConv(nn.Sequential):
    """Two dilation-1 :class:`_DilatedConv` blocks, the first carrying the stride."""

    def __init__(self, c_in: int, c_out: int, kernel: int, stride: int, affine: bool = True):
        padding = kernel // 2
        super().__init__(_DilatedConv(c_in, c_in, kernel, stride, padding, 1, affine),
                         _DilatedConv(c_in, c_out, kernel, 1, padding, 1, affine))


class _FactorizedReduce(nn.Module):
    """Halve the resolution without losing a pixel: two stride-2 1×1 convs on the input and on it
    shifted by one pixel, concatenated (``(B, c_in, H, W) → (B, c_out, ⌈H/2⌉, ⌈W/2⌉)``)."""

    def __init__(self, c_in: int, c_out: int, affine: bool = True):
        super().__init__()
        self.relu = nn.ReLU(inplace=False)
        self.even = nn.Conv2d(c_in, c_out // 2, 1, stride=2, bias=False)
        self.odd = nn.Conv2d(c_in, c_out - c_out // 2, 1, stride=2, bias=False)
        self.bn = nn.BatchNorm2d(c_out, affine=affine)

    def forward(self, x):
        x = self.relu(x)
        # padding one row and column makes odd sizes work; for even sizes it changes nothing
        shifted = F.pad(x, (0, 1, 0, 1))[:, :, 1:, 1:]
        return self.bn(torch.cat([self.even(x), self.odd(shifted)], dim=1))


def operation(name: str, channels: int, stride: int, affine: bool = True) -> nn.Module:
    """The DARTS operation ``name`` on ``channels`` channels with ``stride`` (1 or 2); ``affine``:
    whether its batch norms learn a scale and shift."""
    if name == "max_pool_3x3":
        return nn.MaxPool2d(3, stride=stride, padding=1)
    if name == "avg_pool_3x3":
        return nn.AvgPool2d(3, stride=stride, padding=1, count_include_pad=False)
    if name == "skip_connect":
        return nn.Identity() if stride == 1 else _FactorizedReduce(channels, channels, affine)
    if name in ("sep_conv_3x3", "sep_conv_5x5"):
        return _SeparableConv(channels, channels, int(name[-1]), stride, affine)
    if name in ("dil_conv_3x3", "dil_conv_5x5"):
        kernel = int(name[-1])
        return _DilatedConv(channels, channels, kernel, stride, kernel - 1, 2, affine)
    raise ValueError(f"unknown DARTS operation {name!r}")


class _DropPath(nn.Module, DropPath):
    """Zero a whole image's path with probability ``drop_probability`` while training, scaling the
    kept ones by ``1 / (1 - p)`` so the expected output is unchanged; the identity in evaluation."""

    def forward(self, x):
        if not self.training or self.drop_probability <= 0:
            return x
        keep = 1.0 - self.drop_probability
        mask = torch.empty(x.shape[0], 1, 1, 1, device=x.device, dtype=x.dtype).bernoulli_(keep)
        return x * mask / keep


class _AuxiliaryHead(nn.Module):
    """DARTS' auxiliary classifier for CIFAR: ``(B, channels, 8, 8) → (B, classes)``."""

    def __init__(self, channels: int, classes: int):
        super().__init__()
        self.features = nn.Sequential(
            nn.ReLU(inplace=False), nn.AvgPool2d(5, stride=3, padding=0, count_include_pad=False),
            nn.Conv2d(channels, 128, 1, bias=False), nn.BatchNorm2d(128), nn.ReLU(inplace=False),
            nn.Conv2d(128, 768, 2, bias=False), nn.BatchNorm2d(768), nn.ReLU(inplace=False))
        self.classifier = nn.Linear(768, classes)

    def forward(self, x):
        if x.shape[-1] < 5:   # inputs smaller than CIFAR's: pool to the 2×2 the head expects
            x = F.adaptive_avg_pool2d(F.relu(x), 2)
            x = self.features[2:](x)
        else:
            x = self.features(x)
        return self.classifier(F.adaptive_avg_pool2d(x, 1).flatten(1))


class DartsCell(nn.Module):
    """One cell: ``(s0, s1)`` (the two previous cells' outputs) → ``(B, 4·channels, H', W')``."""

    def __init__(self, pairs: tuple, c_before_previous: int, c_previous: int, channels: int, reduction: bool,
                 previous_reduced: bool, affine_ops: bool = True, drop_path: bool = False):
        super().__init__()
        self.preprocess0 = (_FactorizedReduce(c_before_previous, channels) if previous_reduced else
                            nn.Sequential(*_relu_conv_bn(c_before_previous, channels, 1, 1, 0),
                                          nn.BatchNorm2d(channels)))
        self.preprocess1 = nn.Sequential(*_relu_conv_bn(c_previous, channels, 1, 1, 0), nn.BatchNorm2d(channels))
        self.sources = tuple(source for source, _ in pairs)
        self.ops = nn.ModuleList(operation(OPERATIONS[op], channels, 2 if reduction and source < 2 else 1, affine_ops)
                                 for source, op in pairs)
        # DARTS drops every operation's output but the identity's
        self.drops = nn.ModuleList(_DropPath() if drop_path and not isinstance(op, nn.Identity) else nn.Identity()
                                   for op in self.ops)

    def forward(self, s0, s1):
        states = [self.preprocess0(s0), self.preprocess1(s1)]
        for node in range(NODES):
            first, second = 2 * node, 2 * node + 1
            states.append(self.drops[first](self.ops[first](states[self.sources[first]])) +
                          self.drops[second](self.ops[second](states[self.sources[second]])))
        return torch.cat(states[2:], dim=1)


class DartsNetwork(nn.Module):
    """``(B, in_channels, H, W)`` images → ``(B, classes)`` logits for one DARTS genotype; with
    ``auxiliary``, training mode returns ``(logits, auxiliary logits)``."""

    def __init__(self, arch, in_channels: int, classes: int, channels: int = 16, cells: int = 8,
                 affine_ops: bool = True, auxiliary: bool = False, drop_path: bool = False):
        super().__init__()
        if cells < 3:
            raise ValueError("a DARTS network needs at least 3 cells (two of them reduction cells)")
        width = 3 * channels   # the stem multiplier of DARTS
        self.stem = nn.Sequential(nn.Conv2d(in_channels, width, 3, padding=1, bias=False), nn.BatchNorm2d(width))
        c_before_previous, c_previous, current = width, width, channels
        previous_reduced = False
        self.cells = nn.ModuleList()
        for index in range(cells):
            reduction = index in (cells // 3, 2 * cells // 3)
            current *= 2 if reduction else 1
            self.cells.append(DartsCell(arch.reduce if reduction else arch.normal, c_before_previous, c_previous,
                                        current, reduction, previous_reduced, affine_ops, drop_path))
            previous_reduced = reduction
            c_before_previous, c_previous = c_previous, NODES * current
            if auxiliary and index == 2 * cells // 3:
                self.auxiliary_head = _AuxiliaryHead(c_previous, classes)
        self.auxiliary_after = 2 * cells // 3 if auxiliary else -1
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(c_previous, classes)

    def forward(self, x):
        s0 = s1 = self.stem(x)
        auxiliary = None
        for index, cell in enumerate(self.cells):
            s0, s1 = s1, cell(s0, s1)
            if index == self.auxiliary_after and self.training:
                auxiliary = self.auxiliary_head(s1)
        logits = self.classifier(self.pool(s1).flatten(1))
        return logits if auxiliary is None else (logits, auxiliary)
