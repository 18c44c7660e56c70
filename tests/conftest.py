import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_TABLE = REPO.parent / "shared" / "benchmarks" / "nasbench201.csv"


def nb201_table() -> Path:
    """The shared NAS-Bench-201 table (or $NASEARCH_NB201)."""
    path = Path(os.environ.get("NASEARCH_NB201", SHARED_TABLE))
    if not path.is_file():
        pytest.fail(f"NAS-Bench-201 table not found at {path}; set NASEARCH_NB201")
    return path


@pytest.fixture(scope="session")
def nb201_path():
    return nb201_table()


@pytest.fixture(scope="session")
def nb201(nb201_path):
    from search_spaces.nasbench201 import NASBench201

    space = NASBench201(data=str(nb201_path))
    space.table
    return space


@pytest.fixture(scope="session")
def graph_cora():
    from search_spaces.nasbench_graph import NASBenchGraph

    return NASBenchGraph("cora")
