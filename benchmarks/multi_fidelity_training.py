"""Multi-fidelity training search: successive halving against training every network fully.

    python benchmarks/multi_fidelity_training.py --seeds 0-9

Both searches use ``experiments/search/nb201_train_digits.yaml`` (NAS-Bench-201
cells on scikit-learn's digits, 6 epochs each, 20 trained networks = 120 epochs).
The scheduled one adds ``schedule: {eta: 3}`` (rungs at 2 and 6 epochs; a
promotion continues the stopped training) and gets ``--share`` of the epochs.
Paired by seed, it prints each search's best val, the difference with its
standard error, the seeds within 0.5 points, the epochs spent and the wall time.
"""
from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nasearch.compare import paired_difference, verdict  # noqa: E402
from nasearch.config import build, load_yaml  # noqa: E402
from nasearch.experiment import SearchConfig, build_search  # noqa: E402


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0-9")
    parser.add_argument("--config", default=str(ROOT / "experiments/search/nb201_train_digits.yaml"))
    parser.add_argument("--eta", type=int, default=3)
    parser.add_argument("--share", type=float, default=0.5, help="the scheduled search's epochs ÷ the full one's")
    args = parser.parse_args(argv)
    first, _, last = args.seeds.partition("-")
    seeds = list(range(int(first), int(last or first) + 1))
    base = build(SearchConfig, load_yaml(args.config), "search")
    epochs = int(base.training.get("epochs", 10))
    full_epochs = base.budget * epochs
    rows = []
    for seed in seeds:
        row = {}
        for name, config in (
                ("full", dataclasses.replace(base, seed=seed)),
                ("scheduled", dataclasses.replace(base, seed=seed, schedule={"eta": args.eta},
                                                  budget=int(full_epochs * args.share)))):
            search = build_search(config)
            start = time.perf_counter()
            result = search.run()
            row[name] = (result.best_value, search.history.spent * (epochs if name == "full" else 1),
                         time.perf_counter() - start, sum(t.fidelity in (None, epochs) for t in result.history))
        rows.append(row)
        print(f"seed {seed}: full {row['full'][0]:.3f}, scheduled {row['scheduled'][0]:.3f}", file=sys.stderr,
              flush=True)
    full = np.array([row["full"][0] for row in rows])
    scheduled = np.array([row["scheduled"][0] for row in rows])
    mean, error = paired_difference(scheduled, full)
    within = int(np.sum(scheduled >= full - 0.5))
    print(f"#### {Path(args.config).name}, seeds {args.seeds} ({len(seeds)}), schedule eta {args.eta}\n")
    print("| search | mean best val | epochs | networks trained fully | wall per search (s) |")
    print("|---|---|---|---|---|")
    for name in ("full", "scheduled"):
        values = [row[name] for row in rows]
        print(f"| {name} | {np.mean([v[0] for v in values]):.3f} | {np.mean([v[1] for v in values]):.0f} | "
              f"{np.mean([v[3] for v in values]):.1f} | {np.mean([v[2] for v in values]):.1f} |")
    print(f"\nscheduled − full (paired ± s.e.): {mean:+.3f} ± {error:.3f} ({verdict(mean, error, len(seeds))}); "
          f"{within}/{len(seeds)} seeds within 0.5 points.")


if __name__ == "__main__":
    main()
