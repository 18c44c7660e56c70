"""Compare optimizers across seeds: run optimizer × seed searches, then tabulate and plot.

Every trial is an ordinary search run in ``<output>/<label>/seed<k>/`` (so an
interrupted comparison resumes: finished trials are kept, unfinished ones are
resumed). Trials run in local worker processes, or on a Ray cluster with
``--executor ray``; each trial pins torch to one thread, so its numbers do not
depend on the executor or on how many trials share a machine.
"""
from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import numpy as np

from .config import ComponentSpec, build, to_dict
from .errors import ConfigError


OptimizerSpec = ComponentSpec   #: an optimizer to compare: name, label, options


@dataclass(frozen=True)
class CompareConfig:
    space: str = "nasbench201"
    data: Optional[str] = None
    dataset: str = ""                #: "" = the space's first dataset
    metric: str = ""                 #: "" = val when the table has it
    epochs: Optional[int] = None
    report_metric: Optional[str] = None   #: None = test when the table has it
    objectives: Optional[tuple] = None   #: several = multi-objective (hypervolume ratios), e.g. [val, -latency@edgegpu]
    constraints: dict = field(default_factory=dict)   #: e.g. {latency@edgegpu: "<= 4.13"}
    budget: int = 100
    seeds: int = 20                  #: seeds 0..seeds-1
    optimizers: tuple = (OptimizerSpec("emprox_nao"), OptimizerSpec("evolution"), OptimizerSpec("random"))
    workers: int = 2                 #: local worker processes
    output: str = "runs/compare"

    def __post_init__(self):
        if self.seeds < 1 or self.workers < 1:
            raise ConfigError("seeds and workers must be >= 1")
        labels = [o.display() for o in self.optimizers]
        if len(set(labels)) != len(labels):
            raise ConfigError(f"optimizer labels must be unique, got {labels}")


def load_compare_config(data: dict) -> CompareConfig:
    data = dict(data)
    if "optimizers" in data:
        data["optimizers"] = tuple(build(OptimizerSpec, {"name": o} if isinstance(o, str) else o, "optimizers")
                                   for o in data["optimizers"])
    return build(CompareConfig, data)


def trial_configs(config: CompareConfig, data_override=None) -> list:
    """``(label, seed, search-config dict, directory)`` for every trial, validated up front."""
    from .search import build_search, load_search_config

    trials = []
    for spec in config.optimizers:
        for seed in range(config.seeds):
            directory = Path(config.output) / spec.display().replace(" ", "_") / f"seed{seed}"
            search = {"space": config.space, "data": data_override or config.data, "dataset": config.dataset,
                      "metric": config.metric, "epochs": config.epochs, "report_metric": config.report_metric,
                      "objectives": None if config.objectives is None else list(config.objectives),
                      "constraints": dict(config.constraints),
                      "optimizer": spec.name, "options": dict(spec.options), "budget": config.budget,
                      "seed": seed, "output": str(directory)}
            if seed == 0:
                build_search(load_search_config(search))   # bad names, options or data fail before any work
            trials.append((spec.display(), seed, search, str(directory)))
    return trials


def run_trial(search: dict, directory: str) -> dict:
    """Run or resume one search in its own directory (executed in a worker); returns its summary
    and the incumbent curve."""
    from .history import History
    from .run_directory import save_config
    from .search import load_search_config, run_search
    from .threads import set_threads

    set_threads(1)
    path = Path(directory)
    path.mkdir(parents=True, exist_ok=True)
    summary_path = path / "summary.json"
    config = load_search_config(search)
    saved = path / "config.yaml"
    if saved.is_file():
        from .config import load_yaml
        current = to_dict(config)
        defaults = to_dict(load_search_config({}))
        # a key the saved config lacks was added to nasearch later: its default is what that run used
        previous = {**{k: v for k, v in defaults.items() if k in current}, **load_yaml(saved)}
        if previous != current:
            changed = sorted(k for k in set(previous) | set(current) if previous.get(k) != current.get(k))
            details = ", ".join(f"{k}: {previous.get(k)!r} there, {current.get(k)!r} now" for k in changed)
            raise ConfigError(f"{directory} holds a different run ({details}); remove that directory or set "
                              "another compare output")
    else:
        save_config(path, to_dict(config))
    history = History.load(path / "history.jsonl")
    if summary_path.is_file() and len(history) == config.budget:
        summary = json.loads(summary_path.read_text())
    else:
        summary = run_search(config, path, progress=False)
    records = History.load(path / "history.jsonl").records
    return {"summary": summary, "incumbents": [r["incumbent"] for r in records],
            "incumbent_tests": [r["incumbent_test"] for r in records],
            "hypervolumes": [r.get("hypervolume_ratio") for r in records]}


def run_config_file(path, progress: bool = True) -> tuple:
    """Run (or resume) the comparison a YAML file describes and write its outputs; returns
    ``(config, trials, results, table)`` for benchmark scripts that tabulate further."""
    from .config import load_yaml

    config = load_compare_config(load_yaml(path))
    trials = trial_configs(config)
    results = execute(trials, "local", config.workers, progress=progress)
    return config, trials, results, write_outputs(config.output, config, trials, results)


def execute(trials: list, executor: str = "local", workers: int = 2, ray_address: Optional[str] = None,
            progress: bool = True) -> list:
    """Run trials; return their results in trial order."""
    bar = None
    if progress:
        from tqdm import tqdm
        bar = tqdm(total=len(trials), desc="trials", unit="run")
    results = [None] * len(trials)
    if executor == "ray":
        from .executors import connect_ray

        ray = connect_ray(ray_address)
        remote = ray.remote(num_cpus=1)(run_trial)
        pending = {remote.remote(t[2], t[3]): i for i, t in enumerate(trials)}
        while pending:
            done, _ = ray.wait(list(pending), num_returns=1)
            index = pending.pop(done[0])
            results[index] = ray.get(done[0])
            if bar:
                bar.update()
    elif executor == "local":
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor, as_completed

        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            futures = {pool.submit(run_trial, t[2], t[3]): i for i, t in enumerate(trials)}
            for future in as_completed(futures):
                results[futures[future]] = future.result()
                if bar:
                    bar.update()
    else:
        raise ConfigError(f"unknown executor {executor!r}; choose local or ray")
    if bar:
        bar.close()
    return results


def paired_difference(first: np.ndarray, second: np.ndarray) -> tuple:
    """Mean and standard error of ``first − second`` paired by seed (``(seeds,)`` arrays)."""
    difference = np.asarray(first, dtype=float) - np.asarray(second, dtype=float)
    error = difference.std(ddof=1) / np.sqrt(len(difference)) if len(difference) > 1 else float("nan")
    return float(difference.mean()), float(error)


def verdict(mean: float, error: float) -> str:
    """"win" or "loss" when the paired difference exceeds one standard error, else "tie"."""
    if abs(mean) <= error or mean == 0:
        return "tie"
    return "win" if mean > 0 else "loss"


def checkpoints(budget: int) -> list:
    """Evaluation counts the comparison tables report: 50, 100, 200, 300, ... up to the budget."""
    marks = [m for m in (25, 50, 100, 200, 300, 500, 1000) if m < budget and (m >= budget / 8)]
    return marks + [budget]


def curves_of(config: CompareConfig, trials: list, results: list, key: str) -> dict:
    """Label → ``(seeds, budget)`` array of a per-evaluation series (NaN before it exists)."""
    return {spec.display(): np.array([[np.nan if v is None else v for v in r[key]]
                                      for t, r in zip(trials, results) if t[0] == spec.display()], dtype=float)
            for spec in config.optimizers}


def hypervolume_rows(config: CompareConfig, trials: list, results: list) -> list:
    """Per checkpoint: mean ± std hypervolume ratio per optimizer, and the first optimizer's paired
    difference to each other one (± standard error, verdict)."""
    curves = curves_of(config, trials, results, "hypervolumes")
    labels = list(curves)
    rows = []
    for mark in checkpoints(config.budget):
        row = {"evaluations": mark, "ratio": {}, "difference": {}}
        for label in labels:
            at = np.nan_to_num(curves[label][:, mark - 1], nan=0.0)
            row["ratio"][label] = (float(at.mean()), float(at.std()))
        for label in labels[1:]:
            mean, error = paired_difference(np.nan_to_num(curves[labels[0]][:, mark - 1]),
                                            np.nan_to_num(curves[label][:, mark - 1]))
            row["difference"][label] = (mean, error, verdict(mean, error))
        rows.append(row)
    return rows


def _mean_std(values: np.ndarray) -> tuple:
    """Mean and std over the finite entries (NaN, NaN when there are none)."""
    finite = values[np.isfinite(values)]
    return (float(finite.mean()), float(finite.std())) if len(finite) else (float("nan"), float("nan"))


def aggregate(config: CompareConfig, trials: list, results: list) -> list:
    """Per optimizer: mean ± std of best value, its test value, regret, queries to optimum, wall time
    (and, under constraints, the evaluations spent on infeasible architectures)."""
    rows = []
    for spec in config.optimizers:
        label = spec.display()
        mine = [r["summary"] for t, r in zip(trials, results) if t[0] == label]
        best = np.array([s["best_value"] for s in mine])
        test = np.array([s["test_of_best"] if s["test_of_best"] is not None else np.nan for s in mine])
        regret = np.array([s["regret"] if s["regret"] is not None else np.nan for s in mine])
        reached = [s["queries_to_optimum"] for s in mine if s["queries_to_optimum"] is not None]
        wall = np.array([s["wall_seconds"] for s in mine])
        rows.append({"optimizer": label, "seeds": len(mine),
                     "best_val": (float(best.mean()), float(best.std())),
                     "test_of_best": _mean_std(test), "regret": _mean_std(regret),
                     "found_optimum": len(reached),
                     "median_queries_to_optimum": float(np.median(reached)) if reached else None,
                     "wall_seconds": (float(wall.mean()), float(wall.std()))})
        if "front_size" in mine[0]:
            sizes = np.array([s["front_size"] for s in mine], dtype=float)
            rows[-1]["front_size"] = (float(sizes.mean()), float(sizes.std()))
            rows[-1]["true_front_size"] = mine[0].get("true_front_size")
        if config.constraints:
            rows[-1]["infeasible_queries"] = float(np.mean([s.get("infeasible_queries", 0) for s in mine]))
            rows[-1]["rejected_before_query"] = float(np.mean([s.get("rejected_before_query", 0) for s in mine]))
    return rows


def markdown(rows: list, config: CompareConfig, hypervolume: Optional[list] = None) -> str:
    goal = f"objective {config.metric}"
    if config.constraints:
        goal += " subject to " + ", ".join(f"{m} {v}" for m, v in config.constraints.items())
    if hypervolume:
        labels = list(hypervolume[0]["ratio"])
        lines = [f"{config.space} {config.dataset}, objectives {list(config.objectives)}, {config.budget} queries, "
                 f"{config.seeds} seeds: hypervolume of the found front ÷ the true front's (mean ± std)", "",
                 "| evaluations | " + " | ".join(labels) + " | " +
                 " | ".join(f"{labels[0]} − {label} (paired ± s.e.)" for label in labels[1:]) + " |",
                 "|---" * (len(labels) * 2) + "|"]
        for row in hypervolume:
            cells = [f"{m:.4f} ± {s:.4f}" for m, s in row["ratio"].values()]
            cells += [f"{m:+.4f} ± {e:.4f} {v}" for m, e, v in row["difference"].values()]
            lines.append(f"| {row['evaluations']} | " + " | ".join(cells) + " |")
        lines += ["", "| optimizer | front size | true front size | wall (s) |", "|---|---|---|---|"]
        lines += [f"| {r['optimizer']} | {r['front_size'][0]:.1f} ± {r['front_size'][1]:.1f} | "
                  f"{r['true_front_size']} | {r['wall_seconds'][0]:.1f} ± {r['wall_seconds'][1]:.1f} |" for r in rows]
        return "\n".join(lines)
    lines = [f"{config.space} {config.dataset}, {goal}, {config.budget} queries, "
             f"{config.seeds} seeds (mean ± std)", "",
             "| optimizer | best val | test of best-val arch | regret | optimum found | median queries to optimum | wall (s) |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        median = "–" if r["median_queries_to_optimum"] is None else f"{r['median_queries_to_optimum']:.0f}"
        lines.append(f"| {r['optimizer']} | {r['best_val'][0]:.3f} ± {r['best_val'][1]:.3f} | "
                     f"{r['test_of_best'][0]:.3f} ± {r['test_of_best'][1]:.3f} | "
                     f"{r['regret'][0]:.3f} ± {r['regret'][1]:.3f} | {r['found_optimum']}/{r['seeds']} | "
                     f"{median} | {r['wall_seconds'][0]:.1f} ± {r['wall_seconds'][1]:.1f} |")
    if config.constraints:
        lines += ["", "| optimizer | evaluations of infeasible architectures | proposals rejected before evaluation |",
                  "|---|---|---|"]
        lines += [f"| {r['optimizer']} | {r['infeasible_queries']:.1f} | {r['rejected_before_query']:.1f} |"
                  for r in rows]
    return "\n".join(lines)


def write_outputs(directory, config: CompareConfig, trials: list, results: list) -> str:
    import dataclasses

    first = results[0]["summary"]   # the defaults the trials resolved ("" = the space's first dataset)
    config = dataclasses.replace(config, dataset=config.dataset or first.get("dataset") or "",
                                 metric=config.metric or first.get("metric") or "")
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / "incumbents.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["optimizer", "seed", "query", "incumbent", "incumbent_test"])
        for (label, seed, _, _), result in zip(trials, results):
            for query, (value, test) in enumerate(zip(result["incumbents"], result["incumbent_tests"]), start=1):
                writer.writerow([label, seed, query, value, test])
    rows = aggregate(config, trials, results)
    hypervolume = None
    if config.objectives is not None and len(config.objectives) > 1:
        hypervolume = hypervolume_rows(config, trials, results)
        with open(directory / "hypervolume.csv", "w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["optimizer", "seed", "query", "hypervolume_ratio"])
            for (label, seed, _, _), result in zip(trials, results):
                for query, ratio in enumerate(result["hypervolumes"], start=1):
                    writer.writerow([label, seed, query, ratio])
        (directory / "hypervolume.json").write_text(json.dumps(hypervolume, indent=2))
    (directory / "summary.json").write_text(json.dumps(rows, indent=2))
    table = markdown(rows, config, hypervolume)
    (directory / "compare.md").write_text(table + "\n")
    plot(directory / "compare.png", config, trials, results)
    return table


def plot(path, config: CompareConfig, trials: list, results: list) -> None:
    """Incumbent curves per optimizer (see :func:`nasearch.plots.compare_plot`)."""
    from .plots import compare_plot

    if config.objectives is not None and len(config.objectives) > 1:
        curves = {label: np.nan_to_num(curve, nan=0.0)
                  for label, curve in curves_of(config, trials, results, "hypervolumes").items()}
        compare_plot(path, curves, f"{config.space} {config.dataset}, objectives {list(config.objectives)}",
                     "hypervolume ratio (found ÷ true front)", 1.0)
        return
    curves = {spec.display(): [r["incumbents"] for t, r in zip(trials, results) if t[0] == spec.display()]
              for spec in config.optimizers}
    optima = {r["summary"].get("optimum") for r in results}
    optimum = optima.pop() if len(optima) == 1 else None
    compare_plot(path, curves, f"{config.space} {config.dataset}, {config.budget} evaluations",
                 f"{config.metric} on {config.dataset}", optimum)
