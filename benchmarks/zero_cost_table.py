"""Build a space's shipped zero-cost proxy table (every architecture, the default settings).

    python benchmarks/zero_cost_table.py [--space nasbench201] [--out PATH] [--limit N]

Computes synflow, parameters and FLOPs (:mod:`nasearch.zero_cost`, default
:class:`~nasearch.zero_cost.ZeroCostConfig`: 32×32×3 inputs, 10 classes, the space's
default network; for NAS-Bench-201 C=16, N=5) of every architecture of a listable space
and writes the gzipped table that ``SearchSpace.zero_cost_table()`` names (default: the
NAS-Bench-201 package's ``data/nasbench201_zero_cost.csv.gz``). The table is used only
when its settings line equals the requested settings; a test recomputes a sample of
its rows exactly.
"""
from __future__ import annotations

import argparse
import itertools
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], allow_abbrev=False)
    parser.add_argument("--space", default="nasbench201")
    parser.add_argument("--out", help="output path (default: the space's zero_cost_table() location)")
    parser.add_argument("--limit", type=int, default=0, help="only the first N architectures (0 = all)")
    args = parser.parse_args()
    from nasearch.registry import get_search_space
    from nasearch.threads import set_threads
    from nasearch.zero_cost import ZeroCostConfig, write_table

    set_threads(1)
    space = get_search_space(args.space)
    if not space.listable:
        raise SystemExit(f"space {args.space!r} cannot be listed; a table covers listable spaces only")
    out = args.out or (str(space.zero_cost_table()) if space.zero_cost_table() else None)
    if out is None:
        from search_spaces.nasbench201.space import ZERO_COST_TABLE   # where NAS-Bench-201 looks for it

        out = str(ZERO_COST_TABLE)
    archs = space.enumerate()
    archs = list(itertools.islice(archs, args.limit) if args.limit else archs)
    start = time.perf_counter()
    count = write_table(out, space, archs, ZeroCostConfig(), progress=True)
    print(f"{count:,} architectures in {time.perf_counter() - start:.0f} s → {out}")


if __name__ == "__main__":
    main()
