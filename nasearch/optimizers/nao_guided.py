"""NAO-guided search: the gradient search's loop with NAO's MLP predictor instead of EmProx."""
from __future__ import annotations

from dataclasses import dataclass

from ..embedding.pretrained import pretraining_config
from ..errors import ConfigError
from .gradient_search import GradientSearchConfig, _GradientSearch
from .guidance import NAOGuide
from .label_aware_surrogate import LabelAwareSearchConfig


@dataclass(frozen=True)
class NAOGuidedConfig(GradientSearchConfig):
    """:class:`GradientSearchConfig`; ``surrogate`` and ``labels`` are EmProx-NAO's and are refused here."""

    surrogate: str = "emprox"

    def __post_init__(self):
        super().__post_init__()
        for key, default in (("surrogate", "emprox"), ("labels", LabelAwareSearchConfig())):
            if getattr(self, key) != default:
                raise ConfigError(f"option {key} belongs to emprox_nao; nao ranks with its own MLP predictor, "
                                  f"so drop {key} (or use optimizer emprox_nao)")


class NAOGuided(_GradientSearch):
    """The same loop with NAO's MLP predictor, fine-tuned jointly with the autoencoder each round."""

    name = "nao"
    Config = NAOGuidedConfig

    def _single_objective_guide(self):
        from ..predictors import NAO

        c = self.config
        predictor = NAO(self.space, {"embedding_dim": c.embedding_dim, "epochs": c.epochs,
                                     "compact": pretraining_config(c.embedding_dim).compact}, self.rng)
        return NAOGuide(predictor, self.autoencoder, self.known_archs, self.known_values, self.rng, c.rank)
