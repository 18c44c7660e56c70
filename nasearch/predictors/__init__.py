"""Performance predictors: one interface (``fit``/``predict``), one registry."""
from ..registry import predictors as registry
from .base import Predictor
from .emprox import EmProx, EmProxConfig
from .ensemble import Ensemble
from .gin import GIN, LabelAwareEmProx
from .linear import Ridge
from .nao import NAO, SemiNAS
from .tabular import MLP, Bananas, XGBoost

for _cls in (EmProx, LabelAwareEmProx, GIN, NAO, SemiNAS, XGBoost, Bananas, MLP, Ridge, Ensemble):
    registry.register(_cls.name, _cls)


def create_predictor(name: str, space, options=None, rng=None) -> Predictor:
    """Instantiate registered predictor ``name`` with option dict ``options``."""
    return registry.factory(name)(space, options or {}, rng)


__all__ = ["Predictor", "EmProx", "EmProxConfig", "LabelAwareEmProx", "GIN", "NAO", "SemiNAS", "XGBoost", "Bananas", "MLP", "Ridge", "Ensemble",
           "create_predictor", "registry"]
