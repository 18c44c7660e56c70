"""The optional network part of a search space: how an architecture becomes a trainable network.

A space that can be trained for real (a training objective, ``retrain``) overrides
:meth:`NetworkBuilder.network`; one whose papers retrain their winners under a published
protocol also states it in :meth:`NetworkBuilder.full_training`. Every
:class:`~nasearch.SearchSpace` is a NetworkBuilder, with defaults that build nothing, so
spaces that only have a benchmark (or only a user's objective) implement none of it.
"""
from __future__ import annotations

from typing import Hashable, Optional

from .errors import ConfigError

Architecture = Hashable


class NetworkBuilder:
    """Networks for architectures: ``network``, ``export``, ``full_training``, ``zero_cost_table``."""

    #: Registry name of the space, e.g. ``"darts"`` (named in errors).
    name: str = ""

    def network(self, arch: Architecture, in_channels: int, classes: int, **options):
        """A ``torch.nn.Module`` mapping images ``(B, in_channels, H, W)`` to logits ``(B, classes)``,
        for training objectives; ``options`` are the space's network settings (e.g. ``channels``,
        ``cells_per_stage``; ``auxiliary=True`` for a network whose training mode also returns an
        auxiliary head's logits, ``drop_path=True`` for one holding
        :class:`~nasearch.training.loop.DropPath` modules). Default: the space builds no network."""
        raise ConfigError(f"space {self.name!r} has no network(arch, in_channels, classes, ...) to train; "
                          "implement it, or score the space with an objective of your own")

    @property
    def builds_networks(self) -> bool:
        """Whether the space overrides :meth:`network` (so a training objective can use it)."""
        return type(self).network is not NetworkBuilder.network

    def full_training(self) -> dict:
        """The space's published protocol for retraining a found architecture at full size, as
        :class:`~nasearch.training.TrainingConfig` options (e.g. DARTS: 36 channels, 20 cells,
        600 epochs, auxiliary head, drop-path, cutout). ``retrain`` starts from it, and the
        user's settings override it. Default: ``{}`` (TrainingConfig's own defaults)."""
        return {}

    def export(self, arch: Architecture) -> Optional[str]:
        """The architecture in the notation of the space's reference code, to retrain it elsewhere
        (DARTS: ``Genotype(...)``), or ``None`` when ``to_string`` is that notation."""
        return None

    def zero_cost_table(self):
        """Path of a shipped table of zero-cost proxies (:func:`nasearch.zero_cost.write_table`),
        or ``None``; it is used only when its settings line equals the requested settings."""
        return None
