import numpy as np
import pytest
import torch
from scipy import stats

from nasearch.errors import NasearchError
from nasearch.knn import hard_knn, soft_knn


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
    with pytest.raises(NasearchError, match="fit"):
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
