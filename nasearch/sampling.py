"""Drawing distinct architectures from a space."""
from __future__ import annotations

import numpy as np


def sample_distinct(space, rng: np.random.Generator, count: int, exclude_ids=(),
                    accept=None) -> list:
    """Up to ``count`` distinct uniformly sampled architectures whose ids are not in ``exclude_ids``
    (and, with ``accept``, for which ``accept(arch)`` is true).

    Fewer come back only when the space runs out (or sampling keeps hitting excluded ids).
    """
    seen = set(exclude_ids)
    if space.size is not None:
        count = min(count, space.size - len(seen))
    found, attempts = [], 0
    while len(found) < count and attempts < 100 * count + 1000:
        attempts += 1
        arch = space.sample(rng)
        if space.arch_id(arch) not in seen:
            seen.add(space.arch_id(arch))
            if accept is None or accept(arch):
                found.append(arch)
    return found
