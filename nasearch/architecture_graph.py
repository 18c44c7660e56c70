"""The graph view of an architecture that graph encoders read (:meth:`SearchSpace.graph`)."""
from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class ArchitectureGraph:
    """A labelled DAG: ``labels[i]`` is node i's label (its operation or role), ``edges`` are
    directed ``(source, target)`` node pairs along which data flows."""

    labels: tuple
    edges: tuple
