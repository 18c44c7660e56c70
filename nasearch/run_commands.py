"""CLI commands that run experiments: search, pretrain, compare and evaluate."""
from __future__ import annotations

import json
import sys

from .config import apply_overrides, load_yaml, to_dict
from .runs.directory import (COMPARE_PLOT, COMPARE_TABLE, COMPARISON, CONFIG, HISTORY, HYPERVOLUME_CSV, INCUMBENTS,
                            LOCK, PARETO_CSV, PARETO_PLOT, SUMMARY_TABLE, RunDirectory)


def cmd_evaluate(args) -> None:
    from .evaluation.protocol import load_config, parse_grid, run_evaluation
    from .evaluation.report import write_report
    from .registry import get_search_space
    from .runs.directory import data_path, prepare, save_config
    from .runs.lock import locked_directory

    raw = apply_overrides(load_yaml(args.config) if args.config else {}, args.set)
    if args.grid:
        raw["grid"] = parse_grid(args.grid)
    config = load_config(raw)
    space = get_search_space(config.space, data=data_path(args.data, config.data), dataset=config.dataset)
    space.check_query(config.dataset, config.metric, config.epochs)
    output = config.output
    if args.grid and not args.out:   # a grid is its own experiment: never write into the config's run
        output = f"{config.output.rstrip('/')}-grid-{'-'.join(raw['grid'])}"
    directory = prepare(args.out or output, force=args.force)
    with locked_directory(directory):   # one writer at a time, also with --force
        save_config(directory, to_dict(config))
        rows = run_evaluation(config, space, progress=not args.quiet)
        points = None
        if config.grid:
            from .evaluation.protocol import GRID_ALIASES, expand_grid

            grid = [GRID_ALIASES.get(k, k) for k in config.grid]   # in the config's order
            points = {spec.display(): {k: spec.options[k] for k in grid}
                      for spec in expand_grid(config.predictors, config.grid, config.grid_predictor)}
        summary = write_report(directory, rows, f"{config.space} {config.dataset} {config.metric}",
                               f"{config.metric} accuracy on {config.dataset} (%)", points)
    print(RunDirectory(directory).read_text(SUMMARY_TABLE))
    print(f"results in {directory}")
    return summary


def _search_help() -> str:
    from .config import defaults_help
    from .optimizers import registry as optimizers
    from .experiment import SearchConfig
    from .registry import search_spaces
    from .training import TrainingConfig

    lines = ["config keys (YAML file or --set key=value), with defaults:", defaults_help(SearchConfig), "",
             "optimizers (optimizer: NAME) and their settings (options: {...}), with defaults:"]
    for name in optimizers.names():
        lines += [f"  {name}:", defaults_help(optimizers.factory(name).Config, "    ")]
    lines += ["", "training settings (objective: train, training: {...}):", defaults_help(TrainingConfig), "",
              f"spaces: {', '.join(search_spaces.names())}"]
    return "\n".join(lines)


def _evaluate_help() -> str:
    from .config import defaults_help
    from .evaluation.protocol import EvaluateConfig
    from .predictors import registry as predictors

    lines = ["config keys (YAML file or --set key=value), with defaults:", defaults_help(EvaluateConfig), "",
             "predictors (predictors: [{name: NAME, label: ..., options: {...}}]), options with defaults:"]
    for name in predictors.names():
        lines += [f"  {name}:", defaults_help(predictors.factory(name).Config, "    ")]
    return "\n".join(lines)


def _compare_help() -> str:
    from .config import defaults_help
    from .experiment import CompareConfig
    from .optimizers import registry as optimizers

    return "\n".join(["config keys (YAML file or --set key=value), with defaults:",
                      defaults_help(CompareConfig, exclude=("search",)), "",
                      "plus every search key (see `search --help`) but optimizer, options and seed, which each",
                      "trial sets; search keys stand at the top level or under search:",
                      f"optimizers: {', '.join(optimizers.names())} (settings: see `search --help`)"])


def register(add) -> None:
    register_search(add)
    register_compare(add)
    sub = add("evaluate", cmd_evaluate, "evaluate predictors with the EmProx paper's protocol", _evaluate_help)
    sub.add_argument("--config", help="YAML config, e.g. experiments/predictors/nb201_cifar10.yaml")
    sub.add_argument("--set", action="append", metavar="KEY=VALUE", help="override a config key (repeatable)")
    sub.add_argument("--grid", nargs="+", metavar="OPTION=V1,V2",
                     help="evaluate one predictor entry (grid_predictor, default the first that takes these "
                          "options) at every point, e.g. k=3,10,60 d=16,32; the other entries are not run")
    sub.add_argument("--data", help="NAS-Bench-201 table (else $NASEARCH_NB201, else the config's data)")
    sub.add_argument("--out", help="run directory (default: the config's output; with --grid, that name "
                                   "followed by -grid-<options>)")
    sub.add_argument("--force", action="store_true", help="write into a non-empty run directory")
    sub.add_argument("--quiet", action="store_true", help="no progress bar")


def _search_config(args, base: dict | None = None):
    from .experiment import load_search_config

    raw = dict(base or {})
    if args.config:
        raw.update(load_yaml(args.config))
    raw = apply_overrides(raw, args.set)
    if getattr(args, "dashboard", False):
        raw["dashboard"] = True
    return load_search_config(raw)


def cmd_search(args) -> None:
    import time
    from pathlib import Path

    from .errors import ConfigError
    from .experiment import check_resume
    from .runs.directory import ensure_empty

    if args.resume:
        directory = Path(args.resume)
        if not RunDirectory(directory).has(CONFIG):
            raise ConfigError(f"{str(directory)!r} is not a search run directory (no config.yaml); "
                              "pass the directory a previous `search` wrote")
        saved = RunDirectory(directory).read_yaml(CONFIG)
        config = _search_config(args, saved)
        check_resume(directory, saved, config, "resume with --set budget=N at most, or start a new run with --out")
    else:
        config = _search_config(args)
        from .objective import scoring_dataset
        from .registry import get_search_space

        if config.dataset or config.objective in ("table", "train"):
            dataset = config.dataset or ("train" if config.objective == "train" else
                                         scoring_dataset(get_search_space(config.space)) or "objective")
        else:   # an imported objective: named by its function
            dataset = config.objective.rpartition(":")[2].rpartition(".")[2]
        default = (f"runs/search/{config.space}-{dataset}-{config.optimizer}-s{config.seed}-"
                   f"{time.strftime('%Y%m%d-%H%M%S')}")
        directory = Path(args.out or config.output or default)
        ensure_empty(directory)
    from .runs.lock import locked_directory

    with locked_directory(directory):   # one writer: a second run into it stops, naming the first
        _run_search(args, config, directory)


def _run_search(args, config, directory) -> None:
    from pathlib import Path

    from .experiment import build_search, continue_search
    from .runs.directory import data_path, save_config

    # Names, options and data are all checked here, before the run directory is written.
    options = dict(data_override=args.data, progress=not args.quiet, ray_address=args.ray_address)
    try:
        if args.resume:
            given = any(item.partition("=")[0].strip() == "budget" for item in args.set or ())
            search = continue_search(directory, RunDirectory(directory).read_yaml(CONFIG), config,
                                     "resume with --set budget=N at most", budget_given=given, **options)
        else:
            search = build_search(config, directory, **options)
    except KeyboardInterrupt:
        _interrupted_before_searching(directory, bool(args.resume))
    if not args.resume:
        data = data_path(args.data, config.data)   # remembered, so --resume finds the same table
        save_config(directory, dict(to_dict(config), output=str(directory),
                                    data=None if data is None else str(Path(data).resolve())))
    if args.resume and search.finished:   # nothing left to do: say so before the summary it reprints
        print(f"the run in {directory} was already finished ({search.told} evaluations of budget "
              f"{search.budget}); its summary follows. Extend it with --set budget=N")
    try:
        summary = search.run().summary
    except KeyboardInterrupt:
        print(f"\ninterrupted after {search.told} evaluations; the run directory {directory} keeps them. "
              f"Resume with: python main.py search --resume {directory}", file=sys.stderr)
        raise SystemExit(130) from None
    shown = summary.to_json()
    keys = ["optimizer", "objective", "queries", "failed", "best_value", "report_of_best", "optimum", "regret",
            "queries_to_optimum", "wall_seconds", "best_arch"]
    keys += [k for k in ("best_export", "fidelity_unit", "spent", "full_fidelity_queries", "spent_to_optimum", "goal", "infeasible_queries", "rejected_before_query", "front_size", "true_front_size",
                         "hypervolume_ratio") if k in shown]
    print(json.dumps({k: shown[k] for k in keys}, indent=1))
    if summary.multi_objective:
        files = RunDirectory(directory)
        print(f"Pareto front: {files.file(PARETO_CSV)} and {files.file(PARETO_PLOT)}")
    print(f"run directory: {directory}")
    _report_failures(search.history.trials, directory)


def _report_failures(trials: list, directory) -> None:
    """Say how many evaluations failed and where their errors are; when every one failed, stop
    with one line giving the count and the first error (exit 1: the objective, not the input)."""
    failed = [t for t in trials if not t.ok]
    if not failed:
        return
    where = RunDirectory(directory).file(HISTORY)
    if len(failed) == len(trials):
        first = (failed[0].error or failed[0].status).splitlines()[0]
        print(f"error: all {len(failed)} evaluations failed; the first: {first} (every error is in {where})",
              file=sys.stderr)
        raise SystemExit(1)
    print(f"{len(failed)} of {len(trials)} evaluations failed; their errors are in {where} (field error)",
          file=sys.stderr)


def _interrupted_before_searching(directory, resuming: bool) -> None:
    """Ctrl-C while a search was being set up (pretraining, mostly): say what is kept and how to go on."""
    from .embedding.pretrained import cache_dir

    from pathlib import Path

    if resuming:
        kept = f"{directory} is kept and its recorded evaluations are untouched"
    elif Path(directory).is_dir() and any(p.name != LOCK for p in Path(directory).iterdir()):   # the lock goes
        kept = f"{directory} holds no evaluation yet"
    else:
        kept = f"nothing was written (no run directory {directory})"
    again = f"python main.py search --resume {directory}" if resuming else "the same command"
    print(f"\ninterrupted while setting up the search (pretraining the autoencoder, if it was running): "
          f"{kept}; autoencoders already pretrained stay cached in {cache_dir()}, "
          f"an unfinished pretraining is not. Continue with: {again}", file=sys.stderr)
    raise SystemExit(130) from None


def cmd_pretrain(args) -> None:
    from .embedding.pretrained import PretrainingPlan, pretrained_autoencoder, pretraining_config
    from .registry import get_search_space

    space = get_search_space(args.space, dataset=args.dataset)
    plan = PretrainingPlan(max_steps=args.steps, archs=args.archs or 0)
    _, info = pretrained_autoencoder(space, pretraining_config(args.embedding_dim), plan, args.seed, progress=True)
    trained = info["source"] == "trained"
    how = (f"trained in {info['train_seconds']:.1f} s" if trained else
           f"loaded from the cache (trained earlier in {info['cached_train_seconds']:.1f} s)")
    print(f"{space.name}: {how}; {info['steps']:,} steps on "
          f"{'a stream of ' if info['streamed'] else ''}{info['archs']:,} architectures; held-out round trip "
          f"{info['round_trip']:.1%} of {info['holdout']:,}; cached at {info['path']}")


def register_search(add) -> None:
    sub = add("search", cmd_search, "run a search (default: EmProx-NAO on NAS-Bench-201 cifar10-valid, "
                                     "100 evaluations)", _search_help)
    sub.add_argument("--config", help="YAML config, e.g. experiments/search/nb201_cifar10.yaml")
    sub.add_argument("--set", action="append", metavar="KEY=VALUE", help="override a config key, e.g. budget=200")
    sub.add_argument("--data", help="NAS-Bench-201 table (else $NASEARCH_NB201, else the config's data)")
    sub.add_argument("--out", help="run directory (must be new or empty)")
    sub.add_argument("--resume", metavar="RUN_DIR", help="continue an interrupted or finished run in RUN_DIR (with "
                                                              "--set budget=N, under a new budget)")
    sub.add_argument("--ray-address", help="with executor: ray, the Ray cluster to evaluate on, e.g. auto "
                                           "(default: start a local Ray instance)")
    sub.add_argument("--dashboard", action="store_true", help="also write the trials to RUN_DIR/optuna_journal.log; "
                                                               "watch it with optuna-dashboard (dashboard: true)")
    sub.add_argument("--quiet", action="store_true", help="no progress bar")

    sub = add("pretrain", cmd_pretrain, "pretrain and cache a space's autoencoder on unlabelled architectures")
    sub.add_argument("--space", required=True)
    sub.add_argument("--dataset", help="dataset (selects the operation list for nasbench_graph proteins)")
    sub.add_argument("--archs", type=int, help="a fixed pool of N sampled architectures (default: the whole "
                                               "space when listable, else a stream of fresh samples)")
    sub.add_argument("--steps", type=int, default=4000, help="most training steps; it stops earlier once the "
                                                            "held-out round trip reaches 99.5%% (default 4000)")
    sub.add_argument("--seed", type=int, default=0, help="pretraining seed (a search uses its own seed)")
    sub.add_argument("--embedding-dim", type=int, default=32)


def cmd_compare(args) -> None:
    from .compare import execute, prepare_trials, write_outputs
    from .errors import ConfigError
    from .experiment import load_compare_config
    from .runs.directory import data_path, save_config
    from .runs.lock import locked_directory

    if args.resume:
        raw, config = _resumed_compare_config(args)
    else:
        raw = apply_overrides(load_yaml(args.config) if args.config else {}, args.set)
        if args.out:
            raw["output"] = args.out
        config = load_compare_config(raw)   # its own mistakes first, each named
        if "optimizers" not in raw:   # a comparison names what it compares
            raise ConfigError("the compare config has no optimizers: key; list the contenders, e.g. "
                              "optimizers: [emprox_nao, evolution, random] or [{name: ..., options: {...}}]")
    with locked_directory(config.output):   # one comparison at a time writes there
        trials = prepare_trials(config, data_path(args.data, config.search.data))
        save_config(config.output, {**raw, "output": str(config.output)}, COMPARISON)
        results = execute(trials, args.executor, config.workers, args.ray_address, progress=not args.quiet,
                          retries=config.retries, output=config.output)
        print(write_outputs(config.output, config, trials, results))
    extra = f", {HYPERVOLUME_CSV}" if config.multi_objective else ""
    print(f"results in {config.output} ({COMPARE_TABLE}, {COMPARE_PLOT}, {INCUMBENTS}{extra})")


#: The comparison's own config in its output directory, read by ``compare --resume``.


def _resumed_compare_config(args) -> tuple:
    """``(raw, config)`` of ``compare --resume DIR [--set budget=N]``: the saved comparison, of
    which only the budget may change."""
    import dataclasses
    from pathlib import Path

    from .errors import ConfigError
    from .experiment import load_compare_config

    directory = Path(args.resume)
    if args.config or args.out:
        raise ConfigError("compare --resume takes the comparison saved in its directory; drop --config and --out")
    if not RunDirectory(directory).has(COMPARISON):
        raise ConfigError(f"{str(directory)!r} is not a compare output directory (no {COMPARISON}); pass the "
                          "directory a previous `compare` wrote, or rerun its compare command")
    saved = RunDirectory(directory).read_yaml(COMPARISON)
    if Path(str(saved.get("output", ""))).resolve() != directory.resolve():
        raise ConfigError(f"{RunDirectory(directory).file(COMPARISON)} describes the comparison in {saved.get('output')!r}, not this "
                          "directory; pass that directory to --resume")
    raw = dict(apply_overrides(dict(saved), args.set), output=str(directory))
    if "budget" in raw and isinstance(raw.get("search"), dict) and "budget" in raw["search"]:
        raw["search"] = {k: v for k, v in raw["search"].items() if k != "budget"}   # --set budget=N wins
    config = load_compare_config(raw)
    # everything but the budget, as plain data
    rest = lambda c: to_dict(dataclasses.replace(c, search=dataclasses.replace(c.search, budget=1)))
    before, after = rest(load_compare_config(dict(saved, output=str(directory)))), rest(config)
    changed = [k for k in sorted(before) if k != "search" and before[k] != after[k]]
    changed += [f"search.{k}" for k in sorted(before["search"]) if before["search"][k] != after["search"][k]]
    if changed:
        raise ConfigError(f"only the budget of a comparison can change on resume, not {', '.join(changed)}; "
                          "start a new comparison with --out for that")
    return raw, config


def register_compare(add) -> None:
    sub = add("compare", cmd_compare, "run optimizers x seeds and compare their incumbents", _compare_help)
    sub.add_argument("--config", help="YAML config, e.g. experiments/search/nb201_cifar10_compare.yaml")
    sub.add_argument("--set", action="append", metavar="KEY=VALUE", help="override a config key")
    sub.add_argument("--data", help="NAS-Bench-201 table (else $NASEARCH_NB201, else the config's data)")
    sub.add_argument("--out", help="output directory (default: the config's output)")
    sub.add_argument("--resume", metavar="COMPARE_DIR", help="continue the comparison in COMPARE_DIR (with "
                                                            "--set budget=N, under a new budget)")
    sub.add_argument("--executor", choices=["local", "ray"], default="local",
                     help="local worker processes (default) or a Ray cluster")
    sub.add_argument("--ray-address", help="Ray cluster address, e.g. ray://head:10001 or auto "
                                           "(default: start a local Ray instance)")
    sub.add_argument("--quiet", action="store_true", help="no progress bar")
