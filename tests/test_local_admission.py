"""``surrogate.local_admission: earned``: the local predictors rank one-edit candidates only while
their mean with the ranker has ordered the search's new evaluations, predicted before they were
told, better than the ranker alone."""
from dataclasses import dataclass

import numpy as np
import pytest

from nasearch import Search, TabularObjective
from nasearch.errors import ConfigError
from nasearch.optimizers.emprox_nao.admission import PrequentialAdmission, rightly_ordered_pairs
from nasearch.predictors import Predictor, registry

RANKER = {"members": 2, "epochs": 30, "width": 16}


@dataclass(frozen=True)
class _NoOptions:
    pass


class _TableOracle(Predictor):
    """Predicts the table's own value (``sign`` +1) or its negation (``sign`` −1)."""

    Config = _NoOptions
    sign = 1.0

    def fit(self, archs, values):
        return self

    def predict(self, archs):
        return self.sign * np.array([self.space.query(a, "cifar10-valid") for a in archs])


class _TableContrarian(_TableOracle):
    sign = -1.0


def _search(space, budget, local, admission="earned"):
    return Search(space, TabularObjective(space, "cifar10-valid"), "emprox_nao", budget, seed=0,
                  options={"n_init": 10, "batch_size": 5, "candidates": 10,
                           "surrogate": {"name": "label_aware", "ranker": RANKER, "local": local,
                                         "local_admission": admission}})


@pytest.fixture
def oracles(monkeypatch):
    monkeypatch.setitem(registry._factories, "table_oracle", _TableOracle)
    monkeypatch.setitem(registry._factories, "table_contrarian", _TableContrarian)


def test_rightly_ordered_pairs_counts_right_wrong_and_tied_predictions_and_skips_tied_values():
    told = np.array([1.0, 2.0, 3.0])
    assert rightly_ordered_pairs([10, 20, 30], told) == (3.0, 3)
    assert rightly_ordered_pairs([30, 20, 10], told) == (0.0, 3)
    assert rightly_ordered_pairs([5, 5, 5], told) == (1.5, 3)
    assert rightly_ordered_pairs([1, 3, 2], told) == (2.0, 3)
    # two equal told values make no pair
    assert rightly_ordered_pairs([1, 2, 3], [1.0, 1.0, 2.0]) == (2.0, 2)


def test_the_admission_needs_strictly_more_rightly_ordered_pairs_and_remembers_the_last_fit():
    admission = PrequentialAdmission(lambda arch: arch)
    assert not admission.admitted                      # no evidence: the ranker ranks alone
    assert admission.new_since_last_fit(["a", "b"]) == [0, 1]
    assert admission.new_since_last_fit(["a", "b", "c", "d"]) == [2, 3]
    admission.record([1.0, 2.0], alone=[1.0, 2.0], with_local=[1.0, 2.0])
    assert (admission.alone, admission.with_local, admission.pairs) == (1.0, 1.0, 1)
    assert not admission.admitted                      # a tie keeps the ranker alone
    admission.record([1.0, 2.0, 3.0], alone=[3.0, 2.0, 1.0], with_local=[1.0, 2.0, 3.0])
    assert admission.admitted


def test_a_local_predictor_that_knows_the_table_is_admitted_and_one_that_inverts_it_never_is(nb201, oracles):
    ranks = {}
    for name in ("table_oracle", "table_contrarian"):
        search = _search(nb201, 40, {name: {}})
        search.run()
        surrogate, stats = search.optimizer.guide.surrogate, search.optimizer.stats
        assert surrogate.admission.pairs > 40          # every round after the first two was judged
        ranks[name] = (surrogate.admission.admitted, stats["local_admitted_rounds"], stats["rounds"])
        guide = search.optimizer.guide
        children = search.optimizer.context.mutants_of_best(10, guide.archs, guide.values)
        alone = surrogate.ranker.predict(children)
        local = surrogate.predict_local(children)[0]
        if surrogate.admission.admitted:
            np.testing.assert_allclose(local, (alone + _TableOracle(nb201).predict(children)) / 2)
        else:
            np.testing.assert_allclose(local, alone)
    admitted, admitted_rounds, rounds = ranks["table_oracle"]
    assert admitted and admitted_rounds >= rounds - 3
    admitted, admitted_rounds, _ = ranks["table_contrarian"]
    assert not admitted and admitted_rounds == 0


def test_each_batch_is_judged_by_predictors_that_have_not_seen_it(nb201, oracles, monkeypatch):
    search = _search(nb201, 30, {"xgb": {"rounds": 20}})
    surrogate = search.optimizer.guide.surrogate
    judged = []
    record = surrogate.admission.record

    def checked(told, alone, with_local):
        # the ranker's memory holds the told set of the previous fit, none of this batch
        assert len(surrogate.ranker.values) == len(search.optimizer.guide.archs) - len(told)
        (trees,) = surrogate.local
        assert trees.booster is not None       # fitted at an earlier round
        judged.append(len(told))
        record(told, alone, with_local)

    monkeypatch.setattr(surrogate.admission, "record", checked)
    search.run()
    assert judged and set(judged) == {5}


def test_always_admits_and_a_bad_admission_is_a_one_line_error(nb201):
    search = _search(nb201, 20, {"xgb": {"rounds": 20}}, admission="always")
    assert search.optimizer.guide.surrogate.admission is None
    with pytest.raises(ConfigError, match="local_admission must be 'always', 'earned' or 'sized'") as error:
        _search(nb201, 20, {"xgb": {}}, admission="sometimes")
    assert "\n" not in str(error.value)


def test_an_interrupted_run_with_earned_admission_resumes_to_the_same_history(nb201, tmp_path, oracles):
    import shutil

    from nasearch.runs.history import read_trials

    def run(directory):
        search = Search(nb201, TabularObjective(nb201, "cifar10-valid"), "emprox_nao", 35, seed=2,
                        directory=directory, options={"n_init": 10, "batch_size": 5, "candidates": 10, "surrogate": {
                            "name": "label_aware", "ranker": RANKER, "local": {"table_oracle": {}},
                            "local_admission": "earned"}})
        search.run()
        return search, [(t.arch, t.value) for t in read_trials(directory / "history.jsonl")]

    whole, trials = run(tmp_path / "whole")
    # cut within the rounds the admission was judged in, after the first judged
    assert 0 < whole.optimizer.stats["local_admitted_rounds"] < whole.optimizer.stats["rounds"]
    shutil.copytree(tmp_path / "whole", tmp_path / "cut")
    lines = (tmp_path / "cut" / "history.jsonl").read_text().splitlines(keepends=True)
    (tmp_path / "cut" / "history.jsonl").write_text("".join(lines[:27]))
    resumed, resumed_trials = run(tmp_path / "cut")
    assert resumed_trials == trials
    assert resumed.optimizer.stats["local_admitted_rounds"] == whole.optimizer.stats["local_admitted_rounds"]


# ------------------------------------------------------------------ local_admission: sized
def test_tabular_predictors_declare_their_encodings_width_and_graph_ones_none(nb201):
    from nasearch.predictors import create_predictor

    arch = nb201.sample(np.random.default_rng(0))
    widths = {name: create_predictor(name, nb201, options).input_features(arch) for name, options in
              [("mlp", {}), ("xgb", {}), ("ridge", {}), ("bananas", {}), ("gin", {}),
               ("ensemble", {"members": {"ridge": {}, "bananas": {}}})]}
    path = create_predictor("bananas", nb201, {})._features([arch]).shape[1]
    assert path > 30
    assert widths == {"mlp": 30, "xgb": 30, "ridge": 30, "bananas": path, "gin": 0, "ensemble": path}


def test_sized_admission_asks_the_local_predictors_only_once_told_values_cover_their_inputs(nb201, oracles,
                                                                                           monkeypatch):
    # NAS-Bench-201's one-hot encoding has 30 features: the oracle (declared as reading them) is neither
    # fitted nor asked while fewer than 30 values are told, and ranks every round after
    monkeypatch.setattr(_TableOracle, "input_features", lambda self, example: 30, raising=False)
    fitted_at = []
    fit = _TableOracle.fit
    monkeypatch.setattr(_TableOracle, "fit", lambda self, archs, values: fitted_at.append(len(archs)) or
                        fit(self, archs, values))
    search = _search(nb201, 50, {"table_oracle": {}}, admission="sized")
    surrogate = search.optimizer.guide.surrogate
    asked = []
    predict_local = surrogate.predict_local

    def recorded(archs):
        told = len(search.optimizer.guide.archs)
        mean = predict_local(archs)[0]
        alone = surrogate.ranker.predict(archs)
        asked.append((told, not np.allclose(mean, alone)))
        return predict_local(archs)

    monkeypatch.setattr(surrogate, "predict_local", recorded)
    search.run()
    assert asked and min(fitted_at) >= 30
    assert all(used == (told >= 30) for told, used in asked), asked
    assert {used for _, used in asked} == {True, False}
    stats = search.optimizer.stats
    assert stats["local_admitted_rounds"] == sum(used for _, used in asked)
