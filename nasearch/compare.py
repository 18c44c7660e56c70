"""Compare optimizers across seeds: run contender × seed searches, then tabulate and plot.

A comparison is many searches built from one :class:`~nasearch.experiment.CompareConfig`.
Every trial is an ordinary search run in ``<output>/<label>/seed<k>/``, so an
interrupted comparison resumes: finished trials are read back, unfinished ones
resumed. Trials run through :mod:`nasearch.executors` (local worker processes, or
Ray tasks with ``--executor ray``); each pins torch to one thread, so its numbers
do not depend on the executor or on how many trials share a machine.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import numpy as np

from .compare_runner import execute, prepare_trials
from .experiment import CompareConfig, load_compare_config
from .runs.directory import (COMPARE_PLOT, COMPARE_TABLE, HYPERVOLUME_CSV, HYPERVOLUME_JSON, INCUMBENTS, RETRIES,
                            SUMMARY, RunDirectory)


def run_config_file(path, progress: bool = True, overrides=()) -> tuple:
    """Run (or resume) the comparison a YAML file describes, with ``key=value`` ``overrides`` (as
    ``--set``), and write its outputs; returns ``(config, trials, results, table)`` for benchmark
    scripts that tabulate further."""
    from .config import apply_overrides, load_yaml

    config = load_compare_config(apply_overrides(load_yaml(path), overrides))
    trials = prepare_trials(config)
    results = execute(trials, "local", config.workers, progress=progress, retries=config.retries,
                      output=config.output)
    return config, trials, results, write_outputs(config.output, config, trials, results)


def paired_difference(first: np.ndarray, second: np.ndarray) -> tuple:
    """Mean and standard error of ``first − second`` paired by seed (``(seeds,)`` arrays)."""
    difference = np.asarray(first, dtype=float) - np.asarray(second, dtype=float)
    error = difference.std(ddof=1) / np.sqrt(len(difference)) if len(difference) > 1 else float("nan")
    return float(difference.mean()), float(error)


#: Fewer paired seeds than this give no verdict at all.
MIN_VERDICT_SEEDS = 5
#: A win or a loss needs a paired mean difference beyond this many standard errors.
VERDICT_ERRORS = 2.0


def verdict(mean: float, error: float, seeds: int) -> str:
    """"win" or "loss" when the paired difference over ``seeds`` seeds exceeds two standard errors,
    "tie" within that, and "too few seeds for a verdict" below :data:`MIN_VERDICT_SEEDS` seeds."""
    if seeds < MIN_VERDICT_SEEDS:
        return "too few seeds for a verdict"
    if mean == 0 or not abs(mean) > VERDICT_ERRORS * error:
        return "tie"
    return "win" if mean > 0 else "loss"


def checkpoints(budget: int) -> list:
    """Evaluation counts the comparison tables report: 50, 100, 200, 300, ... up to the budget."""
    marks = [m for m in (25, 50, 100, 200, 300, 500, 1000) if m < budget and (m >= budget / 8)]
    return marks + [budget]


def _by_contender(config: CompareConfig, trials: list, results: list) -> dict:
    """Label → that contender's TrialResults, in seed order."""
    return {spec.display(): [r for t, r in zip(trials, results) if t.label == spec.display()]
            for spec in config.optimizers}


def curves_of(config: CompareConfig, trials: list, results: list, series: str) -> dict:
    """Label → ``(seeds, budget)`` array of a TrialResult series (``incumbents``,
    ``incumbent_reports`` or ``hypervolumes``; NaN before it exists)."""
    return {label: np.array([[np.nan if v is None else v for v in getattr(r, series)] for r in mine], dtype=float)
            for label, mine in _by_contender(config, trials, results).items()}


@dataclass(frozen=True)
class HypervolumeRow:
    """At ``evaluations``: mean ± std hypervolume ratio per contender, and the first contender's
    paired difference to each other one (mean, standard error, verdict)."""

    evaluations: int
    ratio: dict
    difference: dict


def hypervolume_rows(config: CompareConfig, trials: list, results: list) -> list:
    curves = curves_of(config, trials, results, "hypervolumes")
    labels = list(curves)
    rows = []
    for mark in checkpoints(config.search.budget):
        ratio, difference = {}, {}
        for label in labels:
            at = np.nan_to_num(curves[label][:, mark - 1], nan=0.0)
            ratio[label] = (float(at.mean()), float(at.std()))
        for label in labels[1:]:
            mean, error = paired_difference(np.nan_to_num(curves[labels[0]][:, mark - 1]),
                                            np.nan_to_num(curves[label][:, mark - 1]))
            difference[label] = (mean, error, verdict(mean, error, len(curves[label])))
        rows.append(HypervolumeRow(mark, ratio, difference))
    return rows


def _mean_std(values) -> tuple:
    """Mean and std over the finite entries (NaN, NaN when there are none)."""
    values = np.array([np.nan if v is None else v for v in values], dtype=float)
    finite = values[np.isfinite(values)]
    return (float(finite.mean()), float(finite.std())) if len(finite) else (float("nan"), float("nan"))


@dataclass(frozen=True)
class ContenderRow:
    """One contender over its seeds: ``(mean, std)`` pairs of the best value, the report metric of
    the best architecture, regret and wall seconds; how many seeds found the optimum and the median
    evaluations they needed; the front sizes (several objectives) and the mean evaluations of
    infeasible architectures and proposals rejected before evaluation (under constraints)."""

    optimizer: str
    seeds: int
    best_val: tuple
    report_of_best: tuple
    regret: tuple
    found_optimum: int
    median_queries_to_optimum: Optional[float]
    wall_seconds: tuple
    front_size: Optional[tuple] = None
    true_front_size: Optional[int] = None
    infeasible_queries: Optional[float] = None
    rejected_before_query: Optional[float] = None
    #: trials rerun after a lost worker: ``[{"seed", "retries", "nodes"}]`` (empty when none was)
    retried: tuple = ()


def retried_trials(output, label: str) -> tuple:
    """``label``'s trials that ``output``'s ``retries.jsonl`` records as rerun: seed, retries, lost nodes."""
    by_seed: dict = {}
    for record in RunDirectory(output).read_json_lines(RETRIES):
        if record.get("label") == label and record.get("retried"):
            entry = by_seed.setdefault(record["seed"], {"seed": record["seed"], "retries": 0, "nodes": []})
            entry["retries"] += 1
            entry["nodes"].append(record.get("node", "")[:8] or "unknown")
    return tuple(by_seed[seed] for seed in sorted(by_seed))


def aggregate(config: CompareConfig, trials: list, results: list) -> list:
    """One :class:`ContenderRow` per contender."""
    rows = []
    for label, mine in _by_contender(config, trials, results).items():
        extra = {"retried": retried_trials(config.output, label)}
        summaries = [r.summary for r in mine]
        reached = [s.queries_to_optimum for s in summaries if s.queries_to_optimum is not None]
        if summaries[0].multi_objective:
            extra.update(front_size=_mean_std([s.front_size for s in summaries]),
                         true_front_size=summaries[0].true_front_size)
        if config.search.constraints:
            extra.update(infeasible_queries=float(np.mean([s.infeasible_queries or 0 for s in summaries])),
                         rejected_before_query=float(np.mean([s.rejected_before_query or 0 for s in summaries])))
        rows.append(ContenderRow(label, len(summaries), _mean_std([s.best_value for s in summaries]),
                                 _mean_std([s.report_of_best for s in summaries]),
                                 _mean_std([s.regret for s in summaries]), len(reached),
                                 float(np.median(reached)) if reached else None,
                                 _mean_std([s.wall_seconds for s in summaries]), **extra))
    return rows


def markdown(rows: list, config: CompareConfig, dataset: str, metric: str, hypervolume: Optional[list] = None) -> str:
    """The comparison table; ``dataset`` and ``metric`` as the trials resolved them."""
    search = config.search
    head = " ".join(part for part in (str(search.space), dataset) if part)
    if hypervolume:
        labels = list(hypervolume[0].ratio)
        lines = [f"{head}, objectives {list(search.objectives)}, {search.budget} queries, "
                 f"{config.seeds} seeds: hypervolume of the found front ÷ the true front's (mean ± std)", "",
                 "| evaluations | " + " | ".join(labels) + " | " +
                 " | ".join(f"{labels[0]} − {label} (paired ± s.e.)" for label in labels[1:]) + " |",
                 "|---" * (len(labels) * 2) + "|"]
        for row in hypervolume:
            cells = [f"{m:.4f} ± {s:.4f}" for m, s in row.ratio.values()]
            cells += [f"{m:+.4f} ± {e:.4f} {v}" for m, e, v in row.difference.values()]
            lines.append(f"| {row.evaluations} | " + " | ".join(cells) + " |")
        lines += ["", "| optimizer | front size | true front size | wall (s) |", "|---|---|---|---|"]
        lines += [f"| {r.optimizer} | {r.front_size[0]:.1f} ± {r.front_size[1]:.1f} | "
                  f"{r.true_front_size} | {r.wall_seconds[0]:.1f} ± {r.wall_seconds[1]:.1f} |" for r in rows]
        return "\n".join(lines)
    goal = f"objective {metric}"
    if search.constraints:
        goal += " subject to " + ", ".join(f"{m} {v}" for m, v in search.constraints.items())
    # columns a benchmark cannot fill (no report metric, no known optimum) are left out, not shown as nan
    reported = any(np.isfinite(r.report_of_best[0]) for r in rows)
    known = any(np.isfinite(r.regret[0]) for r in rows)
    header = ["optimizer", "best val"] + (["test of best-val arch"] if reported else []) + \
        (["regret", "optimum found", "median queries to optimum"] if known else []) + ["wall (s)"]
    lines = [f"{head}, {goal}, {search.budget} queries, {config.seeds} seeds (mean ± std)"
             + ("" if known else "; the optimum is unknown"), "",
             "| " + " | ".join(header) + " |", "|---" * len(header) + "|"]
    for r in rows:
        cells = [r.optimizer, f"{r.best_val[0]:.3f} ± {r.best_val[1]:.3f}"]
        if reported:
            cells.append(f"{r.report_of_best[0]:.3f} ± {r.report_of_best[1]:.3f}")
        if known:
            median = "–" if r.median_queries_to_optimum is None else f"{r.median_queries_to_optimum:.0f}"
            cells += [f"{r.regret[0]:.3f} ± {r.regret[1]:.3f}", f"{r.found_optimum}/{r.seeds}", median]
        cells.append(f"{r.wall_seconds[0]:.1f} ± {r.wall_seconds[1]:.1f}")
        lines.append("| " + " | ".join(cells) + " |")
    if search.constraints:
        lines += ["", "| optimizer | evaluations of infeasible architectures | proposals rejected before evaluation |",
                  "|---|---|---|"]
        lines += [f"| {r.optimizer} | {r.infeasible_queries:.1f} | {r.rejected_before_query:.1f} |" for r in rows]
    return "\n".join(lines)


def write_outputs(directory, config: CompareConfig, trials: list, results: list) -> str:
    """``compare.md`` (returned), ``summary.json``, ``incumbents.csv``, ``compare.png`` and, with
    several objectives, ``hypervolume.csv``/``hypervolume.json``."""
    import dataclasses

    first = results[0].summary   # the defaults the trials resolved ("" = the space's first dataset)
    dataset, metric = config.search.dataset or first.dataset or "", config.search.metric or first.metric or ""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    files = RunDirectory(directory)
    with open(files.file(INCUMBENTS), "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["optimizer", "seed", "query", "incumbent", "incumbent_report"])
        for trial, result in zip(trials, results):
            for query, (value, report) in enumerate(zip(result.incumbents, result.incumbent_reports), start=1):
                writer.writerow([trial.label, trial.seed, query, value, report])
    rows = aggregate(config, trials, results)
    hypervolume = None
    if config.multi_objective:
        hypervolume = hypervolume_rows(config, trials, results)
        with open(files.file(HYPERVOLUME_CSV), "w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["optimizer", "seed", "query", "hypervolume_ratio"])
            for trial, result in zip(trials, results):
                for query, ratio in enumerate(result.hypervolumes, start=1):
                    writer.writerow([trial.label, trial.seed, query, ratio])
        files.write_json(HYPERVOLUME_JSON, [dataclasses.asdict(r) for r in hypervolume])
    files.write_json(SUMMARY, [dataclasses.asdict(r) for r in rows])
    table = markdown(rows, config, dataset, metric, hypervolume)
    retried = [f"{r.optimizer} seed {entry['seed']} ({entry['retries']}, lost on {', '.join(entry['nodes'])})"
               for r in rows for entry in r.retried]
    if retried:   # a lost worker (Ray node) cost these trials a rerun, not a result
        table += f"\n\nTrials rerun after their worker was lost (retries, nodes): {'; '.join(retried)}."
    files.write_text(COMPARE_TABLE, table + "\n")
    plot(files.file(COMPARE_PLOT), config, trials, results, dataset, metric)
    return table


def plot(path, config: CompareConfig, trials: list, results: list, dataset: str, metric: str) -> None:
    """Incumbent curves per contender (see :func:`nasearch.plots.compare_plot`)."""
    from .plots import compare_plot

    search = config.search
    where = " ".join(part for part in (str(search.space), dataset) if part)   # no dangling space without a dataset
    if config.multi_objective:
        curves = {label: np.nan_to_num(curve, nan=0.0)
                  for label, curve in curves_of(config, trials, results, "hypervolumes").items()}
        compare_plot(path, curves, f"{where}, objectives {list(search.objectives)}",
                     "hypervolume ratio (found ÷ true front)", 1.0)
        return
    curves = {label: [r.incumbents for r in mine] for label, mine in _by_contender(config, trials, results).items()}
    optima = {r.summary.optimum for r in results}
    optimum = optima.pop() if len(optima) == 1 else None
    unit = results[0].summary.unit
    compare_plot(path, curves, f"{where}, {search.budget} evaluations",
                 metric + (f" ({unit})" if unit else ""), optimum)
