"""The peer optimizers' shared ask loop: a configuration outside the space is a failure told to the peer."""
from dataclasses import dataclass

import numpy as np

from nasearch.optimizers.peer import PeerOptimizer


@dataclass(frozen=True)
class _ScriptedConfig:
    max_repeats: int = 10


class _ScriptedPeer(PeerOptimizer):
    """A peer that proposes the given configurations in order and records what it is told."""

    Config = _ScriptedConfig
    name = "scripted"

    def __init__(self, space, script):
        super().__init__(space, rng=np.random.default_rng(0))
        self.script, self.told = list(script), []

    def _draw(self):
        return len(self.told) + len(self.open_trials), self.script.pop(0)

    def _close(self, handle, value):
        self.told.append((handle, value))


def test_a_configuration_outside_the_space_is_told_as_a_failure_and_the_peer_asked_again(graph_cora):
    all_skip = {"links": "0012", **{f"op_{n}": "skip" for n in range(4)}}
    member = {"links": "0012", "op_0": "gcn", "op_1": "skip", "op_2": "gat", "op_3": "skip"}
    peer = _ScriptedPeer(graph_cora, [all_skip, member])
    proposals = peer.ask(1)
    assert [p.arch for p in proposals] == [graph_cora.from_config(member)]
    assert peer.told == [(0, None)]                 # the all-skip draw, closed as a failure
    assert peer.stats["inadmissible"] == 1 and peer.stats["proposals"] == 2 and peer.stats["repeats"] == 0
