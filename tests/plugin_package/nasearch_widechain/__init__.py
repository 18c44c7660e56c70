"""A third-party plug-in space too large to list: 14 layers of 8 operations (8^14 ≈ 4.4e12),
plus an unbounded variant that reports ``size = None``. Installed by the tests through a
``.dist-info`` entry point, exactly as ``pip install`` would register it."""
import numpy as np
from ConfigSpace import Categorical, ConfigurationSpace

from nasearch import InvalidArchitectureError, SearchSpace

OPS = ("conv3", "conv5", "pool", "skip", "conv1", "dil3", "sep3", "sep5")
LAYERS = 14


class WideChain(SearchSpace):
    name = "widechain"

    def sample(self, rng):
        return tuple(int(i) for i in rng.integers(len(OPS), size=LAYERS))

    def neighbors(self, arch):
        return [arch[:i] + (op,) + arch[i + 1:] for i in range(LAYERS) for op in range(len(OPS)) if op != arch[i]]

    def arch_id(self, arch):
        return arch

    def to_string(self, arch):
        return "-".join(OPS[op] for op in arch)

    def from_string(self, text):
        parts = text.split("-") if isinstance(text, str) else []
        if len(parts) != LAYERS or any(p not in OPS for p in parts):
            raise InvalidArchitectureError(f"bad widechain {text!r}; write {LAYERS} of {OPS} joined by '-'")
        return tuple(OPS.index(p) for p in parts)

    @property
    def size(self):
        return len(OPS) ** LAYERS

    vocab_size = len(OPS) + 1
    seq_len = LAYERS

    def to_sequence(self, arch):
        return [op + 1 for op in arch]

    def from_sequence(self, tokens):
        return tuple(t - 1 for t in self.check_tokens(tokens))

    def allowed_tokens(self, position, prefix=()):
        return list(range(1, len(OPS) + 1))

    def config_space(self, seed=None):
        space = ConfigurationSpace(seed=seed)
        space.add([Categorical(f"layer_{i}", list(OPS)) for i in range(LAYERS)])
        return space

    def to_config(self, arch):
        return {f"layer_{i}": OPS[op] for i, op in enumerate(arch)}

    def from_config(self, config):
        return self.from_string("-".join(config[f"layer_{i}"] for i in range(LAYERS)))

    datasets = ["synthetic"]

    def metrics(self, dataset):
        return ["val"]

    def query(self, arch, dataset, metric="val", epochs=None):
        self.check_query(dataset, metric, epochs)
        # conv5 early, conv3 late is best (value 100); every other op scores in between.
        weights = np.linspace(1.0, -1.0, LAYERS)
        score = sum(w if op == 1 else -w if op == 0 else -abs(w) * op / len(OPS) for w, op in zip(weights, arch))
        return float(50.0 + 50.0 * score / np.abs(weights).sum())


class UnboundedChain(WideChain):
    """The same space, reporting an unknown size."""

    name = "widechain_unbounded"

    @property
    def size(self):
        return None
