"""benchmarks/multi_fidelity.py: scheduled EmProx-NAO paired with each contender under the same schedule."""
import sys

import numpy as np

from conftest import REPO

sys.path.insert(0, str(REPO / "benchmarks"))
import multi_fidelity  # noqa: E402


def test_scheduled_searches_are_paired_by_seed_under_the_same_schedule_only(capsys):
    contenders = [("EmProx-NAO", "emprox_nao", None), ("RE", "evolution", None),
                  ("EmProx-NAO + SH eta 3", "emprox_nao", 3), ("RE + SH eta 3", "evolution", 3)]
    ours = np.array([[1.0, 2.0, 2.0, 3.0]] * 5) + np.arange(5)[:, None] * 0.1
    re = ours - np.array([0.0, 0.1, 0.2, 0.3, 0.4])[:, None]          # behind by 0.2 on average, seed by seed
    curves = {"EmProx-NAO": ours + 9, "RE": ours - 9, "EmProx-NAO + SH eta 3": ours, "RE + SH eta 3": re}
    # four readings a curve: 25% of the epochs at index 0, 50% at 1, 100% at 3
    multi_fidelity._print_scheduled_pairs(contenders, curves, {0.25: 0, 0.5: 1, 1.0: 3}, seeds=5)
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.startswith("| EmProx-NAO + SH")]
    assert len(rows) == 1 and rows[0].startswith("| EmProx-NAO + SH eta 3 − RE + SH eta 3 |")
    error = np.std([0.0, 0.1, 0.2, 0.3, 0.4], ddof=1) / np.sqrt(5)
    assert rows[0].count(f"+0.200 ± {error:.3f} (win)") == 3   # the full-fidelity rows play no part
