"""Module-level objectives for the parallel-evaluation tests (worker processes import them)."""
import os
import time


class TableWithDelay:
    """NAS-Bench-201 validation accuracy after a short sleep; crashes its worker on chosen archs."""

    def __init__(self, delay=0.05, kill_codes=()):
        self.delay, self.kill_codes = delay, set(kill_codes)
        self.space = None

    def __call__(self, arch):
        from search_spaces.nasbench201 import NASBench201

        if self.space is None:
            self.space = NASBench201()
        if self.space.code(arch) in self.kill_codes:
            os._exit(3)   # a hard crash of the worker process, no exception to catch
        time.sleep(self.delay)
        return self.space.query(arch, "cifar10-valid")


def always_fails(arch):
    """An objective whose every evaluation fails, as a broken training script would."""
    raise RuntimeError("CUDA out of memory (a test)")


def by_hash(arch):
    """A value in [50, 90) from a hash of the cell: an objective with no optimum and no report metric."""
    import zlib

    return 50.0 + zlib.crc32(str(arch).encode()) % 40


def fails_on_a_third(arch):
    """Fails on about a third of the architectures (by a hash of the cell), else a value in [50, 90)."""
    import zlib

    code = zlib.crc32(str(arch).encode())
    if code % 3 == 0:
        raise ValueError("bad luck (a test)")
    return 50.0 + code % 40


def dies_once(arch):
    """Kills its worker process the first time any worker calls it (a marker file in
    ``$NASEARCH_TEST_MARKERS`` remembers), then scores as :func:`by_hash`: one lost worker."""
    from pathlib import Path

    marker = Path(os.environ["NASEARCH_TEST_MARKERS"]) / "died"
    if not marker.exists():
        marker.touch()
        os._exit(3)
    return by_hash(arch)


def always_dies(arch):
    """Kills its worker process on every call: a trial that no retry can finish."""
    os._exit(3)


def slow_by_hash(arch):
    """:func:`by_hash` after 0.1 s, so a trial is still running when a test removes its Ray node."""
    time.sleep(0.1)
    return by_hash(arch)
