"""Ray: an address without a cluster, then the session's local instance running compare trials
and a search's evaluations. One file, so a parallel test run keeps every Ray test in one worker
(and one Ray instance)."""
import pytest

from nasearch import Search
from nasearch.cli import main
from nasearch.compare import execute, prepare_trials
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
