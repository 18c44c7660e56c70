import numpy as np
import pytest
import torch
from scipy import stats

from nasearch.errors import NasearchError
from nasearch.knn import hard_knn, hard_knn_spread, soft_knn


def _unit(rng, n, d):
    x = rng.normal(size=(n, d))
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_inverse_distance_weighting_by_hand():
    memory = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 3.0]])
    values = np.array([10.0, 20.0, 30.0])
    query = np.array([[0.0, 1.0]])
    d = np.array([1.0, np.sqrt(2.0), 2.0])
    expected_k2 = (10 / d[0] + 20 / d[1]) / (1 / d[0] + 1 / d[1])
    assert hard_knn(query, memory, values, 2)[0] == pytest.approx(expected_k2)
    expected_all = np.sum(values / d) / np.sum(1 / d)
    assert hard_knn(query, memory, values, 3)[0] == pytest.approx(expected_all)
    assert hard_knn(query, memory, values, 50)[0] == pytest.approx(expected_all)  # k > n uses n


def test_zero_distance_returns_the_matching_value():
    memory = np.array([[1.0, 0.0], [0.0, 1.0], [0.6, 0.8]])
    values = np.array([50.0, 70.0, 90.0])
    assert hard_knn(memory, memory, values, 2) == pytest.approx(values)


def test_empty_memory_is_an_error():
    with pytest.raises(NasearchError, match="^kNN prediction needs at least one known architecture; call fit"):
        hard_knn(np.zeros((1, 2)), np.zeros((0, 2)), np.zeros(0), 3)


def test_soft_knn_gradients_pass_gradcheck():
    rng = np.random.default_rng(0)
    memory = torch.as_tensor(_unit(rng, 20, 4))
    values = torch.as_tensor(rng.uniform(60, 90, size=20))
    query = torch.as_tensor(_unit(rng, 3, 4), dtype=torch.float64).requires_grad_()
    assert torch.autograd.gradcheck(lambda q: soft_knn(q, memory, values, 5, temperature=0.05), (query,))


def test_soft_knn_converges_to_hard_knn_as_temperature_shrinks():
    rng = np.random.default_rng(1)
    memory, values = _unit(rng, 60, 8), rng.uniform(60, 90, size=60)
    queries = _unit(rng, 50, 8)
    hard = hard_knn(queries, memory, values, 10)
    gaps = []
    for temperature in (0.1, 0.01, 1e-7):
        soft = soft_knn(torch.as_tensor(queries), torch.as_tensor(memory), torch.as_tensor(values), 10,
                        temperature=temperature, eps=1e-9).numpy()
        gaps.append(np.abs(soft - hard).max())
    assert gaps[0] > gaps[1] > gaps[2] and gaps[2] < 1e-3
    assert stats.spearmanr(soft, hard)[0] > 0.99


def _brute_force(queries, memory, values, k):
    """The k nearest by a full sort, weights 1/d: the definition, written the slow way."""
    out = []
    for query in queries:
        distances = np.linalg.norm(memory - query, axis=1)
        nearest = np.argsort(distances, kind="stable")[:k]
        out.append(np.average(values[nearest], weights=1.0 / distances[nearest]))
    return np.array(out)


@pytest.mark.parametrize("k", [1, 2, 5, 17])
def test_hard_knn_takes_exactly_the_k_nearest_of_a_large_memory(k):
    rng = np.random.default_rng(k)
    memory, values = rng.normal(size=(200, 6)) * 3.0, rng.uniform(0, 100, size=200)   # distances well above 1
    queries = rng.normal(size=(40, 6)) * 3.0
    np.testing.assert_allclose(hard_knn(queries, memory, values, k), _brute_force(queries, memory, values, k),
                               rtol=1e-10)


def test_exact_matches_average_their_values_row_by_row():
    memory = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.6, 0.8]])   # a cell twice, told two values
    values = np.array([50.0, 60.0, 70.0, 90.0])
    queries = np.array([[1.0, 0.0], [0.0, 1.0], [-0.2, 1.0]])   # two exact rows, one near none
    predicted = hard_knn(queries, memory, values, 2)
    assert predicted[0] == pytest.approx(55.0) and predicted[1] == pytest.approx(70.0)
    assert predicted[2] == pytest.approx(_brute_force(queries[2:], memory, values, 2)[0])


def test_spread_is_the_weighted_standard_deviation_of_the_k_neighbours():
    memory = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 3.0], [5.0, 5.0]])
    values = np.array([10.0, 20.0, 40.0, 99.0])
    query = np.array([[0.0, 1.0]])
    weights = 1.0 / np.array([1.0, np.sqrt(2.0), 2.0])
    mean = np.average(values[:3], weights=weights)
    expected = np.sqrt(np.average((values[:3] - mean) ** 2, weights=weights))
    assert hard_knn_spread(query, memory, values, 3)[0] == pytest.approx(expected)
    assert hard_knn_spread(query, memory, np.full(4, 70.0), 3)[0] == pytest.approx(0.0, abs=1e-6)   # agreement


def _soft_by_hand(query, memory, values, k, temperature, eps):
    distances = np.sqrt(((query[:, None, :] - memory[None]) ** 2).sum(-1) + eps ** 2)
    if k < len(memory):
        ordered = np.sort(distances, axis=1)
        radius = 0.5 * (ordered[:, k - 1] + ordered[:, k])
        membership = 1.0 / (1.0 + np.exp(-(radius[:, None] - distances) / temperature))
    else:
        membership = np.ones_like(distances)
    weights = membership / distances
    return (weights * values).sum(1) / weights.sum(1)


@pytest.mark.parametrize("k, temperature, eps", [(3, 0.2, 0.5), (8, 0.05, 0.3), (3, 0.01, 1e-3)])
def test_soft_knn_is_the_documented_formula(k, temperature, eps):
    rng = np.random.default_rng(7)
    memory, values, queries = _unit(rng, 8, 3), rng.uniform(60, 90, size=8), _unit(rng, 5, 3)
    got = soft_knn(torch.as_tensor(queries), torch.as_tensor(memory), torch.as_tensor(values), k,
                   temperature, eps).numpy()
    np.testing.assert_allclose(got, _soft_by_hand(queries, memory, values, k, temperature, eps), rtol=1e-10)
    if (temperature, eps) == (0.01, 1e-3):   # the defaults
        default = soft_knn(torch.as_tensor(queries), torch.as_tensor(memory), torch.as_tensor(values), k).numpy()
        np.testing.assert_allclose(default, got, rtol=1e-12)
