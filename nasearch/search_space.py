"""The abstract search space: the one contract every space implements.

A search space owns three things:

* the architectures (sampling, one-edit mutation, neighbourhoods, canonical ids,
  a strict string format and a ConfigSpace view);
* the NAO-style token sequence the embedding model reads and writes
  (``to_sequence`` / ``from_sequence`` plus the decoder's ``allowed_tokens`` mask);
* optionally, its benchmark (``query`` returns percent accuracy; :mod:`nasearch.space_benchmark`);
* optionally, trainable networks (:mod:`nasearch.network_builder`).

Architectures are immutable, hashable values chosen by the space. Generic code
never looks inside them; it goes through these methods. ``nasearch.testing``
ships :class:`~nasearch.testing.SearchSpaceContract`, which any implementation,
built-in or third-party, can subclass to check itself.
"""
from __future__ import annotations

import abc
from typing import Hashable, Iterator, Optional, Sequence

import numpy as np

from .architecture_graph import ArchitectureGraph
from .errors import DataError, InvalidArchitectureError
from .network_builder import NetworkBuilder
from .space_benchmark import Benchmark

Architecture = Hashable

#: Token reserved for the decoder's start symbol and for padding.
START_TOKEN = 0

#: Spaces with at most this many architectures may be listed in memory (``listable``);
#: larger or unbounded ones are only ever sampled.
LIST_LIMIT = 100_000


class SearchSpace(Benchmark, NetworkBuilder, abc.ABC):
    """A finite or infinite set of architectures, with two optional parts: a benchmark of their
    values (:class:`~nasearch.space_benchmark.Benchmark`) and networks built from them
    (:class:`~nasearch.network_builder.NetworkBuilder`). Both parts default to nothing, so a
    space of architectures alone implements only the abstract methods here."""

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

    def crossover(self, first: Architecture, second: Architecture, rng: np.random.Generator) -> Optional[Architecture]:
        """One child of two parents, or ``None`` when the draw made no valid architecture.

        Default: one-point crossover of the token sequences, the child taking ``first``'s
        tokens before a uniform cut in ``1..seq_len-1`` and ``second``'s from it, read back by
        :meth:`from_sequence`. Contiguous blocks of the sequence (a DARTS cell, a node's inputs
        and operation) pass whole, so parts that served one parent can meet parts that served
        the other. A space whose sequence order does not follow its structure may override."""
        tokens_first, tokens_second = self.to_sequence(first), self.to_sequence(second)
        if len(tokens_first) < 2:
            return None
        cut = int(rng.integers(1, len(tokens_first)))
        try:
            return self.from_sequence(tokens_first[:cut] + tokens_second[cut:])
        except InvalidArchitectureError:
            return None

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
        """Number of distinct architectures, or ``None`` when unknown or infinite."""
        return None

    @property
    def listable(self) -> bool:
        """Whether the space is small enough to list (``size <= LIST_LIMIT``).

        Generic code enumerates only listable spaces; everything else samples.
        """
        return self.size is not None and self.size <= LIST_LIMIT

    def enumerate(self) -> Iterator[Architecture]:
        """Yield every distinct architecture once (listable spaces only)."""
        raise DataError(f"search space {self.name!r} cannot be listed (size {describe_size(self.size)}); "
                        "sample it instead")

    #: Bump when the space's encoding changes, so cached models of the old one are not reused.
    version: str = "1"

    def signature(self) -> str:
        """A digest of what the space is: class, version, size, token mask and the
        sequences of a fixed sample. Cached models are keyed by it, so an edited space
        never loads a model trained on its previous encoding."""
        import hashlib

        digest = hashlib.sha1()
        digest.update(f"{type(self).__module__}.{type(self).__qualname__}|{self.name}|{self.version}|"
                      f"{self.size}|{self.seq_len}|{self.vocab_size}".encode())
        digest.update(self.token_mask().tobytes())
        rng = np.random.default_rng(20240101)
        for _ in range(64):
            digest.update(bytes(str(self.to_sequence(self.sample(rng))), "utf8"))
        return digest.hexdigest()[:16]

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

    # ------------------------------------------------------------- plug-in hooks
    def path_encoding(self, arch: Architecture) -> Optional[np.ndarray]:
        """BANANAS path encoding of ``arch``, ``(p,)`` float32 (one entry per input-to-output path
        of operations), or ``None`` when the space has none (predictors then use one-hot tokens)."""
        return None

    def graph(self, arch: Architecture) -> "ArchitectureGraph":
        """The architecture as a labelled directed graph for graph encoders (GIN).

        Default: the token sequence as a chain, node ``i`` labelled with token ``i``
        (:attr:`graph_labels` = :attr:`vocab_size`). Spaces with a real DAG override it and
        :attr:`graph_labels`, and drop what computes nothing (dead edges, ``none`` operations),
        so equivalent cells give one graph."""
        tokens = self.to_sequence(arch)
        return ArchitectureGraph(tuple(int(t) for t in tokens),
                                 tuple((i, i + 1) for i in range(len(tokens) - 1)))

    @property
    def graph_labels(self) -> int:
        """Number of distinct node labels :meth:`graph` uses (labels are ``0..graph_labels-1``)."""
        return self.vocab_size

    def graph_label_names(self) -> list:
        """A name per :meth:`graph` label (its operation or role), for drawings; default: the numbers."""
        return [str(label) for label in range(self.graph_labels)]

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


def describe_size(size: Optional[int]) -> str:
    """``15,625``, ``1.1e+18`` or ``unknown``: a size for one-line messages and listings."""
    return "unknown" if size is None else f"{size:,}" if size < 10 ** 9 else f"{float(size):.1e}"
