"""Where EmProx-NAO's candidates come from: proposal sources, one small interface.

Each round every active source proposes architectures that are neither known nor
proposed by a source before it; the allocation (:mod:`nasearch.optimizers.emprox_nao.allocation`) then splits the
batch among them. Five sources are built in (``sources: {name: {...} | off}``), one module each:

* :mod:`.ascent`: NAO's decoded gradient ascent on the surrogate's differentiable score;
* :mod:`.mutation`: one-edit mutations of tournament winners; it can always make more, so
  it makes up for sources short of candidates;
* :mod:`.crossover`: children of two parent picks (off unless named);
* :mod:`.sample`: uniform admissible architectures, screened by the surrogate;
* :mod:`.neighborhood`: every one-edit neighbour of the best known (off unless named).

:mod:`.base` holds the interface, :mod:`.section` the defaults and the resolution of a
``sources`` section. A plug-in source subclasses :class:`ProposalSource` and registers
itself in :data:`nasearch.registry.proposal_sources`.
"""
# Imported in the order the built-in sources register (ascent, mutation, crossover, sample, neighborhood).
from .base import ProposalSource
from .ascent import AscentConfig, AscentSource
from .mutation import MutationConfig, MutationSource
from .crossover import CrossoverConfig, CrossoverSource
from .sample import ALL, SampleConfig, SampleSource
from .neighborhood import NeighborhoodConfig, NeighborhoodSource
from .section import DEFAULT_SOURCES, EMPROX_NAO_SOURCES, OFF, build_sources, resolve_sources

__all__ = ["ProposalSource", "AscentConfig", "AscentSource", "MutationConfig", "MutationSource", "CrossoverConfig",
           "CrossoverSource", "SampleConfig", "SampleSource", "NeighborhoodConfig", "NeighborhoodSource", "ALL",
           "DEFAULT_SOURCES", "EMPROX_NAO_SOURCES", "OFF", "build_sources", "resolve_sources"]
