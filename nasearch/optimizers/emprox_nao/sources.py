"""Where EmProx-NAO's candidates come from: proposal sources, one small interface.

Each round every active source proposes architectures that are neither known nor
proposed by a source before it; the allocation (:mod:`.allocation`) then splits the
batch among them. Four sources are built in (``sources: {name: {...} | off}``):

* ``ascent`` (:class:`AscentSource`): NAO's decoded gradient ascent on the surrogate's
  differentiable score (needs a surrogate that has one);
* ``mutation`` (:class:`MutationSource`): one-edit mutations of the guide's parent picks
  (tournament winners, as in regularized evolution); it can always make more, so it
  makes up for sources short of candidates;
* ``crossover`` (:class:`CrossoverSource`): children of two parent picks (off unless named);
* ``sample`` (:class:`SampleSource`): uniform admissible architectures, screened by the
  surrogate.

A fifth, ``neighborhood`` (:mod:`.neighborhood`), lists whole one-edit neighbourhoods of the
best known architectures (off unless named).

A plug-in source subclasses :class:`ProposalSource` and registers itself in
:data:`nasearch.registry.proposal_sources`.
"""
from __future__ import annotations

import abc
from dataclasses import dataclass
from typing import Optional, Union

import numpy as np
import torch
import torch.nn.functional as F

from ...config import build, to_dict
from ...embedding.autoencoder import SequenceAutoencoder
from ...errors import ConfigError, NasearchError
from ...registry import proposal_sources
from .experimental import warn_experimental
from .parents import parent_pool, tournament_of


class ProposalSource(abc.ABC):
    """``propose(guide, exclude)`` returns candidate architectures for this round, none known
    (``context.known_ids``) nor in ``exclude``. ``context`` is the round's
    :class:`~nasearch.optimizers.emprox_nao.context.ProposalContext`."""

    name: str = ""
    Config: type = None
    #: whether it can always make more candidates, so it makes up for the others' shortfall
    fills: bool = False

    def __init__(self, config, context):
        self.config, self.context = config, context

    def active(self) -> bool:
        """Whether the source takes part this search (a source asked for nothing does not)."""
        return True

    @abc.abstractmethod
    def propose(self, guide, exclude: list) -> list:
        """This round's candidates, for the guide just fitted (``guide.model`` is its encoder–decoder)."""

    def choose(self, guide, candidates: list, count: int) -> list:
        """``count`` :class:`~nasearch.optimizers.base.Proposal` s from this round's ``candidates``
        (its own :meth:`propose` d ones). Default: the guide's best
        (:meth:`~nasearch.optimizers.emprox_nao.guide.Guide.select`)."""
        return guide.select(candidates, count)


# ----------------------------------------------------------------------------------- ascent
@dataclass(frozen=True)
class AscentConfig:
    """The decoded ascent (``sources: {ascent: {...}}``). Steps are in units of the encoder
    outputs' norm: λ = ``step`` · s for s = 1 … ``max_steps``."""

    step: float = 0.05      #: λ increment, as a fraction of the encoder-output norm
    max_steps: int = 40     #: λ goes up to ``max_steps · step``
    mode: str = "nao"       #: "nao": one gradient, growing λ; experimental "iterative": a new gradient each step

    def __post_init__(self):
        if self.step <= 0 or self.max_steps < 1:
            raise ConfigError("sources.ascent.step must be > 0 and sources.ascent.max_steps >= 1")
        if self.mode not in ("nao", "iterative"):
            raise ConfigError(f"sources.ascent.mode must be 'nao' or 'iterative', got {self.mode!r}")


class AscentSource(ProposalSource):
    """From the ``n_seeds`` best known architectures, take the gradient of the guide's soft score
    with respect to the encoder outputs, step ``outputs + λ·ĝ`` (ĝ scaled to the outputs' norm),
    renormalise every row onto the unit sphere and pool; λ grows until ``candidates`` new
    admissible architectures decode (NAO's schedule). Invalid decodes are dropped, as in NAO."""

    name = "ascent"
    Config = AscentConfig

    def __init__(self, config, context):
        super().__init__(config, context)
        if config.mode != "nao":
            warn_experimental("sources.ascent.mode", config.mode)

    def _direction(self, guide, outputs: torch.Tensor) -> torch.Tensor:
        """Score gradient w.r.t. ``outputs (B, L, d)``, scaled to the outputs' norm √L per row."""
        with torch.enable_grad():
            outputs = outputs.detach().requires_grad_(True)
            gradient, = torch.autograd.grad(guide.soft_score(outputs).sum(), outputs)
        norms = gradient.flatten(1).norm(dim=1).clamp_min(1e-12)
        return gradient / norms[:, None, None] * outputs.shape[1] ** 0.5

    def _moved(self, guide, outputs, direction, path: list, steps: list) -> torch.Tensor:
        """Moved encoder outputs for each step number in ``steps``: ``(len(steps) · B, L, d)``;
        ``mode: iterative`` re-evaluates the gradient after every step (``path`` caches the points)."""
        c = self.config
        if c.mode == "nao":
            lambdas = torch.tensor([s * c.step for s in steps], dtype=outputs.dtype)
            moved = F.normalize(outputs[None] + lambdas[:, None, None, None] * direction[None], dim=-1)
            return moved.reshape(-1, *outputs.shape[1:])
        while len(path) <= steps[-1]:
            current = path[-1]
            path.append(F.normalize(current + c.step * self._direction(guide, current), dim=-1))
        return torch.cat([path[s] for s in steps], dim=0)

    def propose(self, guide, exclude):
        context, space, model = self.context, self.context.space, guide.model
        seeds = guide.best(context.n_seeds)
        tokens = torch.as_tensor(np.array([space.to_sequence(a) for a in seeds]), dtype=torch.long)
        model.eval()
        outputs = model.encode(tokens)[0].detach()
        direction, path = self._direction(guide, outputs), [outputs]
        seen = set(context.known_ids) | {space.arch_id(a) for a in exclude}
        found = []
        chunk = 10   # decode several λ at once: one batched decode is much cheaper than many small ones
        for first in range(1, self.config.max_steps + 1, chunk):
            steps = list(range(first, min(first + chunk, self.config.max_steps + 1)))
            moved = self._moved(guide, outputs, direction, path, steps)
            for sequence in model.greedy_decode(moved, SequenceAutoencoder.pool(moved), space):
                try:
                    arch = space.from_sequence(sequence)
                except NasearchError:  # an invalid decode is dropped, as in NAO
                    continue
                if space.arch_id(arch) not in seen:
                    seen.add(space.arch_id(arch))
                    if context.admissible(arch):   # a known cost breaks a constraint: reject before any query
                        found.append(arch)
                    else:
                        context.stats["rejected_decodes"] = context.stats.get("rejected_decodes", 0) + 1
            step = steps[-1]
            if len(found) >= context.candidates:
                break
        context.stats["decoded"] = context.stats.get("decoded", 0) + len(found)
        context.stats["last_step"] = step
        return found


# --------------------------------------------------------------------------------- mutation
@dataclass(frozen=True)
class MutationConfig:
    """Tournament mutations (``sources: {mutation: {...}}``); ``candidates`` of them a round."""

    #: parents are drawn from the most recently told ``population`` architectures (regularized
    #: evolution's ageing); 0: from every told one
    population: int = 0
    #: the tournament size of each parent pick (one objective; several pick on the known front)
    tournament: int = 10
    #: at most this many of a round's proposals share a parent (the guide's best of each parent's
    #: children first, then the next best); 0: no limit, the guide's best whatever their parents
    per_parent: int = 0

    def __post_init__(self):
        _check_population("mutation", self.population)
        if self.tournament < 1:
            raise ConfigError(f"sources.mutation.tournament must be >= 1, got {self.tournament}")
        if self.per_parent < 0:
            raise ConfigError(f"sources.mutation.per_parent must be >= 0 (0: no limit), got {self.per_parent}")


def _check_population(source: str, population: int) -> None:
    if population < 0:
        raise ConfigError(f"sources.{source}.population must be >= 0 (0: every told architecture), got {population}")


class MutationSource(ProposalSource):
    """``candidates`` one-edit mutations of the guide's parent picks (one objective: the best of
    ``tournament`` known architectures drawn at random; several: a member of the known front)."""

    name = "mutation"
    Config = MutationConfig
    fills = True

    def __init__(self, config, context):
        super().__init__(config, context)
        self.parents: dict = {}   # this round's {child arch id: parent arch id}

    def propose(self, guide, exclude):
        members = parent_pool(guide, self.config.population)
        self.parents = {}
        tournament = tournament_of(self.context, self.config.tournament)
        return self.context.mutants(self.context.candidates, exclude, lambda: guide.parent(members, tournament),
                                    self.parents)

    def choose(self, guide, candidates, count):
        """The guide's best, at most ``per_parent`` children of one parent while others are left
        (a batch of one parent's mutants bets every slot on one neighbourhood)."""
        cap = self.config.per_parent
        if not cap or count >= len(candidates):
            return guide.select(candidates, count)
        taken, passed, per = [], [], {}
        for proposal in guide.select(candidates, len(candidates)):
            parent = self.parents.get(self.context.space.arch_id(proposal.arch), id(proposal))
            per[parent] = per.get(parent, 0) + 1
            (taken if per[parent] <= cap else passed).append(proposal)
            if len(taken) == count:
                return taken
        return taken + passed[:count - len(taken)]   # too few parents: the next best, in order


# --------------------------------------------------------------------------------- crossover
@dataclass(frozen=True)
class CrossoverConfig:
    """Crossover children (``sources: {crossover: {...}}``); ``candidates`` of them a round."""

    #: parents are drawn from the most recently told ``population`` architectures; 0: from every told one
    population: int = 30

    def __post_init__(self):
        _check_population("crossover", self.population)


class CrossoverSource(ProposalSource):
    """``candidates`` children of two of the guide's parent picks each (the space's
    :meth:`~nasearch.search_space.SearchSpace.crossover`), the genetic algorithm's recombination
    beside the mutations' one edit. Off unless named: on the tuning seeds it did not earn a place
    in the default (docs/RESULTS.md)."""

    name = "crossover"
    Config = CrossoverConfig

    def propose(self, guide, exclude):
        members = parent_pool(guide, self.config.population)
        tournament, arch_id = tournament_of(self.context, 10), self.context.space.arch_id

        def pick_parents():
            # The second parent is picked among the others: a child of a parent and itself is the parent.
            first = guide.parent(members, tournament)
            others = [member for member in members if arch_id(member[0]) != arch_id(first)]
            return first, guide.parent(others, tournament) if others else first

        return self.context.offspring(self.context.candidates, exclude, pick_parents)


# ----------------------------------------------------------------------------------- sample
@dataclass(frozen=True)
class SampleConfig:
    """Uniform samples screened by the surrogate (``sources: {sample: {count: N}}``)."""

    #: architectures a round; unset: the surrogate's rule (label-aware and predictor surrogates:
    #: 1000 with one objective, 0 with several; the faithful EmProx: 0). 0 turns the source off;
    #: ``all``: every unknown admissible architecture of a listable space, every round
    count: Optional[Union[int, str]] = None

    def __post_init__(self):
        if self.count is not None and self.count != ALL and (isinstance(self.count, str) or self.count < 0):
            raise ConfigError(f"sources.sample.count must be >= 0 or 'all', got {self.count!r}")


ALL = "all"   #: ``sources.sample.count``: screen the whole unknown part of a listable space


class SampleSource(ProposalSource):
    """``count`` distinct uniform admissible unknown architectures a round, or with ``count: all``
    every unknown admissible one (the space listed once, in its own order)."""

    name = "sample"
    Config = SampleConfig

    def __init__(self, config, context):
        super().__init__(config, context)
        self.every = None   # (architectures, ids) of the listed space, for count: all
        if config.count == ALL:
            if not context.space.listable:
                raise ConfigError(f"sources.sample.count 'all' needs a listable space; {context.space.name!r} is "
                                  "too large to list: give a count, e.g. sources: {sample: {count: 1000}}")
            archs = list(context.space.enumerate())
            self.every = (archs, [context.space.arch_id(a) for a in archs])

    def count(self) -> int:
        given = self.config.count
        if given == ALL:
            return len(self.every[0])
        return self.context.default_samples if given is None else given

    def active(self):
        return self.count() > 0

    def propose(self, guide, exclude):
        if self.every is None:
            return self.context.random_unknown(self.count(), exclude)
        skip = set(self.context.known_ids) | {self.context.space.arch_id(a) for a in exclude}
        archs, ids = self.every
        return [a for a, key in zip(archs, ids) if key not in skip and self.context.admissible(a)]


for _source in (AscentSource, MutationSource, CrossoverSource, SampleSource):
    proposal_sources.register(_source.name, _source)

#: The sources of a search that names none, in the allocation's order (NAO-guided's: every
#: built-in source on). EmProx-NAO declares its own (:data:`EMPROX_NAO_SOURCES`).
DEFAULT_SOURCES = {"ascent": {}, "mutation": {}, "sample": {}}
#: EmProx-NAO's default: the decoded ascent off, and mutation parents drawn among the 30 most
#: recently told architectures (regularized evolution's ageing, as its default population).
#: Measured against the same search with the ascent on, in 17 cells of four benchmarks
#: (docs/RESULTS.md, "Does the climb earn its place?"), the climb won none, so the cheaper
#: search, which needs no pretrained decoder, is the default; ``sources: {ascent: {}}`` turns
#: it on. Aged parents won 4 of 5 cells on NAS-Bench-301 and tied all 4 on NAS-Bench-201
#: cifar10-valid, at no cost; ``sources: {mutation: {population: 0}}`` draws from every told one.
#: Tournaments of 20 (greedier parents than the Config's 10) won on 40 NAS-Bench-301 seeds at
#: 50-300 evaluations and lost in none of five tables ("Greedier parents", docs/RESULTS.md).
EMPROX_NAO_SOURCES = {"ascent": "off", "mutation": {"population": 30, "tournament": 20}, "sample": {}}
OFF = (None, False, "off")


def resolve_sources(section, defaults: dict = DEFAULT_SOURCES) -> dict:
    """The full ``sources`` section: ``section`` laid over ``defaults`` source by source (a source
    named in ``section`` takes its options from there alone, over its Config's defaults, so a run
    recorded before a source gained an option keeps that option's old default); each source's
    options resolved by its Config; a source set to ``off`` (or null, or false) stays ``off``."""
    if not isinstance(section, dict):
        raise ConfigError(f"option sources must be a mapping of source names to options or off, got {section!r}")
    resolved = {}
    for name, options in {**defaults, **section}.items():
        if options in OFF:
            resolved[name] = "off"
            continue
        factory = proposal_sources.factory(name)
        resolved[name] = to_dict(build(factory.Config, {} if options is True else options, f"sources.{name}"))
    if all(options == "off" for options in resolved.values()):
        raise ConfigError("every proposal source is off; turn one on, e.g. sources: {mutation: {}}; "
                          "the sources are: " + ", ".join(resolved))
    return resolved


def build_sources(section: dict, context) -> list:
    """The :class:`ProposalSource` objects of a resolved ``sources`` section, in its order."""
    built = []
    for name, options in section.items():
        if options != "off":
            factory = proposal_sources.factory(name)
            built.append(factory(build(factory.Config, options, f"sources.{name}"), context))
    return built
