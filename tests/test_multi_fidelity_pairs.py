"""benchmarks/multi_fidelity.py: scheduled EmProx-NAO paired with each contender under the same schedule."""
import sys

import numpy as np

from conftest import REPO

sys.path.insert(0, str(REPO / "benchmarks"))
import multi_fidelity  # noqa: E402


def test_scheduled_searches_are_paired_by_seed_at_each_reading_under_the_same_schedule_only(capsys):
    contenders = [("EmProx-NAO", "emprox_nao", None), ("RE", "evolution", None),
                  ("EmProx-NAO + SH eta 3", "emprox_nao", 3), ("RE + SH eta 3", "evolution", 3)]
    # four readings a curve: 25% of the epochs at index 0, 50% at 1, 100% at 3 (index 2 is not reported);
    # RE + SH trails by 1×, 2×, 10× and 3× a per-seed gap, so each reported cell has its own difference
    gap = np.array([0.0, 0.1, 0.2, 0.3, 0.4])[:, None]
    ours = np.full((5, 4), 90.0)
    re = ours - gap * np.array([1.0, 2.0, 10.0, 3.0])
    curves = {"EmProx-NAO": ours + 9, "RE": ours - 9, "EmProx-NAO + SH eta 3": ours, "RE + SH eta 3": re}
    multi_fidelity._print_scheduled_pairs(contenders, curves, {0.25: 0, 0.5: 1, 1.0: 3}, seeds=5)
    out = capsys.readouterr().out
    assert "| under the same schedule (paired ± s.e.) | 25% of epochs | 50% of epochs | 100% of epochs |" in out
    rows = [line for line in out.splitlines() if line.startswith("| EmProx-NAO + SH")]
    assert len(rows) == 1 and rows[0].startswith("| EmProx-NAO + SH eta 3 − RE + SH eta 3 |")   # no full-fidelity pair
    error = np.std(gap[:, 0], ddof=1) / np.sqrt(5)
    cells = [cell.strip() for cell in rows[0].strip("|").split("|")[1:]]
    assert cells == [f"+{0.2 * k:.3f} ± {error * k:.3f} (win)" for k in (1, 2, 3)]
