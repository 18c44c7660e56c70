"""Where the constrained optimum of a hardware-aware compare config lies, from the table.

    python benchmarks/constrained_optimum.py experiments/search/hw_nb201_*_p25_compare.yaml

For each config: the feasible share of the space, the constrained optimum and the
runner-up, and the optimum's one-edit neighbourhood (how many neighbours are feasible,
and the best of them). An optimum whose feasible neighbours are all far below it is
reached by mutation or a decoded step only by luck, which explains seeds that end on
the runner-up.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], allow_abbrev=False)
    parser.add_argument("configs", nargs="+")
    args = parser.parse_args()
    from nasearch.config import load_yaml
    from nasearch.experiment import load_compare_config
    from nasearch.goal import Goal
    from nasearch.registry import get_search_space

    print("| config | constraint | feasible cells | optimum | runner-up | feasible neighbours of the optimum | "
          "best of them |")
    print("|---|---|---|---|---|---|---|")
    for path in args.configs:
        search = load_compare_config(load_yaml(path)).search
        space = get_search_space(search.space)
        goal = Goal.build(None, search.constraints, "val")
        archs = list(space.table_archs(search.dataset))
        metrics = [c.metric for c in goal.constraints]
        val = space.values(search.dataset, "val", 200)
        costs = {m: space.values(search.dataset, m) for m in metrics}
        feasible = np.array([goal.feasible({m: costs[m][i] for m in metrics}) for i in range(len(archs))])
        order = np.argsort(-np.where(feasible, val, -np.inf), kind="stable")
        best, runner_up = order[0], order[1]
        index = {space.arch_id(a): i for i, a in enumerate(archs)}
        neighbours = [index[space.arch_id(n)] for n in space.neighbors(archs[best])]
        good = [i for i in neighbours if feasible[i]]
        best_neighbour = f"{max(val[i] for i in good):.2f}" if good else "–"
        print(f"| {Path(path).stem} | {', '.join(c.label for c in goal.constraints)} | "
              f"{feasible.mean():.1%} | {val[best]:.2f} | {val[runner_up]:.2f} | {len(good)} of {len(neighbours)} | "
              f"{best_neighbour} |")


if __name__ == "__main__":
    main()
