"""The shipped contracts fail components with the bugs they exist to catch."""
import itertools

import numpy as np
import pytest

from nasearch.optimizers import Proposal, RandomSearch
from nasearch.testing import SearchSpaceContract
from nasearch.testing.optimizer_contract import drive, drive_search


class ReProposing(RandomSearch):
    """Proposes a pending architecture again: the first of each batch twice in a row."""

    def ask(self, remaining):
        if not hasattr(self, "_last"):
            self._last = super().ask(remaining)[0]
        return [self._last]


class ForgetsFailures(RandomSearch):
    """Retries an architecture whose evaluation failed, although it counted against the budget."""

    def tell_failure(self, arch):
        self.retry = arch

    def ask(self, remaining):
        retry, self.retry = getattr(self, "retry", None), None
        return [Proposal(retry)] if retry is not None else super().ask(remaining)


@pytest.mark.parametrize("bad_class,fail_every", [(ReProposing, 0), (ForgetsFailures, 3)])
def test_optimizer_contract_rejects_re_proposals(nb201, bad_class, fail_every):
    optimizer = bad_class(nb201, {}, np.random.default_rng(0))
    with pytest.raises(AssertionError, match="re-proposed"):
        drive(optimizer, nb201, "cifar10-valid", 30, fail_every=fail_every)


class RepeatsNowAndThen(RandomSearch):
    """Samples uniformly without checking what it already proposed: a repeat is rare early on."""

    def ask(self, remaining):
        return [Proposal(self.space.sample(self.rng))]


class IgnoresPending(RandomSearch):
    """Forgets architectures handed out but not yet told, so it proposes them again."""

    def reserve(self, arch):
        pass

    def ask(self, remaining):
        return [Proposal(arch) for arch in itertools.islice(self.space.enumerate(), 50) if not self.is_known(arch)][:5]


def test_a_long_search_catches_an_optimizer_that_repeats_a_few_times_in_300(nb201):
    optimizer = RepeatsNowAndThen(nb201, {}, np.random.default_rng(3))
    first_40 = drive(RepeatsNowAndThen(nb201, {}, np.random.default_rng(3)), nb201, "cifar10-valid", 40)
    assert len(set(first_40)) == 40   # the short bare drive does not see it
    with pytest.raises(AssertionError, match="re-proposed a told architecture"):
        drive_search(optimizer, nb201, "cifar10-valid", 300)


def test_a_search_with_pending_architectures_catches_an_optimizer_that_forgets_them(nb201):
    with pytest.raises(AssertionError, match="re-proposed a pending architecture"):
        drive_search(IgnoresPending(nb201, {}, np.random.default_rng(0)), nb201, "cifar10-valid", 300)
    # the bare protocol tells each batch before the next ask, so it never sees the bug
    assert len(drive(IgnoresPending(nb201, {}, np.random.default_rng(0)), nb201, "cifar10-valid", 40)) == 40


def test_space_contract_rejects_a_token_mask_that_misses_allowed_tokens(nb201):
    from search_spaces.nasbench201 import NASBench201

    class NarrowMask(NASBench201):
        def token_mask(self):
            mask = super().token_mask()
            mask[1, 7] = False
            return mask

    with pytest.raises(AssertionError, match="token_mask misses"):
        SearchSpaceContract().test_token_mask_covers_allowed_tokens(NarrowMask())


def test_space_contract_catches_a_round_trip_that_fails_for_one_architecture_in_500(nb201):
    from search_spaces.nasbench201 import NASBench201

    class RareRoundTripBug(NASBench201):
        def to_string(self, arch):
            text = super().to_string(arch)
            # 0.2% of cells print the wrong operation on their last edge.
            if self.code(arch) % 500 == 7:
                return text.replace(text.rsplit("|", 2)[1], "none~2")
            return text

    with pytest.raises(AssertionError, match="parses back"):
        SearchSpaceContract().test_string_round_trip_and_stable_id(RareRoundTripBug())


def test_space_contract_catches_neighbours_beyond_the_first_five_being_invalid(nb201):
    from search_spaces.nasbench201 import NASBench201

    class BadTailNeighbours(NASBench201):
        def neighbors(self, arch):
            good = super().neighbors(arch)
            return good[:5] + [tuple([9] * 6)] + good[6:]      # operation 9 does not exist

    with pytest.raises(AssertionError, match="neighbour of .* is not a valid member"):
        SearchSpaceContract().test_neighbors_are_distinct_one_edit_members(BadTailNeighbours())
