"""benchmarks/nb301_levers.py --pool: the table of curves saved on several seed ranges, pooled."""
import sys

import numpy as np
import pytest

from conftest import REPO

sys.path.insert(0, str(REPO / "benchmarks"))
import nb301_levers  # noqa: E402


def _save(path, seeds, base, lever):
    np.savez(path, seeds=np.array(seeds), default=np.array(base, dtype=float), lever=np.array(lever, dtype=float))
    return str(path)


def test_pooled_curves_print_the_means_and_the_paired_difference_over_every_seed(tmp_path, capsys):
    # 60 evaluations: the table reads at 50 and at the budget; the lever gains 0.1, 0.3, 0.2, 0.4 at 60
    base = [[90.0] * 50 + [91.0] * 10, [89.0] * 60]
    first = _save(tmp_path / "a.npz", [100, 101], base, [[90.0] * 50 + [91.1] * 10, [89.0] * 50 + [89.3] * 10])
    second = _save(tmp_path / "b.npz", [110, 111], base, [[90.5] * 50 + [91.2] * 10, [89.0] * 50 + [89.4] * 10])
    nb301_levers.main(["--pool", first, second, "--base", "default"])
    out = capsys.readouterr().out
    assert "seeds 100-111 (4 seeds, pooled), 60 evaluations" in out
    lever = next(line for line in out.splitlines() if line.startswith("| lever |"))
    cells = [c.strip() for c in lever.strip("|").split("|")]
    assert cells[1:3] == ["89.625", "90.250"]                # means at 50 and at 60 over the 4 seeds
    differences = np.array([0.1, 0.3, 0.2, 0.4])
    error = differences.std(ddof=1) / 2
    assert cells[3] == f"+0.250 ± {error:.3f} too few seeds for a verdict"


def test_a_missing_file_or_base_is_one_line_and_exit_2(tmp_path, capsys):
    saved = _save(tmp_path / "a.npz", [0], [[1.0] * 60], [[1.0] * 60])
    for argv, message in ((["--pool", str(tmp_path / "none.npz")], "no curves file"),
                          (["--pool", saved], "the base 'EmProx-NAO faithful' is not in every seed range")):
        with pytest.raises(SystemExit) as stop:
            nb301_levers.main(argv)
        assert stop.value.code == 2
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1


def test_files_of_the_same_seeds_are_joined_before_the_ranges_are_pooled(tmp_path, capsys):
    # the base and the lever saved by separate runs on each seed range: four files, one pooled table
    base = [[90.0] * 60, [89.0] * 60]
    files = []
    for name, seeds, gain in (("a", [100, 101], 0.2), ("b", [110, 111], 0.4)):
        np.savez(tmp_path / f"{name}_base.npz", seeds=np.array(seeds), default=np.array(base))
        np.savez(tmp_path / f"{name}_lever.npz", seeds=np.array(seeds), lever=np.array(base) + gain)
        files += [str(tmp_path / f"{name}_base.npz"), str(tmp_path / f"{name}_lever.npz")]
    nb301_levers.main(["--pool", *files, "--base", "default"])
    out = capsys.readouterr().out
    assert "seeds 100-111 (4 seeds, pooled), 60 evaluations" in out
    lever = next(line for line in out.splitlines() if line.startswith("| lever |"))
    assert lever.split("|")[3].strip() == "89.800"           # the four seeds' mean at 60: 89.5 + (0.2 + 0.4) / 2
    assert "+0.300 ± 0.058" in lever                        # paired over the four seeds, not two
