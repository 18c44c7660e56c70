"""The options of the gradient searches in embedding space, one section per part.

``GradientSearchConfig`` holds what the loop itself reads; each part (the pretrained
autoencoder, the proposal sources, the allocation, and for EmProx-NAO the surrogate and
the multi-objective guide) has its own section, documented with its part. Options
spelled the flat way of earlier versions (``k: 5``, ``labels: {...}``, ``mix: false``, ...)
are rewritten into their sections by :func:`upgrade_flat_options`, so recorded run
directories and old configs keep their meaning.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import ClassVar

from ...embedding.pretrained import PretrainingPlan, pretraining_config
from ...errors import ConfigError, SearchWarning
from .allocation import AllocationConfig
from .sources import DEFAULT_SOURCES, resolve_sources


@dataclass(frozen=True)
class AutoencoderPlan:
    """The pretrained encoder–decoder every round climbs in and decodes with (``autoencoder: {...}``).

    It must decode the space: one trained only on the ~100 known architectures reconstructs
    none of them exactly, so it is pretrained once per space and seed on unlabelled ones.
    """

    embedding_dim: int = 32       #: d, the embedding size
    pretrain_archs: int = 0       #: pretraining pool; 0 = the whole space if listable, else a stream
    pretrain_steps: int = 4000    #: most pretraining steps (it stops earlier once the decoder is faithful)
    min_round_trip: float = 0.5   #: refuse a decoder that reconstructs fewer held-out architectures

    def __post_init__(self):
        if self.embedding_dim < 1 or self.pretrain_archs < 0 or self.pretrain_steps < 1:
            raise ConfigError("autoencoder.embedding_dim and autoencoder.pretrain_steps must be >= 1, "
                              "autoencoder.pretrain_archs >= 0")

    def model_config(self):
        return pretraining_config(self.embedding_dim)

    def pretraining(self) -> PretrainingPlan:
        return PretrainingPlan(max_steps=self.pretrain_steps, archs=self.pretrain_archs)


@dataclass(frozen=True)
class GradientSearchConfig:
    """The loop's own options; the parts' live in their sections."""

    n_init: int = 10           #: random architectures queried first
    batch_size: int = 10       #: queries per round
    n_seeds: int = 10          #: best known architectures that seed the ascent (and the fill's mutations)
    candidates: int = 30       #: candidates the ascent and the mutation source each make per round
    rank: bool = True          #: rank each source's candidates by the guide (off: take them in order)
    autoencoder: AutoencoderPlan = field(default_factory=AutoencoderPlan)
    #: proposal sources, ``{name: options | off}`` over ascent, mutation and sample (:mod:`.sources`)
    sources: dict = field(default_factory=dict)
    allocation: AllocationConfig = field(default_factory=AllocationConfig)   #: the batch split (:mod:`.allocation`)
    #: the sources of a search whose ``sources`` names none (each optimizer declares its own)
    default_sources: ClassVar[dict] = DEFAULT_SOURCES

    def __post_init__(self):
        if min(self.n_init, self.batch_size, self.n_seeds) < 1:
            raise ConfigError("n_init, batch_size and n_seeds must be >= 1")
        if self.candidates < self.batch_size:
            raise ConfigError(f"candidates ({self.candidates}) must be >= batch_size ({self.batch_size})")
        object.__setattr__(self, "sources", resolve_sources(self.sources, self.default_sources))

    @property
    def climbs(self) -> bool:
        """Whether the decoded ascent is on, so the search needs a pretrained encoder–decoder."""
        return self.sources.get("ascent", "off") != "off"


# ---------------------------------------------------------------- the flat options of earlier versions
_AUTOENCODER = ("embedding_dim", "pretrain_archs", "pretrain_steps", "min_round_trip")
_SURROGATE = ("k", "temperature", "eps", "metric", "residual")
#: flat options nobody read, with the value every recorded run holds (dropped at that value)
_UNREAD = {"emprox_nao": {"epochs": 50},
           "nao": {"k": 10, "temperature": 0.05, "eps": 0.05, "metric": "euclidean", "residual": "none",
                   "optimism": None, "surrogate": "emprox",
                   "pareto": {"augment": 0.05, "soft_min": 0.05, "memory": 500},
                   "labels": {"members": 3, "epochs": 100, "refit_growth": 0.2, "pseudo_labels": 200,
                              "samples": None, "width": None}}}
_LABELS_DEFAULT = _UNREAD["nao"]["labels"]
_LEGACY = set(_AUTOENCODER) | set(_SURROGATE) | {"step", "max_steps", "labels", "mix"}


def is_flat(options: dict) -> bool:
    """Whether ``options`` use a spelling of an earlier version."""
    return bool(_LEGACY & set(options)) or isinstance(options.get("ascent"), str) \
        or isinstance(options.get("allocation"), str)


def upgrade_flat_options(options: dict, optimizer: str, announce: bool = False) -> dict:
    """``options`` with every flat option of an earlier version moved into its section; options
    already in today's spelling pass unchanged. ``announce``: warn once that a config should be
    respelled (a recorded run directory is upgraded silently)."""
    options = dict(options or {})
    if not is_flat(options) and not (_UNREAD.get(optimizer, {}).keys() & options.keys()):
        if optimizer == "emprox_nao" and isinstance(options.get("surrogate"), str):   # the short form
            options["surrogate"] = {"name": options["surrogate"]}
        return options
    if announce and is_flat(options):
        warnings.warn(f"{optimizer} options {sorted(k for k in options if k in _LEGACY or k in ('ascent', 'allocation'))} "
                      "are spelled the flat way of nasearch before 0.3; they now live in sections "
                      "(autoencoder, sources, allocation, surrogate): see `main.py search --help`",
                      SearchWarning, stacklevel=4)
    for key, default in _UNREAD.get(optimizer, {}).items():
        if key in options and options[key] == default:
            del options[key]
    out = {k: v for k, v in options.items() if k not in _LEGACY and k not in ("ascent", "allocation")}

    def section(name: str) -> dict:
        out[name] = dict(out.get(name) or {})
        return out[name]

    for key in _AUTOENCODER:
        if key in options:
            section("autoencoder")[key] = options[key]
    ascent = {new: options[old] for old, new in (("step", "step"), ("max_steps", "max_steps")) if old in options}
    if isinstance(options.get("ascent"), str):
        ascent["mode"] = options["ascent"]
    elif "ascent" in options:
        out["ascent"] = options["ascent"]   # not a flat option: left for the config to refuse
    if ascent:
        sources = section("sources")
        sources["ascent"] = {**dict(sources.get("ascent") or {}), **ascent}
    allocation = options.get("allocation")
    if isinstance(allocation, str):
        section("allocation")["rule"] = allocation
    elif allocation is not None:
        out["allocation"] = allocation
    if options.get("mix") is False:   # the ascent alone
        section("allocation")["rule"] = "fill"
        section("sources").update(mutation="off", sample="off")
        section("sources").setdefault("ascent", {})
    elif "mix" in options:   # a whole flat config as a run recorded it: mutations of that version's kind
        section("sources").setdefault("mutation", {"population": 0})   # every told one, tournaments of 10
    surrogate = options.get("surrogate")
    if isinstance(surrogate, str) or any(key in options for key in _SURROGATE) or "labels" in options:
        if optimizer != "emprox_nao":   # nao reads none of these: its config refuses them by name
            out.update({key: options[key] for key in (*_SURROGATE, "labels") if key in options})
            return out
        current = {"name": surrogate} if isinstance(surrogate, str) else dict(surrogate or {})
        current.update({key: options[key] for key in _SURROGATE if key in options})
        labels = dict(options.get("labels") or {})
        if current.get("name", "label_aware") == "label_aware":
            ranker = {key: labels[key] for key in ("members", "epochs", "refit_growth", "width")
                      if key in labels and labels[key] is not None}
            if ranker:
                current["ranker"] = ranker
            if "pseudo_labels" in labels:
                current["pseudo_labels"] = labels["pseudo_labels"]
        elif labels and labels != _LABELS_DEFAULT:
            raise ConfigError("option labels belongs to the label-aware surrogate; drop it or set "
                              "surrogate: label_aware")
        if labels.get("samples") is not None:
            sources = section("sources")
            sources["sample"] = {**dict(sources.get("sample") or {}), "count": labels["samples"]}
        unknown_labels = set(labels) - set(_LABELS_DEFAULT)
        if unknown_labels:
            raise ConfigError(f"unknown config key 'labels.{sorted(unknown_labels)[0]}'; valid keys here: "
                              + ", ".join(sorted(_LABELS_DEFAULT)))
        out["surrogate"] = current
    return out
