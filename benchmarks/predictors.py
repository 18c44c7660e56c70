"""Predictor benchmark: every contender in one process, on the same paired splits.

    python benchmarks/predictors.py --data ../shared/benchmarks/nasbench201.csv --dataset cifar10-valid

Prints a markdown table (mean ± std over trials) plus paired comparisons against
EmProx k=10: the mean Spearman difference, in how many trials the contender
ranked better, and the fit-time ratio.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nasearch.compare import paired_difference, verdict  # noqa: E402
from nasearch.embedding.pretrained import pretrained_autoencoder, pretraining_config  # noqa: E402
from nasearch.evaluation.protocol import (EvaluateConfig, PredictorSpec, markdown_table,  # noqa: E402
                                          run_evaluation, summarize)
from nasearch.registry import get_search_space  # noqa: E402

PAPER = [
    PredictorSpec("emprox", "EmProx k=10", {"k": 10}),
    PredictorSpec("emprox", "EmProx k=60", {"k": 60}),
    PredictorSpec("nao", "NAO"),
    PredictorSpec("seminas", "SemiNAS"),
    PredictorSpec("xgb", "XGB"),
    PredictorSpec("bananas", "BANANAS"),
    PredictorSpec("mlp", "MLP"),
]
#: Trained on the labels: the label-aware EmProx and the GIN-ensemble baseline it is measured against.
LABEL_AWARE = [
    PredictorSpec("emprox_label_aware", "EmProx label-aware"),
    PredictorSpec("gin", "GIN ensemble"),
]
VARIANTS = [
    PredictorSpec("emprox", "EmProx k=10 compact", {"k": 10, "compact": True}),
    PredictorSpec("emprox", "EmProx k=10 pretrained", {"k": 10, "pretrained": True}),
    PredictorSpec("emprox", "EmProx k=10 pretrained+learned", {"k": 10, "pretrained": True, "metric": "learned"}),
    PredictorSpec("emprox", "EmProx k=60 pretrained+learned", {"k": 60, "pretrained": True, "metric": "learned"}),
    PredictorSpec("emprox", "EmProx k=10 compact+learned", {"k": 10, "compact": True, "metric": "learned"}),
    PredictorSpec("emprox", "EmProx k=10 unlabeled=500", {"k": 10, "unlabeled": 500}),
    PredictorSpec("emprox", "EmProx k=10 d=64 pretrained", {"k": 10, "embedding_dim": 64, "pretrained": True}),
    PredictorSpec("emprox", "EmProx k=10 pretrained+linear", {"k": 10, "pretrained": True, "residual": "linear"}),
    PredictorSpec("emprox", "EmProx k=10 linear", {"k": 10, "residual": "linear"}),
]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], allow_abbrev=False)
    parser.add_argument("--data", help="NAS-Bench-201 table")
    parser.add_argument("--space", default="nasbench201")
    parser.add_argument("--dataset", default="cifar10-valid")
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--train-size", type=int, default=121)
    parser.add_argument("--only", nargs="*", help="labels to run (default: all)")
    parser.add_argument("--no-variants", action="store_true", help="only the paper's contenders")
    parser.add_argument("--threads", type=int, help="torch threads (default: $NASEARCH_THREADS, else 1)")
    args = parser.parse_args(argv)
    from nasearch.threads import set_threads

    print(f"torch threads: {set_threads(args.threads)}")

    space = get_search_space(args.space, data=args.data, dataset=args.dataset)
    specs = PAPER + LABEL_AWARE + ([] if args.no_variants else VARIANTS)
    if args.only:
        specs = [s for s in specs if s.label in args.only]
    pretrain_note = ""
    if any(s.options.get("pretrained") for s in specs):
        start = time.perf_counter()
        _, info = pretrained_autoencoder(space, pretraining_config(32), progress=True)   # seed 0
        for dim in {s.options.get("embedding_dim", 32) for s in specs if s.options.get("pretrained")} - {32}:
            pretrained_autoencoder(space, pretraining_config(dim), progress=True)
        pretrain_note = (f"One-time autoencoder pretraining on {info['archs']:,} unlabelled architectures: "
                         f"{info['cached_train_seconds']:.1f} s when first built (this run: "
                         f"{time.perf_counter() - start:.1f} s incl. cache load); round trip {info['round_trip']:.1%}.")
    config = EvaluateConfig(space=args.space, dataset=args.dataset, trials=args.trials,
                            train_sizes=(args.train_size,), predictors=tuple(specs))
    rows = run_evaluation(config, space, progress=True)
    summary = summarize(rows)
    print(f"\n## {args.space} {args.dataset} val, {args.train_size} train / 100 test, {args.trials} trials\n")
    print(markdown_table(summary))
    def by_trial(label: str) -> dict:
        return {r["trial"]: r for r in rows if r["predictor"] == label}

    reference = by_trial("EmProx k=10")
    if reference:
        ref_fit = np.mean([r["fit_seconds"] for r in reference.values()])
        print("\n| contender | Δ Spearman vs EmProx k=10 (paired) | better in trials | fit time ÷ EmProx k=10 |")
        print("|---|---|---|---|")
        for entry in summary:
            mine = by_trial(entry["predictor"])
            deltas = np.array([mine[t]["spearman"] - reference[t]["spearman"] for t in mine])
            print(f"| {entry['predictor']} | {deltas.mean():+.3f} ± {deltas.std():.3f} | "
                  f"{int((deltas > 0).sum())}/{len(deltas)} | {entry['fit_seconds']['mean'] / ref_fit:.2f} |")
    baseline = by_trial("GIN ensemble")
    if baseline:
        # the label-aware floor is the GIN baseline on the same splits: a paired verdict, not two means
        print("\n| contender | Δ Spearman vs GIN ensemble (paired ± s.e.) | verdict |")
        print("|---|---|---|")
        for entry in summary:
            if entry["predictor"] == "GIN ensemble":
                continue
            mine = by_trial(entry["predictor"])
            mean, error = paired_difference([mine[t]["spearman"] for t in baseline],
                                            [baseline[t]["spearman"] for t in baseline])
            print(f"| {entry['predictor']} | {mean:+.3f} ± {error:.3f} | {verdict(mean, error, len(baseline))} |")
    if pretrain_note:
        print("\n" + pretrain_note)


if __name__ == "__main__":
    main()
