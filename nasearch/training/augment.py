"""The standard CIFAR augmentation, applied to whole batches on the training device.

Random crop after zero padding, horizontal flip, and cutout (DeVries & Taylor, 2017),
as DARTS and NAS-Bench-201 train. Working on a batch tensor, rather than image by image
in data-loader processes, keeps the data in one in-memory copy per worker and costs a
few index operations per batch on the GPU. Every draw comes from the caller's
``torch.Generator`` (on the CPU), so a training is reproducible and resumable.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Augmentation:
    """``crop_padding`` pixels of zero padding before a random crop back to size (0 = none);
    ``flip``: mirror half the images left-right; ``cutout``: side in pixels of one zeroed square
    per image, centred anywhere (only its part inside the image is cut; 0 = none)."""

    crop_padding: int = 0
    flip: bool = False
    cutout: int = 0

    @property
    def active(self) -> bool:
        return bool(self.crop_padding or self.flip or self.cutout)

    def __call__(self, x, generator):
        """``x``: a float batch ``(B, C, H, W)`` (normalised); returns the augmented batch, same shape."""
        import torch
        import torch.nn.functional as F

        if not self.active:
            return x
        batch, _, height, width = x.shape
        device = x.device
        if self.crop_padding:
            p = self.crop_padding
            padded = F.pad(x, (p, p, p, p))
            top = torch.randint(0, 2 * p + 1, (batch,), generator=generator).to(device)
            left = torch.randint(0, 2 * p + 1, (batch,), generator=generator).to(device)
            rows = (top[:, None] + torch.arange(height, device=device))[:, None, :, None]
            cols = (left[:, None] + torch.arange(width, device=device))[:, None, None, :]
            x = padded[torch.arange(batch, device=device)[:, None, None, None],
                       torch.arange(x.shape[1], device=device)[None, :, None, None], rows, cols]
        if self.flip:
            mirror = (torch.rand(batch, generator=generator) < 0.5).to(device)
            x = torch.where(mirror[:, None, None, None], x.flip(3), x)
        if self.cutout:
            centre_y = torch.randint(0, height, (batch,), generator=generator).to(device)
            centre_x = torch.randint(0, width, (batch,), generator=generator).to(device)
            half = self.cutout // 2   # as DARTS' Cutout: rows and columns [centre - half, centre + half)
            ys = torch.arange(height, device=device)[None, :, None]
            xs = torch.arange(width, device=device)[None, None, :]
            cy, cx = centre_y[:, None, None], centre_x[:, None, None]
            inside = (ys >= cy - half) & (ys < cy + half) & (xs >= cx - half) & (xs < cx + half)
            x = x.masked_fill(inside[:, None], 0.0)
        return x
