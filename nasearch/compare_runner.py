"""Running a comparison's trials: each contender × seed search in its own run directory.

:func:`execute` hands the trials to one :mod:`nasearch.executors` executor (local worker
processes or Ray tasks), reruns a trial whose worker was lost, and returns the results in
trial order; :func:`run_trial` is what a worker runs. Tabulating and plotting the results
is :mod:`nasearch.compare`'s.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Optional

from .errors import NasearchError
from .experiment import CompareConfig, CompareTrial, compare_trials
from .runs.directory import CONFIG, RETRIES, RunDirectory
from .runs.summary import RunSummary


@dataclass(frozen=True)
class TrialResult:
    """A finished trial: its summary and per-evaluation series (``None`` before they exist)."""

    summary: RunSummary
    incumbents: list
    incumbent_reports: list
    hypervolumes: list


def prepare_trials(config: CompareConfig, data_override: Optional[str] = None) -> list:
    """Every :class:`~nasearch.experiment.CompareTrial`, each contender's first-seed search built
    up front, so bad names, options or data fail before any work."""
    from .experiment import build_search

    trials = compare_trials(config, data_override)
    for trial in trials:
        if trial.seed == config.first_seed:
            build_search(trial.config)
    return trials


def run_trial(trial: CompareTrial) -> TrialResult:
    """Run, resume or read back one trial's search in its own directory (executed in a worker)."""
    from .runs.lock import locked_directory

    # The worker holds its trial's lock: a worker that outlives a killed comparison still writes
    # its trial, and a second comparison must not resume that trial beside it.
    with locked_directory(trial.directory, take_over=trial.retry):
        return _run_locked_trial(trial)


def _run_locked_trial(trial: CompareTrial) -> TrialResult:
    from .config import load_yaml, to_dict
    from .experiment import check_resume, continue_search
    from .runs.directory import save_config
    from .runs.directory import HISTORY
    from .runs.history import read_summary, read_trials

    path = Path(trial.directory)
    saved = RunDirectory(path).file(CONFIG)
    fix = "change only the budget, remove that directory or set another compare output"
    if saved.is_file():
        check_resume(trial.directory, load_yaml(saved), trial.config, fix)
    else:
        save_config(path, to_dict(trial.config))
    recorded = load_yaml(saved)
    records = read_trials(RunDirectory(path).file(HISTORY))
    same_budget = recorded.get("budget") == trial.config.budget
    summary = read_summary(path) if same_budget and len(records) == trial.config.budget else None
    if summary is None:
        result = continue_search(path, recorded, trial.config, fix).run()
        summary, records = result.summary, result.history
    return TrialResult(summary, [t.incumbent for t in records], [t.incumbent_report for t in records],
                       [t.hypervolume_ratio for t in records])


def execute(trials: list, executor: str = "local", workers: int = 2, ray_address: Optional[str] = None,
            progress: bool = True, retries: int = 3, output=None) -> list:
    """Run trials, at most ``workers`` at a time; return their results in trial order.

    A trial whose worker dies (a lost Ray node, a killed process) is rerun, up to ``retries``
    times, on whatever worker is free: it resumes from its own run directory, so a retry loses
    at most the evaluations that were in flight. Each retry is appended to ``output``'s
    ``retries.jsonl`` with the executor's full text. When the retries are spent, or no worker
    is left, it stops with one line naming the trial and the command that resumes.
    """
    from .executors import NoWorkersLeft, WorkerLost, create_executor

    resume = f"python main.py compare --resume {output}" if output else "the same compare command"
    bar = None
    if progress:
        from tqdm import tqdm
        bar = tqdm(total=len(trials), desc="trials", unit="run")
    position = {trial.directory: i for i, trial in enumerate(trials)}
    results, queue, lost = [None] * len(trials), list(trials), {}
    pool = create_executor(executor, run_trial, workers, ray_address, threads=1, what="a compare trial",
                           inline=False)
    try:
        while queue or pool.running:
            while pool.free and queue:
                pool.submit(queue.pop(0))
            try:
                finished = pool.wait()
            except NoWorkersLeft as error:
                raise NasearchError(f"{error}; the finished trials are kept: add workers, then resume with "
                                    f"`{resume}`") from None
            for trial, result in finished:
                if isinstance(result, WorkerLost):
                    lost[trial.directory] = lost.get(trial.directory, 0) + 1
                    log_retry(output, trial, result, lost[trial.directory], retries)
                    if lost[trial.directory] > retries:
                        where = f"; details in {RunDirectory(output).file(RETRIES)}" if output else ""
                        raise NasearchError(f"trial {trial.label} seed {trial.seed} stopped: {result.reason}, and its "
                                            f"{retries} retries are spent{where}; resume with `{resume}`")
                    # first in line for the next free worker, taking over the lost worker's lock
                    queue.insert(0, replace(trial, retry=True))
                    if bar:
                        bar.write(f"{trial.label} seed {trial.seed}: {result.reason}; retry "
                                  f"{lost[trial.directory]} of {retries}")
                    continue
                results[position[trial.directory]] = result
                if bar:
                    bar.update()
    finally:
        pool.close()
        if bar:
            bar.close()
    return results


def log_retry(output, trial: CompareTrial, lost, attempt: int, retries: int) -> None:
    """Append one lost worker of ``trial`` to the comparison's ``retries.jsonl`` (when it has an ``output``)."""
    if output is None:
        return
    import time

    Path(output).mkdir(parents=True, exist_ok=True)
    RunDirectory(output).append_json_line(RETRIES, {
        "label": trial.label, "seed": trial.seed, "lost": attempt, "retried": attempt <= retries,
        "node": lost.node, "reason": lost.reason, "detail": lost.detail, "time": time.strftime("%Y-%m-%d %H:%M:%S")})
