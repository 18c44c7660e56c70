"""CLI commands that run experiments: evaluate (and, elsewhere, search and compare)."""
from __future__ import annotations

from .config import apply_overrides, load_yaml, to_dict


def cmd_evaluate(args) -> None:
    from .evaluation.protocol import load_config, parse_grid, run_evaluation
    from .evaluation.report import write_report
    from .registry import get_search_space
    from .run_directory import data_path, prepare, save_config

    raw = apply_overrides(load_yaml(args.config) if args.config else {}, args.set)
    if args.grid:
        raw["grid"] = parse_grid(args.grid)
    config = load_config(raw)
    space = get_search_space(config.space, data=data_path(args.data, config.data), dataset=config.dataset)
    space.check_query(config.dataset, config.metric, config.epochs)
    directory = prepare(args.out or config.output, force=args.force)
    save_config(directory, to_dict(config))
    rows = run_evaluation(config, space, progress=not args.quiet)
    summary = write_report(directory, rows, f"{config.space} {config.dataset} {config.metric}")
    print((directory / "summary.md").read_text())
    print(f"results in {directory}")
    return summary


def register(add) -> None:
    sub = add("evaluate", cmd_evaluate, "evaluate predictors with the EmProx paper's protocol")
    sub.add_argument("--config", help="YAML config, e.g. experiments/predictors/nb201_cifar10.yaml")
    sub.add_argument("--set", action="append", metavar="KEY=VALUE", help="override a config key (repeatable)")
    sub.add_argument("--grid", nargs="+", metavar="OPTION=V1,V2", help="sweep predictor options, e.g. k=3,10,60 d=16,32")
    sub.add_argument("--data", help="NAS-Bench-201 table (else $NASEARCH_NB201, else the config's data)")
    sub.add_argument("--out", help="run directory (default: the config's output)")
    sub.add_argument("--force", action="store_true", help="write into a non-empty run directory")
    sub.add_argument("--quiet", action="store_true", help="no progress bar")
