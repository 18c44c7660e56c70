"""Fixed-length feature encodings of architectures for the non-sequence baselines."""
from __future__ import annotations

import numpy as np


def one_hot(space, archs: list) -> np.ndarray:
    """One-hot of every token position that can vary: ``(n, features)`` float32.

    For NAS-Bench-201 this is the 6 edges × 5 operations = 30 features.
    """
    mask = space.token_mask()
    varying = [p for p in range(space.seq_len) if mask[p].sum() > 1]
    columns = [(p, t) for p in varying for t in np.flatnonzero(mask[p])]
    index = {pair: i for i, pair in enumerate(columns)}
    features = np.zeros((len(archs), len(columns)), dtype=np.float32)
    for row, arch in enumerate(archs):
        tokens = space.to_sequence(arch)
        for p in varying:
            features[row, index[(p, tokens[p])]] = 1.0
    return features


def path_encoding(space, archs: list) -> np.ndarray:
    """BANANAS path encoding where the space provides one (``space.path_encoding``), else one-hot."""
    encodings = [space.path_encoding(a) for a in archs]
    if encodings and encodings[0] is not None:
        return np.array(encodings, dtype=np.float32)
    return one_hot(space, archs)
