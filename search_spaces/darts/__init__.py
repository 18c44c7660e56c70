"""The DARTS cell space (NAS-Bench-301) with its partial NAS-Bench-301 table."""
from .space import DARTS, OPERATIONS, DartsArch, make_arch

__all__ = ["DARTS", "DartsArch", "OPERATIONS", "make_arch"]
