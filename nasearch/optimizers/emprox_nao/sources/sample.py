"""Uniform samples of the space, screened by the surrogate like every other source's candidates."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Union

from ....errors import ConfigError
from ....registry import proposal_sources
from .base import ProposalSource


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


proposal_sources.register(SampleSource.name, SampleSource)
