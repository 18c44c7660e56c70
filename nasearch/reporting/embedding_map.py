"""The EmProx idea as a picture: evaluated architectures in the learned embedding, in 2-D.

The architectures are embedded by the run's own pretrained autoencoder (the run's
``autoencoder`` options and seed, as EmProx-NAO and NAO-guided searched with it) or, for a
run whose optimizer has none, by the space's default one (pretrained on first use, then
cached); openTSNE lays the L2-normalised embeddings out in 2-D.
"""
from __future__ import annotations

from typing import Optional

import numpy as np

#: fewest architectures worth a map (t-SNE needs a few neighbours per point)
MIN_POINTS = 8


def run_autoencoder(space, options: Optional[dict], seed: int, progress: bool = False):
    """``(model, how)``: the autoencoder a run climbed in, else the space's default one."""
    from ..embedding.pretrained import pretrained_autoencoder, pretraining_config

    section = (options or {}).get("autoencoder")
    if isinstance(section, dict):
        from ..config import build
        from ..optimizers.emprox_nao.config import AutoencoderPlan

        plan = build(AutoencoderPlan, section, "autoencoder")
        model, _ = pretrained_autoencoder(space, plan.model_config(), plan.pretraining(), seed=seed,
                                          progress=progress)
        return model, "the run's own pretrained autoencoder"
    model, _ = pretrained_autoencoder(space, pretraining_config(32), progress=progress)
    return model, "the space's pretrained autoencoder (the run's optimizer has no embedding)"


def layout(model, space, archs: list, seed: int = 0) -> np.ndarray:
    """``(n, 2)`` t-SNE coordinates of ``archs`` embedded by ``model``."""
    from openTSNE import TSNE

    from ..embedding.autoencoder import embed_sequences

    embeddings = embed_sequences(model, np.array([space.to_sequence(arch) for arch in archs])).astype(np.float64)
    perplexity = float(min(30.0, max(2.0, (len(archs) - 1) / 3)))
    return np.asarray(TSNE(n_components=2, perplexity=perplexity, random_state=seed, n_jobs=1,
                           verbose=False).fit(embeddings))
