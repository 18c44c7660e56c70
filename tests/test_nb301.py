"""The NAS-Bench-301 surrogate benchmark: the DARTS space's dataset nb301 over the whole space."""
import csv
from pathlib import Path

import numpy as np
import pytest

from nasearch import Search
from nasearch.errors import DataError
from nasearch.objective import TabularObjective
from search_spaces.darts.surrogate import NB301Surrogate

# 15 cells of the surrogate's reference predictions (idx 0, 50, ..., 700 of the 725-cell subset), at
# epochs 1, 12, 50 and 98: the 34 encoded inputs and the model's four outputs.
REFERENCE = Path(__file__).with_name("fixtures") / "nb301_reference_sample.csv"


@pytest.fixture(scope="module")
def reference(darts):
    rows = list(csv.DictReader(REFERENCE.open()))
    archs = [darts.from_compact(row["compact"]) for row in rows]
    return rows, archs


def test_the_encoder_reproduces_the_reference_inputs_and_outputs_exactly(reference):
    rows, archs = reference
    surrogate = NB301Surrogate()
    encoded = surrogate.encode(archs)
    assert encoded.tolist() == [[int(v) for v in row["x_cat"].split()] for row in rows]
    for epochs in (1, 12, 50, 98):
        chosen = [i for i, row in enumerate(rows) if int(row["epoch"]) == epochs]
        outputs = surrogate.predict([archs[i] for i in chosen], epochs)
        expected = np.array([[float(rows[i][f"out{k}"]) for k in range(4)] for i in chosen])
        np.testing.assert_allclose(outputs, expected, rtol=2e-6)   # the CSV prints 7 significant digits


def test_queries_are_percent_by_epoch_and_runtime_in_seconds(darts, reference):
    rows, archs = reference
    row = next(i for i, r in enumerate(rows) if r["epoch"] == "98")
    assert darts.query(archs[row], "nb301") == pytest.approx(100 * float(rows[row]["out0"]), rel=1e-6)
    assert darts.query(archs[row], "nb301", "runtime") == pytest.approx(float(rows[row]["out2"]), rel=1e-6)
    early = next(i for i, r in enumerate(rows) if r["epoch"] == "12" and r["idx"] == rows[row]["idx"])
    assert darts.query(archs[row], "nb301", "val", 12) == pytest.approx(100 * float(rows[early]["out0"]), rel=1e-6)
    assert darts.epochs("nb301", "val")[0] == 98 and sorted(darts.epochs("nb301", "val")) == list(range(1, 99))
    assert darts.metric_unit("runtime") == "s" and "surrogate" in darts.benchmark_note("nb301")
    assert darts.benchmark_note("cifar10") == ""
    assert darts.table_archs("nb301") is None and darts.optimum("nb301") is None


def test_the_surrogate_is_a_realistic_landscape(darts):
    """Uniform cells at epoch 98 cluster tightly (the README's 5,000-cell check: mean 92.41, std 0.44),
    and the surrogate ranks the measured cells better than chance."""
    rng = np.random.default_rng(0)
    values = np.array([darts.query(darts.sample(rng), "nb301") for _ in range(300)])
    assert 92.2 < values.mean() < 92.6 and 0.3 < values.std() < 0.6
    from scipy.stats import spearmanr

    measured = darts.table_archs("cifar10")[:200]
    predicted = [darts.query(arch, "nb301") for arch in measured]
    assert spearmanr(predicted, [darts.query(arch, "cifar10") for arch in measured])[0] > 0.4


def test_a_darts_search_is_scored_by_the_surrogate_by_default(darts):
    objective = TabularObjective(darts)
    assert objective.dataset == "nb301" and objective.describe() == "darts/nb301 val@98 (surrogate benchmark)"
    result = Search(darts, None, "evolution", budget=60, seed=1).run()
    values = [trial.value for trial in result.history]
    assert len(set(trial.arch for trial in result.history)) == 60
    # regularised evolution climbs: its last 20 evaluations beat its random first 20 on average
    assert np.mean(values[-20:]) > np.mean(values[:20])


def test_multi_fidelity_and_two_objectives_run_on_the_surrogate(darts):
    result = Search(darts, None, "random", budget=1500, seed=0, schedule={"eta": 3}).run()
    fidelities = {trial.fidelity for trial in result.history}
    assert fidelities <= {1.0, 3.0, 10.0, 32.0, 98.0} and {1.0, 98.0} <= fidelities
    front = Search(darts, None, "random", budget=30, seed=0, objectives=["val", "-runtime"]).run()
    runtimes = [trial.metrics["runtime"] for trial in front.history]
    assert all(1000 < runtime < 20000 for runtime in runtimes)   # seconds for 98 epochs
    assert front.summary.front_size >= 2


def test_a_damaged_model_file_is_a_one_line_error(tmp_path, darts):
    broken = tmp_path / "model.onnx"
    broken.write_bytes(b"not a model")
    surrogate = NB301Surrogate(model=broken)
    with pytest.raises(DataError, match="cannot load the NAS-Bench-301 surrogate .*reinstall nasearch"):
        surrogate.predict([darts.sample(np.random.default_rng(0))])
    with pytest.raises(DataError, match="epochs 1..98, not 99"):
        NB301Surrogate().predict([darts.sample(np.random.default_rng(0))], 99)


def test_the_surrogate_survives_pickling_for_worker_processes(darts):
    import pickle

    arch = darts.sample(np.random.default_rng(2))
    value = darts.query(arch, "nb301")
    copy = pickle.loads(pickle.dumps(darts))
    assert copy.query(arch, "nb301") == value
