"""The ``python main.py`` command line.

Every :class:`~nasearch.errors.NasearchError` becomes one line on stderr and
exit status 2; so does an argument error.
"""
from __future__ import annotations

import argparse
import sys

import numpy as np

from .errors import NasearchError
from .registry import get_search_space, search_spaces


class _Parser(argparse.ArgumentParser):
    #: builds the epilog when help is shown, so listing components never slows other commands
    epilog_factory = None

    def error(self, message):
        raise NasearchError(f"{self.prog}: {message} (see --help)")

    def format_help(self):
        if self.epilog_factory is not None:
            self.epilog = self.epilog_factory()
        return super().format_help()


def _space(args):
    return get_search_space(args.space, dataset=getattr(args, "dataset", None), data=getattr(args, "data", None))


def _dataset(space, args) -> str:
    return space.check_dataset(args.dataset or (space.datasets or [""])[0])


def _epochs_text(levels: list) -> str:
    """``200/12`` for a few fidelities; ``98 (1..98)`` (the default, then the range) for many."""
    if len(levels) <= 4:
        return "/".join(map(str, levels))
    return f"{levels[0]} ({min(levels)}..{max(levels)})"


def cmd_spaces(args) -> None:
    from .search_space import describe_size

    for name in search_spaces.names():
        try:
            space = get_search_space(name, data=args.data)
            sizes = space.dataset_sizes()
            lines = [f"{name}: {type(space).__name__}, tokens {space.seq_len} x vocab {space.vocab_size}"]
            for dataset, size in sizes.items():
                metrics = ", ".join(f"{m}@{_epochs_text(space.epochs(dataset, m))}" if space.epochs(dataset, m) else m
                                    for m in space.metrics(dataset) + space.cost_metrics(dataset))
                note = " (surrogate benchmark)" if space.benchmark_note(dataset) else ""
                lines.append(f"  {dataset:<16} {describe_size(size):>9} architectures   metrics: {metrics}{note}")
            if not sizes:
                lines.append(f"  {'(no table)':<16} {describe_size(space.size):>9} architectures   "
                             "scored by your own objective")
        except Exception as error:  # one broken plug-in must not hide the others
            lines = [f"{name}: cannot be loaded ({type(error).__name__}: {error})"]
        print("\n".join(lines))


def cmd_info(args) -> None:
    from .search_space import describe_size

    space = _space(args)
    if not space.datasets:
        print(f"space {space.name}: {describe_size(space.size)} architectures, no benchmark table; "
              "score it with an objective of your own (nasearch.Search)")
        return
    dataset = _dataset(space, args)
    archs = space.table_archs(dataset)
    covered = space.table_covers_space(dataset)
    print(f"space {space.name}, dataset {dataset}: {describe_size(space.size)} architectures"
          + ("" if archs is None or covered else f", {len(archs):,} of them in the benchmark table"))
    if space.benchmark_note(dataset):
        print(f"  {space.benchmark_note(dataset)}")
    if archs is None:
        metrics = space.metrics(dataset) + space.cost_metrics(dataset)
        print(f"  no listable table: query any architecture (metrics {', '.join(metrics)}), or search it"
              if space.benchmark_note(dataset) else
              "  no listable benchmark table: the space is only sampled; score it with an objective")
        return
    for metric in space.metrics(dataset):
        for epochs in space.epochs(dataset, metric) or [None]:
            values = space.values(dataset, metric, epochs)
            best = int(np.argmax(values))
            label = metric if epochs is None else f"{metric} {epochs}ep"
            print(f"  {label:<10} best {values[best]:8.4f}  mean {values.mean():8.4f}  std {values.std():7.4f}"
                  f"  best arch {space.to_string(archs[best])}")
    costs = space.cost_metrics(dataset)
    if costs:
        print("  costs (lower is better; quartiles for constraints):")
    for metric in costs:
        values = space.values(dataset, metric)
        measured = values[np.isfinite(values)]
        q25, q50, q75 = np.percentile(measured, [25, 50, 75])
        missing = "" if len(measured) == len(values) else f"  not measured for {len(values) - len(measured):,} cells"
        print(f"  {metric:<29} min {measured.min():9.4f}  p25 {q25:9.4f}  median {q50:9.4f}  p75 {q75:9.4f}"
              f"  max {measured.max():9.4f}{missing}")


def cmd_query(args) -> None:
    space = _space(args)
    arch = space.from_string(args.arch)
    dataset = _dataset(space, args)
    from .errors import MissingValueError

    metrics = [args.metric] if args.metric else space.metrics(dataset) + space.cost_metrics(dataset)
    print(space.to_string(arch))
    if space.benchmark_note(dataset):
        print(f"  ({space.benchmark_note(dataset)})")
    for metric in metrics:
        if metric in space.cost_metrics(dataset):
            epochs_list = [args.epochs]
        else:
            levels = space.epochs(dataset, metric)
            # many fidelities (a surrogate's every epoch): the default only; --epochs picks another
            epochs_list = [args.epochs] if args.epochs is not None else (levels[:1] if len(levels) > 4 else levels or [None])
        for epochs in epochs_list:
            label = metric if epochs is None else f"{metric} ({epochs} epochs)"
            try:
                value = f"{space.query(arch, dataset, metric, epochs):.4f} {space.metric_unit(metric)}".rstrip()
            except MissingValueError:
                value = "not measured"
            print(f"  {dataset} {label}: {value}")


def cmd_report(args) -> None:
    from pathlib import Path

    from .errors import ConfigError
    from .reporting import write_report

    if not Path(args.directory).is_dir():
        raise ConfigError(f"{args.directory!r} is not a directory; pass a search run or a comparison directory")
    print(f"wrote {write_report(args.directory, args.out, progress=not args.quiet)}")


def cmd_runs(args) -> None:
    from pathlib import Path

    from .errors import ConfigError
    from .runs.listing import format_runs, list_runs

    root = Path(args.directory)
    if not root.is_dir():
        raise ConfigError(f"{str(root)!r} is not a directory; pass the folder your runs are in (default runs)")
    listings = list_runs(root)
    print(format_runs(listings) if listings else f"no run directories below {root}")


def cmd_retrain(args) -> None:
    from .config import apply_overrides
    from .training.retrain import retrain

    if args.directory is None and not (args.space and args.arch):
        raise NasearchError("retrain needs RUN_DIR (a search run), or --space and --arch")
    retrain(args.directory, arch=args.arch, settings=apply_overrides({}, args.set), output=args.out,
            space=args.space, progress=not args.quiet)


def _retrain_help() -> str:
    from .config import defaults_help
    from .training import TrainingConfig

    return "\n".join(["training settings (--set key=value); the space's protocol replaces these defaults "
                      "(DARTS: 36 channels, 20 cells, 600 epochs, auxiliary head, drop-path, cutout;",
                      "NAS-Bench-201: its skeleton, 200 epochs), and the run's data settings come next:",
                      defaults_help(TrainingConfig)])


def cmd_convert(args) -> None:
    rows = search_spaces.factory(args.space).convert_table(args.source, args.out)
    print(f"wrote {rows:,} architectures to {args.out}")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="main.py", description="nasearch: neural architecture search with EmProx",
                     allow_abbrev=False)
    commands = parser.add_subparsers(dest="command", parser_class=_Parser, required=True)

    def add(name, function, help_text, epilog=None):
        sub = commands.add_parser(name, help=help_text, description=help_text, allow_abbrev=False,
                                  formatter_class=argparse.RawDescriptionHelpFormatter)
        sub.epilog_factory = epilog
        sub.set_defaults(function=function)
        return sub

    sub = add("spaces", cmd_spaces, "list registered search spaces with datasets and sizes")
    sub.add_argument("--data", help="NAS-Bench-201 table (else $NASEARCH_NB201)")

    for name, function, text in (("info", cmd_info, "size, optimum, mean and std of a space's benchmark"),
                                 ("query", cmd_query, "benchmark values of one architecture")):
        sub = add(name, function, text)
        sub.add_argument("--space", required=True, help=f"one of {', '.join(search_spaces.names())}")
        sub.add_argument("--dataset", help="dataset (default: the space's first)")
        sub.add_argument("--data", help="NAS-Bench-201 table (else $NASEARCH_NB201)")
        if name == "query":
            sub.add_argument("--arch", required=True, help="architecture string")
            sub.add_argument("--metric", help="train, val or test (default: all)")
            sub.add_argument("--epochs", type=int, help="training budget (default: all available)")

    sub = add("runs", cmd_runs, "list the search run directories below DIR: space, dataset, optimizer, "
                                "evaluations done of the budget, best value, state")
    sub.add_argument("directory", nargs="?", default="runs", metavar="DIR", help="where to look (default: runs)")

    sub = add("report", cmd_report, "write RUN_DIR/report.html: a self-contained page (no server, no network) "
                                    "with the incumbent curve, Pareto front, embedding map and best cell of a "
                                    "search, or the curves and paired verdicts of a comparison")
    sub.add_argument("directory", metavar="RUN_DIR", help="a search run or a comparison directory")
    sub.add_argument("--out", help="the HTML file to write (default: RUN_DIR/report.html)")
    sub.add_argument("--quiet", action="store_true", help="no progress bar (when an autoencoder must be pretrained)")

    sub = add("retrain", cmd_retrain, "train a search's best architecture (or --arch) at full size on its data, "
                                      "report its test accuracy, and export it (weights, TorchScript, ONNX); "
                                      "rerun to resume", _retrain_help)
    sub.add_argument("directory", nargs="?", metavar="RUN_DIR", help="a search run (default output: RUN_DIR/retrain)")
    sub.add_argument("--arch", help="the architecture to train instead of the run's best (the space's string)")
    sub.add_argument("--space", help="the space of --arch when there is no RUN_DIR")
    sub.add_argument("--set", action="append", metavar="KEY=VALUE",
                     help="override a training setting, e.g. epochs=100, data=~/cifar, device=cuda (repeatable)")
    sub.add_argument("--out", help="the folder to write into (default: RUN_DIR/retrain)")
    sub.add_argument("--quiet", action="store_true", help="no progress bar")

    sub = add("convert", cmd_convert, "rebuild a space's benchmark table from its official release file")
    sub.add_argument("--space", required=True, help=f"one of {', '.join(search_spaces.names())}")
    sub.add_argument("--source", required=True, help="the release file (NAS-Bench-201: NAS-Bench-201-v1_1-096897.pth)")
    sub.add_argument("--out", required=True, help="output CSV path")
    sub = add("convert-nb201", cmd_convert, "convert the official NAS-Bench-201 .pth into the compact table "
                                            "(convert --space nasbench201)")
    sub.set_defaults(space="nasbench201")
    sub.add_argument("--source", required=True, help="NAS-Bench-201-v1_1-096897.pth (or v1_0)")
    sub.add_argument("--out", required=True, help="output CSV path")

    from . import run_commands
    run_commands.register(add)
    return parser


def _terminate(signum, frame):
    raise KeyboardInterrupt  # SIGTERM ends a run the way Ctrl-C does: history kept, resume printed


def _one_line_warnings() -> None:
    """Show nasearch's own warnings as ``warning: ...`` lines, without file and source line."""
    import warnings

    from .errors import SearchWarning

    shown = warnings.showwarning

    def show(message, category, filename, lineno, file=None, line=None):
        if issubclass(category, SearchWarning):
            print(f"warning: {message}", file=sys.stderr)
        else:
            shown(message, category, filename, lineno, file, line)

    warnings.showwarning = show


def main(argv=None) -> int:
    import os
    import signal
    import threading

    from .seeding import restart_with_fixed_hash_seed

    if argv is None:
        restart_with_fixed_hash_seed()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _terminate)
    _one_line_warnings()
    try:
        from .threads import set_threads

        set_threads()
        args = build_parser().parse_args(argv)
        args.function(args)
    except NasearchError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:   # output piped into `head` and the like: stop quietly
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else 1
    return 0
