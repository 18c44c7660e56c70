"""Predictors on the whole-space protocol: trained on n architectures, tested on every other cell.

    python benchmarks/whole_space_predictors.py --data ../shared/benchmarks/nasbench201.csv --seed 0

NAS-Bench-201 cifar10-valid validation accuracy (200 epochs); train sizes 16, 32, 128, 256 and 512,
nested within each trial's draw, so every predictor and size is paired; ``test_size: all`` (the
15,625 cells minus the training set). Prints Spearman (mean ± std over trials) and fit seconds per
predictor and size, FLAN's published GIN numbers beside them (same sizes, its own splits), and each
predictor's paired Spearman difference to the GIN ensemble. Tune with ``--seed 100``, report ``--seed 0``.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nasearch.compare import paired_difference, verdict  # noqa: E402
from nasearch.evaluation.protocol import EvaluateConfig, PredictorSpec, run_evaluation  # noqa: E402
from nasearch.registry import get_search_space  # noqa: E402

SIZES = (16, 32, 128, 256, 512)
#: FLAN (Akhauri & Abdelfattah), GIN predictor, NB201 cifar10, Spearman: published reference points
FLAN = {16: 0.771, 32: 0.846, 128: 0.941, 256: 0.961, 512: 0.975}
CONTENDERS = [
    PredictorSpec("emprox_label_aware", "EmProx label-aware"),
    PredictorSpec("gin", "GIN ensemble"),
    PredictorSpec("emprox", "EmProx k=10", {"k": 10}),
]
BASELINE = "GIN ensemble"
#: the GIN's options tried for n >= 128 (``--levers``, tuning split seed 100); labels name the variant
LEVERS = [PredictorSpec("gin", "base"), PredictorSpec("gin", "width32", {"width": 32}),
          PredictorSpec("gin", "epochs400", {"epochs": 400}), PredictorSpec("gin", "members10", {"members": 10}),
          PredictorSpec("gin", "ranking3", {"ranking": 3}), PredictorSpec("gin", "layers4", {"layers": 4}),
          PredictorSpec("gin", "lr1e-2", {"lr": 0.01}), PredictorSpec("gin", "wd1e-3", {"weight_decay": 0.001}),
          PredictorSpec("gin", "minibatch32", {"minibatch": 32})]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], allow_abbrev=False)
    parser.add_argument("--data", help="NAS-Bench-201 table")
    parser.add_argument("--trials", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0, help="split seed: 0 reports, 100 tunes")
    parser.add_argument("--sizes", type=int, nargs="*", default=list(SIZES))
    parser.add_argument("--only", nargs="*", help="labels to run (default: all)")
    parser.add_argument("--levers", action="store_true",
                        help="the GIN option variants instead (tune: --seed 100 --trials 3 --sizes 128 256)")
    args = parser.parse_args(argv)
    from nasearch.threads import set_threads

    set_threads()
    specs = [s for s in (LEVERS if args.levers else CONTENDERS) if not args.only or s.label in args.only]
    space = get_search_space("nasbench201", data=args.data)
    config = EvaluateConfig(space="nasbench201", dataset="cifar10-valid", trials=args.trials, test_size="all",
                            train_sizes=tuple(args.sizes), seed=args.seed, predictors=tuple(specs))
    rows = run_evaluation(config, space, progress=True)
    cell = {(r["predictor"], r["train_size"], r["trial"]): r for r in rows}
    labels = [s.display() for s in specs]
    baseline = "base" if args.levers else BASELINE
    print(f"\n#### NAS-Bench-201 cifar10-valid val, whole space (every cell outside the training set), "
          f"{args.trials} trials, split seed {args.seed}: Spearman (mean ± std), fit seconds\n")
    print("| n | " + " | ".join(labels) + " | FLAN GIN (published) | " +
          " | ".join(f"{label} − {baseline} (paired ± s.e.)" for label in labels if label != baseline) + " |")
    print("|---" * (2 + len(labels) + len(labels) - (baseline in labels)) + "|")
    trials = range(args.trials)
    for size in sorted(args.sizes):
        cells = []
        for label in labels:
            rho = [cell[label, size, t]["spearman"] for t in trials]
            fit = np.mean([cell[label, size, t]["fit_seconds"] for t in trials])
            cells.append(f"{np.mean(rho):.3f} ± {np.std(rho):.3f} ({fit:.1f} s)")
        cells.append(f"{FLAN[size]:.3f}" if size in FLAN else "–")
        if baseline in labels:
            base = [cell[baseline, size, t]["spearman"] for t in trials]
            for label in labels:
                if label != baseline:
                    mean, error = paired_difference([cell[label, size, t]["spearman"] for t in trials], base)
                    cells.append(f"{mean:+.3f} ± {error:.3f} {verdict(mean, error, args.trials)}")
        print(f"| {size} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
