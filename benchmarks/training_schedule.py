"""Checkpoint-continued successive halving on a real training search, against full fidelity.

    python benchmarks/training_schedule.py --seeds 0-9
    python benchmarks/training_schedule.py --config experiments/search/darts_train_digits.yaml --eta 3

Runs the config's training search (its budget counts full-fidelity evaluations) on each
seed twice in this process: at full fidelity, and under ``schedule: {eta: E}`` with half
the epochs (budget = budget x epochs / 2). Both report the best fully trained network's
val accuracy. The table pairs them by seed (a win or loss beyond two standard errors,
else a tie), and counts the epochs the schedule trained against the epochs the same
jobs would have trained had every promotion retrained from scratch (the sum of the
jobs' fidelities), which is what a scheduler without checkpoints pays.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nasearch.compare import paired_difference, verdict  # noqa: E402
from nasearch.config import load_yaml  # noqa: E402
from nasearch.experiment import build_search, load_search_config  # noqa: E402
from nasearch.threads import set_threads  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def seeds_from(text: str) -> list:
    first, _, last = text.partition("-")
    return list(range(int(first), int(last or first) + 1))


def run(raw: dict, seed: int, eta) -> dict:
    config = dict(raw, seed=seed)
    if eta is not None:
        epochs = int(config.get("training", {}).get("epochs", 10))
        config.update(schedule={"eta": eta}, budget=int(config["budget"] * epochs / 2))
    search = build_search(load_search_config(config))
    start = time.perf_counter()
    result = search.run()
    trials = [t for t in result.history if t.ok]
    epochs = int(config.get("training", {}).get("epochs", 10))
    return {"best": result.best_value, "seconds": time.perf_counter() - start,
            "trained": sum(t.metrics["trained_epochs"] for t in trials),
            "from_scratch": sum(int(t.fidelity or epochs) for t in trials)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", default=str(ROOT / "experiments/search/darts_train_digits.yaml"))
    parser.add_argument("--seeds", default="0-9", help="seed range (report: 0-9; tune on 100-109)")
    parser.add_argument("--eta", type=int, default=3)
    args = parser.parse_args()
    set_threads()
    raw = load_yaml(args.config)
    seeds = seeds_from(args.seeds)
    full, scheduled = [], []
    for seed in seeds:
        full.append(run(raw, seed, None))
        scheduled.append(run(raw, seed, args.eta))
        print(f"seed {seed}: full {full[-1]['best']:.2f} ({full[-1]['seconds']:.0f} s), scheduled "
              f"{scheduled[-1]['best']:.2f} ({scheduled[-1]['seconds']:.0f} s, trained {scheduled[-1]['trained']} "
              f"epochs, {scheduled[-1]['from_scratch']} from scratch)", flush=True)
    a = np.array([s["best"] for s in scheduled])
    b = np.array([f["best"] for f in full])
    mean, se = paired_difference(a, b)
    epochs = int(raw.get("training", {}).get("epochs", 10))
    print(f"\n{Path(args.config).name}, seeds {args.seeds}, eta {args.eta}: best fully trained val (%), mean ± s.e.\n")
    print("| search | epochs budget | best val | epochs trained | epochs if retrained from scratch | seconds |")
    print("|---|---|---|---|---|---|")
    for name, rows, budget in (("full fidelity", full, raw["budget"] * epochs),
                               (f"successive halving, eta {args.eta}", scheduled, raw["budget"] * epochs // 2)):
        values = np.array([r["best"] for r in rows])
        print(f"| {name} | {budget} | {values.mean():.2f} ± {values.std(ddof=1) / np.sqrt(len(values)):.2f} | "
              f"{np.mean([r['trained'] for r in rows]):.1f} | {np.mean([r['from_scratch'] for r in rows]):.1f} | "
              f"{np.mean([r['seconds'] for r in rows]):.0f} |")
    print(f"\nscheduled at half the epochs minus full fidelity: {mean:+.2f} ± {se:.2f} ({verdict(mean, se, len(seeds))}); "
          f"the schedule trained {np.mean([r['trained'] for r in scheduled]):.1f} epochs a seed, against "
          f"{np.mean([r['from_scratch'] for r in scheduled]):.1f} without checkpoints")


if __name__ == "__main__":
    main()
