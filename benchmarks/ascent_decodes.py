"""What the decoded ascent finds: validity, novelty, distance and gain of its decodes, against one-edit mutations.

    python benchmarks/ascent_decodes.py --space darts --seeds 100-104 --known 100 300

For each seed and each known-set size n, EmProx-NAO with the decoded ascent on
(``sources: {ascent: {}}``) searches to n evaluations, so the known set is one a climbing
search holds. Its guide is refitted on that set, and the ascent's own start and schedule
(:class:`~nasearch.optimizers.emprox_nao.sources.ascent.AscentSource`) move its ``n_seeds``
best known architectures up the surrogate's soft score by every step of its schedule and
decode them. Each band of steps then gets:

* valid: the share of decodes that are architectures of the space;
* new: the share of valid decodes that are neither known nor their own seed (and how many
  distinct architectures they are, summed over seeds);
* edits: the mean number of sequence tokens in which a new decode differs from its seed;
* predicted and true gain: the surrogate's and the objective's value of a new decode minus
  its seed's (percentage points), and the share of new decodes better than their seed.

The search ranks what the climb decodes, so a row takes the surrogate's best-ranked new
decode of each seed, at any λ. The references are one-edit mutations of the same seeds
(``--mutants`` each, none known) and the surrogate's best-ranked of them per seed, which is
what the mutation source offers.
The true gains are read from the objective (the benchmark), never shown to the search.
"""
from __future__ import annotations

import argparse
import sys
import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nasearch import Search  # noqa: E402
from nasearch.compare import paired_difference, verdict  # noqa: E402
from nasearch.errors import NasearchError  # noqa: E402
from nasearch.optimizers.emprox_nao.sources import AscentSource  # noqa: E402

FINE_STEP = 0.01   # λ increment of the measured schedule (the search's own is 0.05)
BANDS = ((1, 10), (11, 25), (26, 50), (51, 100))   # bands of steps of FINE_STEP: λ 0.01–0.10, … 0.51–1.00


def token_edits(space, a, b) -> int:
    return int(np.sum(np.asarray(space.to_sequence(a)) != np.asarray(space.to_sequence(b))))


def state(space_name, dataset, seed, known):
    """A climbing search's optimizer after ``known`` evaluations, its guide refitted on them."""
    options = {"sources": {"ascent": {}}}
    search = Search(space_name, None if not dataset else _objective(space_name, dataset), "emprox_nao",
                    known, seed, options=options)
    search.run()
    optimizer = search.optimizer
    optimizer.guide.fit(optimizer.known_archs, optimizer.known_values)
    return search, optimizer


def _objective(space_name, dataset):
    from nasearch.objective import TabularObjective
    from nasearch.registry import get_search_space

    return TabularObjective(get_search_space(space_name), dataset)


def measure(search, optimizer, mutants: int, rng) -> dict:
    """``({row: [(valid, new, edits, predicted, true), ...]}, {row: distinct new architectures},
    paired)``: one record per decode (or mutation), NaN where it is not new; ``paired`` is the mean
    over starting cells of the true gain of the best-ranked decode minus the best-ranked mutation."""
    space, guide = search.space, optimizer.guide
    searched = next(source for source in optimizer.sources if source.name == "ascent")
    ascent = AscentSource(replace(searched.config, step=FINE_STEP, max_steps=BANDS[-1][1]), optimizer.context)
    metric = search.objective.metric

    def value(arch):
        return float(search.objective.evaluate(arch)[metric])

    scored = {}   # arch id -> (score, value): a cell decoded at several λ is scored and queried once

    def score_and_value(arch):
        key = space.arch_id(arch)
        if key not in scored:
            scored[key] = (float(guide.score([arch])[0]), value(arch))
        return scored[key]

    seeds = guide.best(optimizer.config.n_seeds)
    seed_values = [value(a) for a in seeds]
    seed_scores = guide.score(seeds)
    known = set(optimizer.known_ids)
    last = BANDS[-1][1]
    decoded = ascent.decode_at(guide, ascent.start(guide, seeds), list(range(1, last + 1)))
    rows, counts = {}, {}
    decodes_of = [[] for _ in seeds]   # per seed: the records of its new decodes at every λ
    for low, high in BANDS:
        records = []
        distinct = set()
        for step in range(low, high + 1):
            for index, arch in enumerate(decoded[(step - 1) * len(seeds): step * len(seeds)]):
                if arch is None:
                    records.append((0, 0, np.nan, np.nan, np.nan))
                    continue
                new = space.arch_id(arch) not in known and space.arch_id(arch) != space.arch_id(seeds[index])
                if not new:
                    records.append((1, 0, np.nan, np.nan, np.nan))
                    continue
                score, true = score_and_value(arch)
                records.append((1, 1, token_edits(space, arch, seeds[index]), score - seed_scores[index],
                                true - seed_values[index]))
                distinct.add(space.arch_id(arch))
                decodes_of[index].append(records[-1])
        label = f"ascent, λ {low * FINE_STEP:.2f}–{high * FINE_STEP:.2f}"
        rows[label], counts[label] = records, len(distinct)
    # what the search would take of the climb: the surrogate's best-ranked new decode of each seed
    label = "the surrogate's best-ranked new decode per seed (any λ)"
    best_decodes = [max(records, key=lambda r: r[3]) if records else None for records in decodes_of]
    rows[label] = [r for r in best_decodes if r is not None]
    counts[label] = len(rows[label])
    plain, ranked = [], []
    for index, seed in enumerate(seeds):
        children = []
        while len(children) < mutants:
            child = space.mutate(seed, rng)
            if child is not None and space.arch_id(child) not in known:
                children.append(child)
        predicted = guide.score(children) - seed_scores[index]
        true = np.array([value(c) for c in children]) - seed_values[index]
        edits = [token_edits(space, c, seed) for c in children]
        plain += [(1, 1, e, p, t) for e, p, t in zip(edits, predicted, true)]
        best = int(np.argmax(predicted))
        ranked.append((1, 1, edits[best], predicted[best], true[best]))
    rows[f"one-edit mutations ({mutants} per seed)"] = plain
    rows["the surrogate's best-ranked mutation per seed"] = ranked
    counts.update({label: len(rows[label]) for label in list(rows)[-2:]})
    # the two screened rows paired on the starting cells that have a new decode
    paired = [d[4] - m[4] for d, m in zip(best_decodes, ranked) if d is not None]
    return rows, counts, float(np.mean(paired)) if paired else np.nan


def summarise(per_seed: list) -> list:
    """Table rows from :func:`measure`'s results, one per seed; gains ± s.e. over seeds."""
    lines = []
    counts = [c for _, c, _ in per_seed]
    per_seed = [rows for rows, _, _ in per_seed]
    for row in per_seed[0]:
        pooled = np.array([r for rows in per_seed for r in rows[row]], dtype=float)
        new = pooled[pooled[:, 1] == 1]
        arrays = [np.array(rows[row], dtype=float) for rows in per_seed]
        seed_gains = [np.nanmean(a[:, 4]) for a in arrays if np.any(a[:, 1] == 1)]
        error = np.std(seed_gains, ddof=1) / np.sqrt(len(seed_gains)) if len(seed_gains) > 1 else np.nan
        if len(new):
            cells = (f"{100 * pooled[:, 0].mean():.0f}% | {100 * new.shape[0] / max(pooled[:, 0].sum(), 1):.0f}% "
                     f"({sum(c[row] for c in counts)}) | {np.mean(new[:, 2]):.1f} | {np.mean(new[:, 3]):+.3f} | "
                     f"{np.mean(seed_gains):+.3f} ± {error:.3f} | {100 * np.mean(new[:, 4] > 0):.0f}%")
        else:
            cells = f"{100 * pooled[:, 0].mean():.0f}% | 0% (0) | – | – | – | –"
        lines.append(f"| {row} | {cells} |")
    return lines


def state_arguments(description: str, seeds: str):
    """The arguments every known-set diagnostic shares: ``--space``, ``--seeds``, ``--known``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--space", default="darts")
    parser.add_argument("--seeds", default=seeds, help="seed range (tuning: 100-119)")
    parser.add_argument("--known", type=int, nargs="+", default=[100, 300], help="known-set sizes")
    return parser


def over_states(args, measure):
    """``(known, [measure(seed, known) for every seed])`` for each known-set size of ``args``, on
    the project's thread setting, with progress on stderr."""
    from nasearch.threads import set_threads

    first, _, last = args.seeds.partition("-")
    try:
        seeds = list(range(int(first), int(last or first) + 1))
    except ValueError:
        raise SystemExit(f"error: --seeds must be a seed or a range such as 100-109, got {args.seeds!r}") from None
    if not seeds or min(args.known) < 1:
        raise SystemExit(f"error: --seeds {args.seeds!r} and --known {args.known} must name at least one seed and "
                         "sizes >= 1, e.g. --seeds 100-109 --known 100 300")
    set_threads()
    warnings.simplefilter("ignore")
    for known in args.known:
        results = []
        for seed in seeds:
            try:
                results.append(measure(seed, known))
            except NasearchError as error:   # an unknown space or dataset, a search that cannot run
                raise SystemExit(f"error: {error}") from None
            print(f"{known} known, seed {seed} done", file=sys.stderr, flush=True)
        yield known, results


def main(argv=None) -> None:
    parser = state_arguments(__doc__.splitlines()[0], "100-104")
    parser.add_argument("--dataset", default="", help="default: the space's scoring dataset (darts: nb301)")
    parser.add_argument("--mutants", type=int, default=20, help="one-edit mutations per seed")
    args = parser.parse_args(argv)
    described = {}

    def one(seed, known):
        search, optimizer = state(args.space, args.dataset, seed, known)
        described.update(name=search.objective.describe(), seeds=optimizer.config.n_seeds)
        return measure(search, optimizer, args.mutants, np.random.default_rng(seed))

    for known, per_seed in over_states(args, one):
        print(f"#### {described['name']}: {known} known, seeds {args.seeds}, the {described['seeds']} best known "
              "as seeds\n")
        print("| proposals | valid | new (distinct) | token edits | predicted gain | true gain (± s.e. over seeds) "
              "| better than its seed |")
        print("|---|---|---|---|---|---|---|")
        print("\n".join(summarise(per_seed)) + "\n")
        paired = np.array([p for _, _, p in per_seed if np.isfinite(p)])
        mean, error = paired_difference(paired, np.zeros_like(paired))
        print(f"Best-ranked decode − best-ranked mutation, true gain paired on each starting cell and averaged per "
              f"seed: {mean:+.3f} ± {error:.3f} over {len(paired)} seeds, {verdict(mean, error, len(paired))}\n",
              flush=True)


if __name__ == "__main__":
    main()
