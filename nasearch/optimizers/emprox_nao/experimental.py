"""Options that were measured and not adopted: they run, and say so once per process."""
from __future__ import annotations

import warnings

from ...errors import SearchWarning


class ExperimentalWarning(SearchWarning):
    """An option value that was measured against the default and not adopted (docs/RESULTS.md)."""


_WARNED: set = set()   # (option, value) pairs already announced in this process


def warn_experimental(option: str, value) -> None:
    """Warn, once per process, that ``option: value`` is experimental."""
    if (option, value) in _WARNED:
        return
    _WARNED.add((option, value))
    warnings.warn(f"option {option}: {value} is experimental: it was measured and not adopted "
                  f"(docs/RESULTS.md); results may change between versions", ExperimentalWarning, stacklevel=3)
