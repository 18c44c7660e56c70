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
from dataclasses import dataclass
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
        previous, current = load_yaml(saved), to_dict(config)
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
            "incumbent_tests": [r["incumbent_test"] for r in records]}


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


def aggregate(config: CompareConfig, trials: list, results: list) -> list:
    """Per optimizer: mean ± std of best value, its test value, regret, queries to optimum, wall time."""
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
                     "test_of_best": (float(np.nanmean(test)), float(np.nanstd(test))),
                     "regret": (float(np.nanmean(regret)), float(np.nanstd(regret))),
                     "found_optimum": len(reached),
                     "median_queries_to_optimum": float(np.median(reached)) if reached else None,
                     "wall_seconds": (float(wall.mean()), float(wall.std()))})
    return rows


def markdown(rows: list, config: CompareConfig) -> str:
    lines = [f"{config.space} {config.dataset}, objective {config.metric}, {config.budget} queries, "
             f"{config.seeds} seeds (mean ± std)", "",
             "| optimizer | best val | test of best-val arch | regret | optimum found | median queries to optimum | wall (s) |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        median = "–" if r["median_queries_to_optimum"] is None else f"{r['median_queries_to_optimum']:.0f}"
        lines.append(f"| {r['optimizer']} | {r['best_val'][0]:.3f} ± {r['best_val'][1]:.3f} | "
                     f"{r['test_of_best'][0]:.3f} ± {r['test_of_best'][1]:.3f} | "
                     f"{r['regret'][0]:.3f} ± {r['regret'][1]:.3f} | {r['found_optimum']}/{r['seeds']} | "
                     f"{median} | {r['wall_seconds'][0]:.1f} ± {r['wall_seconds'][1]:.1f} |")
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
    (directory / "summary.json").write_text(json.dumps(rows, indent=2))
    table = markdown(rows, config)
    (directory / "compare.md").write_text(table + "\n")
    plot(directory / "compare.png", config, trials, results)
    return table


def plot(path, config: CompareConfig, trials: list, results: list) -> None:
    """Incumbent curves per optimizer (see :func:`nasearch.plots.compare_plot`)."""
    from .plots import compare_plot

    curves = {spec.display(): [r["incumbents"] for t, r in zip(trials, results) if t[0] == spec.display()]
              for spec in config.optimizers}
    optima = {r["summary"].get("optimum") for r in results}
    optimum = optima.pop() if len(optima) == 1 else None
    compare_plot(path, curves, f"{config.space} {config.dataset}, {config.budget} evaluations",
                 f"{config.metric} on {config.dataset}", optimum)
