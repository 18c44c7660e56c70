"""EmProx-NAO's surrogate: what ranks candidates, and, where it can, what the climb follows.

A :class:`Surrogate` is fitted on the known set each round and predicts a mean and a
spread for any architectures. One that is :attr:`~Surrogate.differentiable` also
scores points of the autoencoder's embedding space, which is what the decoded ascent
climbs; any other can still rank every source's candidates. Three kinds are built in
(``surrogate: {name: ...}`` in EmProx-NAO's options):

* ``emprox`` (:class:`EmProxSurrogate`): the faithful EmProx, kNN in the pretrained
  autoencoder's embedding; ranks with the hard kNN, climbs its soft kNN;
* ``label_aware`` (:class:`LabelAwareSurrogate`, the default): ranks with the label-aware EmProx
  (one-edit candidates optionally with the mean of other predictors, ``local``) and, when the
  ascent is on, climbs the faithful EmProx's soft kNN over a memory pseudo-labelled by it;
* any registered predictor (``{name: xgb, ...}``, :class:`~.predictor_surrogate.PredictorSurrogate`): ranks only.

Each kind has a frozen config whose fields are its options; ``surrogate: emprox`` is short for
``surrogate: {name: emprox}``. A search's surrogate per objective term is
:class:`~nasearch.optimizers.emprox_nao.term_surrogates.TermSurrogates`.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
import numpy as np

from ...config import build, to_dict
from ...errors import ConfigError, unknown
from .experimental import warn_experimental
from .surrogate_base import Surrogate


# ----------------------------------------------------------------------------- faithful EmProx
@dataclass(frozen=True)
class EmProxSurrogateConfig:
    """The faithful EmProx as EmProx-NAO's surrogate (``surrogate: {name: emprox, ...}``)."""

    name: str = "emprox"
    k: int = 10                 #: neighbours of the kNN (hard for ranking, soft for the climb)
    temperature: float = 0.05   #: soft-kNN temperature of the climb (:func:`~nasearch.knn.soft_knn`)
    eps: float = 0.05           #: soft-kNN distance smoothing of the climb
    metric: str = "euclidean"   #: "euclidean" (the paper) or "learned" (a linear map fitted to the ranks)
    residual: str = "none"      #: experimental: "linear" runs the kNN on residuals of a ridge trend

    def __post_init__(self):
        if self.k < 1 or self.temperature <= 0 or self.eps < 0:
            raise ConfigError("surrogate options k must be >= 1, temperature > 0 and eps >= 0")
        if self.metric not in ("euclidean", "learned"):
            raise ConfigError(f"surrogate option metric must be 'euclidean' or 'learned', got {self.metric!r}")
        if self.residual not in ("none", "linear"):
            raise ConfigError(f"surrogate option residual must be 'none' or 'linear', got {self.residual!r}")


def faithful_emprox(space, config: EmProxSurrogateConfig, plan, seed: int, rng):
    """A fresh faithful :class:`~nasearch.predictors.EmProx` on the search's pretrained autoencoder."""
    from ...predictors import EmProx

    return EmProx(space, {"k": config.k, "embedding_dim": plan.embedding_dim, "pretrained": True,
                          "pretrain_archs": plan.pretrain_archs, "pretrain_steps": plan.pretrain_steps,
                          "pretrain_seed": seed, "metric": config.metric, "temperature": config.temperature,
                          "residual": config.residual}, rng)


class EmProxSurrogate(Surrogate):
    """Hard kNN for ranking, soft kNN (``temperature``, ``eps``) for the climb; a fresh EmProx each fit."""

    name = "emprox"
    Config = EmProxSurrogateConfig
    differentiable = True

    def __init__(self, *args):
        super().__init__(*args)
        if self.config.residual != "none":
            warn_experimental("surrogate.residual", self.config.residual)
        self.predictor = faithful_emprox(self.space, self.config, self.plan, self.seed, self.rng)

    def fit(self, archs, values):
        self.predictor.fit(archs, np.asarray(values))
        return self

    def predict(self, archs):
        return self.predictor.predict_with_spread(archs)

    def soft_score(self, embedding):
        return self.predictor.soft_predict(embedding, self.config.temperature, self.config.eps)

    @property
    def model(self):
        return self.predictor.model


# ------------------------------------------------------------------------- label-aware EmProx
#: The GIN ensemble the search trains, cheaper than the predictor tables' (5 members, 200
#: steps, retrain at 10% growth): it is retrained every time the told set grows by a fifth. Two
#: members, not three: the third won no cell against two (docs/RESULTS.md, "Does the ranker earn
#: its cost?"), and a cheaper setting that no dearer one beats is the default.
SEARCH_RANKER = {"members": 2, "epochs": 100, "refit_growth": 0.2}

#: The local predictor the search's one-edit mutations are ranked with beside the ranker: a small MLP ensemble
#: on the one-hot encoding, trained afresh as the told set grows by a quarter and 10 epochs from where it stood
#: in between. It orders a good cell's mutations better than the ranker where the told set is large
#: (``benchmarks/local_ranking.py``), so it is admitted only once the told values cover its inputs (``sized``).
SEARCH_LOCAL = {"mlp": {"ensemble": 3, "layers": 3, "width": 64, "epochs": 100, "loss": "mse",
                        "refit_growth": 0.25, "warm_epochs": 10}}


@dataclass(frozen=True)
class LabelAwareSurrogateConfig(EmProxSurrogateConfig):
    """The label-aware surrogate (``surrogate: {name: label_aware, ...}``): the faithful EmProx's
    options for the climb, plus the ranker's.

    ``ranker`` holds options of the ``emprox_label_aware`` predictor
    (:class:`~nasearch.predictors.gin.LabelAwareEmProxConfig`) laid over :data:`SEARCH_RANKER`;
    its ``k`` is this section's ``k``."""

    name: str = "label_aware"
    ranker: dict = field(default_factory=dict)
    pseudo_labels: int = 200    #: unknown architectures labelled by the ranker for the climb's memory (ascent on)
    #: ``{predictor name: options}`` refitted every round; one-edit candidates are ranked by the mean of
    #: their predictions and the ranker's (:meth:`Surrogate.predict_local`); empty: the ranker alone.
    #: Default: :data:`SEARCH_LOCAL`, the warm MLP
    local: dict = field(default_factory=lambda: dict(SEARCH_LOCAL))   # resolved into fresh dicts below
    #: when ``local`` ranks: "sized" (the default): only once the told set holds at least as many
    #: architectures as the widest local predictor reads inputs (one-hot features: 30 on NAS-Bench-201,
    #: 45 on NAS-Bench-Graph, 148 on DARTS), so no model ranks with fewer values than inputs; "always";
    #: or "earned": only while its mean with the ranker has ordered the search's new evaluations better
    #: than the ranker alone, each batch predicted before it was told
    #: (:mod:`~nasearch.optimizers.emprox_nao.admission`)
    local_admission: str = "sized"

    def __post_init__(self):
        super().__post_init__()
        if self.pseudo_labels < 0:
            raise ConfigError(f"surrogate option pseudo_labels must be >= 0, got {self.pseudo_labels}")
        if self.local_admission not in ("always", "earned", "sized"):
            raise ConfigError(f"surrogate option local_admission must be 'always', 'earned' or 'sized', "
                              f"got {self.local_admission!r}")
        ranker = {**SEARCH_RANKER, **dict(self.ranker)}
        if "k" in ranker or "temperature" in ranker:
            raise ConfigError("surrogate.ranker takes the GIN's options; set k as surrogate.k")
        from ...predictors.gin import LabelAwareEmProxConfig

        build(LabelAwareEmProxConfig, ranker, "surrogate.ranker")   # the one check of the ranker's options
        object.__setattr__(self, "ranker", ranker)
        if self.local:   # resolved and checked as an ensemble's members are
            from ...predictors.ensemble import resolve_members

            object.__setattr__(self, "local", resolve_members(self.local, "surrogate.local"))


class LabelAwareSurrogate(EmProxSurrogate):
    """Ranks with the label-aware EmProx (kept across rounds, retrained only as the told set grows
    by ``ranker.refit_growth``); climbs the faithful EmProx's soft kNN over the told architectures
    plus ``pseudo_labels`` unknown ones labelled by the ranker (SemiNAS's pseudo-labels): half
    one-edit mutations of the ``n_seeds`` best told, half uniform. The climb's gradient then points
    where the label-trained embedding expects better architectures, not only towards told ones.
    Without the climb (``context.climbs`` false) only the ranker is fitted."""

    name = "label_aware"
    Config = LabelAwareSurrogateConfig

    def __init__(self, *args):
        super().__init__(*args)   # the faithful EmProx it climbs (``predictor``, also ``climber``)
        from ...predictors import create_predictor

        self.ranker = create_predictor("emprox_label_aware", self.space, {**self.config.ranker, "k": self.config.k},
                                       self.rng)
        self.trainings = 0
        local = self.config.local   # each on its own generator, spawned without drawing from the search's
        self.local = [create_predictor(name, self.space, options, rng) for (name, options), rng in
                      zip(local.items(), self.rng.spawn(len(local)))]
        self._local_told = None   # the told set the local predictors have yet to be refitted on
        self._local_fitted = False
        self._local_inputs = None  # under local_admission "sized": the widest local predictor's inputs
        self.admission = None
        if self.local and self.config.local_admission == "earned":
            from .admission import PrequentialAdmission

            self.admission = PrequentialAdmission(self.space.arch_id)

    @property
    def climber(self):
        """The faithful EmProx whose soft kNN the ascent climbs."""
        return self.predictor

    def fit(self, archs, values):
        values = np.asarray(values, dtype=np.float64)
        if self.admission is not None:
            self._judge_local(archs, values)
        before = self.ranker.trained_on
        self.ranker.update(archs, values)
        self.trainings += int(self.ranker.trained_on != before)
        # refitted when first asked for a local score: a guide that never asks (several objectives) costs nothing
        self._local_told = (list(archs), values) if self.local else None
        if not self.context.climbs:   # the faithful EmProx and its pseudo-labels serve only the climb
            return self
        count = self.config.pseudo_labels
        pool = []
        if count:
            pool = self.context.mutants_of_best(count // 2, archs, values)
            pool += self.context.random_unknown(count - len(pool), pool)
        pseudo = self.ranker.predict(pool) if pool else np.empty(0)
        self.predictor.fit(list(archs) + pool, np.concatenate([values, pseudo]))
        return self

    def predict(self, archs):
        return self.ranker.predict_with_spread(archs)

    def predict_local(self, archs):
        """The mean of the ranker's and the ``local`` predictors' predictions; the ranker's spread."""
        from ...predictors.ensemble import mean_of

        if self._local_told is not None:
            if not self._sized_in(self._local_told[0]):
                return self.predict(archs)   # too few told values yet: neither fitted nor asked
            for predictor in self.local:
                predictor.update(*self._local_told)
            self._local_told, self._local_fitted = None, True
        mean, spread = self.predict(archs)
        if self.admission is not None and not self.admission.admitted:
            return mean, spread
        return mean_of([mean] + [p.predict(archs) for p in self.local]), spread

    def _sized_in(self, told: list) -> bool:
        """Under ``local_admission: sized``, whether the ``told`` architectures are at least as many as
        the widest local predictor's inputs (:meth:`~nasearch.predictors.Predictor.input_features`);
        true under any other admission. Counts the rounds it admits in the run's stats."""
        if self.config.local_admission != "sized":
            return True
        if self._local_inputs is None:
            self._local_inputs = max(p.input_features(told[0]) for p in self.local)
        admitted = len(told) >= self._local_inputs
        stats = self.context.stats
        stats["local_admitted_rounds"] = stats.get("local_admitted_rounds", 0) + int(admitted)
        return admitted

    def _judge_local(self, archs, values) -> None:
        """Before refitting, score the ranker alone and with the local predictors on what neither has seen."""
        ready = self._local_fitted and self.ranker.encoder is not None
        self.admission.judge(archs, values, self.ranker, self.local if ready else None)
        stats = self.context.stats   # how many rounds the local predictors ranked, for the run's summary
        stats["local_admitted_rounds"] = stats.get("local_admitted_rounds", 0) + int(self.admission.admitted)

    @property
    def model(self):
        return self.predictor.model if self.context.climbs else None

    @staticmethod
    def default_samples(config, several_objectives):
        """1000 for one objective (a screen over the space finds a far or constrained optimum the
        climb and mutations miss), 0 for several (on the tuning seeds the uniform source took batch
        share from the climb and mutations and lowered the found front's hypervolume)."""
        return 0 if several_objectives else 1000


BUILT_IN = {"emprox": EmProxSurrogate, "label_aware": LabelAwareSurrogate}


def surrogate_class(name: str) -> type:
    """The :class:`Surrogate` subclass for a ``surrogate.name``: a built-in one, or
    :class:`~.predictor_surrogate.PredictorSurrogate` for any other registered predictor."""
    if name in BUILT_IN:
        return BUILT_IN[name]
    from ...predictors import registry

    if name not in registry.names():
        raise unknown("surrogate", name, sorted(BUILT_IN) + [n for n in registry.names() if n not in BUILT_IN])
    from .predictor_surrogate import PredictorSurrogate

    return PredictorSurrogate


def resolve_surrogate(section) -> dict:
    """The full ``surrogate`` section (every option, defaults included) from what was given: a
    name, or a mapping with an optional ``name`` (default ``label_aware``). Unknown options are
    one-line errors. A predictor's options are resolved through its own Config."""
    section = {"name": section} if isinstance(section, str) else dict(section or {})
    name = section.setdefault("name", "label_aware")
    cls = surrogate_class(str(name))
    config = build(cls.Config, section, "surrogate")
    if cls.name == "predictor":   # :class:`~.predictor_surrogate.PredictorSurrogate`
        from ...predictors import registry

        predictor = registry.factory(config.name)
        config = dataclasses.replace(config, options=to_dict(build(predictor.Config, config.options,
                                                                   "surrogate.options")))
    return to_dict(config)


def surrogate_config(section: dict):
    """``(Surrogate subclass, its frozen config)`` of a resolved ``surrogate`` section."""
    cls = surrogate_class(section["name"])
    return cls, build(cls.Config, section, "surrogate")


__all__ = ["Surrogate", "EmProxSurrogate", "LabelAwareSurrogate", "resolve_surrogate", "surrogate_config",
           "faithful_emprox"]
