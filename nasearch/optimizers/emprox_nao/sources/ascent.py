"""NAO's decoded gradient ascent: move the best known architectures' encodings up the guide's
differentiable score and decode what lies there (needs a surrogate that has a soft score)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from ....embedding.autoencoder import SequenceAutoencoder
from ....errors import ConfigError, NasearchError
from ....registry import proposal_sources
from ..experimental import warn_experimental
from .base import ProposalSource


@dataclass(frozen=True)
class AscentConfig:
    """The decoded ascent (``sources: {ascent: {...}}``). Steps are in units of the encoder
    outputs' norm: λ = ``step`` · s for s = 1 … ``max_steps``."""

    step: float = 0.05      #: λ increment, as a fraction of the encoder-output norm
    max_steps: int = 40     #: λ goes up to ``max_steps · step``
    mode: str = "nao"       #: "nao": one gradient, growing λ; experimental "iterative": a new gradient each step

    def __post_init__(self):
        if self.step <= 0 or self.max_steps < 1:
            raise ConfigError("sources.ascent.step must be > 0 and sources.ascent.max_steps >= 1")
        if self.mode not in ("nao", "iterative"):
            raise ConfigError(f"sources.ascent.mode must be 'nao' or 'iterative', got {self.mode!r}")


class AscentSource(ProposalSource):
    """From the ``n_seeds`` best known architectures, take the gradient of the guide's soft score
    with respect to the encoder outputs, step ``outputs + λ·ĝ`` (ĝ scaled to the outputs' norm),
    renormalise every row onto the unit sphere and pool; λ grows until ``candidates`` new
    admissible architectures decode (NAO's schedule). Invalid decodes are dropped, as in NAO."""

    name = "ascent"
    Config = AscentConfig

    def __init__(self, config, context):
        super().__init__(config, context)
        if config.mode != "nao":
            warn_experimental("sources.ascent.mode", config.mode)

    def _direction(self, guide, outputs: torch.Tensor) -> torch.Tensor:
        """Score gradient w.r.t. ``outputs (B, L, d)``, scaled to the outputs' norm √L per row."""
        with torch.enable_grad():
            outputs = outputs.detach().requires_grad_(True)
            gradient, = torch.autograd.grad(guide.soft_score(outputs).sum(), outputs)
        norms = gradient.flatten(1).norm(dim=1).clamp_min(1e-12)
        return gradient / norms[:, None, None] * outputs.shape[1] ** 0.5

    def _moved(self, guide, outputs, direction, path: list, steps: list) -> torch.Tensor:
        """Moved encoder outputs for each step number in ``steps``: ``(len(steps) · B, L, d)``;
        ``mode: iterative`` re-evaluates the gradient after every step (``path`` caches the points)."""
        c = self.config
        if c.mode == "nao":
            lambdas = torch.tensor([s * c.step for s in steps], dtype=outputs.dtype)
            moved = F.normalize(outputs[None] + lambdas[:, None, None, None] * direction[None], dim=-1)
            return moved.reshape(-1, *outputs.shape[1:])
        while len(path) <= steps[-1]:
            current = path[-1]
            path.append(F.normalize(current + c.step * self._direction(guide, current), dim=-1))
        return torch.cat([path[s] for s in steps], dim=0)

    def start(self, guide, seeds: list) -> tuple:
        """Where the climb from ``seeds`` starts: their encoder outputs ``(B, L, d)``, the score's
        ascent direction there (scaled to the outputs' norm) and the cache of :meth:`decode_at`."""
        tokens = torch.as_tensor(np.array([self.context.space.to_sequence(a) for a in seeds]), dtype=torch.long)
        guide.model.eval()
        outputs = guide.model.encode(tokens)[0].detach()
        return outputs, self._direction(guide, outputs), [outputs]

    def decode_at(self, guide, start: tuple, steps: list) -> list:
        """The decodes of every seed of ``start`` moved ``s`` steps up, for each ``s`` in ``steps``:
        ``len(steps) · B`` architectures, step-major, None where a decode is invalid."""
        outputs, direction, path = start
        moved = self._moved(guide, outputs, direction, path, steps)
        decoded = []
        for sequence in guide.model.greedy_decode(moved, SequenceAutoencoder.pool(moved), self.context.space):
            try:
                decoded.append(self.context.space.from_sequence(sequence))
            except NasearchError:  # an invalid decode is dropped, as in NAO
                decoded.append(None)
        return decoded

    def propose(self, guide, exclude):
        context, space = self.context, self.context.space
        start = self.start(guide, guide.best(context.n_seeds))
        seen = set(context.known_ids) | {space.arch_id(a) for a in exclude}
        found = []
        chunk = 10   # decode several λ at once: one batched decode is much cheaper than many small ones
        for first in range(1, self.config.max_steps + 1, chunk):
            steps = list(range(first, min(first + chunk, self.config.max_steps + 1)))
            for arch in self.decode_at(guide, start, steps):
                if arch is not None and space.arch_id(arch) not in seen:
                    seen.add(space.arch_id(arch))
                    if context.admissible(arch):   # a known cost breaks a constraint: reject before any query
                        found.append(arch)
                    else:
                        context.stats["rejected_decodes"] = context.stats.get("rejected_decodes", 0) + 1
            step = steps[-1]
            if len(found) >= context.candidates:
                break
        context.stats["decoded"] = context.stats.get("decoded", 0) + len(found)
        context.stats["last_step"] = step
        return found


proposal_sources.register(AscentSource.name, AscentSource)
