"""How a gradient search splits each batch between its proposal sources (``allocation: {rule: ...}``).

``rule: share`` (the default): each source (:mod:`.sources`) keeps a record
``[successes, proposals]``; a success is a told value that entered the top ``n_seeds``. A source's share of the
batch is its posterior success rate (Beta(1, 1) prior) over the sum of all rates,
kept at or above ``0.4 / n_sources`` so no source is ever starved (with two sources:
each share in [0.2, 0.8]). Given a generator (``allocation: thompson``), each proposal slot
instead goes to the source whose draw from its Beta(1 + successes, 1 + failures) posterior
is highest: Thompson sampling per slot, sharper where the records differ, with no floor
(experimental: measured on the tuning seeds and not adopted).
``rule: fill`` keeps no record: the sources' candidates are ranked together and, when they
are fewer than the batch, one-edit mutations of the ascent seeds and then uniform samples
make up the rest (NAO's own batch, the ablation of the split).
The record lives in the optimizer's stats, so a resumed search, which replays its tells,
rebuilds it exactly.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...errors import ConfigError
from .experimental import warn_experimental


@dataclass(frozen=True)
class AllocationConfig:
    """How each batch is split among the sources (``allocation: {rule: share | thompson | fill}``)."""

    rule: str = "share"   #: "share" (clipped posterior rates), experimental "thompson" (per slot), or "fill"

    def __post_init__(self):
        if self.rule not in ("share", "thompson", "fill"):
            raise ConfigError(f"allocation.rule must be 'share', 'thompson' or 'fill', got {self.rule!r}")


def _guide_best(guide, candidates: list, count: int) -> list:
    return guide.select(candidates, count)


class SourceMix:
    """The allocation rule of the module docstring over ``names`` (the first one takes
    whatever rounding leaves, ``filler`` makes up for sources short of candidates);
    ``record`` is the ``{name: [successes, proposals]}`` dict, ``arch_id`` the space's."""

    def __init__(self, names: tuple, filler: str, record: dict, arch_id, rng=None, choosers: dict = None):
        self.names, self.filler, self.record, self.arch_id = tuple(names), filler, record, arch_id
        #: ``{name: choose(guide, candidates, count)}``, each source's own pick of its slots
        #: (:meth:`~nasearch.optimizers.emprox_nao.sources.ProposalSource.choose`); default the guide's best
        self.choosers = dict(choosers or {})
        self.rng = rng   # a numpy Generator: Thompson sampling per slot; None: the clipped shares
        self.pending: dict = {}   # arch id -> source, from proposal until told
        for name in self.names:
            record.setdefault(name, [0, 0])

    def select(self, guide, candidates: dict, want: int) -> list:
        """``want`` proposals: each source's :meth:`counts` best of its ``candidates[name]`` by the
        ``guide`` (:meth:`~nasearch.optimizers.guidance.Guide.select`), the filler's last."""
        count = self.counts(want)
        chosen = []
        for name in [n for n in self.names if n != self.filler] + [self.filler]:
            choose = self.choosers.get(name, _guide_best)
            taken = choose(guide, candidates[name], want - len(chosen) if name == self.filler else
                           min(count[name], len(candidates[name])))
            self.pending.update((self.arch_id(p.arch), name) for p in taken)
            chosen += taken
        if len(chosen) < want:
            # The filler fell short while another source has candidates left (a sample source that
            # screens a whole listed space leaves the mutations nothing): the slots go to the best
            # of the leftovers, each credited to its own source, rather than a short round.
            taken = {self.arch_id(p.arch) for p in chosen}
            owner = {self.arch_id(arch): name for name in self.names for arch in candidates[name]}
            left = [arch for name in self.names for arch in candidates[name] if self.arch_id(arch) not in taken]
            extra = guide.select(left, want - len(chosen))
            self.pending.update((self.arch_id(p.arch), owner[self.arch_id(p.arch)]) for p in extra)
            chosen += extra
        return chosen

    def told(self, key, success) -> None:
        """A proposal with arch id ``key`` was told: credit its source with ``success()``
        (called only for a pending proposal), or with a failure when ``success`` is None."""
        name = self.pending.pop(key, None)
        if name is not None:
            self.credit(name, bool(success()) if success is not None else False)

    def shares(self) -> dict:
        """``{name: share}`` summing to 1, every share at least ``0.4 / len(names)``."""
        rate = {name: (won + 1) / (tried + 2) for name, (won, tried) in
                ((n, self.record[n]) for n in self.names)}
        floor = 0.4 / len(self.names)
        share = {name: r / sum(rate.values()) for name, r in rate.items()}
        # Raise the starved sources to the floor and scale the rest into what is left; one pass
        # per source at most, since a raised source stays raised.
        raised: set = set()
        for _ in self.names:
            low = {name for name, s in share.items() if s < floor - 1e-12} | raised
            if low == raised:
                break
            raised = low
            rest = sum(rate[name] for name in self.names if name not in raised)
            left = 1.0 - floor * len(raised)
            share = {name: floor if name in raised else left * (rate[name] / rest) for name in self.names}
        return share

    def counts(self, want: int) -> dict:
        """``{name: proposals}`` summing to ``want``: ``round(want · share)`` for each source but
        the first, which takes the rest; with a generator, one Thompson draw per slot."""
        if self.rng is not None:
            won, tried = np.array([self.record[name] for name in self.names], dtype=float).T
            draws = self.rng.beta(1 + won, 1 + tried - won, size=(want, len(self.names)))
            slots = np.bincount(draws.argmax(axis=1), minlength=len(self.names))
            return {name: int(n) for name, n in zip(self.names, slots)}
        share = self.shares()
        count = {name: int(round(want * share[name])) for name in self.names[1:]}
        count[self.names[0]] = max(0, want - sum(count.values()))
        return count

    def credit(self, name: str, success: bool) -> None:
        """Record one told proposal of source ``name``."""
        won, tried = self.record[name]
        self.record[name] = [won + int(success), tried + 1]


class Allocation:
    """The allocation rule of a search (module docstring) over its active sources, built at the
    first batch that needs it; ``stats`` is the optimizer's (the record lives in ``stats["sources"]``)."""

    def __init__(self, config: AllocationConfig, context):
        self.config, self.context = config, context
        if config.rule == "thompson":
            warn_experimental("allocation.rule", config.rule)
        self.mix = None

    def select(self, guide, sources: list, candidates: dict, want: int) -> list:
        """``want`` proposals from ``candidates[source name]`` (``sources`` in the allocation's order)."""
        context = self.context
        if self.config.rule == "fill":
            pooled = [a for source in sources for a in candidates[source.name]]
            if len(pooled) < want:
                context.stats["fill_rounds"] += 1
                filled = context.mutants(want - len(pooled), pooled, self._seed_picker(guide))
                if len(filled) < want - len(pooled):
                    filled += context.random_unknown(want - len(pooled) - len(filled), pooled + filled)
                context.stats["filled"] += len(filled)
                pooled += filled
            return guide.select(pooled, want)
        if self.mix is None:
            names = tuple(source.name for source in sources)
            filler = next((source.name for source in sources if source.fills), names[0])
            self.mix = SourceMix(names, filler, context.stats.setdefault("sources", {}), context.space.arch_id,
                                 context.rng if self.config.rule == "thompson" else None,
                                 {source.name: source.choose for source in sources})
        short = want - sum(len(found) for found in candidates.values())
        if short > 0 and any(source.fills for source in sources):
            # The filler ran out too (every one-edit neighbour of its parents is known, as happens
            # to a known Pareto front's): uniform unknown architectures make up the batch, credited
            # to the filler, rather than a short round. A search without a filler still stalls.
            made = [a for found in candidates.values() for a in found]
            extra = context.random_unknown(short, made)
            candidates = {**candidates, self.mix.filler: list(candidates[self.mix.filler]) + extra}
            context.stats["filled"] += len(extra)
            context.stats["fill_rounds"] += 1
        return self.mix.select(guide, candidates, want)

    def _seed_picker(self, guide):
        seeds = guide.best(self.context.n_seeds)
        return lambda: seeds[int(self.context.rng.integers(len(seeds)))]

    def told(self, key, success) -> None:
        """Credit the source of a told proposal (see :meth:`SourceMix.told`)."""
        if self.mix is not None:
            self.mix.told(key, success)
