"""The search loop: budget, benchmark queries, history, resume and the run summary.

The loop asks the optimizer for proposals, queries the benchmark, appends one
history line per query and tells the optimizer. Resuming re-creates the
optimizer from the same seed and replays the recorded history: each proposal
is checked against the recorded architecture and its recorded values are told
instead of querying again, so no query is lost or repeated and the final
history equals that of an uninterrupted run.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import numpy as np

from .config import build
from .errors import ConfigError, NasearchError
from .history import History
from .objective import Objective
from .seeding import component_rng


@dataclass(frozen=True)
class SearchConfig:
    """One search run. Values are percent, the budget counts benchmark queries."""

    space: str = "nasbench_graph"
    data: Optional[str] = None          #: NAS-Bench-201 table (after --data and $NASEARCH_NB201)
    dataset: str = "cora"
    metric: str = "val"                 #: the objective; "test" needs allow_test_objective
    epochs: Optional[int] = None
    report_metric: str = "test"         #: reported for the best-objective architecture
    allow_test_objective: bool = False
    optimizer: str = "emprox_nao"
    options: dict = field(default_factory=dict)   #: optimizer options
    budget: int = 100
    seed: int = 0
    output: str = ""                    #: run directory; "" = runs/search/<space>-<dataset>-<optimizer>-s<seed>-<time>

    def __post_init__(self):
        if self.budget < 1:
            raise ConfigError(f"budget must be >= 1 query, got {self.budget}")


def load_search_config(data: dict) -> SearchConfig:
    return build(SearchConfig, data)


def build_run(config: SearchConfig, data_override: Optional[str] = None):
    """``(space, objective, optimizer)`` for a config; fails fast on any bad name or option."""
    from .optimizers import create_optimizer
    from .registry import get_search_space
    from .run_directory import data_path

    space = get_search_space(config.space, data=data_path(data_override, config.data), dataset=config.dataset)
    objective = Objective(space, config.dataset, config.metric, config.epochs, config.report_metric,
                          config.allow_test_objective)
    optimizer = create_optimizer(config.optimizer, space, config.options,
                                 component_rng(config.seed, "optimizer"), config.budget)
    return space, objective, optimizer


def run_search(config: SearchConfig, directory, data_override: Optional[str] = None,
               progress: bool = True) -> dict:
    """Run (or resume, when ``directory`` holds a history) the search; return the summary."""
    directory = Path(directory)
    space, objective, optimizer = build_run(config, data_override)
    history = History.load(directory / "history.jsonl")
    recorded = list(history.records)
    start = time.perf_counter()
    elapsed_before = recorded[-1]["wall"] if recorded else 0.0
    bar = _progress_bar(config, len(recorded)) if progress else None
    best = (-np.inf, None)   # (incumbent value, its report-metric value)
    used = 0
    stale_rounds = 0
    while used < config.budget:
        proposals = optimizer.ask(config.budget - used)
        fresh = 0
        for proposal in proposals:
            if used >= config.budget:
                break
            if optimizer.is_known(proposal.arch):
                continue
            fresh += 1
            arch_string = space.to_string(proposal.arch)
            replaying = used < len(recorded)
            if replaying:
                record = recorded[used]
                if record["arch"] != arch_string:
                    raise NasearchError(
                        f"resume diverged at query {used}: history has {record['arch']} but the run proposes "
                        f"{arch_string}; the code or environment changed since the run started, start a new run")
                value, report = record["value"], record["test"]
            else:
                value, report = objective(proposal.arch), objective.report(proposal.arch)
            if value > best[0]:
                best = (value, report)
            if not replaying:
                history.append({"query": used, "arch": arch_string, "value": value, "test": report,
                                "incumbent": best[0], "incumbent_test": best[1], "predicted": proposal.predicted,
                                "wall": round(elapsed_before + time.perf_counter() - start, 4)})
            optimizer.tell(proposal.arch, value)
            used += 1
            if bar is not None and used > len(recorded):
                bar.update()
                bar.set_postfix_str(f"best {best[0]:.3f}, {elapsed_before + time.perf_counter() - start:.0f}s")
        stale_rounds = 0 if fresh else stale_rounds + 1
        if stale_rounds >= 20:
            raise NasearchError(f"optimizer {config.optimizer!r} proposed nothing new for 20 rounds "
                                f"after {used} queries; the space may be exhausted, lower the budget")
    if bar is not None:
        bar.close()
    summary = summarize_run(config, space, history.records, optimizer)
    _write_outputs(directory, summary, history.records)
    return summary


def _progress_bar(config, already: int):
    from tqdm import tqdm

    return tqdm(total=config.budget, initial=already, desc=f"{config.optimizer} queries", unit="q")


def summarize_run(config: SearchConfig, space, records: list, optimizer) -> dict:
    values = np.array([r["value"] for r in records])
    best = int(np.argmax(values))
    optimum = float(space.values(config.dataset, config.metric, config.epochs).max()) if space.size else None
    reached = next((r["query"] + 1 for r in records if optimum is not None and r["value"] >= optimum - 1e-9), None)
    stats = {k: v for k, v in optimizer.stats.items() if not isinstance(v, list)}
    for key in ("fit_seconds", "propose_seconds"):
        if optimizer.stats.get(key):
            series = optimizer.stats[key]
            stats[key] = {"mean": float(np.mean(series)), "max": float(np.max(series)), "rounds": len(series)}
    return {
        "optimizer": config.optimizer, "space": config.space, "dataset": config.dataset, "seed": config.seed,
        "queries": len(records), "best_value": float(values[best]), "best_arch": records[best]["arch"],
        "test_of_best": records[best]["test"], "optimum": optimum,
        "regret": None if optimum is None else optimum - float(values[best]),
        "queries_to_optimum": reached, "wall_seconds": records[-1]["wall"], "optimizer_stats": stats,
    }


def _write_outputs(directory: Path, summary: dict, records: list) -> None:
    import json

    (directory / "summary.json").write_text(json.dumps(summary, indent=2))
    incumbent_plot(directory / "incumbent.png", [r["incumbent"] for r in records],
                   f"{summary['optimizer']} on {summary['space']}/{summary['dataset']}", summary.get("optimum"))


def incumbent_plot(path, incumbents, title: str, optimum=None) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(5, 3.5))
    axis.plot(np.arange(1, len(incumbents) + 1), incumbents, drawstyle="steps-post")
    if optimum is not None:
        axis.axhline(optimum, color="k", linestyle="--", linewidth=0.8, label="optimum")
        axis.legend()
    axis.set_xlabel("benchmark queries")
    axis.set_ylabel("best value so far (%)")
    axis.set_title(title, fontsize=9)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)

