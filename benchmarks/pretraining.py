"""Autoencoder pretraining: held-out round trip against architectures seen and seconds.

    python benchmarks/pretraining.py [--spaces nasbench201 nasbench_graph darts] [--threads 1 2]
    python benchmarks/pretraining.py --knn [--spaces nasbench201 nasbench_graph] [--steps 300 600 1200]

For each space and torch thread count, pretrain from scratch (a fresh temporary
cache, seed 0, the default plan) and print the curve of the periodic held-out
checks (300 held-out architectures) and the final round trip on the whole
held-out set (1,000 architectures, or a fifth of a smaller space), which
training never sees. Listable spaces train on every other architecture;
DARTS (1.1e18) trains on a stream of fresh samples.

``--knn`` instead pretrains for exactly each of ``--steps`` (no early stop) and
ranks with hard kNN (k = 10) on that embedding over the EmProx protocol's 20
splits (121 train / 100 test, ``make_splits(seed=0)``, val after 200 epochs on the
space's first dataset): how the embedding's quality as a kNN metric moves with
pretraining, which is why the default plan trains at least 600 steps.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], allow_abbrev=False)
    parser.add_argument("--spaces", nargs="+", default=["nasbench201", "nasbench_graph", "darts"])
    parser.add_argument("--threads", nargs="+", type=int, default=[1, 2])
    parser.add_argument("--knn", action="store_true", help="kNN Spearman of the embedding by pretraining steps")
    parser.add_argument("--steps", nargs="+", type=int, default=[300, 600, 1200])
    args = parser.parse_args()
    os.environ["NASEARCH_CACHE"] = tempfile.mkdtemp(prefix="nasearch-bench-")
    if args.knn:
        knn_by_steps([s for s in args.spaces if s != "darts"], args.steps)
        return

    from nasearch.embedding import pretrained
    from nasearch.registry import get_search_space
    from nasearch.search_space import describe_size
    from nasearch.threads import set_threads

    print("| space | size | threads | trained on | steps | architectures seen | seconds | held-out round trip |")
    print("|---|---|---|---|---|---|---|---|")
    curves = []
    for name in args.spaces:
        space = get_search_space(name)
        for threads in args.threads:
            pretrained._MEMORY.clear()
            for stale in Path(os.environ["NASEARCH_CACHE"]).glob("*.pt"):
                stale.unlink()
            set_threads(threads)
            _, info = pretrained.pretrained_autoencoder(space, seed=0)
            source = "a stream of samples" if info["streamed"] else f"the list minus {info['holdout']:,} held out"
            print(f"| {name} | {describe_size(space.size)} | {threads} | {source} | {info['steps']:,} | "
                  f"{info['seen']:,} | {info['train_seconds']:.1f} | "
                  f"{info['round_trip']:.1%} of {info['holdout']:,} |", flush=True)
            if threads == args.threads[0]:   # the learning curve: checks from step 100 on, no floor
                pretrained._MEMORY.clear()
                plan = pretrained.PretrainingPlan(min_steps=100)
                curves.append((name, pretrained.pretrained_autoencoder(space, plan=plan, seed=0)[1]["curve"]))
    print("\nHeld-out round trip at each check (300 held-out architectures) of a run without the 600-step "
          "floor, first thread count:\n")
    print("| space | steps | architectures seen | seconds | round trip |")
    print("|---|---|---|---|---|")
    for name, curve in curves:
        for steps, seen, seconds, round_trip in curve:
            print(f"| {name} | {steps:,} | {seen:,} | {seconds:.1f} | {round_trip:.1%} |")


def knn_by_steps(spaces: list, steps: list) -> None:
    import numpy as np
    from scipy.stats import spearmanr

    from nasearch.embedding import pretrained
    from nasearch.embedding.autoencoder import embed_sequences
    from nasearch.evaluation.protocol import make_splits
    from nasearch.knn import hard_knn
    from nasearch.registry import get_search_space
    from nasearch.threads import set_threads

    set_threads(1)
    print("| space | dataset | pretraining steps | held-out round trip | kNN (k=10) Spearman, 20 splits |")
    print("|---|---|---|---|---|")
    for name in spaces:
        space = get_search_space(name)
        dataset = space.datasets[0]
        archs = space.table_archs(dataset)
        epochs = 200 if 200 in space.epochs(dataset, "val") else None
        values = space.values(dataset, "val", epochs)
        sequences = np.array([space.to_sequence(a) for a in archs])
        for count in steps:
            plan = pretrained.PretrainingPlan(max_steps=count, min_steps=count)
            model, info = pretrained.pretrained_autoencoder(space, plan=plan, seed=0)
            embeddings = embed_sequences(model, sequences)
            rhos = [spearmanr(hard_knn(embeddings[test], embeddings[train], values[train], 10), values[test])[0]
                    for test, train in make_splits(len(archs), 20, 100, 121, seed=0)]
            print(f"| {name} | {dataset} | {count:,} | {info['round_trip']:.1%} | "
                  f"{np.mean(rhos):.3f} ± {np.std(rhos):.3f} |", flush=True)


if __name__ == "__main__":
    main()
