"""Multi-fidelity search on NAS-Bench-201: successive halving against full-fidelity search, by epochs.

    python benchmarks/multi_fidelity.py --seeds 0-19            # the reported seeds
    python benchmarks/multi_fidelity.py --seeds 100-119 --eta 3 5  # the tuning seeds

A full-fidelity evaluation costs 200 epochs; under a schedule
(``schedule: {eta: E}``, rungs 12 and 200 epochs), a 12-epoch query costs 12.
Every contender runs in this process on the same seeds with the same budget of
epochs (100 full evaluations, 20,000 epochs). The table gives each contender's
mean best full-fidelity val at fractions of that budget; the paired difference of
each scheduled contender at 50% of the epochs against full-fidelity EmProx-NAO at
100% (a win or a loss beyond two standard errors, else a tie); and the share of the
epochs at which the scheduled contender's mean curve first reaches full-fidelity
EmProx-NAO's mean at 100 evaluations (the target is at most 50%).
"""
from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nasearch import Search  # noqa: E402
from nasearch.compare import paired_difference, verdict  # noqa: E402

FULL = 200
BUDGET = 100 * FULL   # epochs of 100 full-fidelity evaluations
FRACTIONS = (0.1, 0.25, 0.5, 0.75, 1.0)
GRID = np.linspace(0, BUDGET, 401)[1:]   # epochs at which each curve is read


def seeds_from(text: str) -> list:
    first, _, last = text.partition("-")
    return list(range(int(first), int(last or first) + 1))


def curve(trials) -> np.ndarray:
    """Best full-fidelity value after each epoch count of ``GRID`` (NaN before the first)."""
    spent = np.cumsum([FULL if t.cost is None else t.cost for t in trials])
    best = np.array([np.nan if t.incumbent is None else t.incumbent for t in trials])
    at = np.searchsorted(spent, GRID, side="right") - 1   # last trial finished within each epoch count
    return np.where(at >= 0, best[np.clip(at, 0, None)], np.nan)


def run(optimizer: str, seed: int, dataset: str, eta) -> tuple:
    schedule = None if eta is None else {"eta": eta}
    budget = BUDGET // FULL if eta is None else BUDGET
    from nasearch.objective import TabularObjective
    from nasearch.registry import get_search_space

    space = get_search_space("nasbench201")
    start = time.perf_counter()
    result = Search(space, TabularObjective(space, dataset), optimizer, budget, seed, schedule=schedule).run()
    return curve(result.history), time.perf_counter() - start, result.summary.optimum


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0-19", help="seed range, e.g. 0-19 (report) or 100-119 (tuning)")
    parser.add_argument("--eta", type=int, nargs="+", default=[3], help="schedule eta values to run")
    parser.add_argument("--dataset", default="cifar10-valid")
    parser.add_argument("--optimizers", nargs="+", default=["emprox_nao", "evolution", "random"],
                        help="contenders (full-fidelity EmProx-NAO always runs: it is the reference)")
    args = parser.parse_args(argv)
    seeds = seeds_from(args.seeds)
    contenders = [("EmProx-NAO", "emprox_nao", None), ("RE", "evolution", None), ("RS", "random", None)]
    for eta in args.eta:
        contenders += [(f"EmProx-NAO + SH eta {eta}", "emprox_nao", eta), (f"RE + SH eta {eta}", "evolution", eta),
                       (f"RS + SH eta {eta}", "random", eta)]
    contenders = [c for c in contenders if c[1] in args.optimizers or c[0] == "EmProx-NAO"]
    curves = {label: [] for label, _, _ in contenders}
    seconds = {label: 0.0 for label, _, _ in contenders}
    optimum = None
    for seed in seeds:
        for label, optimizer, eta in contenders:
            values, wall, optimum = run(optimizer, seed, args.dataset, eta)
            curves[label].append(values)
            seconds[label] += wall
        print(f"seed {seed} done", file=sys.stderr, flush=True)
    curves = {label: np.array(rows) for label, rows in curves.items()}
    reference = curves["EmProx-NAO"][:, -1]
    target = float(np.mean(reference))
    index = {fraction: int(round(fraction * len(GRID))) - 1 for fraction in FRACTIONS}
    print(f"#### NAS-Bench-201 {args.dataset}, seeds {args.seeds} ({len(seeds)}), optimum {optimum}, "
          f"budget {BUDGET:,} epochs (100 full evaluations)\n")
    print("| contender | " + " | ".join(f"{int(f * 100)}% of epochs" for f in FRACTIONS) +
          " | optimum hits at 50% | at 50% − EmProx-NAO at 100% (paired ± s.e.) | epochs to EmProx-NAO's mean at 100% |"
          " wall per run (s) |")
    print("|---" * (len(FRACTIONS) + 5) + "|")
    for label, _, eta in contenders:
        rows = curves[label]
        means = [f"{np.nanmean(rows[:, index[f]]):.3f}" for f in FRACTIONS]
        half = rows[:, index[0.5]]
        hits = int(np.sum(half >= optimum - 1e-9))
        if eta is None:
            paired, reached = "", ""
        else:
            mean, error = paired_difference(half, reference)
            paired = f"{mean:+.3f} ± {error:.3f} ({verdict(mean, error, len(seeds))})"
            with warnings.catch_warnings():   # columns before any run's first full-fidelity result
                warnings.simplefilter("ignore", RuntimeWarning)
                mean_curve = np.nanmean(rows, axis=0)
            first = np.flatnonzero(mean_curve >= target - 1e-9)
            reached = f"{GRID[first[0]] / BUDGET:.0%}" if first.size else "not reached"
        print(f"| {label} | " + " | ".join(means) + f" | {hits}/{len(seeds)} | {paired} | {reached} | "
              f"{seconds[label] / len(seeds):.1f} |")
    print(f"\nTarget: EmProx-NAO's mean best val at 100 full evaluations, {target:.3f}.")


if __name__ == "__main__":
    main()
