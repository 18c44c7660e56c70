"""EmProx-NAO's levers on the NAS-Bench-301 surrogate benchmark, on tuning seeds.

    python benchmarks/nb301_levers.py --seeds 100-109 --budget 300
    python benchmarks/nb301_levers.py --pool A.npz B.npz   # the --curves of runs on other seeds, pooled

Runs every variant below in this process on the same seeds (the whole DARTS space through
the surrogate, dataset nb301) and prints each one's mean best validation value at 50, 100,
200 and the budget, its paired difference to the base (`--base`, default the faithful EmProx-NAO) at the budget (± s.e.,
a win or a loss beyond two standard errors) and its wall seconds per run. The variants vary
the faithful surrogate's search (cheap to run); the label-aware search with the climb and regularized
evolution, plain and screened, are the references.
"""
from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nasearch import Search  # noqa: E402
from nasearch.compare import paired_difference, verdict  # noqa: E402
from nasearch.errors import NasearchError  # noqa: E402

from local_ranking import LOCAL_MLP, LOCAL_WARM_MLP, MEASURED_RANKER, as_measured  # noqa: E402  (the levers' MLPs and ranker, one copy)

ALL_PARENTS = {"mutation": {"population": 0}}   # the mutation parents of every row before aged parents
AGED = {"mutation": {"population": 30}}   # aged parents with tournaments of 10, the default before greedier ones
CLIMB = {"ascent": {}, **ALL_PARENTS}   # the rows measured with the decoded ascent on (off by default since)
FAITHFUL = {"surrogate": "emprox", "sources": CLIMB}
VARIANTS = {
    "EmProx-NAO faithful": ("emprox_nao", FAITHFUL),
    "EmProx-NAO (label-aware, climb)": ("emprox_nao", {"sources": CLIMB}),
    "RE": ("evolution", {}),
    "RE + EmProx screen": ("evolution", {"screen": 10}),
    "faithful, rank off": ("emprox_nao", {**FAITHFUL, "rank": False}),
    "faithful, no ascent": ("emprox_nao", {**FAITHFUL, "sources": {**ALL_PARENTS, "ascent": "off"}}),
    "faithful, n_seeds 3": ("emprox_nao", {**FAITHFUL, "n_seeds": 3}),
    "faithful, n_seeds 30": ("emprox_nao", {**FAITHFUL, "n_seeds": 30}),
    "faithful, candidates 100": ("emprox_nao", {**FAITHFUL, "candidates": 100}),
    "faithful, optimism 1": ("emprox_nao", {**FAITHFUL, "optimism": 1.0}),
    "faithful, batch 1": ("emprox_nao", {**FAITHFUL, "batch_size": 1}),
    "faithful, batch 2": ("emprox_nao", {**FAITHFUL, "batch_size": 2}),
    "faithful, batch 5": ("emprox_nao", {**FAITHFUL, "batch_size": 5}),
    "faithful, aged parents (population 30)": ("emprox_nao", {**FAITHFUL, "sources": {**CLIMB, "mutation": {"population": 30}}}),
    "faithful, batch 5 + aged parents": ("emprox_nao", {**FAITHFUL, "batch_size": 5,
                                                        "sources": {**CLIMB, "mutation": {"population": 30}}}),
    "faithful, batch 5 + aged parents, no ascent": ("emprox_nao", {
        **FAITHFUL, "batch_size": 5, "sources": {"mutation": {"population": 30}, "ascent": "off"}}),
    "faithful, batch 5, ascent alone": ("emprox_nao", {
        **FAITHFUL, "batch_size": 5, "sources": {**CLIMB, "mutation": "off", "sample": "off"}}),
    # the label-aware search without the climb, and its levers (aged parents became the default)
    "no climb (population 0)": ("emprox_nao", {"sources": ALL_PARENTS}),
    "no climb, aged parents (population 30)": ("emprox_nao", {"sources": {"mutation": {"population": 30}}}),
    "no climb, batch 5 + aged parents": ("emprox_nao", {"batch_size": 5, "sources": {"mutation": {"population": 30}}}),
    "no climb, samples off": ("emprox_nao", {"sources": {**ALL_PARENTS, "sample": "off"}}),
    # levers of the default of aged parents (tournaments of 10, named so the rows keep their meaning),
    # tried against it with --base "no climb, aged parents (population 30)"
    "default, candidates 60": ("emprox_nao", {"candidates": 60, "sources": AGED}),
    "default, candidates 100": ("emprox_nao", {"candidates": 100, "sources": AGED}),
    "default, optimism 1": ("emprox_nao", {"optimism": 1.0, "sources": AGED}),
    "default, crossover": ("emprox_nao", {"sources": {**AGED, "crossover": {}}}),
    "default, crossover population 0": ("emprox_nao", {"sources": {**AGED, "crossover": {"population": 0}}}),
    "default, one child per parent": ("emprox_nao", {"sources": {"mutation": {"population": 30, "per_parent": 1}}}),
    "default, two children per parent": ("emprox_nao", {"sources": {"mutation": {"population": 30, "per_parent": 2}}}),
    "default, tournament 20": ("emprox_nao", {"sources": {"mutation": {"population": 30, "tournament": 20}}}),
    "default, tournament 30": ("emprox_nao", {"sources": {"mutation": {"population": 30, "tournament": 30}}}),
    "default, linear auto": ("emprox_nao", {"surrogate": {"name": "label_aware", "ranker": {"linear": "auto"}},
                                            "sources": AGED}),
    # today's default (tournaments of 20 among the 30 youngest) and the levers tried against it
    "default": ("emprox_nao", {}),
    "default, neighbourhoods of the 3 best": ("emprox_nao", {"sources": {"neighborhood": {"parents": 3}}}),
    "default, neighbourhood of the best": ("emprox_nao", {"sources": {"neighborhood": {"parents": 1}}}),
    "default, neighbourhoods instead of mutations": ("emprox_nao", {"sources": {"mutation": "off",
                                                                                "neighborhood": {"parents": 3}}}),
    # the ranker: the GIN ensemble's own heads instead of EmProx's kNN in their embedding (a regressor
    # that can rank a candidate above every known value), fewer neighbours, and more frequent retraining
    "default, GIN ensemble ranks": ("emprox_nao", {"surrogate": {"name": "gin", "options": dict(MEASURED_RANKER)}}),
    "default, ranker k 3": ("emprox_nao", {"surrogate": {"name": "label_aware", "k": 3}}),
    # the uniform samples' share of each batch (at least a fifth, by the allocation's floor) handed to the
    # mutations, and a younger parent pool
    "default, samples off": ("emprox_nao", {"sources": {"sample": "off"}}),
    "default, population 20": ("emprox_nao", {"sources": {"mutation": {"population": 20, "tournament": 20}}}),
    "default, ranker retrained at 10% growth": ("emprox_nao", {"surrogate": {"name": "label_aware",
                                                                              "ranker": {"refit_growth": 0.1}}}),
    # the ranker's GIN trained on shuffled minibatches of 32 (the same passes in more, noisier steps): it
    # ordered good cells' one-edit mutations better at 300 known (benchmarks/local_ranking.py, seeds 100-109)
    "default, ranker minibatches of 32": ("emprox_nao", {"surrogate": {"name": "label_aware",
                                                                        "ranker": {"minibatch": 32}}}),
    # XGBoost on the space's encoding as the ranker: it ordered the one-edit mutations of good cells best
    # (benchmarks/local_ranking.py, within-parent Spearman 0.44 against the label-aware EmProx's 0.17 at 300 known)
    "default, XGBoost ranks": ("emprox_nao", {"surrogate": {"name": "xgb"}}),
    # the ranker at the predictor's own defaults (5 members, 200 steps): it ordered good cells' mutations
    # better than the search's lighter setting in benchmarks/local_ranking.py, at about three times the fit
    "default, ranker 5 members 200 steps": ("emprox_nao", {"surrogate": {"name": "label_aware",
                                                                          "ranker": {"members": 5, "epochs": 200}}}),
    # the mean of the search's label-aware EmProx and XGBoost as the ranker: it picked better one-edit mutations
    # of good cells than either alone on both spaces (benchmarks/local_ranking.py, seeds 100-109)
    "default, EmProx + XGBoost ranks": ("emprox_nao", {"surrogate": {"name": "ensemble", "options": {
        "members": {"emprox_label_aware": dict(MEASURED_RANKER), "xgb": {}}}}}),
    # the same mean for the one-edit mutations alone, the uniform samples ranked by the label-aware EmProx
    # (the mean for every candidate lost on NAS-Bench-201, where XGBoost screens the whole space worse)
    "default, XGBoost in the mutations' ranking": ("emprox_nao", {"surrogate": {"name": "label_aware",
                                                                                "local": {"xgb": {}}}}),
    # a small MLP ensemble on the one-hot encoding instead of the trees: it ordered NAS-Bench-301's
    # mutations best in benchmarks/local_ranking.py (the surrogate benchmark is itself a network)
    "default, an MLP in the mutations' ranking": ("emprox_nao", {"surrogate": {"name": "label_aware",
                                                                             "local": {"mlp": LOCAL_MLP}}}),
    # the same MLP trained half as long: half its cost, if the order of a good cell's mutations survives
    "default, an MLP of 50 epochs in the mutations' ranking": ("emprox_nao", {"surrogate": {
        "name": "label_aware", "local": {"mlp": {**LOCAL_MLP, "epochs": 50}}}}),
    # the same MLP trained afresh only as the told set grows by a quarter or a half, and in between
    # trained 10 more epochs from where it stood on every told value: a fraction of the cost
    "default, a warm MLP in the mutations' ranking (growth 0.25)": ("emprox_nao", {"surrogate": {
        "name": "label_aware", "local": {"mlp": LOCAL_WARM_MLP}}}),
    "default, a warm MLP in the mutations' ranking (growth 0.5)": ("emprox_nao", {"surrogate": {
        "name": "label_aware", "local": {"mlp": {**LOCAL_WARM_MLP, "refit_growth": 0.5}}}}),
    # the warm MLP (growth 0.25) admitted to the ranking only while it has earned it: the mean ranks a round's
    # mutations only while it has ordered the search's earlier batches, predicted before they were told,
    # better than the ranker alone (local_admission: earned)
    "default, a warm MLP in the mutations' ranking once it earns it": ("emprox_nao", {"surrogate": {
        "name": "label_aware", "local": {"mlp": LOCAL_WARM_MLP}, "local_admission": "earned"}}),
    # the warm MLP (growth 0.25) neither fitted nor asked until the told set holds as many architectures as its
    # one-hot input has features (148 on DARTS): no regression ranks with fewer values than inputs
    # (local_admission: sized)
    "default, a warm MLP in the mutations' ranking once told values cover its inputs": ("emprox_nao", {"surrogate": {
        "name": "label_aware", "local": {"mlp": LOCAL_WARM_MLP}, "local_admission": "sized"}}),
}
# Every row keeps the defaults it was measured with ("default" is the label-aware ranker alone, as before the warm
# MLP joined the mutations' ranking); "today's default" is the search as it is now.
VARIANTS = {label: (optimizer, as_measured(options) if optimizer == "emprox_nao" else options)
            for label, (optimizer, options) in VARIANTS.items()}
VARIANTS["today's default"] = ("emprox_nao", {})
# the ranker's cost (rule: a default must beat its cheaper alternative somewhere): today's search with the ranker
# of 3 members it had until 2026-12-06, the same retrained at 40% growth instead of 20% (about a third fewer GIN
# steps over 500 evaluations), and with 2 members (today's default since)
VARIANTS["the 3-member ranker (the default until 2026-12-06)"] = (
    "emprox_nao", {"surrogate": {"name": "label_aware", "ranker": dict(MEASURED_RANKER)}})
VARIANTS["the 3-member ranker retrained at 40% growth"] = (
    "emprox_nao", {"surrogate": {"name": "label_aware", "ranker": {**MEASURED_RANKER, "refit_growth": 0.4}}})
VARIANTS["the 2-member ranker"] = (
    "emprox_nao", {"surrogate": {"name": "label_aware", "ranker": {**MEASURED_RANKER, "members": 2}}})
# and one member instead of today's two: does the second earn its cost?
VARIANTS["the 1-member ranker"] = (
    "emprox_nao", {"surrogate": {"name": "label_aware", "ranker": {**MEASURED_RANKER, "members": 1}}})
BASE = "EmProx-NAO faithful"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="100-109", help="seed range (tuning: 100-119)")
    parser.add_argument("--budget", type=int, default=300)
    parser.add_argument("--only", nargs="*", help="variant labels to run (the base always runs)")
    parser.add_argument("--base", default=BASE, choices=sorted(VARIANTS),
                        help="the variant every other one is paired with")
    parser.add_argument("--curves", help="also save every run's incumbent curve here (.npz, one array per variant)")
    parser.add_argument("--pool", nargs="+", metavar="NPZ",
                        help="run nothing: print the table of --curves files saved by runs on other seeds, pooled; "
                             "files of the same seeds are joined (the variants all seed ranges share; no wall column)")
    args = parser.parse_args(argv)
    if args.pool:
        return _print_pooled(args.pool, args.base)
    base = args.base
    first, _, last = args.seeds.partition("-")
    seeds = list(range(int(first), int(last or first) + 1))
    from nasearch.registry import get_search_space
    from nasearch.threads import set_threads

    set_threads()   # $NASEARCH_THREADS, default one: torch's own default oversubscribes a shared core
    space = get_search_space("darts")
    chosen = {label: v for label, v in VARIANTS.items() if not args.only or label in args.only or label == base}
    curves, walls, stalls = {}, {}, {}
    warnings.simplefilter("ignore")
    for label, (optimizer, options) in chosen.items():
        rows, seconds = [], []
        for seed in seeds:
            start = time.perf_counter()
            search = Search(space, None, optimizer, args.budget, seed, options=options)
            try:
                search.run()
            except NasearchError:   # the variant ran out of new proposals: its best so far stands
                stalls[label] = stalls.get(label, 0) + 1
            seconds.append(time.perf_counter() - start)
            curve = [t.incumbent for t in search.history.trials]
            rows.append(curve + [curve[-1]] * (args.budget - len(curve)))
        curves[label], walls[label] = np.array(rows, dtype=float), float(np.mean(seconds))
        print(f"{label} done", file=sys.stderr, flush=True)
    if args.curves:
        np.savez(args.curves, seeds=np.array(seeds), **curves)
    _print_table(curves, base, args.seeds, walls, stalls)


def _print_pooled(files: list, base: str) -> None:
    """The table of the curves saved in ``files`` (``--curves``), seeds stacked. Files saved on the same
    seeds are first joined (a variant run in one process, another in a later one); the table holds the
    variants every seed range has, and the base must be one of them."""
    missing = [name for name in files if not Path(name).is_file()]
    if missing:
        _stop(f"no curves file {missing[0]}; save one with --curves FILE on a run first")
    ranges: dict = {}   # seeds → {label: (seeds, budget) curves}, in the order the files came
    for name in files:
        saved = np.load(name)
        joined = ranges.setdefault(tuple(int(seed) for seed in saved["seeds"]), {})
        for label in saved.files:
            if label != "seeds":
                joined.setdefault(label, saved[label])
    groups = list(ranges.values())
    shared = [label for label in groups[0] if all(label in group for group in groups)]
    if base not in shared:
        _stop(f"the base {base!r} is not in every seed range; name it with --base (they share: {'; '.join(shared)})")
    curves = {label: np.concatenate([group[label] for group in groups]) for label in shared}
    seeds = np.concatenate([np.array(key) for key in ranges])
    label = f"{int(seeds.min())}-{int(seeds.max())} ({len(seeds)} seeds, pooled)"
    _print_table(curves, base, label, None, {})


def _stop(message: str) -> None:
    """One line on stderr and exit status 2, as the CLI gives a bad input."""
    print(f"error: {message}", file=sys.stderr)
    sys.exit(2)


def _print_table(curves: dict, base: str, seeds_label: str, walls, stalls: dict) -> None:
    """Mean best value at 50, 100, 200 and the budget, and each variant's paired difference to ``base``."""
    runs, budget = curves[base].shape
    marks = [m for m in (50, 100, 200) if m < budget] + [budget]
    print(f"#### darts nb301 (surrogate benchmark), seeds {seeds_label}, {budget} evaluations\n")
    wall = " wall per run (s) |" if walls else ""
    print("| variant | " + " | ".join(f"at {m}" for m in marks) + f" | − {base} at {budget} (paired ± s.e.) |" + wall)
    print("|---" * (len(marks) + 2 + bool(walls)) + "|")
    for label, data in curves.items():
        means = " | ".join(f"{data[:, m - 1].mean():.3f}" for m in marks)
        if label == base:
            paired = ""
        else:
            mean, error = paired_difference(data[:, -1], curves[base][:, -1])
            paired = f"{mean:+.3f} ± {error:.3f} {verdict(mean, error, runs)}"
        stalled = f" (stalled on {stalls[label]} of {runs} seeds: no new proposal for 20 rounds)" \
            if label in stalls else ""
        print(f"| {label}{stalled} | {means} | {paired} |" + (f" {walls[label]:.1f} |" if walls else ""))


if __name__ == "__main__":
    main()
