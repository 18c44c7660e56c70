"""Random search's expected best value, computed exactly from a benchmark table.

    python benchmarks/random_search_anchor.py [--space nasbench201] [--dataset cifar10-valid]
                                              [--budgets 50 100 200 300 500]

Random search draws ``n`` distinct architectures uniformly, so the chance that the
``i``-th smallest of ``N`` values is its best is ``C(i-1, n-1) / C(N, n)``. The
expected best validation value (and the expected test value of that architecture,
ties split evenly) follow without sampling. It is the anchor any search table on
the space should reproduce in its random-search row, up to the seeds' noise.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from scipy.special import gammaln

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def best_of_n_weights(size: int, n: int) -> np.ndarray:
    """``(size,)`` probabilities that the value of rank ``i`` (ascending) is the best of ``n`` draws."""
    ranks = np.arange(1, size + 1)
    log_choose = lambda a, b: gammaln(a + 1) - gammaln(b + 1) - gammaln(a - b + 1)
    weights = np.zeros(size)
    valid = ranks >= n
    weights[valid] = np.exp(log_choose(ranks[valid] - 1, n - 1) - log_choose(size, n))
    return weights / weights.sum()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], allow_abbrev=False)
    parser.add_argument("--space", default="nasbench201")
    parser.add_argument("--dataset", default="cifar10-valid")
    parser.add_argument("--budgets", nargs="+", type=int, default=[50, 100, 200, 300, 500])
    args = parser.parse_args()
    from nasearch.registry import get_search_space

    space = get_search_space(args.space)
    epochs = 200 if 200 in space.epochs(args.dataset, "val") else None
    val = space.values(args.dataset, "val", epochs)
    test = space.values(args.dataset, "test", epochs) if "test" in space.metrics(args.dataset) else None
    order = np.lexsort((np.zeros_like(val), val))
    val_sorted = val[order]
    test_sorted = None if test is None else test[order]
    if test_sorted is not None:   # equal val values: the best of them is any one of them, so average their test
        unique, inverse = np.unique(val_sorted, return_inverse=True)
        test_sorted = (np.bincount(inverse, test_sorted) / np.bincount(inverse))[inverse]
    print(f"{args.space} {args.dataset}: expected best val of random search (exact, {len(val):,} architectures)\n")
    print("| evaluations | expected best val | expected test of that architecture |")
    print("|---|---|---|")
    for n in args.budgets:
        weights = best_of_n_weights(len(val), n)
        shown = "–" if test_sorted is None else f"{weights @ test_sorted:.2f}"
        print(f"| {n} | {weights @ val_sorted:.2f} | {shown} |")


if __name__ == "__main__":
    main()
