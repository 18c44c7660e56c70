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


def test_a_search_script_restarts_itself_once_with_string_hashing_fixed(tmp_path):
    # SMAC's local search iterates a set of strings, so the CLI and the table scripts restart once
    # with PYTHONHASHSEED=0; two runs must then hash a string alike.
    import os
    import subprocess
    import sys

    script = tmp_path / "script.py"
    script.write_text("from nasearch.seeding import restart_with_fixed_hash_seed\n"
                      "restart_with_fixed_hash_seed()\n"
                      "import os\nprint(os.environ['PYTHONHASHSEED'], hash('nasearch'))\n")
    from pathlib import Path

    env = {k: v for k, v in os.environ.items() if k != "PYTHONHASHSEED"}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1])   # the checkout under test
    runs = [subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True, check=True)
            .stdout.split() for _ in range(2)]
    assert runs[0][0] == "0" and runs[0] == runs[1]
    # an explicit seed is respected, not overridden
    env["PYTHONHASHSEED"] = "7"
    kept = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True, check=True)
    assert kept.stdout.split()[0] == "7"
