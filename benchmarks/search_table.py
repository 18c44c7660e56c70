"""EmProx-NAO against RE, RE + EmProx screen and TPE at 50/100/200/300 evaluations, paired by seed.

    python benchmarks/search_table.py experiments/search/*_budget300_compare.yaml

Runs (or resumes) each comparison with ``compare`` (its trials are ordinary run
directories, so a second call only tabulates) and prints, per space and dataset
and per checkpoint: the mean best validation value of each optimizer; the paired
difference EmProx-NAO − contender over the same seeds with its standard error,
and a verdict (a win or a loss beyond two standard errors, else a tie; none below 5 seeds); how
many seeds reached the optimum by then; and, at the end, the median evaluations
to the optimum, the regret at 100 evaluations and the wall time per 100-evaluation
search (pretraining excluded), and proposals per distinct architecture (TPE re-proposes
architectures it has seen; the search answers those from the history, so its budget
counts distinct architectures, and this column shows what charging repeats would cost).

Hardware-aware configs (``experiments/search/hw_*_compare.yaml``) print compare's
own table instead: with several objectives, the hypervolume ratio (found front ÷
true front) per optimizer at 50/100/200/300 evaluations with paired differences
against the first optimizer; with constraints, the best feasible value, the seeds
that reach the constrained optimum and the evaluations spent on infeasible cells.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nasearch.compare import paired_difference, run_config_file, verdict  # noqa: E402
from nasearch.errors import NasearchError  # noqa: E402
from nasearch.seeding import restart_with_fixed_hash_seed  # noqa: E402

CHECKPOINTS = (50, 100, 200, 300, 500)
DEFAULT_HEADLINE = "EmProx-NAO"


def tabulate(config, trials, results, headline: str = "", checkpoints=CHECKPOINTS) -> str:
    labels = [spec.display() for spec in config.optimizers]
    # The contender the others are measured against: --headline, else EmProx-NAO, else the last listed.
    headline_label = headline or (DEFAULT_HEADLINE if DEFAULT_HEADLINE in labels else labels[-1])
    if headline_label not in labels:
        raise SystemExit(f"error: --headline {headline_label!r} is not an optimizer label; choose one of {labels}")
    curves = {label: np.array([r.incumbents for t, r in zip(trials, results) if t.label == label], dtype=float)
              for label in labels}
    summaries = {label: [r.summary for t, r in zip(trials, results) if t.label == label] for label in labels}
    optimum = summaries[labels[0]][0].optimum
    dataset = summaries[labels[0]][0].dataset
    # What a seed's search is measured against: the optimum, or where it is unknown (a space too large
    # to list) the best value any contender reached on that seed by the end of the budget.
    best_any = np.max([curves[label][:, -1] for label in labels], axis=0)
    target = np.full(len(best_any), optimum) if optimum is not None else best_any
    reference = (f"optimum {optimum}" if optimum is not None else
                 f"optimum unknown; best any contender reached, mean over seeds {best_any.mean():.3f}")
    contenders = [label for label in labels if label != headline_label]
    seeds = (f"{config.seeds} seeds" if not config.first_seed else
             f"{config.seeds} seeds ({config.first_seed}–{config.first_seed + config.seeds - 1})")
    hits_of = "optimum hits" if optimum is not None else "seeds at the best any found"
    lines = [f"#### {config.search.space} {dataset}, {seeds}, {reference}", "",
             "| evaluations | " + " | ".join(f"{label} mean best val ({hits_of})" for label in labels) + " | " +
             " | ".join(f"{headline_label} − {label} (paired ± s.e.)" for label in contenders) + " |",
             "|---" * (1 + len(labels) + len(contenders)) + "|"]
    for checkpoint in checkpoints:
        if checkpoint > config.search.budget:
            continue
        cells = []
        for label in labels:
            at = curves[label][:, checkpoint - 1]
            cells.append(f"{at.mean():.3f} ({int(np.sum(at >= target - 1e-9))})")
        for label in contenders:
            mean, error = paired_difference(curves[headline_label][:, checkpoint - 1],
                                            curves[label][:, checkpoint - 1])
            cells.append(f"{mean:+.3f} ± {error:.3f} {verdict(mean, error, len(curves[label]))}")
        lines.append(f"| {checkpoint} | " + " | ".join(cells) + " |")
    goal = "optimum" if optimum is not None else "best any found"
    lines += ["", f"| optimizer | median evaluations to the {goal} | regret at 100 | wall per 100 evaluations (s) | "
              "proposals per distinct architecture |", "|---|---|---|---|---|"]
    for label in labels:
        reached = [int(np.argmax(curve >= aim - 1e-9)) + 1 for curve, aim in zip(curves[label], target)
                   if curve[-1] >= aim - 1e-9]
        median = f"{np.median(reached):.0f} ({len(reached)}/{len(curves[label])})" if reached else "–"
        # max(0, .) keeps a regret of float round-off (a target minus a mean of targets) from printing as -0.000
        regret = f"{max(0.0, float(np.mean(target - curves[label][:, 99]))):.3f}"
        wall = np.mean([100 * s.wall_seconds / s.queries for s in summaries[label]])
        # a peer that re-proposes (TPE) counts its proposals, repeats included; the others never repeat
        proposals = [s.optimizer_stats.get("proposals", s.queries) / s.queries for s in summaries[label]]
        lines.append(f"| {label} | {median} | {regret} | {wall:.2f} | {np.mean(proposals):.2f} |")
    return "\n".join(lines)


def main() -> None:
    restart_with_fixed_hash_seed()   # SMAC's local search follows string hashing, as in the CLI
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], allow_abbrev=False)
    parser.add_argument("configs", nargs="+")
    parser.add_argument("--quiet", action="store_true")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="override a config key, as compare's --set (e.g. seeds=5 output=DIR)")
    parser.add_argument("--headline", default="", help="the label the others are paired against "
                        "(default: EmProx-NAO, else the last optimizer of the config)")
    parser.add_argument("--at", type=int, nargs="+", default=list(CHECKPOINTS), metavar="N",
                        help="the evaluation counts the table reads (default: %(default)s); "
                             "counts past the budget are left out")
    args = parser.parse_args()
    if min(args.at) < 1:
        raise SystemExit(f"error: --at counts must be >= 1, got {min(args.at)}; e.g. --at 50 96 128")
    for path in args.configs:
        config, trials, results, table = run_config_file(path, progress=not args.quiet, overrides=args.set)
        sets = "".join(f" --set {item}" for item in args.set)
        print(f"```bash\npython main.py compare --config {path}{sets}\n```\n")
        hardware = config.search.constraints or config.multi_objective
        print((table if hardware else tabulate(config, trials, results, args.headline, sorted(set(args.at)))) + "\n", flush=True)


if __name__ == "__main__":
    try:
        main()
    except NasearchError as error:   # a bad config: one line, as the CLI gives it
        print(f"error: {error}", file=sys.stderr)
        sys.exit(2)
