"""Ray: an address without a cluster, then the session's local instance running compare trials
and a search's evaluations. One file, so a parallel test run keeps every Ray test in one worker
(and one Ray instance)."""
import pytest

from nasearch import Search
from nasearch.cli import main
from nasearch.compare import execute, prepare_trials
from nasearch.errors import ConfigError
from nasearch.experiment import load_compare_config

from test_compare import CONFIG


def test_a_ray_address_with_no_cluster_is_a_one_line_error(tmp_path, capsys, monkeypatch):
    # runs before the session's Ray instance starts (test_ray_executor_gives_the_same_results)
    ray = pytest.importorskip("ray")
    if ray.is_initialized():
        pytest.skip("a Ray instance is already running in this process")
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    argv = ["compare", "--quiet", "--set", "seeds=1", "--set", "budget=12", "--set", "optimizers=[random]",
            "--executor", "ray", "--ray-address", "auto", "--out", str(tmp_path / "out")]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "cannot reach a Ray cluster at 'auto'" in err and err.count("\n") == 1


def test_ray_executor_gives_the_same_results(tmp_path, nb201_path, ray_instance):
    local = load_compare_config(dict(CONFIG, output=str(tmp_path / "local")))
    remote = load_compare_config(dict(CONFIG, output=str(tmp_path / "ray")))
    local_results = execute(prepare_trials(local, str(nb201_path)), "local", 2, progress=False)
    ray_results = execute(prepare_trials(remote, str(nb201_path)), "ray", progress=False)
    assert [r.incumbents for r in ray_results] == [r.incumbents for r in local_results]


def test_ray_workers_evaluate_a_search(nb201, ray_instance):
    ray = ray_instance
    import parallel_objectives
    from parallel_objectives import TableWithDelay

    # Ray's workers do not see the tests directory; ship the objective's class by value.
    ray.cloudpickle.register_pickle_by_value(parallel_objectives)

    result = Search(nb201, TableWithDelay(0.0), "random", budget=6, seed=0, workers=2, executor="ray").run()
    assert len({r.arch for r in result.history}) == 6 and all(r.status == "ok" for r in result.history)


def test_gpus_per_trial_on_a_cluster_without_gpus_is_a_one_line_error(nb201, ray_instance):
    if ray_instance.cluster_resources().get("GPU", 0) > 0:
        pytest.skip("this cluster has GPUs")
    with pytest.raises(ConfigError, match="gpus_per_trial is 0.5 but the Ray cluster has 0 GPUs"):
        Search(nb201, None, "random", budget=4, seed=0, workers=2, executor="ray", gpus_per_trial=0.5).run()


def _local_compare(out):
    """The node-loss comparison of ray_node_loss.py, run with local worker processes."""
    from ray_node_loss import ARGS

    assert main(["compare", *ARGS, "--out", str(out)]) == 0
    return (out / "incumbents.csv").read_text()


def test_a_lost_node_costs_a_retry_and_losing_every_node_stops_with_one_line(tmp_path):
    """On a real multi-node cluster: one node removed mid-run, the comparison retries its trial
    elsewhere and matches a local run; every node removed, it stops with one line and resumes."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    pytest.importorskip("ray")
    tests = Path(__file__).parent
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tests), str(tests.parent)]))
    done = subprocess.run([sys.executable, str(tests / "ray_node_loss.py"), str(tmp_path)], env=env,
                          capture_output=True, text=True, timeout=240)
    assert done.stdout.strip().splitlines()[-1] == "0 2", done.stdout[-2000:] + done.stderr[-2000:]
    local = _local_compare(tmp_path / "local")
    assert (tmp_path / "one" / "incumbents.csv").read_text() == local
    retries = [json.loads(line) for line in (tmp_path / "one" / "retries.jsonl").read_text().splitlines()]
    assert len(retries) == 1 and retries[0]["retried"] and len(retries[0]["node"]) == 56
    assert "NodeDiedError" in retries[0]["detail"]
    assert "rerun after their worker was lost" in (tmp_path / "one" / "compare.md").read_text()
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "no node with a CPU left" in errors[0]
    assert f"compare --resume {tmp_path / 'all'}" in errors[0]
    # nothing lost: the stopped comparison resumes on local workers to the same numbers
    assert main(["compare", "--quiet", "--resume", str(tmp_path / "all")]) == 0
    assert (tmp_path / "all" / "incumbents.csv").read_text() == local
