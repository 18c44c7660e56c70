"""Zero-cost proxies: free, training-free features of an architecture's network.

For any space that builds networks (:meth:`SearchSpace.network`):

* ``params``: trainable parameters, millions;
* ``flops``: forward floating-point operations of the convolution and linear layers for
  one input, millions (a multiply-add is 2);
* ``synflow``: log of the SynFlow score (Tanaka et al. 2020; Abdelfattah et al. 2021's
  zero-cost setting): the network with batch norm removed, in double precision, with
  every weight replaced by its absolute value, is fed one all-ones input; the score is
  ``Σ |w · ∂(Σ output)/∂w|`` over the convolution and linear weights. It is data-free.

Values are computed once per (space, settings, architecture) and held by a
:class:`ZeroCostProxies` object; a space may ship a precomputed table through
:meth:`SearchSpace.zero_cost_table`, used only when its settings equal the requested ones.
"""
from __future__ import annotations

import csv
import gzip
import math
from dataclasses import dataclass, field
from typing import Optional

import numpy as np

from .errors import ConfigError, DataError

PROXIES = ("synflow", "params", "flops")


@dataclass(frozen=True)
class ZeroCostConfig:
    """Which proxies, on which network: ``in_channels × resolution²`` inputs, ``classes`` logits,
    ``network`` options passed to ``space.network`` (empty: the space's defaults)."""

    proxies: tuple = PROXIES
    in_channels: int = 3
    resolution: int = 32
    classes: int = 10
    network: dict = field(default_factory=dict)

    def __post_init__(self):
        object.__setattr__(self, "proxies", tuple(self.proxies))
        bad = [name for name in self.proxies if name not in PROXIES]
        if bad or not self.proxies:
            raise ConfigError(f"zero-cost proxies must be a non-empty list from {list(PROXIES)}, got {list(self.proxies)}")
        for name in ("in_channels", "resolution", "classes"):
            if int(getattr(self, name)) < 1:
                raise ConfigError(f"zero-cost option {name} must be >= 1, got {getattr(self, name)}")

    def settings(self) -> str:
        """The network settings as one comparable line (proxy list excluded)."""
        return (f"in_channels={self.in_channels};resolution={self.resolution};classes={self.classes};"
                f"network={sorted(self.network.items())}")


def _without_batch_norm(module):
    from torch import nn

    for name, child in module.named_children():
        if isinstance(child, nn.modules.batchnorm._BatchNorm):
            setattr(module, name, nn.Identity())
        else:
            _without_batch_norm(child)
    return module


def synflow(network, input_shape: tuple) -> float:
    """log SynFlow score of ``network`` (modified in place: batch norm removed, weights made
    positive, double precision); ``input_shape`` is ``(channels, height, width)``."""
    import torch
    from torch import nn

    network = _without_batch_norm(network).double()
    with torch.no_grad():
        for parameter in network.parameters():
            parameter.abs_()
    network.zero_grad()
    output = network(torch.ones((1, *input_shape), dtype=torch.float64))
    output.sum().backward()
    score = 0.0
    for module in network.modules():
        if isinstance(module, (nn.Conv2d, nn.Linear)) and module.weight.grad is not None:
            score += float((module.weight.detach() * module.weight.grad).abs().sum())
    # A cell without any input→output path gives 0; log1p keeps it finite and orders it first.
    return math.log1p(score) if score < 1e300 else math.log(score)


def parameter_count(network) -> float:
    """Trainable parameters of ``network``, millions."""
    return sum(p.numel() for p in network.parameters() if p.requires_grad) / 1e6


def flop_count(network, input_shape: tuple) -> float:
    """Forward FLOPs of the convolution and linear layers for one ``input_shape`` input, millions
    (a multiply-add counts 2; pooling, additions and normalisation are not counted). Run on the
    ``meta`` device, shapes only, so ``network`` is moved there and no arithmetic is done."""
    import torch
    from torch import nn

    total = [0]

    def count(module, inputs, output):
        if isinstance(module, nn.Conv2d):
            per_output = module.in_channels // module.groups * module.kernel_size[0] * module.kernel_size[1]
        else:
            per_output = module.in_features
        total[0] += 2 * per_output * output.numel()

    network = network.to("meta").eval()
    hooks = [m.register_forward_hook(count) for m in network.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    try:
        with torch.no_grad():
            network(torch.zeros((1, *input_shape), device="meta"))
    finally:
        for hook in hooks:
            hook.remove()
    return total[0] / 1e6


def _build(space, arch, config: ZeroCostConfig, device: str = "cpu"):
    import torch

    from .seeding import torch_seeded

    # Weights come from a fixed generator, so the numbers never depend on the caller's stream.
    with torch_seeded(np.random.default_rng(0)), torch.device(device):
        return space.network(arch, config.in_channels, config.classes, **config.network)


def compute_proxies(space, arch, config: ZeroCostConfig) -> dict:
    """``{proxy: value}`` of one architecture, computed on a fresh network."""
    shape = (config.in_channels, config.resolution, config.resolution)
    values = {}
    network = _build(space, arch, config)
    if "params" in config.proxies:
        values["params"] = parameter_count(network)
    if "flops" in config.proxies:
        values["flops"] = flop_count(_build(space, arch, config, device="meta"), shape)
    if "synflow" in config.proxies:
        values["synflow"] = synflow(network, shape)     # last: it modifies the network
    return values


class ZeroCostProxies:
    """Zero-cost features of one space: ``features(archs)`` → ``(n, len(proxies))`` float64.

    Holds what it computed (per architecture id), so a search that asks again pays nothing.
    """

    def __init__(self, space, config: Optional[ZeroCostConfig] = None):
        self.space, self.config = space, config or ZeroCostConfig()
        if not space.builds_networks:
            raise ConfigError(f"zero-cost proxies need a network; space {space.name!r} builds none "
                              "(implement network(arch, in_channels, classes)) or drop the zero-cost option")
        self.known: dict = {}
        self.table = self._shipped_table()

    def _shipped_table(self) -> dict:
        path = self.space.zero_cost_table()
        if path is None:
            return {}
        table = read_table(path)
        if table.settings != self.config.settings() or not set(self.config.proxies) <= set(table.proxies):
            return {}
        return table.rows

    def values(self, arch) -> dict:
        key = self.space.arch_id(arch)
        if key not in self.known:
            row = self.table.get(self.space.to_string(arch))
            self.known[key] = row if row is not None else compute_proxies(self.space, arch, self.config)
        return self.known[key]

    def features(self, archs: list) -> np.ndarray:
        """``(n, p)`` float64 in :attr:`ZeroCostConfig.proxies` order."""
        return np.array([[self.values(a)[name] for name in self.config.proxies] for a in archs],
                        dtype=np.float64).reshape(len(archs), len(self.config.proxies))


@dataclass(frozen=True)
class ZeroCostTable:
    settings: str
    proxies: tuple
    rows: dict      #: architecture string → {proxy: value}


def write_table(path: str, space, archs, config: ZeroCostConfig, progress: bool = False) -> int:
    """Compute every proxy of ``archs`` and write a gzipped CSV (first line: ``# settings``)."""
    from tqdm import tqdm

    count = 0
    with gzip.open(path, "wt", newline="") as handle:
        handle.write(f"# {config.settings()}\n")
        writer = csv.writer(handle)
        writer.writerow(["arch", *config.proxies])
        for arch in tqdm(archs, disable=not progress, desc="zero-cost"):
            values = compute_proxies(space, arch, config)
            writer.writerow([space.to_string(arch), *(repr(values[name]) for name in config.proxies)])
            count += 1
    return count


def read_table(path) -> ZeroCostTable:
    try:
        with gzip.open(path, "rt", newline="") as handle:
            settings = handle.readline()
            reader = csv.reader(handle)
            header = next(reader)
            rows = {row[0]: {name: float(value) for name, value in zip(header[1:], row[1:])} for row in reader}
    except (OSError, EOFError, StopIteration, ValueError, IndexError) as error:
        raise DataError(f"zero-cost table {path} is unreadable ({error}); rebuild it with "
                        "benchmarks/zero_cost_table.py") from None
    if not settings.startswith("# ") or not header or header[0] != "arch":
        raise DataError(f"zero-cost table {path} has no '# settings' line and 'arch' header; rebuild it with "
                        "benchmarks/zero_cost_table.py")
    return ZeroCostTable(settings[2:].strip(), tuple(header[1:]), rows)


__all__ = ["PROXIES", "ZeroCostConfig", "ZeroCostProxies", "compute_proxies", "synflow", "parameter_count",
           "flop_count", "write_table", "read_table", "ZeroCostTable"]
