"""Label-aware EmProx with one lever removed at a time, on the tuning splits (seed 100) or others.

    python benchmarks/label_aware_ablation.py nasbench201 cifar10-valid 10        # tuning splits
    python benchmarks/label_aware_ablation.py nasbench201 cifar10-valid 10 0      # report splits
    python benchmarks/label_aware_ablation.py nasbench_graph cora 10

Every variant is fitted on the same 121-train / 100-test splits of ``make_splits(..., seed=SEED)``
(SEED 100 by default; the reported predictor tables use seed 0); prints Spearman and the paired
difference to the default. "label training removed" keeps the GIN ensemble untrained but for one
Adam step, so the kNN runs in the graph encoding alone.
"""
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from nasearch.threads import set_threads; set_threads(1)
from nasearch.evaluation.protocol import make_splits
from nasearch.registry import get_search_space
from nasearch.predictors import create_predictor
from nasearch.seeding import component_rng
from nasearch.architecture_graph import ArchitectureGraph
from scipy.stats import spearmanr
if len(sys.argv) not in (4, 5):
    raise SystemExit("usage: python benchmarks/label_aware_ablation.py SPACE DATASET TRIALS [SEED]")
space_name, dataset, trials = sys.argv[1], sys.argv[2], int(sys.argv[3])
seed = int(sys.argv[4]) if len(sys.argv) == 5 else 100
space = get_search_space(space_name, dataset=dataset)
archs = space.table_archs(dataset); values = space.values(dataset, "val")
variants = [("label-aware (default)", space, {}), ("label training removed (1 step)", space, {"epochs": 1}),
            ("messages forward only", space, {"messages": "forward"}),
            ("no ranking loss", space, {"ranking": 0.0}), ("head instead of kNN (gin)", space, None)]
if space_name == "nasbench201":
    from search_spaces.nasbench201.space import DAG_ADJACENCY, DAG_TO_STRING
    class Uncanonical(type(space)):
        def graph(self, arch):   # every operation a node, none included, nothing removed
            labels = (0, *(2 + arch[DAG_TO_STRING[n - 1]] for n in range(1, 7)), 1)
            return ArchitectureGraph(labels, tuple((a, b) for a in range(8) for b in range(8) if DAG_ADJACENCY[a, b]))
    raw = Uncanonical(); raw.__dict__.update(space.__dict__)
    variants.append(("dead operations kept in the graph", raw, {}))
scores = {v[0]: [] for v in variants}
for trial, (test, train) in enumerate(make_splits(len(archs), trials, 100, 121, seed)):
    for label, sp, opts in variants:
        name = "gin" if opts is None else "emprox_label_aware"
        p = create_predictor(name, sp, opts or {}, component_rng(seed, label, trial))
        p.fit([archs[j] for j in train], values[train])
        scores[label].append(spearmanr(p.predict([archs[j] for j in test]), values[test]).statistic)
base = np.array(scores["label-aware (default)"])
kind = "tuning" if seed == 100 else "report" if seed == 0 else "other"
print(f"| variant ({space_name} {dataset}, {trials} {kind} splits, seed {seed}) | Spearman | Δ vs default (paired ± s.e.) |")
print("|---|---|---|")
for label, _, _ in variants:
    r = np.array(scores[label]); d = r - base
    print(f"| {label} | {r.mean():.3f} ± {r.std():.3f} | {d.mean():+.3f} ± {d.std(ddof=1)/np.sqrt(len(d)):.3f} |")
