"""The typed run record, the hooks every plug-in finds on its ABC, and the shared executors."""
import json

import numpy as np
import pytest

from nasearch.cli import main
from nasearch.errors import ConfigError, DataError
from nasearch.runs.summary import RunSummary
from nasearch.search_space import SearchSpace
from nasearch.runs.trial import Trial

OLD_LINE = {"query": 3, "arch": "x", "status": "ok", "value": 90.5, "test": 89.0, "metrics": {"val": 90.5},
            "incumbent": 91.0, "incumbent_test": 90.0, "predicted": None, "seconds": 0.1, "wall": 2.0}


def test_a_trial_reads_old_keys_and_writes_new_ones():
    trial = Trial.from_json(OLD_LINE)
    assert (trial.report, trial.incumbent_report) == (89.0, 90.0)
    assert (trial.handed, trial.told_before) == (3, 3)   # the oldest records had neither: in order
    written = trial.to_json()
    assert written["report"] == 89.0 and "test" not in written and "feasible" not in written
    assert Trial.from_json(written) == trial


@pytest.mark.parametrize("damage,field", [({"value": None}, "an ok trial has value None"),
                                          ({"status": "crashed"}, "status 'crashed'"),
                                          ({"arch": 7}, "field 'arch'"), ({"wall": "late"}, "field 'wall'")])
def test_a_damaged_trial_names_its_field(damage, field):
    with pytest.raises(DataError, match=field):
        Trial.from_json({**OLD_LINE, **damage}, "h.jsonl line 4")


def test_an_old_summary_is_read_as_a_run_summary(tmp_path):
    from conftest import REPO

    path = REPO / "tests" / "fixtures" / "runs_v0.1.0" / "compare" / "RE" / "seed0" / "summary.json"
    data = json.loads(path.read_text())
    summary = RunSummary.from_json(data)
    assert summary.report_of_best == data["test_of_best"] and summary.best_value == data["best_value"]
    assert not summary.multi_objective and "objectives" not in summary.to_json()


class NoExtras(SearchSpace):
    """The smallest space: every optional hook left at the ABC's default."""

    name = "bare"
    vocab_size, seq_len = 3, 2

    def sample(self, rng):
        return tuple(int(i) for i in rng.integers(2, size=2))

    def neighbors(self, arch):
        return [tuple(1 - a if i == j else a for j, a in enumerate(arch)) for i in range(2)]

    def arch_id(self, arch):
        return arch

    def to_string(self, arch):
        return "".join(map(str, arch))

    def from_string(self, text):
        return tuple(int(c) for c in text)

    def to_sequence(self, arch):
        return [a + 1 for a in arch]

    def from_sequence(self, tokens):
        return tuple(t - 1 for t in tokens)

    def allowed_tokens(self, position, prefix=()):
        return [1, 2]

    def config_space(self, seed=None):
        return None

    def to_config(self, arch):
        return {}

    def from_config(self, config):
        return (0, 0)

    @property
    def size(self):
        return 4


def test_plug_in_hooks_have_defaults_on_the_abc(nb201):
    from nasearch.predictors.encodings import one_hot, path_encoding
    from nasearch.training import TrainingObjective

    bare = NoExtras()
    archs = [(0, 1), (1, 0)]
    assert bare.dataset_sizes() == {} and bare.path_encoding((0, 1)) is None
    assert np.array_equal(path_encoding(bare, archs), one_hot(bare, archs))
    assert path_encoding(nb201, [nb201.sample(np.random.default_rng(0))]).shape == (1, 155)
    assert not bare.builds_networks and nb201.builds_networks
    with pytest.raises(ConfigError, match="has no network"):
        TrainingObjective(bare, {})
    with pytest.raises(DataError, match="no table converter"):
        bare.convert_table("in", "out")


def test_convert_names_the_space_without_a_converter(capsys):
    assert main(["convert", "--space", "darts", "--source", "x", "--out", "y"]) == 2
    assert "'darts' has no table converter" in capsys.readouterr().err


def _double(value):
    if value < 0:
        raise ConfigError("negative payload")
    return 2 * value


def test_executors_return_results_and_re_raise_the_function_s_errors():
    from nasearch.executors import create_executor

    for workers in (1, 2):
        pool = create_executor("local", _double, workers)
        try:
            results = []
            for payload in (1, 2, 3):
                while not pool.free:
                    results += pool.wait()
                pool.submit(payload)
            while pool.running:
                results += pool.wait()
            assert sorted(results) == [(1, 2), (2, 4), (3, 6)]
            pool.submit(-1)
            with pytest.raises(ConfigError, match="negative payload"):
                pool.wait()
        finally:
            pool.close()


def test_multi_objective_guidance_is_configured_and_recorded(nb201):
    from nasearch import Search

    # the settings are resolved and recorded when the search is bound, before any round
    options = {"n_init": 6, "batch_size": 4, "candidates": 8, "pareto": {"memory": 50, "augment": 0.1}}
    result = Search(nb201, None, "emprox_nao", budget=6, seed=0, options=options,
                    objectives=["val", "-latency@edgegpu"]).run()
    guide = result.summary.optimizer_stats["guide"]
    assert guide == {"kind": "pareto", "optimism": 1.0, "augment": 0.1, "soft_min": 0.05, "memory": 50}
    assert result.summary.optimizer_options["pareto"]["memory"] == 50
    single = Search(nb201, None, "emprox_nao", budget=6, seed=0, options={"n_init": 6, "batch_size": 2,
                                                                          "candidates": 4, "optimism": 0.5}).run()
    assert single.summary.optimizer_stats["guide"] == {"kind": "emprox", "optimism": 0.5}
    with pytest.raises(ConfigError, match="pareto.memory"):
        Search(nb201, None, "emprox_nao", budget=8, options={"pareto": {"memory": 0}})
