"""The predictor-evaluation protocol of the EmProx paper (and NASLib).

Each trial draws a test set uniformly (default 100 architectures), then a
disjoint training set (default 121) from the rest; with ``test_size: all`` it
draws the training set and tests on every other tabulated architecture (the
whole-space protocol). Train-size sweeps use nested
prefixes of one training draw, so every predictor and every size sees the same
architectures: comparisons are paired. Every predictor gets its own generator,
derived from the master seed, the predictor label and the trial.
"""
from __future__ import annotations

import dataclasses
import itertools
import time
from dataclasses import dataclass, field
from typing import Optional, Union

import numpy as np

from ..config import ComponentSpec, build
from ..errors import ConfigError
from ..seeding import component_rng
from .metrics import prediction_metrics

#: Short names accepted by ``--grid``.
GRID_ALIASES = {"d": "embedding_dim"}


PredictorSpec = ComponentSpec   #: a predictor to evaluate: name, label, options
ALL = "all"                     #: test_size: every architecture outside the training set


@dataclass(frozen=True)
class EvaluateConfig:
    """One predictor evaluation. Accuracies are percent; times are seconds."""

    space: str = "nasbench201"          #: the search space (python main.py spaces lists them)
    data: Optional[str] = None           #: NAS-Bench-201 table (after --data and $NASEARCH_NB201)
    dataset: str = "cifar10-valid"       #: the benchmark dataset whose values are predicted
    metric: str = "val"                  #: the predicted metric (val, test, ...)
    epochs: Optional[int] = None         #: None = the benchmark's default (200 for NAS-Bench-201)
    trials: int = 20                     #: random train/test splits; each predictor sees the same ones
    test_size: Union[int, str] = 100     #: architectures tested per trial, or "all": every one outside the training set
    train_sizes: tuple = (121,)          #: architectures a predictor is trained on (the paper: 121)
    seed: int = 0                        #: master seed of the splits and the predictors
    top_k: int = 10                      #: for precision@k
    predictors: tuple = (PredictorSpec("emprox"),)  #: [{name, label, options}] entries to evaluate
    grid: dict = field(default_factory=dict)   #: option → list of values: the grid predictor at every point
    grid_predictor: str = ""             #: label of the entry the grid applies to; "" = the first that takes it
    output: str = "runs/evaluate"        #: where the evaluation directory goes

    def __post_init__(self):
        if self.trials < 1:
            raise ConfigError(f"trials must be >= 1, got {self.trials}")
        if self.test_size != ALL and (isinstance(self.test_size, str) or self.test_size < 1):
            raise ConfigError(f"test_size must be a count >= 1 or 'all' (every architecture outside the training "
                              f"set), got {self.test_size!r}")
        if not self.train_sizes or min(self.train_sizes) < 1:
            raise ConfigError("every train size must be >= 1")
        if not self.predictors:
            raise ConfigError("list at least one predictor under `predictors`")


def parse_predictors(entries) -> tuple:
    specs = []
    for entry in entries:
        if isinstance(entry, str):
            entry = {"name": entry}
        specs.append(build(PredictorSpec, entry, "predictors"))
    return tuple(specs)


def load_config(data: dict) -> EvaluateConfig:
    data = dict(data)
    if "predictors" in data:
        data["predictors"] = parse_predictors(data["predictors"])
    return build(EvaluateConfig, data)


def parse_grid(items) -> dict:
    """``["k=3,10,60", "d=16,32"]`` → ``{"k": [3, 10, 60], "embedding_dim": [16, 32]}``."""
    import yaml

    grid = {}
    for item in items or ():
        if "=" not in item:
            raise ConfigError(f"grid entry {item!r} must look like k=3,10,60")
        key, raw = item.split("=", 1)
        if not key.strip() or any(not v.strip() for v in raw.split(",")):
            raise ConfigError(f"grid entry {item!r} needs a name and non-empty values, like k=3,10,60")
        grid[GRID_ALIASES.get(key.strip(), key.strip())] = [yaml.safe_load(v) for v in raw.split(",")]
    return grid


def expand_grid(predictors, grid: dict, chosen: str = "") -> list:
    """With a grid, the chosen entry (``chosen`` label, else the first entry whose options
    include every grid key) evaluated at every grid point, and nothing else; labels are
    the entry's label without the gridded options, plus the point (``EmProx k=3 d=16``)."""
    from ..predictors import registry

    grid = {GRID_ALIASES.get(k, k): list(v) for k, v in grid.items()}
    if not grid:
        return list(predictors)
    takes = [spec for spec in predictors
             if set(grid) <= {f.name for f in dataclasses.fields(registry.factory(spec.name).Config)}]
    if chosen:
        named = [spec for spec in predictors if spec.display() == chosen]
        if not named:
            raise ConfigError(f"grid_predictor {chosen!r} is not a predictor label; choose one of: "
                              f"{', '.join(spec.display() for spec in predictors)}")
        if named[0] not in takes:
            raise ConfigError(f"predictor {chosen!r} has no option(s) {sorted(grid)}; grid another predictor")
        spec = named[0]
    elif takes:
        spec = takes[0]
    else:
        raise ConfigError(f"no predictor takes all grid options {sorted(grid)}; check the names")
    short = {long: alias for alias, long in GRID_ALIASES.items()}
    gridded = {f"{key}=" for key in grid} | {f"{short[key]}=" for key in grid if key in short}
    base = " ".join(word for word in spec.display().split() if not word.startswith(tuple(gridded)))
    expanded = []
    for point in itertools.product(*grid.values()):
        options = dict(spec.options, **dict(zip(grid, point)))
        suffix = " ".join(f"{short.get(k, k)}={v}" for k, v in zip(grid, point))
        expanded.append(PredictorSpec(spec.name, f"{base} {suffix}", options))
    return expanded


def make_splits(size: int, trials: int, test_size, train_size: int, seed: int):
    """Yield ``(test_indices, train_indices)`` per trial: test first, then a disjoint train set;
    with ``test_size`` "all", the train set first and every other index as the test set."""
    if test_size == ALL:
        if train_size >= size:
            raise ConfigError(f"train size {train_size} leaves none of the {size:,} architectures to test; "
                              "use a smaller train size")
        for trial in range(trials):
            train = component_rng(seed, "split", trial).choice(size, train_size, replace=False)
            yield np.setdiff1d(np.arange(size), train), train
        return
    if test_size + train_size > size:
        raise ConfigError(f"test_size {test_size} + train size {train_size} exceeds the {size:,} architectures "
                          "with benchmark values; use smaller sets, or test_size: all")
    for trial in range(trials):
        rng = component_rng(seed, "split", trial)
        test = rng.choice(size, test_size, replace=False)
        rest = np.setdiff1d(np.arange(size), test)
        train = rng.choice(rest, train_size, replace=False)
        yield test, train


def run_evaluation(config: EvaluateConfig, space, progress: bool = True, on_row=None) -> list:
    """Run every predictor on every trial and train size; return the per-trial rows.

    Each row holds predictor, trial, train_size, the metrics of
    :func:`prediction_metrics`, ``fit_seconds`` and ``query_ms`` (per architecture).
    """
    from ..predictors import create_predictor

    specs = expand_grid(config.predictors, config.grid, config.grid_predictor)
    for spec in specs:  # fail on bad options before any work
        create_predictor(spec.name, space, spec.options, np.random.default_rng(0))
    archs = space.table_archs(config.dataset)
    if archs is None:
        raise ConfigError(f"predictor evaluation needs a benchmark table to draw labelled architectures from, "
                          f"and {space.name!r} has none that can be listed for {config.dataset!r}; evaluate "
                          "predictors on a space with a table (e.g. nasbench201, nasbench_graph, darts)")
    values = space.values(config.dataset, config.metric, config.epochs)
    sizes = sorted(config.train_sizes)
    total = config.trials * len(sizes) * len(specs)
    bar = None
    if progress:
        from tqdm import tqdm
        bar = tqdm(total=total, desc="evaluating", unit="fit")
    rows = []
    _warm_up(space, archs, values, specs)
    for trial, (test, train) in enumerate(make_splits(len(archs), config.trials, config.test_size,
                                                      sizes[-1], config.seed)):
        test_archs, test_values = [archs[i] for i in test], values[test]
        for train_size in sizes:
            subset = train[:train_size]
            for spec in specs:
                rng = component_rng(config.seed, "predictor", spec.display(), trial, train_size)
                predictor = create_predictor(spec.name, space, spec.options, rng)
                start = time.perf_counter()
                predictor.fit([archs[i] for i in subset], values[subset])
                fit_seconds = time.perf_counter() - start
                start = time.perf_counter()
                predicted = predictor.predict(test_archs)
                query_ms = 1000 * (time.perf_counter() - start) / len(test_archs)
                row = {"predictor": spec.display(), "trial": trial, "train_size": int(train_size),
                       **prediction_metrics(test_values, predicted, config.top_k),
                       "fit_seconds": fit_seconds, "query_ms": query_ms}
                row["_true"], row["_predicted"] = test_values.tolist(), np.asarray(predicted).tolist()
                rows.append(row)
                if on_row:
                    on_row(row)
                if bar is not None:
                    bar.set_postfix_str(f"{spec.display()} spearman {row['spearman']:.3f}")
                    bar.update()
    if bar is not None:
        bar.close()
    return rows


def _warm_up(space, archs, values, specs) -> None:
    """One tiny fit per predictor kind so one-off library start-up never lands in a timing."""
    from ..predictors import create_predictor

    for name in {s.name for s in specs}:
        predictor = create_predictor(name, space, {}, np.random.default_rng(0))
        config = predictor.config
        options = {f.name for f in dataclasses.fields(config)}
        cheap = {key: value for key, value in (("epochs", 1), ("rounds", 2)) if key in options}
        predictor.config = dataclasses.replace(config, **cheap)
        if getattr(config, "pretrained", False):
            continue
        predictor.fit(archs[:10], values[:10])
        predictor.predict(archs[10:20])


def summarize(rows: list) -> list:
    """Mean and std per (predictor, train_size) of every numeric column."""
    groups: dict = {}
    for row in rows:
        groups.setdefault((row["predictor"], row["train_size"]), []).append(row)
    summary = []
    for (predictor, train_size), members in groups.items():
        entry = {"predictor": predictor, "train_size": train_size, "trials": len(members)}
        for key, value in members[0].items():
            if key in ("predictor", "trial", "train_size") or key.startswith("_"):
                continue
            column = np.array([m[key] for m in members], dtype=np.float64)
            entry[key] = {"mean": float(column.mean()), "std": float(column.std())}
        summary.append(entry)
    return summary


METRIC_COLUMNS = ("spearman", "kendall", "pearson", "mae", "rmse", "precision@10", "fit_seconds", "query_ms")


def markdown_table(summary: list, columns=METRIC_COLUMNS) -> str:
    present = [c for c in columns if c in summary[0]]
    lines = ["| predictor | n | " + " | ".join(present) + " |", "|---|---|" + "---|" * len(present)]
    for entry in summary:
        cells = []
        for c in present:
            digits = 2 if c in ("mae", "rmse", "fit_seconds") else 3
            cells.append(f"{entry[c]['mean']:.{digits}f} ± {entry[c]['std']:.{digits}f}")
        lines.append(f"| {entry['predictor']} | {entry['train_size']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
