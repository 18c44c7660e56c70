"""The abstract search space: the one contract every space implements.

A search space owns three things:

* the architectures (sampling, one-edit mutation, neighbourhoods, canonical ids,
  a strict string format and a ConfigSpace view);
* the NAO-style token sequence the embedding model reads and writes
  (``to_sequence`` / ``from_sequence`` plus the decoder's ``allowed_tokens`` mask);
* its tabular benchmark (``query`` returns percent accuracy).

Architectures are immutable, hashable values chosen by the space. Generic code
never looks inside them; it goes through these methods. ``nasearch.testing``
ships :class:`~nasearch.testing.SearchSpaceContract`, which any implementation,
built-in or third-party, can subclass to check itself.
"""
from __future__ import annotations

import abc
from typing import Hashable, Iterator, Optional, Sequence

import numpy as np

from .errors import InvalidArchitectureError, unknown

Architecture = Hashable

#: Token reserved for the decoder's start symbol and for padding.
START_TOKEN = 0


class SearchSpace(abc.ABC):
    """A finite or infinite set of architectures with a tabular benchmark attached."""

    #: Registry name, e.g. ``"nasbench201"``.
    name: str = ""

    # ----------------------------------------------------------- architectures
    @abc.abstractmethod
    def sample(self, rng: np.random.Generator) -> Architecture:
        """Draw one architecture uniformly over the distinct (canonical) members."""

    @abc.abstractmethod
    def neighbors(self, arch: Architecture) -> list:
        """All distinct canonical architectures exactly one edit away, excluding ``arch``."""

    def mutate(self, arch: Architecture, rng: np.random.Generator) -> Architecture:
        """Apply exactly one edit; the result is always a member of ``neighbors(arch)``."""
        options = self.neighbors(arch)
        return options[int(rng.integers(len(options)))]

    @abc.abstractmethod
    def arch_id(self, arch: Architecture) -> Hashable:
        """Canonical id: equal for equivalent architectures, different otherwise."""

    @abc.abstractmethod
    def to_string(self, arch: Architecture) -> str:
        """Human-readable canonical string, parsed back by :meth:`from_string`."""

    @abc.abstractmethod
    def from_string(self, text: str) -> Architecture:
        """Strictly parse a string; raise :class:`InvalidArchitectureError` on any defect."""

    @property
    def size(self) -> Optional[int]:
        """Number of distinct architectures, or ``None`` for an infinite space."""
        return None

    def enumerate(self) -> Iterator[Architecture]:
        """Yield every distinct architecture once (finite spaces only)."""
        raise NotImplementedError(f"search space {self.name!r} is not finite")

    # ------------------------------------------------------------ token sequence
    @property
    @abc.abstractmethod
    def vocab_size(self) -> int:
        """Number of distinct tokens, including :data:`START_TOKEN` (0)."""

    @property
    @abc.abstractmethod
    def seq_len(self) -> int:
        """Length of every token sequence."""

    @abc.abstractmethod
    def to_sequence(self, arch: Architecture) -> list:
        """The architecture as ``seq_len`` int tokens in ``1..vocab_size-1``."""

    @abc.abstractmethod
    def from_sequence(self, tokens: Sequence[int]) -> Architecture:
        """The canonical architecture a sequence describes, or :class:`InvalidArchitectureError`."""

    @abc.abstractmethod
    def allowed_tokens(self, position: int, prefix: Sequence[int] = ()) -> list:
        """Tokens a constrained decoder may emit at ``position`` after ``prefix``.

        Choosing only allowed tokens at every position must always yield a
        sequence that :meth:`from_sequence` accepts.
        """

    def token_mask(self) -> np.ndarray:
        """Prefix-independent mask, ``(seq_len, vocab_size)`` bool: the union over prefixes.

        Spaces whose mask depends on the prefix must override
        :meth:`prefix_dependent` to return True so decoders check it per step.
        """
        mask = np.zeros((self.seq_len, self.vocab_size), dtype=bool)
        for position in range(self.seq_len):
            mask[position, self.allowed_tokens(position)] = True
        return mask

    @property
    def prefix_dependent(self) -> bool:
        """Whether :meth:`allowed_tokens` looks at the prefix."""
        return False

    # --------------------------------------------------------------- ConfigSpace
    @abc.abstractmethod
    def config_space(self, seed: Optional[int] = None):
        """The space as a ``ConfigSpace.ConfigurationSpace``."""

    @abc.abstractmethod
    def to_config(self, arch: Architecture) -> dict:
        """The architecture as a dict of hyperparameter values of :meth:`config_space`."""

    @abc.abstractmethod
    def from_config(self, config) -> Architecture:
        """The canonical architecture of a configuration (dict or ``Configuration``)."""

    # ------------------------------------------------------------------ benchmark
    @property
    @abc.abstractmethod
    def datasets(self) -> list:
        """Names of the datasets the benchmark covers."""

    @abc.abstractmethod
    def metrics(self, dataset: str) -> list:
        """Metrics available for ``dataset``, e.g. ``["train", "val", "test"]``."""

    def epochs(self, dataset: str, metric: str) -> list:
        """Training budgets available for ``(dataset, metric)``; the first is the default.

        An empty list means the benchmark has a single fidelity and ``epochs``
        must be left as ``None``.
        """
        return []

    @abc.abstractmethod
    def query(self, arch: Architecture, dataset: str, metric: str = "val",
              epochs: Optional[int] = None) -> float:
        """Benchmark value of ``arch`` in percent accuracy (a table lookup)."""

    def values(self, dataset: str, metric: str = "val", epochs: Optional[int] = None) -> np.ndarray:
        """``(size,)`` float64 values in :meth:`enumerate` order. Override for speed."""
        return np.array([self.query(a, dataset, metric, epochs) for a in self.enumerate()])

    # ------------------------------------------------------------ shared checks
    def check_dataset(self, dataset: str) -> str:
        """Raise UnknownNameError unless ``dataset`` is one of :attr:`datasets`."""
        if dataset not in self.datasets:
            raise unknown(f"dataset for space {self.name!r}:", dataset, self.datasets)
        return dataset

    def check_query(self, dataset: str, metric: str, epochs: Optional[int]) -> Optional[int]:
        """Validate a query's names; return the epochs to use (the default when ``None``)."""
        self.check_dataset(dataset)
        if metric not in self.metrics(dataset):
            raise unknown(f"metric for {self.name}/{dataset}:", metric, self.metrics(dataset))
        available = self.epochs(dataset, metric)
        if not available:
            if epochs is not None:
                raise unknown(f"epochs for {self.name}/{dataset} (single fidelity; omit epochs):",
                              epochs, ["none"])
            return None
        if epochs is None:
            return available[0]
        if int(epochs) not in available:
            raise unknown(f"epochs for {self.name}/{dataset}/{metric}:", epochs, available)
        return int(epochs)

    def check_tokens(self, tokens: Sequence[int]) -> list:
        """Validate length and per-position masks of a token sequence; return it as ints."""
        try:
            tokens = [int(t) for t in tokens]
        except (TypeError, ValueError):
            raise InvalidArchitectureError(
                f"token sequence for {self.name} must contain integers, got {tokens!r}") from None
        if len(tokens) != self.seq_len:
            raise InvalidArchitectureError(
                f"token sequence for {self.name} has length {len(tokens)}; it must have {self.seq_len}")
        for position, token in enumerate(tokens):
            allowed = self.allowed_tokens(position, tokens[:position])
            if token not in allowed:
                raise InvalidArchitectureError(
                    f"token {token} is not allowed at position {position} of a {self.name} "
                    f"sequence; allowed there: {sorted(allowed)}")
        return tokens

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"
