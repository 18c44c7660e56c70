"""Where work runs: in this process, in local worker processes, or as Ray tasks.

An :class:`Executor` applies one picklable ``function`` to the payloads it is
given and reports results as they finish; the caller never waits for a whole
batch. A search runs its evaluations through one (the function is
:func:`nasearch.objective.evaluate` bound to the objective), and ``compare``
runs its trials through one (the function runs a whole search), so the loop
over free workers is written once per caller and the process handling once here.

A worker that dies (a segfault, the OOM killer, a lost Ray node) costs only the
payload it was running: it comes back as a :class:`WorkerLost`, and a fresh
worker takes its place. An exception raised by ``function`` is re-raised in the
caller, so a configuration error in a worker reads as it would in-process.
"""
from __future__ import annotations

import abc
import pickle
from dataclasses import dataclass
from typing import Callable, Optional

from .errors import ConfigError, NasearchError

RAY_POLL_SECONDS = 5.0   #: how often a Ray wait checks that the cluster still has a CPU
#: environment variable holding a local worker's number (0 ..), so each worker can take its own GPU
WORKER_ENV = "NASEARCH_WORKER"


@dataclass(frozen=True)
class WorkerLost:
    """The result of a payload whose worker died before answering: a one-line ``reason``, the
    ``node`` it ran on when known (a Ray node's ID), and the executor's full ``detail`` text for logs."""

    reason: str
    node: str = ""
    detail: str = ""


class NoWorkersLeft(NasearchError):
    """The executor has nowhere left to run a payload (every Ray node with a CPU is gone)."""


class Executor(abc.ABC):
    """At most ``workers`` payloads of ``function`` running at a time."""

    @property
    @abc.abstractmethod
    def free(self) -> int:
        """How many more payloads can be submitted now."""

    @property
    @abc.abstractmethod
    def running(self) -> int:
        """How many payloads are submitted and not yet returned by :meth:`wait`."""

    @abc.abstractmethod
    def submit(self, payload) -> None:
        """Start ``function(payload)`` (only while :attr:`free`)."""

    @abc.abstractmethod
    def wait(self) -> list:
        """Block until at least one payload finishes: ``[(payload, result or WorkerLost)]``."""

    def close(self) -> None:
        """Stop every worker; payloads still running are abandoned."""


class InlineExecutor(Executor):
    """One payload at a time, in this process: ``wait`` runs it."""

    def __init__(self, function: Callable):
        self._function, self._queued = function, []

    @property
    def free(self) -> int:
        return 1 - len(self._queued)

    @property
    def running(self) -> int:
        return len(self._queued)

    def submit(self, payload) -> None:
        self._queued.append(payload)

    def wait(self) -> list:
        payload = self._queued.pop()
        return [(payload, self._function(payload))]


def _worker_loop(connection, function_bytes: bytes, threads: int, number: int) -> None:
    """Body of local worker ``number``: receive payloads, send back ``(True, result)`` or
    ``(False, exception)``."""
    import os

    from .threads import set_threads

    os.environ[WORKER_ENV] = str(number)
    set_threads(threads)
    function = pickle.loads(function_bytes)
    while True:
        try:
            payload = connection.recv()
        except EOFError:
            return
        if payload is None:
            return
        try:
            answer = (True, function(payload))
        except Exception as error:   # re-raised in the caller
            answer = (False, error)
        try:
            connection.send(answer)
        except Exception as error:   # an unpicklable result or exception: send its text
            connection.send((False, NasearchError(f"{type(error).__name__}: {error}")))


class LocalWorkers(Executor):
    """``workers`` persistent processes (spawned, so torch state is never forked), each with
    ``threads`` torch threads."""

    def __init__(self, function: Callable, workers: int, threads: int = 1, what: str = "the work"):
        import multiprocessing

        try:
            self._function = pickle.dumps(function)
        except Exception as error:
            raise ConfigError(f"{what} cannot be sent to worker processes ({type(error).__name__}: "
                              f"{error}); define it at module level (not a lambda or local function), or use "
                              "workers: 1") from None
        self._context = multiprocessing.get_context("spawn")
        self._threads = threads
        self._idle = [self._start(number) for number in range(workers)]
        self._busy: dict = {}   # connection -> (process, payload)

    def _start(self, number: int):
        parent, child = self._context.Pipe()
        process = self._context.Process(target=_worker_loop, daemon=True,
                                        args=(child, self._function, self._threads, number))
        process.start()
        child.close()
        process.number = number   # a replacement takes the dead worker's number, and so its GPU
        return process, parent

    @property
    def free(self) -> int:
        return len(self._idle)

    @property
    def running(self) -> int:
        return len(self._busy)

    def submit(self, payload) -> None:
        process, connection = self._idle.pop()
        connection.send(payload)
        self._busy[connection] = (process, payload)

    def wait(self) -> list:
        from multiprocessing.connection import wait

        finished = []
        for connection in wait(list(self._busy)):
            process, payload = self._busy.pop(connection)
            try:
                done, result = connection.recv()
            except (EOFError, OSError):
                process.join(timeout=5)
                finished.append((payload, WorkerLost(f"the worker process died (exit code {process.exitcode})")))
                connection.close()
                self._idle.append(self._start(process.number))
                continue
            self._idle.append((process, connection))
            if not done:
                raise result
            finished.append((payload, result))
        return finished

    def close(self) -> None:
        """Idle workers exit; busy ones (an interrupted run) are terminated."""
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


def _call(function, payload, threads: int):
    """A Ray task's body: the same call a local worker makes."""
    from .threads import set_threads

    set_threads(threads)
    return function(payload)


class RayWorkers(Executor):
    """At most ``workers`` Ray tasks at a time, on a local instance or the cluster at ``address``."""

    def __init__(self, function: Callable, workers: int, address: Optional[str] = None, threads: int = 1,
                 gpus: float = 0.0):
        ray = connect_ray(address)
        if gpus > 0 and ray.cluster_resources().get("GPU", 0) < gpus:
            raise ConfigError(f"gpus_per_trial is {gpus:g} but the Ray cluster has "
                              f"{ray.cluster_resources().get('GPU', 0):g} GPUs; drop gpus_per_trial or add GPU nodes")
        self._ray, self._workers, self._threads = ray, workers, threads
        self._function = ray.put(function)   # shipped to the cluster once, not with every task
        # Ray sets each task's CUDA_VISIBLE_DEVICES to the GPUs it assigned (a fraction shares one)
        self._task = ray.remote(num_cpus=1, num_gpus=gpus, max_retries=0)(_call)
        self._busy: dict = {}   # object ref -> payload

    @property
    def free(self) -> int:
        return self._workers - len(self._busy)

    @property
    def running(self) -> int:
        return len(self._busy)

    def submit(self, payload) -> None:
        self._busy[self._task.remote(self._function, payload, self._threads)] = payload

    def wait(self) -> list:
        while True:
            done, _ = self._ray.wait(list(self._busy), num_returns=1, timeout=RAY_POLL_SECONDS)
            if done:
                break
            # Ray keeps a task pending while no node can take it; a cluster left without CPUs never will
            if self._ray.cluster_resources().get("CPU", 0) < 1:
                raise NoWorkersLeft(f"the Ray cluster has no node with a CPU left, so its {len(self._busy)} "
                                    "pending tasks cannot run")
        finished = []
        for ref in done:
            payload = self._busy.pop(ref)
            try:
                finished.append((payload, self._ray.get(ref)))
            except self._ray.exceptions.RayTaskError as error:
                cause = getattr(error, "cause", None)   # the function's own exception
                if isinstance(cause, NasearchError):
                    raise cause from None
                finished.append((payload, _lost(error)))
            except Exception as error:   # the task's worker died or Ray lost it: only this payload fails
                finished.append((payload, _lost(error)))
        return finished

    def close(self) -> None:
        for ref in self._busy:
            self._ray.cancel(ref, force=True)
        self._busy = {}


def _lost(error: Exception) -> WorkerLost:
    """A failed Ray task as a WorkerLost: Ray names the dead node's ID in its message."""
    import re

    text = str(error)
    node = re.search(r"node ID:? ([0-9a-f]{8,})", text)
    kind = "its node died" if type(error).__name__ == "NodeDiedError" else "the Ray task failed"
    return WorkerLost(f"{kind}" + (f" (node {node.group(1)[:8]})" if node else ""),
                      node.group(1) if node else "", f"{type(error).__name__}: {text}")


def check_workers(workers, timeout, gpus_per_trial: float = 0.0, executor: str = "local") -> None:
    """One-line errors for a worker count below 1, a negative timeout (seconds) or a GPU share
    that cannot be honoured."""
    if int(workers) < 1:
        raise ConfigError(f"workers must be >= 1, got {workers}")
    if float(timeout or 0) < 0:
        raise ConfigError(f"timeout must be >= 0 seconds, got {timeout}")
    check_gpus(gpus_per_trial, executor)


def check_gpus(gpus_per_trial: float, executor: str) -> None:
    """One-line errors for a GPU share per trial that cannot be honoured (Ray checks its cluster
    when it starts)."""
    if gpus_per_trial < 0:
        raise ConfigError(f"gpus_per_trial must be >= 0, got {gpus_per_trial}")
    if gpus_per_trial > 0 and executor != "ray":
        raise ConfigError("gpus_per_trial is a Ray setting (local workers each take their own GPU); "
                          "drop it, or set executor: ray")


def create_executor(executor: str, function: Callable, workers: int, address: Optional[str] = None,
                    threads: int = 1, what: str = "the work", inline: bool = True,
                    gpus_per_trial: float = 0.0) -> Executor:
    """An executor for ``function``: with one worker (and ``inline``) this process, else ``executor``
    ``"local"`` processes or ``"ray"`` tasks, each holding ``gpus_per_trial`` GPUs (Ray only).
    ``what`` names the function in errors."""
    if executor not in ("local", "ray"):
        raise ConfigError(f"unknown executor {executor!r}; choose local or ray")
    check_gpus(gpus_per_trial, executor)
    if workers == 1 and inline and not gpus_per_trial:
        return InlineExecutor(function)
    if executor == "local":
        return LocalWorkers(function, workers, threads, what)
    return RayWorkers(function, workers, address, threads, gpus_per_trial)
