"""Multi-fidelity search: successive halving against full-fidelity search, by epochs.

    python benchmarks/multi_fidelity.py --seeds 0-19            # NAS-Bench-201, the reported seeds
    python benchmarks/multi_fidelity.py --seeds 100-119 --eta 3 5  # the tuning seeds
    python benchmarks/multi_fidelity.py --space darts --optimizers emprox_nao evolution tpe  # NAS-Bench-301 surrogate

A full-fidelity evaluation costs the benchmark's longest training (NAS-Bench-201: 200
epochs, rungs 12 and 200; the NAS-Bench-301 surrogate: 98, rungs 1, 3, 10, 32 and 98 at
eta 3); under a schedule (``schedule: {eta: E}``) a shorter query costs its epochs.
Every contender runs in this process on the same seeds with the same budget of
epochs (``--evaluations`` full evaluations, 100 by default). The table gives each contender's
mean best full-fidelity val at fractions of that budget; the paired difference of
each scheduled contender at 50% of the epochs against full-fidelity EmProx-NAO at
100% (a win or a loss beyond two standard errors, else a tie); and the share of the
epochs at which the scheduled contender's mean curve first reaches full-fidelity
EmProx-NAO's mean at 100 evaluations (the target is at most 50%). A second table pairs scheduled
EmProx-NAO with each other contender under the same schedule (RE and TPE: BOHB's recipe for TPE).
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

FRACTIONS = (0.1, 0.25, 0.5, 0.75, 1.0)
READINGS = 400   #: points at which each curve is read, evenly over the budget of epochs


def seeds_from(text: str) -> list:
    first, _, last = text.partition("-")
    return list(range(int(first), int(last or first) + 1))


def curve(trials, full: float, grid: np.ndarray) -> np.ndarray:
    """Best full-fidelity value after each epoch count of ``grid`` (NaN before the first)."""
    spent = np.cumsum([full if t.cost is None else t.cost for t in trials])
    best = np.array([np.nan if t.incumbent is None else t.incumbent for t in trials])
    at = np.searchsorted(spent, grid, side="right") - 1   # last trial finished within each epoch count
    return np.where(at >= 0, best[np.clip(at, 0, None)], np.nan)


def run(space, objective, optimizer: str, seed: int, eta, evaluations: int, options=None) -> tuple:
    full = max(objective.fidelities())
    grid = np.linspace(0, evaluations * full, READINGS + 1)[1:]
    schedule = None if eta is None else {"eta": eta}
    budget = evaluations if eta is None else int(evaluations * full)
    start = time.perf_counter()
    result = Search(space, objective, optimizer, budget, seed, schedule=schedule, options=options).run()
    return curve(result.history, full, grid), time.perf_counter() - start, result.summary.optimum


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0-19", help="seed range, e.g. 0-19 (report) or 100-119 (tuning)")
    parser.add_argument("--eta", type=int, nargs="+", default=[3], help="schedule eta values to run")
    parser.add_argument("--space", default="nasbench201")
    parser.add_argument("--dataset", default="", help="default: the space's first dataset that scores a search")
    parser.add_argument("--evaluations", type=int, default=100, help="the budget, in full-fidelity evaluations")
    parser.add_argument("--optimizers", nargs="+", default=["emprox_nao", "evolution", "random"],
                        help="contenders among emprox_nao, evolution, random, tpe (full-fidelity EmProx-NAO "
                             "always runs: it is the reference)")
    parser.add_argument("--climb", action="store_true",
                        help="EmProx-NAO as the tables measured it: the decoded ascent on, mutation parents "
                             "from every told architecture (both since changed by default)")
    args = parser.parse_args(argv)
    options = {"emprox_nao": {"sources": {"ascent": {}, "mutation": {"population": 0}}} if args.climb else None}
    from nasearch.objective import TabularObjective
    from nasearch.registry import get_search_space

    space = get_search_space(args.space)
    objective = TabularObjective(space, args.dataset)
    full = max(objective.fidelities())
    budget = args.evaluations * full
    grid = np.linspace(0, budget, READINGS + 1)[1:]
    seeds = seeds_from(args.seeds)
    names = {"emprox_nao": "EmProx-NAO", "evolution": "RE", "random": "RS", "tpe": "TPE"}
    contenders = [(names[name], name, None) for name in names]
    for eta in args.eta:   # TPE under successive halving is BOHB's recipe
        contenders += [(f"{names[name]} + SH eta {eta}", name, eta) for name in names]
    contenders = [c for c in contenders if c[1] in args.optimizers or c[0] == "EmProx-NAO"]
    curves = {label: [] for label, _, _ in contenders}
    seconds = {label: 0.0 for label, _, _ in contenders}
    optimum = None
    for seed in seeds:
        for label, optimizer, eta in contenders:
            values, wall, optimum = run(space, objective, optimizer, seed, eta, args.evaluations,
                                        options.get(optimizer))
            curves[label].append(values)
            seconds[label] += wall
        print(f"seed {seed} done", file=sys.stderr, flush=True)
    curves = {label: np.array(rows) for label, rows in curves.items()}
    reference = curves["EmProx-NAO"][:, -1]
    target = float(np.mean(reference))
    index = {fraction: int(round(fraction * len(grid))) - 1 for fraction in FRACTIONS}
    print(f"#### {objective.describe()}, seeds {args.seeds} ({len(seeds)}), optimum {optimum}, "
          f"budget {budget:,.0f} epochs ({args.evaluations} full evaluations)\n")
    print("| contender | " + " | ".join(f"{int(f * 100)}% of epochs" for f in FRACTIONS) +
          " | optimum hits at 50% | at 50% − EmProx-NAO at 100% (paired ± s.e.) | epochs to EmProx-NAO's mean at 100% |"
          " wall per run (s) |")
    print("|---" * (len(FRACTIONS) + 5) + "|")
    for label, _, eta in contenders:
        rows = curves[label]
        means = [f"{np.nanmean(rows[:, index[f]]):.3f}" for f in FRACTIONS]
        half = rows[:, index[0.5]]
        hits = f"{int(np.sum(half >= optimum - 1e-9))}/{len(seeds)}" if optimum is not None else "–"
        if eta is None:
            paired, reached = "", ""
        else:
            mean, error = paired_difference(half, reference)
            paired = f"{mean:+.3f} ± {error:.3f} ({verdict(mean, error, len(seeds))})"
            with warnings.catch_warnings():   # columns before any run's first full-fidelity result
                warnings.simplefilter("ignore", RuntimeWarning)
                mean_curve = np.nanmean(rows, axis=0)
            first = np.flatnonzero(mean_curve >= target - 1e-9)
            reached = f"{grid[first[0]] / budget:.0%}" if first.size else "not reached"
        print(f"| {label} | " + " | ".join(means) + f" | {hits} | {paired} | {reached} | "
              f"{seconds[label] / len(seeds):.1f} |")
    print(f"\nTarget: EmProx-NAO's mean best val at {args.evaluations} full evaluations, {target:.3f}.")
    _print_scheduled_pairs(contenders, curves, index, len(seeds))


def _print_scheduled_pairs(contenders: list, curves: dict, index: dict, seeds: int) -> None:
    """Scheduled EmProx-NAO against every other contender under the same schedule, paired by seed at 25%,
    50% and 100% of the epochs: the same budget, the same rungs, only the search differs."""
    fractions = (0.25, 0.5, 1.0)
    rows = []
    for label, optimizer, eta in contenders:
        ours = f"EmProx-NAO + SH eta {eta}"
        if eta is None or optimizer == "emprox_nao" or ours not in curves:
            continue
        cells = []
        for fraction in fractions:
            mean, error = paired_difference(curves[ours][:, index[fraction]], curves[label][:, index[fraction]])
            cells.append(f"{mean:+.3f} ± {error:.3f} ({verdict(mean, error, seeds)})")
        rows.append(f"| {ours} − {label} | " + " | ".join(cells) + " |")
    if rows:
        print("\n| under the same schedule (paired ± s.e.) | " +
              " | ".join(f"{int(f * 100)}% of epochs" for f in fractions) + " |")
        print("|---" * (len(fractions) + 1) + "|")
        print("\n".join(rows))


if __name__ == "__main__":
    main()
