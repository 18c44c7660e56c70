"""How the mutation and crossover sources pick their parents among the guide's fitted set."""
from __future__ import annotations

from ...errors import ConfigError


def tournament_of(context, size: int):
    """``tournament(members, size=size)`` for :meth:`Guide.parent`: the source owns the size, and a
    guide that names one (as guides written before the option did, with 10) keeps it."""
    return lambda members, chosen=None: context.tournament(members, size if chosen is None else chosen)


def parent_pool(guide, population: int) -> list:
    """The ``(arch, fitness)`` members parents are drawn from: the ``population`` most recently
    told (the fit set is in told order, so its tail is the youngest), or every one for 0."""
    members = list(zip(guide.archs, guide.fitness()))
    return members[-population:] if population else members


def check_population(source: str, population: int) -> None:
    """``sources.<source>.population`` must be >= 0 (0: parents from every told architecture)."""
    if population < 0:
        raise ConfigError(f"sources.{source}.population must be >= 0 (0: every told architecture), got {population}")
