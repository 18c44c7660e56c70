"""The DARTS cell space (NAS-Bench-301): its measured 725-cell table and the NAS-Bench-301 surrogate."""
from .space import DARTS, OPERATIONS, DartsArch, make_arch

__all__ = ["DARTS", "DartsArch", "OPERATIONS", "make_arch"]
