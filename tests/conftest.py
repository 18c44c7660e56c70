import os
import shutil
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

# The suite never writes to the user's home: one temporary model cache per session,
# set before any test imports nasearch code that reads it.
_CACHE = tempfile.mkdtemp(prefix="nasearch-test-cache-")
os.environ["NASEARCH_CACHE"] = _CACHE
os.environ["MPLCONFIGDIR"] = tempfile.mkdtemp(prefix="nasearch-test-mpl-")   # matplotlib's font cache
os.environ["HOME"] = tempfile.mkdtemp(prefix="nasearch-test-home-")   # Ray writes ~/.ray/auth_token
_TEMPORARY = (_CACHE, os.environ["MPLCONFIGDIR"], os.environ["HOME"])


def pytest_unconfigure(config):
    """Remove the session's temporary folders, so a run leaves nothing behind in /tmp."""
    for folder in _TEMPORARY:
        shutil.rmtree(folder, ignore_errors=True)
os.environ.pop("NASEARCH_NB201", None)   # tests use the table shipped inside the package
os.environ.setdefault("NASEARCH_THREADS", "1")


def pytest_configure(config):
    """Pin torch's threads in every test process, as ``Search`` and the CLI do: tests that build
    optimizers or predictors directly would otherwise run on torch's default (every core),
    and two test processes on two cores then oversubscribe them (5-10x slower)."""
    from nasearch.threads import set_threads

    set_threads()


def nb201_table() -> Path:
    """The NAS-Bench-201 table shipped inside the package."""
    from search_spaces.nasbench201.table import PACKAGED_TABLE

    return PACKAGED_TABLE


@pytest.fixture(scope="session")
def nb201_path():
    return nb201_table()


@pytest.fixture(scope="session")
def nb201():
    from search_spaces.nasbench201 import NASBench201

    space = NASBench201()
    space.table
    return space


@pytest.fixture(scope="session")
def graph_cora():
    from search_spaces.nasbench_graph import NASBenchGraph

    return NASBenchGraph("cora")


@pytest.fixture(scope="session")
def darts():
    from search_spaces.darts import DARTS

    return DARTS()


@pytest.fixture(scope="session")
def ray_instance():
    """One local Ray instance for the whole session (starting one costs seconds), shut down at its end."""
    ray = pytest.importorskip("ray")
    if not ray.is_initialized():
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()
