"""The batch split between a gradient search's proposal sources."""
from types import SimpleNamespace

import numpy as np
import pytest

from nasearch.optimizers.emprox_nao.allocation import SourceMix


class _Ranker:
    """A guide stand-in that proposes candidates in their given order."""

    def select(self, candidates, n):
        return [SimpleNamespace(arch=a) for a in candidates[:n]]


def test_two_sources_follow_the_clipped_posterior_rate():
    record = {"ascent": [0, 10], "mutation": [6, 10]}
    mix = SourceMix(("ascent", "mutation"), "mutation", record, str)
    rate_ascent, rate_mutation = 1 / 12, 7 / 12
    assert mix.shares()["mutation"] == pytest.approx(min(0.8, rate_mutation / (rate_ascent + rate_mutation)))
    assert mix.counts(10) == {"ascent": 2, "mutation": 8}
    record["ascent"] = [5, 10]
    share = 7 / 12 / (6 / 12 + 7 / 12)
    assert mix.shares()["mutation"] == pytest.approx(share)
    assert mix.counts(10) == {"ascent": 10 - round(10 * share), "mutation": round(10 * share)}


@pytest.mark.parametrize("seed", range(20))
def test_three_sources_keep_their_floor_and_sum_to_one(seed):
    rng = np.random.default_rng(seed)
    tried = rng.integers(0, 50, 3)
    record = {name: [int(rng.integers(0, t + 1)), int(t)] for name, t in zip("abc", tried)}
    mix = SourceMix(("a", "b", "c"), "b", record, str)
    share = mix.shares()
    assert sum(share.values()) == pytest.approx(1.0)
    assert min(share.values()) >= 0.4 / 3 - 1e-9
    rate = {n: (w + 1) / (t + 2) for n, (w, t) in record.items()}
    # Unclipped sources keep the ratio of their rates.
    free = [n for n in share if share[n] > 0.4 / 3 + 1e-9]
    for x in free:
        for y in free:
            assert share[x] / share[y] == pytest.approx(rate[x] / rate[y])
    want = int(rng.integers(1, 30))
    assert sum(mix.counts(want).values()) == want


def test_the_filler_makes_up_for_a_short_source_and_tells_credit_the_source():
    record: dict = {}
    mix = SourceMix(("ascent", "mutation", "sample"), "mutation", record, str)
    assert record == {"ascent": [0, 0], "mutation": [0, 0], "sample": [0, 0]}
    chosen = mix.select(_Ranker(), {"ascent": ["a1"], "mutation": [f"m{i}" for i in range(9)],
                                    "sample": ["s1", "s2", "s3", "s4"]}, 9)
    archs = [p.arch for p in chosen]
    assert len(archs) == 9 and archs[0] == "a1" and archs[1:4] == ["s1", "s2", "s3"]
    assert archs[4:] == ["m0", "m1", "m2", "m3", "m4"]      # 3 + 3 + 3 wanted; ascent had one
    mix.told("s1", lambda: True)
    mix.told("m0", None)
    mix.told("a1", lambda: False)
    mix.told("unknown", lambda: pytest.fail("only pending proposals are judged"))
    mix.told("s1", lambda: pytest.fail("a proposal is credited once"))
    assert record == {"ascent": [0, 1], "mutation": [0, 1], "sample": [1, 1]}


def test_thompson_allocation_sums_to_the_batch_follows_the_records_and_repeats_under_a_seed():
    record = {"ascent": [2, 40], "mutation": [20, 40], "sample": [10, 40]}
    mix = SourceMix(("ascent", "mutation", "sample"), "mutation", record, str, np.random.default_rng(3))
    counts = [mix.counts(10) for _ in range(200)]
    assert all(sum(c.values()) == 10 for c in counts)
    mean = {name: np.mean([c[name] for c in counts]) for name in record}
    # posterior means 0.07 / 0.50 / 0.26: mutation wins almost every slot (a draw of sample beats it
    # with probability about 0.01), ascent none
    assert mean["mutation"] > 9.5 and 0 < mean["sample"] < 0.5 and mean["ascent"] == 0
    again = SourceMix(("ascent", "mutation", "sample"), "mutation", record, str, np.random.default_rng(3))
    assert [again.counts(10) for _ in range(200)] == counts
    # with no record every source is equally likely per slot
    fresh = SourceMix(("a", "b"), "b", {}, str, np.random.default_rng(0))
    assert 0.4 < np.mean([fresh.counts(10)["a"] for _ in range(400)]) / 10 < 0.6
