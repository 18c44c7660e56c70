"""One writer per run directory: search, compare and evaluate refuse a directory in use."""
import json
import os
import socket
import subprocess
import sys

import pytest

from conftest import REPO
from nasearch.cli import main

RANDOM = ["--set", "optimizer=random", "--set", "options={}"]


def _hold(directory, pid):
    directory.mkdir(parents=True, exist_ok=True)
    (directory / ".lock").write_text(json.dumps({"pid": pid, "host": socket.gethostname(),
                                                 "started": "2026-12-01 10:00:00"}))


def _dead_pid():
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_a_run_in_progress_keeps_its_directory(tmp_path, capsys):
    run = tmp_path / "run"
    assert main(["search", "--quiet", "--out", str(run), "--set", "budget=12", *RANDOM]) == 0
    assert not (run / ".lock").exists(), "a finished run releases its lock"
    before = (run / "history.jsonl").read_text()
    capsys.readouterr()
    _hold(run, os.getpid())   # a live process (this one) holds it
    assert main(["search", "--quiet", "--resume", str(run)]) == 2
    err = capsys.readouterr().err
    assert f"in use by pid {os.getpid()} on {socket.gethostname()} since 2026-12-01 10:00:00" in err
    assert err.count("\n") == 1
    assert (run / "history.jsonl").read_text() == before
    for argv in (["compare", "--quiet", "--out", str(run), "--set", "seeds=1", "--set", "budget=5",
                  "--set", "optimizers=[random]"],
                 ["evaluate", "--quiet", "--out", str(run), "--force", "--set", "trials=1"]):
        assert main(argv) == 2
        assert "in use by pid" in capsys.readouterr().err


def test_a_stale_lock_is_taken_over_saying_so(tmp_path, capsys):
    run = tmp_path / "run"
    assert main(["search", "--quiet", "--out", str(run), "--set", "budget=12", *RANDOM]) == 0
    _hold(run, _dead_pid())
    capsys.readouterr()
    assert main(["search", "--quiet", "--resume", str(run)]) == 0
    assert "taking over the lock" in capsys.readouterr().err and not (run / ".lock").exists()


def test_two_runs_started_at_once_into_one_directory_leave_one_whole_run(tmp_path):
    out = tmp_path / "shared"
    argv = [sys.executable, str(REPO / "main.py"), "search", "--quiet", "--out", str(out), "--set", "budget=40",
            *RANDOM]
    runs = [subprocess.Popen(argv, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
    results = [(run.wait(), run.stderr.read()) for run in runs]
    codes = sorted(code for code, _ in results)
    assert codes == [0, 2], results
    refused = next(err for code, err in results if code == 2)
    assert ("in use by pid" in refused or "not empty" in refused) and refused.count("\n") == 1
    lines = (out / "history.jsonl").read_text().splitlines()
    assert len(lines) == 40 == len({json.loads(line)["arch"] for line in lines})


def test_a_failed_check_leaves_no_directory_behind(tmp_path, capsys):
    out = tmp_path / "never"
    assert main(["search", "--quiet", "--out", str(out), "--set", "optimizer=anneal"]) == 2
    assert not out.exists()
    capsys.readouterr()


def test_runs_lists_every_run_with_its_state_and_changes_nothing(tmp_path, capsys):
    import shutil

    from conftest import REPO

    root = tmp_path / "runs"
    for name in ("finished", "interrupted", "locked", "damaged"):
        shutil.copytree(REPO / "tests" / "fixtures" / "runs_v0.1.0" / "single", root / name)
    finished = (REPO / "tests" / "fixtures" / "runs_v0.1.0" / "single.expected_history.jsonl").read_text()
    (root / "finished" / "history.jsonl").write_text(finished)
    torn = (root / "interrupted" / "history.jsonl").read_text() + '{"query": 17, "ar'
    (root / "interrupted" / "history.jsonl").write_text(torn)
    _hold(root / "locked", os.getpid())
    lines = (root / "damaged" / "history.jsonl").read_text().splitlines(keepends=True)
    (root / "damaged" / "history.jsonl").write_text("".join(lines[:3] + ["{oops\n"] + lines[3:]))
    assert main(["runs", str(root)]) == 0
    out = capsys.readouterr().out.splitlines()
    states = {line.split()[0].rsplit("/", 1)[-1]: line for line in out[1:]}
    assert states["finished"].split()[-3:] == ["30/30", "91.0600", "finished"]   # the whole run's best
    assert "17/30" in states["interrupted"] and states["interrupted"].endswith("interrupted")
    assert states["locked"].endswith("locked") and "damaged: " in states["damaged"]
    assert all("nasbench201" in states[name] and "emprox_nao" in states[name] for name in states if name != "damaged")
    assert (root / "interrupted" / "history.jsonl").read_text() == torn, "listing never repairs a file"


def _race(directory, rounds, barrier, wins):
    """One contender: each round, take the lock at the same instant as the other, hold it until
    both have tried, and count the rounds it got it (run in its own process)."""
    from nasearch.errors import ConfigError
    from nasearch.runs.lock import RunLock

    for round_ in range(rounds):
        barrier.wait()
        lock = RunLock(directory)
        try:
            lock.acquire()
            with wins.get_lock():   # a shared array, one slot a round: two holders make it 2
                wins[round_] += 1
        except ConfigError:
            pass
        barrier.wait()   # both have tried: only now may the holder let go
        lock.release()
        barrier.wait()   # the directory is free again before the next round


def test_two_processes_racing_for_the_lock_never_both_hold_it(tmp_path):
    """Only an atomic create keeps this at zero: a check-then-create lock let both processes in
    in most rounds of this race."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    rounds = 150
    barrier = context.Barrier(2)
    wins = context.Array("i", rounds, lock=True)
    racers = [context.Process(target=_race, args=(tmp_path, rounds, barrier, wins)) for _ in range(2)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join(120)
    assert [racer.exitcode for racer in racers] == [0, 0]
    assert max(wins) == 1, f"both processes held the lock in {sum(w == 2 for w in wins)} of {rounds} rounds"
    assert min(wins) == 1, "in every round one of them got it"


def test_runs_groups_a_comparisons_trials_in_one_line_and_expands_them_on_request(tmp_path, capsys):
    root = tmp_path / "runs"
    compare = root / "compare" / "small"
    assert main(["compare", "--quiet", "--out", str(compare), "--set", "optimizers=[random, local_search]",
                 "--set", "seeds=3", "--set", "budget=12"]) == 0
    assert main(["search", "--quiet", "--out", str(root / "search" / "one"), "--set", "budget=6", *RANDOM]) == 0
    capsys.readouterr()
    assert main(["runs", str(root)]) == 0
    lines = capsys.readouterr().out.splitlines()[1:]
    assert len(lines) == 2, lines   # one search, one comparison: not its six trials
    grouped = next(line for line in lines if "(compare, 6 trials)" in line)
    assert "local_search, random" in grouped and "72/72" in grouped and grouped.endswith("finished")
    assert main(["runs", str(compare)]) == 0
    trials = capsys.readouterr().out.splitlines()[1:]
    assert len(trials) == 6 and all(line.endswith("finished") for line in trials)


def test_the_lock_file_names_its_holder_and_release_is_safe(tmp_path):
    import stat
    import time

    from nasearch.runs.lock import RunLock

    lock = RunLock(tmp_path)
    lock.acquire()
    holder = json.loads((tmp_path / ".lock").read_text())
    assert set(holder) == {"pid", "host", "started"} and holder["pid"] == os.getpid()
    assert holder["host"] == socket.gethostname()
    assert time.strptime(holder["started"], "%Y-%m-%d %H:%M:%S")   # a readable local time
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE((tmp_path / ".lock").stat().st_mode) == 0o644 & ~umask
    (tmp_path / ".lock").unlink()   # removed behind its back: releasing it is still quiet
    lock.release()
    other = RunLock(tmp_path)
    other.acquire()
    lock.release()   # a lock released once never deletes the next holder's file
    assert (tmp_path / ".lock").exists()
    other.release()
    assert not (tmp_path / ".lock").exists()


@pytest.mark.parametrize("content", ["", "[1, 2]"])
def test_a_lock_file_that_names_no_holder_is_one_line_naming_the_fix(tmp_path, content):
    from nasearch.errors import ConfigError
    from nasearch.runs.lock import RunLock

    (tmp_path / ".lock").write_text(content)
    with pytest.raises(ConfigError) as error:
        RunLock(tmp_path).acquire()
    assert str(error.value) == (f"{tmp_path / '.lock'} exists but names no holder; if no run uses {tmp_path}, "
                                f"delete {tmp_path / '.lock'} and start again")


def test_a_holder_written_while_we_wait_is_named_and_one_without_a_start_time_shows_a_question_mark(tmp_path):
    import threading

    from nasearch.errors import ConfigError
    from nasearch.runs.lock import RunLock

    (tmp_path / ".lock").write_text("")   # being written this instant by another run
    writer = threading.Timer(0.05, lambda: (tmp_path / ".lock").write_text(
        json.dumps({"pid": os.getpid(), "host": socket.gethostname()})))
    writer.start()
    with pytest.raises(ConfigError) as error:
        RunLock(tmp_path).acquire()
    writer.join()
    assert str(error.value) == (f"{tmp_path} is in use by pid {os.getpid()} on {socket.gethostname()} since ?; "
                                "wait for that run to finish or stop it, or choose another --out")


def test_a_trial_still_held_by_a_worker_of_a_killed_comparison_stops_the_next_one_and_a_retry_takes_over(
        tmp_path, capsys):
    from nasearch.runs.lock import locked_directory

    out = tmp_path / "compare"
    argv = ["compare", "--quiet", "--out", str(out), "--set", "seeds=2", "--set", "budget=6",
            "--set", "optimizers=[random]", "--set", "workers=1"]
    assert main(argv) == 0
    (trial,) = [d for d in out.glob("*/seed1")]
    before = (trial / "history.jsonl").read_text()
    assert not list(out.glob("*/seed*/.lock")), "a finished comparison releases every trial's lock"
    capsys.readouterr()
    _hold(trial, os.getpid())   # a live worker that outlived its comparison still writes this trial
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert f"{trial} is in use by pid {os.getpid()}" in err and err.count("\n") == 1
    assert (trial / "history.jsonl").read_text() == before
    # a retry of the comparison's own lost trial takes the lock over, whoever seems to hold it
    with locked_directory(trial, take_over=True):
        assert json.loads((trial / ".lock").read_text())["pid"] == os.getpid()
    assert "taking over the lock" in capsys.readouterr().err and not (trial / ".lock").exists()
    assert main(argv) == 0
