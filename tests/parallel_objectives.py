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
