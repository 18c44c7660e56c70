"""Evaluate architectures concurrently: local worker processes or Ray tasks.

A search hands an architecture to a free worker, and records each result as it
arrives. Both executors wrap the same serial call,
:func:`nasearch.objective.evaluate`, so a timeout or an exception in the
objective is a failed evaluation, exactly as with one worker. A worker process
that dies (a segfault, the OOM killer) costs only the evaluation it was running:
that evaluation is recorded as failed and a fresh worker takes its place.
"""
from __future__ import annotations

import pickle
from typing import Optional

from .errors import ConfigError
from .objective import evaluate, failure


def _worker_loop(connection, objective_bytes: bytes, timeout: float, threads: int) -> None:
    """Body of a local worker process: receive architectures, send back Evaluations."""
    from .threads import set_threads

    set_threads(threads)
    objective = pickle.loads(objective_bytes)
    while True:
        try:
            arch = connection.recv()
        except EOFError:
            return
        if arch is None:
            return
        connection.send(evaluate(objective, arch, timeout))


class LocalWorkers:
    """``workers`` persistent processes (spawned, so torch state is never forked)."""

    def __init__(self, objective, workers: int, timeout: float = 0.0, threads: int = 1):
        import multiprocessing

        try:
            self._objective = pickle.dumps(objective)
        except Exception as error:
            raise ConfigError(f"the objective cannot be sent to worker processes ({type(error).__name__}: "
                              f"{error}); define it at module level (not a lambda or local function), or use "
                              "workers: 1") from None
        self._context = multiprocessing.get_context("spawn")
        self._timeout, self._threads = timeout, threads
        self._idle = [self._start() for _ in range(workers)]
        self._busy: dict = {}   # connection -> (process, arch)

    def _start(self):
        parent, child = self._context.Pipe()
        process = self._context.Process(target=_worker_loop, daemon=True,
                                        args=(child, self._objective, self._timeout, self._threads))
        process.start()
        child.close()
        return process, parent

    @property
    def free(self) -> int:
        return len(self._idle)

    @property
    def running(self) -> int:
        return len(self._busy)

    def submit(self, arch) -> None:
        process, connection = self._idle.pop()
        connection.send(arch)
        self._busy[connection] = (process, arch)

    def wait(self) -> list:
        """Block until at least one evaluation finishes; return ``[(arch, Evaluation), ...]``."""
        from multiprocessing.connection import wait

        finished = []
        for connection in wait(list(self._busy)):
            process, arch = self._busy.pop(connection)
            try:
                finished.append((arch, connection.recv()))
                self._idle.append((process, connection))
            except (EOFError, OSError):
                process.join(timeout=5)
                finished.append((arch, failure(f"the worker process died (exit code {process.exitcode})")))
                connection.close()
                self._idle.append(self._start())
        return finished

    def close(self) -> None:
        """Idle workers exit; busy ones (an interrupted search) are terminated."""
        for process, connection in self._idle:
            try:
                connection.send(None)
            except OSError:
                pass
            process.join(timeout=5)
            connection.close()
        for connection, (process, _) in self._busy.items():
            process.terminate()
            connection.close()
        self._idle, self._busy = [], {}


def connect_ray(address: Optional[str] = None):
    """The ``ray`` module, initialised once: a local instance, or the cluster at ``address``."""
    try:
        import ray
    except ImportError:
        raise ConfigError("the ray executor needs Ray; install it with `pip install .[ray]`") from None
    if not ray.is_initialized():
        try:
            ray.init(address=address, include_dashboard=False, log_to_driver=False)
        except (ConnectionError, RuntimeError, ValueError) as error:
            first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            raise ConfigError(f"cannot reach a Ray cluster at {address!r} ({first}); start one with "
                              "`ray start --head`, or drop --ray-address to start a local Ray instance") from None
    return ray


class RayWorkers:
    """At most ``workers`` Ray tasks at a time, on a local instance or the cluster at ``address``."""

    def __init__(self, objective, workers: int, timeout: float = 0.0, address: Optional[str] = None):
        ray = connect_ray(address)
        self._ray, self._objective, self._workers, self._timeout = ray, ray.put(objective), workers, timeout
        self._task = ray.remote(num_cpus=1, max_retries=0)(evaluate)
        self._busy: dict = {}   # object ref -> arch

    @property
    def free(self) -> int:
        return self._workers - len(self._busy)

    @property
    def running(self) -> int:
        return len(self._busy)

    def submit(self, arch) -> None:
        self._busy[self._task.remote(self._objective, arch, self._timeout)] = arch

    def wait(self) -> list:
        done, _ = self._ray.wait(list(self._busy), num_returns=1)
        finished = []
        for ref in done:
            arch = self._busy.pop(ref)
            try:
                finished.append((arch, self._ray.get(ref)))
            except Exception as error:   # the task's worker died or Ray lost it: only this evaluation fails
                lines = [line for line in str(error).splitlines() if line.strip()]
                detail = lines[-1].strip() if lines else type(error).__name__
                finished.append((arch, failure(f"the Ray task failed ({detail})")))
        return finished

    def close(self) -> None:
        for ref in self._busy:
            self._ray.cancel(ref, force=True)
        self._busy = {}


def create_workers(executor: str, objective, workers: int, timeout: float = 0.0, address: Optional[str] = None,
                   threads: int = 1):
    """A :class:`LocalWorkers` or :class:`RayWorkers` pool."""
    if executor == "local":
        return LocalWorkers(objective, workers, timeout, threads)
    if executor == "ray":
        return RayWorkers(objective, workers, timeout, address)
    raise ConfigError(f"unknown executor {executor!r}; choose local or ray")
