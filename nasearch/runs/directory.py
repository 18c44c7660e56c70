"""Run directories: the one place that names their files, writes them atomically and reads them.

Three kinds of directory share these rules. A search run holds its ``config.yaml``,
``history.jsonl`` (one record per evaluation, append-only), ``optimizer_options.yaml``,
``budget.jsonl``, ``requeues.jsonl``, ``summary.json`` and its plots; a comparison holds
``comparison.yaml``, its tables and one search run per trial below it; an evaluation holds
its trials and tables. Every module reaches a file through :class:`RunDirectory` and the
names below, never by spelling a name itself, so a file can be renamed or checked in one place.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from ..errors import ConfigError

# a search run
CONFIG = "config.yaml"                 #: the run's search config (budget updated by an extension)
HISTORY = "history.jsonl"              #: one trial record a line, appended as evaluations finish
OPTIONS = "optimizer_options.yaml"     #: the optimizer's resolved options, written once
BUDGET = "budget.jsonl"                #: the budget changes of an extended run, appended
REQUEUES = "requeues.jsonl"            #: evaluations handed out again after theirs were lost, appended
SUMMARY = "summary.json"               #: the finished run's summary (a comparison's and an evaluation's too)
LOCK = ".lock"                         #: the writer's pid, host and start time while it runs
INCUMBENT_PLOT = "incumbent.png"
PARETO_CSV, PARETO_PLOT = "pareto.csv", "pareto.png"
# a comparison
COMPARISON = "comparison.yaml"         #: the comparison's config
COMPARE_TABLE, COMPARE_PLOT = "compare.md", "compare.png"
INCUMBENTS = "incumbents.csv"
HYPERVOLUME_CSV, HYPERVOLUME_JSON = "hypervolume.csv", "hypervolume.json"
RETRIES = "retries.jsonl"              #: one line per trial retried after its worker was lost, appended
REPORT = "report.html"                 #: a search's or a comparison's self-contained report (``report``)
OPTUNA_JOURNAL = "optuna_journal.log"  #: with dashboard: true, the trials as an Optuna journal (optuna-dashboard)
CHECKPOINTS = "checkpoints"            #: folder: a training objective's unfinished trainings, one file each
# a retraining (``retrain``), in its own folder (``retrain/`` of the search run by default)
RETRAIN_CONFIG = "retrain.yaml"        #: the resolved training settings and the architecture
RETRAIN_CHECKPOINT = "checkpoint.pt"   #: the training state after the last finished epoch
RETRAIN_LOG = "epochs.jsonl"           #: one line per finished epoch (accuracies, seconds), appended
RETRAIN_RESULT = "retrain.json"        #: the final accuracies, parameter count and export check
WEIGHTS = "model.pt"                   #: the trained state_dict
TORCHSCRIPT = "model.torchscript.pt"   #: the traced network, loadable without nasearch
ONNX_MODEL = "model.onnx"              #: the network in ONNX (inputs ``images``, outputs ``logits``)
ARCHITECTURE = "architecture.txt"      #: the architecture in its space's notation, and its string
# an evaluation
TRIALS = "trials.csv"
SUMMARY_TABLE = "summary.md"
SCATTER_PLOT = "scatter.png"
GRID_PLOT = "grid.png"                 #: an evaluation over a two-option grid: the heatmap of its table

NAMES = frozenset({CONFIG, HISTORY, OPTIONS, BUDGET, REQUEUES, SUMMARY, LOCK, INCUMBENT_PLOT, PARETO_CSV, PARETO_PLOT,
                   COMPARISON, COMPARE_TABLE, COMPARE_PLOT, INCUMBENTS, HYPERVOLUME_CSV, HYPERVOLUME_JSON, RETRIES,
                   REPORT, OPTUNA_JOURNAL, CHECKPOINTS, RETRAIN_CONFIG, RETRAIN_CHECKPOINT, RETRAIN_LOG, RETRAIN_RESULT, WEIGHTS,
                   TORCHSCRIPT, ONNX_MODEL, ARCHITECTURE,
                   TRIALS, SUMMARY_TABLE, SCATTER_PLOT, GRID_PLOT})


class RunDirectory:
    """One run directory at ``path``: its files by name (one of :data:`NAMES`), written atomically
    (a kill leaves the old file or the new one, never half of one) and read with one-line errors."""

    def __init__(self, path):
        self.path = Path(path)

    def file(self, name: str) -> Path:
        """The path of file ``name``, which must be one of :data:`NAMES`."""
        if name not in NAMES:
            raise ValueError(f"{name!r} is not a run-directory file; declare it in nasearch.runs.directory")
        return self.path / name

    def has(self, name: str) -> bool:
        return self.file(name).is_file()

    def write_text(self, name: str, text: str) -> Path:
        """Write ``text`` to file ``name`` atomically (a temporary file, then a rename)."""
        path = self.file(name)
        partial = path.with_name(path.name + ".partial")
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, path)
        return path

    def write_yaml(self, name: str, data: dict) -> Path:
        import yaml

        return self.write_text(name, yaml.safe_dump(data, sort_keys=False))

    def write_json(self, name: str, data) -> Path:
        return self.write_text(name, json.dumps(data, indent=2))

    def read_yaml(self, name: str) -> dict:
        """File ``name`` as a mapping; a missing or broken file is a one-line ConfigError."""
        from ..config import load_yaml

        return load_yaml(self.file(name))

    def append_json_line(self, name: str, record: dict) -> None:
        """Append ``record`` as one JSON line to file ``name`` (an append-only log), flushed to disk."""
        with open(self.file(name), "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record) + "\n")
            handle.flush()
            os.fsync(handle.fileno())

    def read_json_lines(self, name: str) -> list:
        """Every record of an append-only JSON-lines file (``[]`` when it does not exist); a torn
        last line (a kill mid-write) is skipped."""
        if not self.has(name):
            return []
        records = []
        for line in self.file(name).read_text(encoding="utf-8").splitlines():
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                continue
        return records

    def read_text(self, name: str) -> str:
        return self.file(name).read_text(encoding="utf-8")

    def write_with(self, name: str, writer) -> Path:
        """Write file ``name`` atomically through ``writer(path)``, a function that writes a file at
        the path it is given (``torch.save``, an ONNX export)."""
        path = self.file(name)
        partial = path.with_name(path.name + ".partial")
        writer(partial)
        os.replace(partial, path)
        return path


def ensure_empty(directory, force: bool = False, hint: str = "or continue a search there with --resume") -> Path:
    """Refuse a non-empty ``directory`` unless ``force``; creates nothing, deletes nothing.
    ``hint`` is the command's other way out, named in the error."""
    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise ConfigError(f"run directory {str(directory)!r} is a file; choose another --out")
    # the lock file alone is not content: whether its holder still runs is the lock's to say
    if directory.exists() and any(p.name != LOCK for p in directory.iterdir()) and not force:
        raise ConfigError(f"run directory {str(directory)!r} is not empty; choose another --out, {hint}")
    return directory


def prepare(directory, force: bool = False, hint: str = "or pass --force to write into it") -> Path:
    """Create ``directory``; refuse a non-empty one unless ``force`` (nothing is deleted)."""
    directory = ensure_empty(directory, force, hint)
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def save_config(directory, data: dict, name: str = CONFIG) -> None:
    """Write ``data`` as YAML to file ``name`` of ``directory``, atomically."""
    RunDirectory(directory).write_yaml(name, data)


def data_path(cli_value, config_value):
    """The NAS-Bench-201 table: --data, else $NASEARCH_NB201, else the config's ``data``."""
    import os

    return cli_value or os.environ.get("NASEARCH_NB201") or config_value
