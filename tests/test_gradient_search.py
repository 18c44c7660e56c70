"""Gradient ascent in embedding space raises the surrogate, in both ascent modes.

The soft kNN is a weighted mean of known values, so its peaks sit on the best known
architectures; the ascent is checked from architectures outside the known set.
"""
import numpy as np
import pytest
import torch

from nasearch.errors import ConfigError
from nasearch.optimizers import create_optimizer


def _fitted(space, ascent):
    optimizer = create_optimizer("emprox_nao", space, {"surrogate": "emprox",
                                                      "sources": {"ascent": {"mode": ascent, "step": 0.02}}},
                                 np.random.default_rng(0))
    rng = np.random.default_rng(1)
    for arch in [space.sample(rng) for _ in range(40)]:
        optimizer.tell(arch, space.query(arch, "cifar10-valid"))
    model = optimizer.guide.fit(optimizer.known_archs, optimizer.known_values)
    starts = optimizer.random_unknown(20)
    tokens = torch.as_tensor(np.array([space.to_sequence(a) for a in starts]))
    return optimizer, model.encode(tokens)[0].detach()


def _ascent(optimizer):
    from nasearch.optimizers.emprox_nao.sources import AscentSource

    return next(s for s in optimizer.sources if isinstance(s, AscentSource))


@pytest.mark.parametrize("ascent", ["nao", "iterative"])
def test_small_steps_raise_the_surrogate(nb201, ascent):
    optimizer, outputs = _fitted(nb201, ascent)
    source, guide = _ascent(optimizer), optimizer.guide
    direction, path = source._direction(guide, outputs), [outputs]
    with torch.no_grad():
        start = guide.soft_score(outputs)
        moved = source._moved(guide, outputs, direction, path, [1, 2, 3])
        after = guide.soft_score(moved).reshape(3, -1)
    # Moved points stay on the sphere (every encoder-output row has unit norm).
    assert torch.allclose(moved.norm(dim=-1), torch.ones(moved.shape[:2], dtype=moved.dtype), atol=1e-5)
    # The first step goes uphill for most starting points, and on average.
    assert (after[0] >= start - 1e-6).float().mean() >= 0.7
    assert after[0].mean() > start.mean()
    if ascent == "iterative":   # re-evaluated gradients keep climbing
        assert after[2].mean() > after[0].mean()


def test_decodes_are_step_major_the_seeds_at_a_tiny_step_and_new_cells_far_up(nb201):
    """``decode_at`` returns ``len(steps) · B`` architectures, step-major: at λ = 0.02 the pretrained
    autoencoder decodes each seed back to itself; far up the score most decodes are other cells."""
    optimizer, _ = _fitted(nb201, "nao")
    source, guide = _ascent(optimizer), optimizer.guide
    seeds = guide.best(10)
    start = source.start(guide, seeds)
    assert start[0].shape[0] == len(seeds)
    decoded = source.decode_at(guide, start, [1, 50])
    assert len(decoded) == 2 * len(seeds)
    ids = [nb201.arch_id(a) if a is not None else None for a in decoded]
    assert ids[:len(seeds)] == [nb201.arch_id(a) for a in seeds]
    moved = sum(far is not None and far != near for near, far in zip(ids[:len(seeds)], ids[len(seeds):]))
    assert moved >= len(seeds) // 2


def test_unknown_ascent_mode_is_rejected(nb201):
    with pytest.raises(ConfigError, match="sources.ascent.mode must be"):
        create_optimizer("emprox_nao", nb201, {"sources": {"ascent": {"mode": "adam"}}}, np.random.default_rng(0))


def test_unknown_allocation_is_rejected_in_one_line(nb201):
    with pytest.raises(ConfigError, match="allocation.rule must be 'share', 'thompson' or 'fill', got 'ucb'"):
        create_optimizer("emprox_nao", nb201, {"allocation": {"rule": "ucb"}}, np.random.default_rng(0))
