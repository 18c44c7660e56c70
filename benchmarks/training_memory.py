"""Peak resident memory of a 4-worker local training search on CIFAR-10-sized data.

    python benchmarks/training_memory.py [--images 50000] [--workers 4]

Writes a CIFAR-10-shaped dataset of ``--images`` training images in the official format,
then runs the same tiny training search twice with ``--workers`` local workers. Every 0.2 s it
samples the resident set of each worker process. The baseline is the same search on
1,000 CIFAR-shaped images (the same network, batches and activations, a negligible
dataset). A worker that holds one copy of the data as stored (uint8, 3,072 bytes an
image) should exceed the baseline by about that copy; the table prints the excess in copies.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psutil  # noqa: E402

from nasearch import Search  # noqa: E402
from nasearch.registry import get_search_space  # noqa: E402
from nasearch.testing.datasets import write_cifar  # noqa: E402
from nasearch.threads import set_threads  # noqa: E402
from nasearch.training import TrainingObjective  # noqa: E402


def peak_worker_rss(config: dict, workers: int) -> tuple:
    """``(peak resident MiB of each worker, seconds)`` of a ``workers``-trial search."""
    space = get_search_space("nasbench201")
    me = psutil.Process()
    peaks: dict = {}
    done = threading.Event()

    def sample():
        while not done.is_set():
            for child in me.children(recursive=True):
                try:
                    peaks[child.pid] = max(peaks.get(child.pid, 0), child.memory_info().rss)
                except psutil.Error:
                    pass
            time.sleep(0.2)

    watcher = threading.Thread(target=sample, daemon=True)
    watcher.start()
    start = time.perf_counter()
    Search(space, TrainingObjective(space, config), optimizer="random", budget=workers, seed=0,
           workers=workers).run()
    seconds = time.perf_counter() - start
    done.set()
    watcher.join()
    return sorted(v / 2**20 for v in peaks.values() if v > 50 * 2**20), seconds   # workers, not helpers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--images", type=int, default=50_000)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    set_threads()
    scratch = Path(tempfile.mkdtemp(prefix="training_memory-"))
    write_cifar(scratch / "large", "cifar10", train_images=args.images, test_images=1000)
    write_cifar(scratch / "small", "cifar10", train_images=1000, test_images=1000)
    copy_mib = args.images * 3 * 32 * 32 / 2**20   # uint8, train and val splits together
    tiny = {"dataset": "cifar10", "epochs": 1, "channels": 4, "cells_per_stage": 1, "batch_size": 256}
    baseline, base_seconds = peak_worker_rss({**tiny, "data": str(scratch / "small")}, args.workers)
    cifar, cifar_seconds = peak_worker_rss({**tiny, "data": str(scratch / "large")}, args.workers)
    print(f"{args.workers} local workers, NAS-Bench-201 skeleton at 4 channels, 1 epoch each; "
          f"one copy of {args.images:,} images as uint8 = {copy_mib:,.0f} MiB\n")
    print("| data | peak RSS per worker (MiB) | mean excess over the baseline, in data copies | seconds |")
    print("|---|---|---|---|")
    mean_base = sum(baseline) / len(baseline)
    print(f"| 1,000 images (baseline) | {', '.join(f'{v:,.0f}' for v in baseline)} | - | {base_seconds:.0f} |")
    excess = (sum(cifar) / len(cifar) - mean_base) / copy_mib
    print(f"| {args.images:,} images | {', '.join(f'{v:,.0f}' for v in cifar)} | {excess:.2f} | {cifar_seconds:.0f} |")


if __name__ == "__main__":
    main()
