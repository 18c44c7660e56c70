"""A few-minute check of the training path on whatever device there is (a GPU when one is lent).

    python benchmarks/gpu_check.py [--data DIR_WITH_CIFAR10] [--images N]

1. A 4-trial training search (DARTS cells, 2 epochs each) on CIFAR-10, or on
   CIFAR-10-shaped data written in the official format when ``--data`` is not given;
   one local worker per GPU (one on a CPU).
2. One epoch of the full-size DARTS retraining (36 channels, 20 cells, auxiliary head,
   drop-path, cutout; mixed precision on a GPU) of DARTS' own genotype, through
   ``retrain``, with its TorchScript and ONNX export checked against PyTorch.
3. On a GPU: the same network's outputs on the CPU and the GPU from the same weights.

Prints throughput (training images per second) and peak memory (GPU memory allocated, or
this process's resident set on a CPU) for each step.
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from nasearch import Search  # noqa: E402
from nasearch.registry import get_search_space  # noqa: E402
from nasearch.testing.datasets import write_cifar  # noqa: E402
from nasearch.training import TrainingObjective  # noqa: E402
from nasearch.threads import set_threads  # noqa: E402
from nasearch.training.retrain import retrain  # noqa: E402

DARTS_V2 = ("normal=|sep_conv_3x3~0+sep_conv_3x3~1|sep_conv_3x3~0+sep_conv_3x3~1|sep_conv_3x3~1+skip_connect~0|"
            "skip_connect~0+dil_conv_3x3~2|;reduce=|max_pool_3x3~0+max_pool_3x3~1|skip_connect~2+max_pool_3x3~1|"
            "max_pool_3x3~0+skip_connect~2|skip_connect~2+max_pool_3x3~1|")


def peak_memory() -> str:
    if torch.cuda.is_available():
        return f"{torch.cuda.max_memory_allocated() / 2**20:,.0f} MiB GPU"
    return f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10:,.0f} MiB resident"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", help="a folder holding cifar-10-batches-py (default: generated data)")
    parser.add_argument("--images", type=int, default=0,
                        help="training images to generate (default: 5,000 on a GPU, 256 on a CPU)")
    args = parser.parse_args()
    set_threads()
    cuda = torch.cuda.is_available()
    gpus = torch.cuda.device_count() if cuda else 0
    print(f"device: {torch.cuda.get_device_name(0) + f' x{gpus}' if cuda else 'CPU only'}; torch {torch.__version__}")
    scratch = Path(tempfile.mkdtemp(prefix="gpu_check-"))
    data = args.data
    images = args.images or (5000 if cuda else 256)
    if data is None:
        write_cifar(scratch / "cifar", "cifar10", train_images=images, test_images=max(64, images // 5))
        data = str(scratch / "cifar")
        print(f"data: {images} generated CIFAR-10-shaped training images in {data}")
    darts = get_search_space("darts")

    # 1. a 4-trial training search, a worker per GPU
    config = {"dataset": "cifar10", "data": data, "epochs": 2, "channels": 16, "cells_per_stage": 1,
              "batch_size": 96}
    objective = TrainingObjective(darts, config)
    trained = len(objective.data().y_train) * 2 * 4
    start = time.perf_counter()
    result = Search(darts, objective, optimizer="random", budget=4, seed=0, workers=max(gpus, 1),
                    directory=scratch / "search").run()
    seconds = time.perf_counter() - start
    values = ", ".join(f"{t.value:.1f}" for t in result.history)
    print(f"search   4 trials x 2 epochs, {max(gpus, 1)} worker(s): {seconds:6.1f} s, "
          f"{trained / seconds:8,.0f} images/s; val {values}; peak {peak_memory()}")

    # 2. one epoch of the full-size DARTS retraining, exported
    if cuda:
        torch.cuda.reset_peak_memory_stats()
    start = time.perf_counter()
    record = retrain(space="darts", arch=DARTS_V2, settings={"dataset": "cifar10", "data": data, "epochs": 1},
                     output=scratch / "retrain", log=lambda text: None)
    seconds = time.perf_counter() - start
    amp = record["training"]["amp"] if record["training"]["amp"] is not None else cuda
    train_images = len(objective.data().y_train) + len(objective.data().y_val)   # retrain trains on both
    print(f"retrain  DARTS V2 36 channels 20 cells, 1 epoch, amp {amp}: {seconds:6.1f} s with export, "
          f"{train_images / record['train_seconds']:8,.0f} images/s; {record['parameters']:,} parameters; "
          f"ONNX max |diff| {record['onnx_max_difference']:.1e}; peak {peak_memory()}")

    # 3. parity of one network on the CPU and the GPU
    if cuda:
        network = darts.network(darts.from_string(DARTS_V2), 3, 10, channels=16, cells_per_stage=2).eval()
        batch = torch.from_numpy(np.random.default_rng(0).normal(size=(32, 3, 32, 32)).astype(np.float32))
        with torch.no_grad():
            on_cpu = network(batch)
            on_gpu = network.cuda()(batch.cuda()).cpu()
        print(f"parity   DARTS V2 16 channels 8 cells, float32: max |CPU - GPU| {float((on_cpu - on_gpu).abs().max()):.1e}")
    else:
        print("parity   skipped: no GPU")
    print(f"scratch files in {scratch} (delete when done); CPU threads {torch.get_num_threads()}, "
          f"NASEARCH_THREADS={os.environ.get('NASEARCH_THREADS', 'unset')}")


if __name__ == "__main__":
    main()
