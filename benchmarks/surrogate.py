"""Soft-kNN surrogate agreement with hard kNN, and benchmark-table speed.

    python benchmarks/surrogate.py --data ../shared/benchmarks/nasbench201.csv

Part 1: per trial, EmProx (k=10, the space's pretrained autoencoder) is fitted on
121 architectures; on 100 disjoint test architectures it compares the
differentiable ``soft_predict`` at several temperatures with the hard kNN
``predict``: Spearman between the two, mean absolute difference, and each one's
Spearman with the true accuracy.

Part 2: time to load and index the NAS-Bench-201 table, and to answer one million
random ``query`` calls.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from scipy import stats

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nasearch.evaluation.protocol import make_splits  # noqa: E402
from nasearch.predictors import create_predictor  # noqa: E402
from nasearch.registry import get_search_space  # noqa: E402
from nasearch.seeding import component_rng  # noqa: E402

TEMPERATURES = (0.001, 0.005, 0.01, 0.05, 0.1, 0.5)


def soft_agreement(space, dataset: str, trials: int, seed: int) -> None:
    import torch

    truth_all = space.values(dataset, "val")   # in enumerate() order
    archs = list(space.enumerate())
    rows = {t: [] for t in TEMPERATURES}
    hard_truth = []
    for trial, (test_idx, train_idx) in enumerate(make_splits(space.size, trials, 100, 121, seed)):
        predictor = create_predictor("emprox", space, {"k": 10, "pretrained": True},
                                     rng=component_rng(seed, "emprox", trial))
        predictor.fit([archs[i] for i in train_idx], truth_all[train_idx])
        test = [archs[i] for i in test_idx]
        truth = truth_all[test_idx]
        hard = predictor.predict(test)
        hard_truth.append(stats.spearmanr(hard, truth)[0])
        embedding = torch.as_tensor(predictor.embed(test))
        for temperature in TEMPERATURES:
            with torch.no_grad():
                soft = predictor.soft_predict(embedding, temperature).numpy()
            rows[temperature].append((stats.spearmanr(soft, hard)[0], np.abs(soft - hard).mean(),
                                      stats.spearmanr(soft, truth)[0]))
    print(f"\n## Soft kNN vs hard kNN (EmProx k=10, pretrained, {space.name} {dataset} val, "
          f"121 train / 100 test, {trials} trials)\n")
    print(f"Hard kNN Spearman with truth: {np.mean(hard_truth):.3f} ± {np.std(hard_truth):.3f}\n")
    print("| temperature τ | Spearman(soft, hard) | mean abs diff (acc. points) | Spearman(soft, truth) |")
    print("|---|---|---|---|")
    for temperature in TEMPERATURES:
        values = np.array(rows[temperature])
        mean, std = values.mean(0), values.std(0)
        print(f"| {temperature:g} | {mean[0]:.3f} ± {std[0]:.3f} | {mean[1]:.3f} ± {std[1]:.3f} | "
              f"{mean[2]:.3f} ± {std[2]:.3f} |")


def table_speed(data: str, queries: int, seed: int) -> None:
    from search_spaces.nasbench201 import NASBench201

    start = time.perf_counter()
    space = NASBench201(data=data)
    space.table
    load = time.perf_counter() - start
    rng = component_rng(seed, "table-speed")
    archs = list(space.enumerate())
    picks = rng.integers(0, len(archs), size=queries)
    start = time.perf_counter()
    for pick in picks:
        space.query(archs[pick], "cifar10-valid", "val")
    elapsed = time.perf_counter() - start
    print("\n## NAS-Bench-201 table speed\n")
    print("| step | time |")
    print("|---|---|")
    print(f"| load and index the table (15,625 rows) | {load:.2f} s |")
    print(f"| {queries:,} random `query(arch, 'cifar10-valid', 'val')` calls | {elapsed:.2f} s "
          f"({elapsed / queries * 1e6:.2f} µs per query) |")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="NAS-Bench-201 table")
    parser.add_argument("--dataset", default="cifar10-valid")
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--queries", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    space = get_search_space("nasbench201", data=args.data)
    soft_agreement(space, args.dataset, args.trials, args.seed)
    table_speed(args.data, args.queries, args.seed)


if __name__ == "__main__":
    main()
