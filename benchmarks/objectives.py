"""Objectives: calls per run, the training objective's sanity check and throughput, a trained search.

    python benchmarks/objectives.py

1. Objective calls per run (budget 30, NAS-Bench-201) for the table, a Python
   callable and the training objective, under EmProx-NAO and evolution: every
   call is counted, so the count must equal the budget.
2. Training sanity check: 30 random cells trained on scikit-learn's digits
   (6 epochs, 8 channels, 1 cell per stage, as in
   ``experiments/search/nb201_train_digits.yaml``): Spearman of their digits
   validation accuracy against NAS-Bench-201 cifar10 test accuracy.
3. Evaluations per second of the training objective with ``workers: 1`` and
   ``workers: 2`` (random search; short and longer trainings).
4. Wall time of ``python main.py search --config experiments/search/nb201_train_digits.yaml``
   (20 trained architectures, pretraining cached beforehand and also timed cold).
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from scipy import stats

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from nasearch import Objective, Search, TabularObjective  # noqa: E402
from nasearch.registry import get_search_space  # noqa: E402
from nasearch.training import TrainingObjective  # noqa: E402

DIGITS = {"epochs": 6, "channels": 8, "cells_per_stage": 1}


class Counted(Objective):
    """Counts the calls of another objective."""

    def __init__(self, inner):
        self.inner, self.calls = inner, 0
        self.metric, self.report_metric = inner.metric, inner.report_metric

    def evaluate(self, arch):
        self.calls += 1
        return self.inner.evaluate(arch)


def calls_per_run(space) -> None:
    print("### Objective calls per run (NAS-Bench-201, budget 30)\n")
    print("| objective | optimizer | evaluations recorded | objective calls |")
    print("|---|---|---|---|")
    objectives = {
        "table (cifar10-valid val + test)": lambda: TabularObjective(space, "cifar10-valid"),
        "Python callable": lambda: __import__("nasearch").CallableObjective(
            lambda arch: space.query(arch, "cifar100", "val")),
        "training (digits, 1 epoch)": lambda: TrainingObjective(space, dict(DIGITS, epochs=1)),
    }
    for label, make in objectives.items():
        for optimizer, options in (("emprox_nao", {}), ("evolution", {"population": 10})):
            counted = Counted(make())
            result = Search(space, counted, optimizer, budget=30, seed=0, options=options).run()
            print(f"| {label} | {optimizer} | {len(result.history)} | {counted.calls} |", flush=True)


def sanity(space) -> None:
    objective = TrainingObjective(space, DIGITS)
    rng = np.random.default_rng(0)
    archs = [space.sample(rng) for _ in range(30)]
    start = time.perf_counter()
    digits = [objective.evaluate(a)["val"] for a in archs]
    seconds = time.perf_counter() - start
    cifar = [space.query(a, "cifar10", "test") for a in archs]
    rho = stats.spearmanr(digits, cifar)[0]
    print("\n### Training sanity check: 30 random cells, digits val vs NAS-Bench-201 cifar10 test\n")
    print(f"Spearman {rho:.3f} (digits val {min(digits):.1f}–{max(digits):.1f}%, "
          f"{seconds / len(archs):.2f} s per architecture)")


def throughput(space) -> None:
    print("\n### Training objective throughput, random search (wall includes starting the workers)\n")
    print("| training | architectures | workers | wall (s) | evaluations / s | speed-up over 1 worker |")
    print("|---|---|---|---|---|---|")
    for epochs, budget in ((3, 8), (20, 12)):
        base = None
        for workers in (1, 2):
            objective = TrainingObjective(space, dict(DIGITS, epochs=epochs))
            start = time.perf_counter()
            Search(space, objective, "random", budget=budget, seed=0, workers=workers).run()
            wall = time.perf_counter() - start
            base = base or wall
            print(f"| digits, {epochs} epochs | {budget} | {workers} | {wall:.1f} | {budget / wall:.2f} | "
                  f"{base / wall:.2f} |", flush=True)


def trained_search() -> None:
    print("\n### `python main.py search --config experiments/search/nb201_train_digits.yaml`\n")
    print("| cache | wall (s) | best digits val |")
    print("|---|---|---|")
    with tempfile.TemporaryDirectory() as cache:
        for label in ("cold (pretraining included)", "warm"):
            with tempfile.TemporaryDirectory() as out:
                env = dict(os.environ, NASEARCH_CACHE=cache)
                start = time.perf_counter()
                subprocess.run([sys.executable, "main.py", "search", "--quiet", "--config",
                                "experiments/search/nb201_train_digits.yaml", "--out", f"{out}/run"],
                               cwd=REPO, env=env, check=True, capture_output=True)
                wall = time.perf_counter() - start
                import json
                best = json.loads(Path(f"{out}/run/summary.json").read_text())["best_value"]
                print(f"| {label} | {wall:.1f} | {best:.2f} |", flush=True)


def main() -> None:
    import argparse

    from nasearch.threads import set_threads

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], allow_abbrev=False)
    parser.add_argument("--parts", nargs="+", default=["calls", "sanity", "throughput", "search"],
                        choices=["calls", "sanity", "throughput", "search"])
    args = parser.parse_args()
    os.environ.setdefault("NASEARCH_CACHE", tempfile.mkdtemp(prefix="nasearch-bench-"))
    set_threads()
    space = get_search_space("nasbench201")
    parts = {"calls": lambda: calls_per_run(space), "sanity": lambda: sanity(space),
             "throughput": lambda: throughput(space), "search": trained_search}
    for part in args.parts:
        parts[part]()


if __name__ == "__main__":
    main()
