"""The interface every proposal source implements."""
from __future__ import annotations

import abc


class ProposalSource(abc.ABC):
    """``propose(guide, exclude)`` returns candidate architectures for this round, none known
    (``context.known_ids``) nor in ``exclude``. ``context`` is the round's
    :class:`~nasearch.optimizers.emprox_nao.context.ProposalContext`."""

    name: str = ""
    Config: type = None
    #: whether it can always make more candidates, so it makes up for the others' shortfall
    fills: bool = False
    #: whether its candidates are one edit from told architectures, so the guide ranks them by its
    #: local selection (:meth:`~nasearch.optimizers.emprox_nao.guide.Guide.select_local`)
    local: bool = False

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
        (:meth:`~nasearch.optimizers.emprox_nao.guide.Guide.select`, ``select_local`` if :attr:`local`)."""
        return (guide.select_local if self.local else guide.select)(candidates, count)
