"""A newcomer's first run: wall time of a cold ``python main.py search`` (empty model cache).

    python benchmarks/first_run.py [--repeats 2]

Runs the README's main job (EmProx-NAO on NAS-Bench-201 cifar10-valid, 100
evaluations, pretraining included) in a fresh process with an empty cache,
with torch at 1 thread (the default) and at 2 threads, once on an otherwise
idle machine and once with one core kept busy by another process. Prints the
wall time of each (the median of ``--repeats``) and the ratio to the idle,
1-thread case. Target: at most 30 s in every row with the default setting.
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _spin():
    while True:
        pass


def cold_run(threads: int) -> float:
    with tempfile.TemporaryDirectory() as cache, tempfile.TemporaryDirectory() as out:
        env = dict(os.environ, NASEARCH_CACHE=cache, NASEARCH_THREADS=str(threads))
        env.pop("NASEARCH_NB201", None)
        start = time.perf_counter()
        subprocess.run([sys.executable, "main.py", "search", "--quiet", "--out", str(Path(out) / "run")],
                       cwd=REPO, env=env, check=True, capture_output=True)
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], allow_abbrev=False)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    rows = []
    for load in ("idle", "one core busy"):
        spinner = None
        if load != "idle":
            spinner = multiprocessing.Process(target=_spin, daemon=True)
            spinner.start()
        try:
            for threads in (1, 2):
                times = [cold_run(threads) for _ in range(args.repeats)]
                rows.append((load, threads, statistics.median(times)))
        finally:
            if spinner is not None:
                spinner.terminate()
                spinner.join()
    base = rows[0][2]
    print(f"Cold `python main.py search` (pretraining + 100 evaluations), median of {args.repeats}:\n")
    print("| machine | torch threads | wall (s) | ÷ idle, 1 thread | ≤ 30 s |")
    print("|---|---|---|---|---|")
    for load, threads, seconds in rows:
        print(f"| {load} | {threads}{' (default)' if threads == 1 else ''} | {seconds:.1f} | {seconds / base:.2f} | "
              f"{'yes' if seconds <= 30 else 'no'} |")


if __name__ == "__main__":
    main()
