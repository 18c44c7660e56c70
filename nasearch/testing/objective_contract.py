"""Contract every :class:`~nasearch.objective.Objective` must satisfy.

Provide fixtures ``space`` (the space whose architectures it scores) and
``objective``. Class attributes relax what a particular objective cannot promise:
``deterministic`` (the same architecture scores the same twice) and ``picklable``
(it can be sent to worker processes, as ``workers > 1`` does). Determinism is
asked of the searched and the report metric only: timings may differ.
"""
from __future__ import annotations

import math
import pickle

import numpy as np
import pytest

from nasearch.errors import NasearchError


def _is_finite_number(value) -> bool:
    try:
        return not isinstance(value, bool) and math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def _scored(objective, metrics: dict) -> tuple:
    return metrics[objective.metric], metrics.get(objective.report_metric) if objective.report_metric else None


def _archs(space, count: int, seed: int) -> list:
    from nasearch.sampling import sample_distinct

    return sample_distinct(space, np.random.default_rng(seed), count)


class ObjectiveContract:
    #: Architectures scored by each test.
    evaluations = 3
    deterministic = True
    picklable = True

    @pytest.fixture
    def space(self):
        raise NotImplementedError("override the `space` fixture")

    @pytest.fixture
    def objective(self, space):
        raise NotImplementedError("override the `objective` fixture")

    def test_evaluate_returns_its_metric_as_a_finite_number(self, space, objective):
        objective.check_data()
        for arch in _archs(space, self.evaluations, 0):
            metrics = objective.evaluate(arch)
            assert isinstance(metrics, dict), "evaluate() must return a dict of metrics"
            assert objective.metric in metrics, f"evaluate() lacks its metric {objective.metric!r}"
            assert _is_finite_number(metrics[objective.metric]), \
                f"{objective.metric} = {metrics[objective.metric]!r} is not a finite number"
            if objective.report_metric:
                assert objective.report_metric in metrics, f"evaluate() lacks report metric {objective.report_metric!r}"

    def test_the_same_architecture_scores_the_same(self, space, objective):
        if not self.deterministic:
            pytest.skip("declared non-deterministic")
        arch = _archs(space, 1, 1)[0]
        assert _scored(objective, objective.evaluate(arch)) == _scored(objective, objective.evaluate(arch))

    def test_required_metrics_are_returned_or_refused(self, space, objective):
        objective.require([objective.metric])
        assert objective.metric in objective.evaluate(_archs(space, 1, 2)[0])
        try:
            objective.require(["no-such-metric@nowhere"])
        except NasearchError as error:
            assert "\n" not in str(error), "a refused metric is a one-line error"

    def test_known_metrics_are_a_subset_of_those_asked(self, space, objective):
        asked = [objective.metric, "no-such-metric@nowhere"]
        for arch in _archs(space, self.evaluations, 3):
            known = objective.known_metrics(arch, asked)
            assert isinstance(known, dict) and set(known) <= set(asked), \
                f"known_metrics() answered {sorted(known)} for {asked}"
            assert all(v is None or _is_finite_number(v) for v in known.values()), \
                "a known metric is a finite number, or None when not measured"

    def test_table_values_cover_the_space_and_hold_the_optimum(self, space, objective):
        values = objective.table_values(objective.metric)
        if values is None:
            return
        values = np.asarray(values, dtype=float)
        assert values.ndim == 1 and space.size is not None and len(values) == space.size, \
            "table_values() has one value per architecture of the space"
        optimum = objective.optimum()
        if optimum is not None:
            assert np.isclose(np.nanmax(values), optimum), "optimum() is the best of table_values()"

    def test_describe_and_dataset_are_plain_text(self, objective):
        text = objective.describe()
        assert isinstance(text, str) and text and "\n" not in text
        assert objective.dataset is None or isinstance(objective.dataset, str)

    def test_a_pickled_copy_scores_the_same(self, space, objective):
        if not self.picklable:
            pytest.skip("declared not picklable")
        clone = pickle.loads(pickle.dumps(objective))
        arch = _archs(space, 1, 4)[0]
        if self.deterministic:
            assert _scored(objective, clone.evaluate(arch)) == _scored(objective, objective.evaluate(arch))
        else:
            assert objective.metric in clone.evaluate(arch)
