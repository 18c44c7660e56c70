"""NAO-guided search: the gradient search's loop with NAO's MLP predictor instead of EmProx."""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import ConfigError
from .emprox_nao.config import GradientSearchConfig
from .emprox_nao.guide import NAOGuide
from .emprox_nao.loop import GradientSearch


@dataclass(frozen=True)
class NAOGuidedConfig(GradientSearchConfig):
    """The loop's options (:class:`~nasearch.optimizers.emprox_nao.config.GradientSearchConfig`) plus
    the MLP's fine-tuning."""

    epochs: int = 50   #: joint fine-tuning epochs of the autoencoder and its MLP head per round

    def __post_init__(self):
        super().__post_init__()
        if self.epochs < 1:
            raise ConfigError(f"option epochs must be >= 1, got {self.epochs}")


#: EmProx-NAO's options that NAO-guided has no use for: it ranks and climbs with its own MLP
_EMPROX_ONLY = ("surrogate", "optimism", "pareto", "k", "temperature", "eps", "metric", "residual", "labels")


class NAOGuided(GradientSearch):
    """The same loop with NAO's MLP predictor, fine-tuned jointly with the autoencoder each round."""

    name = "nao"
    Config = NAOGuidedConfig

    @classmethod
    def configure(cls, options=None):
        if isinstance(options, dict):
            refused = [key for key in cls.upgrade_options(options) if key in _EMPROX_ONLY]
            if refused:
                raise ConfigError(f"option {refused[0]} belongs to emprox_nao; nao ranks with its own MLP "
                                  f"predictor, so drop {refused[0]} (or use optimizer emprox_nao)")
        return super().configure(options)

    def _make_guide(self, goal):
        from ..predictors import NAO

        c = self.config
        predictor = NAO(self.space, {"embedding_dim": c.autoencoder.embedding_dim, "epochs": c.epochs,
                                     "compact": c.autoencoder.model_config().compact}, self.rng)
        return NAOGuide(predictor, self.autoencoder, self.known_archs, self.known_values, self.rng, c.rank)
