"""One contender minus another, paired seed by seed, over one or several comparisons pooled.

    python benchmarks/paired_rows.py --row "EmProx-NAO warm MLP in the mutations' ranking" --minus EmProx-NAO \\
        --group "NAS-Bench-301, 0–19" experiments/search/darts_nb301_compare.yaml \\
        --group "NAS-Bench-301, 0–59 pooled" experiments/search/darts_nb301_compare.yaml \\
            experiments/search/darts_nb301_tournament_replication.yaml experiments/search/darts_nb301_screen_check.yaml

Each ``--group NAME CONFIG...`` is one line of the table. Every config is run (or resumed) with
``compare``, as ``search_table.py`` does, so a second call only reads the trials back. Within a
config the two rows are paired by seed; a group's pairs are the union of its configs' pairs (the
configs must use different seeds, or a seed counts twice). Each cell is the mean difference
``--row − --minus`` at that many evaluations, its standard error and a verdict (a win or a loss
beyond two standard errors, a tie within, none below 5 pairs), as in every comparison table.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nasearch.compare import paired_difference, run_config_file, verdict  # noqa: E402
from nasearch.errors import NasearchError  # noqa: E402
from nasearch.seeding import restart_with_fixed_hash_seed  # noqa: E402

CHECKPOINTS = (50, 100, 200, 300, 500)


def differences(path: str, row: str, minus: str, progress: bool = False) -> dict:
    """``{evaluations: (pairs,) row − minus}`` of one comparison, at every checkpoint within its
    budget; a one-line exit naming the labels when either row is missing."""
    config, trials, results, _ = run_config_file(path, progress=progress)
    labels = [spec.display() for spec in config.optimizers]
    for label in (row, minus):
        if label not in labels:
            raise SystemExit(f"error: {path} has no row {label!r}; its rows are {labels}")
    curves = {label: {t.seed: np.asarray(r.incumbents, dtype=float) for t, r in zip(trials, results) if t.label == label}
              for label in (row, minus)}
    seeds = sorted(set(curves[row]) & set(curves[minus]))
    return {n: np.array([curves[row][s][n - 1] - curves[minus][s][n - 1] for s in seeds])
            for n in CHECKPOINTS if n <= config.search.budget}


def table(groups: list, row: str, minus: str, progress: bool = False) -> str:
    """The markdown table: one line per ``(name, configs)`` group, one column per checkpoint."""
    lines, read = [], {}   # a comparison in several groups is read back once
    for name, paths in groups:
        pooled: dict = {}
        for path in paths:
            if path not in read:
                read[path] = differences(path, row, minus, progress)
            for n, values in read[path].items():
                pooled.setdefault(n, []).append(values)
        cells = []
        for n in CHECKPOINTS:
            if n not in pooled or len(pooled[n]) < len(paths):   # past some config's budget
                cells.append("–")
                continue
            values = np.concatenate(pooled[n])
            mean, error = paired_difference(values, np.zeros_like(values))
            cells.append(f"{mean:+.3f} ± {error:.3f} {verdict(mean, error, len(values))}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    head = "| seeds | " + " | ".join(f"at {n}" for n in CHECKPOINTS) + " |"
    return "\n".join([f"{row} minus {minus}, paired by seed:", "", head,
                      "|---|" + "---|" * len(CHECKPOINTS)] + lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], allow_abbrev=False)
    parser.add_argument("--row", required=True, help="the label of the contender measured")
    parser.add_argument("--minus", required=True, help="the label it is measured against")
    parser.add_argument("--group", nargs="+", action="append", required=True, metavar=("NAME", "CONFIG"),
                        help="a line of the table: its name, then the compare configs pooled in it")
    parser.add_argument("--progress", action="store_true", help="show compare's progress bars")
    args = parser.parse_args(argv)
    groups = []
    for group in args.group:
        if len(group) < 2:
            parser.error(f"--group {group[0]!r} names no config; give its name, then one or more compare configs")
        groups.append((group[0], group[1:]))
    try:
        print(table(groups, args.row, args.minus, args.progress))
    except NasearchError as error:   # a bad config: one line, as the CLI gives it
        print(f"error: {error}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    restart_with_fixed_hash_seed()   # as search_table.py: a missing SMAC trial runs as the CLI runs it
    main()
