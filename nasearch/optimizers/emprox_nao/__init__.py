"""Gradient search in embedding space: EmProx-NAO and the parts it is assembled from.

* :mod:`.loop`: the round (fit the guide, let the sources propose, allocate the batch);
* :mod:`.config`: the loop's options, the autoencoder section, earlier flat spellings;
* :mod:`.surrogate`: what ranks candidates and what the ascent climbs;
* :mod:`.sources`: decoded ascent, tournament mutations, crossover, uniform samples, the
  whole one-edit neighbourhood of the best known, one module each;
* :mod:`.allocation`: the batch split among the sources;
* :mod:`.guide` and :mod:`.pareto_guide`: one objective or several;
* :mod:`.context`: the read-only view of the search the parts work from;
* :mod:`.optimizer`: EmProx-NAO itself.
"""
from .config import AutoencoderPlan, GradientSearchConfig
from .optimizer import EmProxNAO, EmProxNAOConfig
from .sources import ProposalSource
from .surrogate import Surrogate

__all__ = ["EmProxNAO", "EmProxNAOConfig", "GradientSearchConfig", "AutoencoderPlan", "ProposalSource",
           "Surrogate"]
