"""NAO-style search in embedding space: the loop, and EmProx-NAO (soft-kNN surrogate; NAO-guided
with its MLP is in :mod:`.nao_guided`).

Each round:

1. refit the surrogate on the known set. The encoder–decoder is the space's
   pretrained autoencoder (it must decode the space: an autoencoder trained
   only on the ~100 known architectures reconstructs none of them exactly);
   EmProx-NAO refits only its kNN memory, NAO-guided fine-tunes the autoencoder
   jointly with its MLP head, as NAO does;
2. from the top ``n_seeds`` known architectures, take the gradient of the
   surrogate with respect to the encoder outputs and step
   ``outputs + λ·ĝ`` (ĝ scaled to the outputs' norm), renormalise every row back
   onto the unit sphere and pool; λ grows in steps of ``step`` until
   ``candidates`` new architectures come out (NAO's schedule);
3. decode greedily with the space's token mask, canonicalise, drop known and
   duplicate architectures;
4. with ``mix`` (the default), also make ``candidates`` one-edit mutations of
   tournament winners (10 known architectures drawn at random, the best wins, as
   in regularized evolution) and, with the label-aware surrogate, draw
   ``labels.samples`` uniform admissible architectures (one objective only by default); split the ``batch_size``
   proposals between the sources by each one's record of proposals that entered
   the top ``n_seeds`` (:mod:`.source_mix`); within each source, the surrogate's
   hard predictor ranks the candidates.
   Without ``mix``: too few decodes are filled with one-edit mutations of the
   seeds (``stats["filled"]``), and the top ``batch_size`` by the hard predictor
   are proposed.

Ascent alone stalls once the known set holds the neighbourhood of the best
architectures: the soft kNN is a convex combination of known values, so it
points towards them and decodes keep landing on known cells. The mutation source
keeps local search alive there, and the allocation moves the batch towards
whichever source is currently finding top architectures.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Optional

import numpy as np
import torch
import torch.nn.functional as F

from ..embedding.autoencoder import SequenceAutoencoder
from ..embedding.pretrained import (PretrainingPlan, pretrained_autoencoder, pretraining_config,
                                   refusal_message)
from ..errors import ConfigError, NasearchError
from ..seeding import torch_seeded
from .base import Optimizer, Proposal
from .guidance import EmProxGuide, Guide, resolved_optimism
from .label_aware_surrogate import LabelAwareSearchConfig, LabelAwareSurrogate
from .pareto_guide import DEFAULT_OPTIMISM, ParetoConfig, ParetoGuide
from .source_mix import SourceMix


@dataclass(frozen=True)
class GradientSearchConfig:
    n_init: int = 10            #: random architectures queried first
    batch_size: int = 10        #: queries per round
    n_seeds: int = 10           #: top known architectures that start gradient ascent
    candidates: int = 30        #: new architectures wanted per round before ranking
    step: float = 0.05          #: λ increment, as a fraction of the encoder-output norm
    ascent: str = "nao"         #: "nao": one gradient, growing λ; "iterative": re-evaluate it every step
    max_steps: int = 40         #: λ goes up to max_steps · step
    rank: bool = True           #: rank candidates with the hard predictor, query the best
    k: int = 10                 #: neighbours of the EmProx surrogate
    embedding_dim: int = 32
    temperature: float = 0.05   #: soft-kNN temperature
    eps: float = 0.05           #: soft-kNN distance smoothing
    metric: str = "euclidean"   #: EmProx metric, "euclidean" or "learned"
    epochs: int = 50            #: NAO-guided only: joint fine-tuning epochs per round
    min_round_trip: float = 0.5  #: refuse a decoder that reconstructs fewer held-out architectures
    pretrain_archs: int = 0     #: pretraining pool; 0 = the whole space if listable, else a stream
    pretrain_steps: int = 4000  #: most pretraining steps (it stops earlier once the decoder is faithful)
    mix: bool = True            #: split each batch between decoded ascent and tournament mutations, by their record
    allocation: str = "share"   #: how mix splits it: "share" (clipped posterior rates) or "thompson" (per slot)
    residual: str = "none"      #: EmProx surrogate: "linear" = soft kNN on residuals of a ridge trend
    #: EmProx-NAO ranking: kNN mean + optimism · neighbours' spread; unset = 0 for one objective, 1 for several
    optimism: Optional[float] = None
    pareto: ParetoConfig = field(default_factory=ParetoConfig)   #: EmProx-NAO with several objectives
    #: EmProx-NAO: "label_aware" (the kNN in an embedding trained on the told values, see
    #: label_aware_surrogate) or "emprox" (the faithful, label-free EmProx; the earlier default)
    surrogate: str = "label_aware"
    labels: LabelAwareSearchConfig = field(default_factory=LabelAwareSearchConfig)   #: surrogate: label_aware

    def __post_init__(self):
        if min(self.n_init, self.batch_size, self.n_seeds, self.max_steps) < 1:
            raise ConfigError("n_init, batch_size, n_seeds and max_steps must be >= 1")
        if self.candidates < self.batch_size:
            raise ConfigError(f"candidates ({self.candidates}) must be >= batch_size ({self.batch_size})")
        for key, (first, second) in {"ascent": ("nao", "iterative"), "allocation": ("share", "thompson"),
                                     "surrogate": ("emprox", "label_aware")}.items():
            if getattr(self, key) not in (first, second):
                raise ConfigError(f"{key} must be {first!r} or {second!r}, got {getattr(self, key)!r}")


class _GradientSearch(Optimizer):
    Config = GradientSearchConfig

    def __init__(self, space, config=None, rng=None, seed=0, progress=False):
        super().__init__(space, config, rng, seed, progress)
        c = self.config
        self.autoencoder, info = pretrained_autoencoder(
            space, pretraining_config(c.embedding_dim),
            PretrainingPlan(max_steps=c.pretrain_steps, archs=c.pretrain_archs), seed=self.seed,
            progress=self.progress)
        self.round_trip = info["round_trip"]
        if self.round_trip < c.min_round_trip:
            raise ConfigError(refusal_message(space, self.round_trip, c.min_round_trip))
        self._label_aware: dict = {}   # surrogate: label_aware: term -> LabelAwareSurrogate
        self._by_fidelity: dict = {}   # multi-fidelity only: fidelity -> (archs, values) above the lowest rung
        self._mix: Optional[SourceMix] = None   # built at the first mixed batch
        self.stats.update({"rounds": 0, "filled": 0, "fill_rounds": 0, "decoded": 0,
                           "round_trip": self.round_trip, "pretraining": info["source"],
                           "pretrain_seconds": info["train_seconds"], "pretrain_steps": info["steps"],
                           "fit_seconds": [], "propose_seconds": []})

        self.guide: Guide = self._single_objective_guide()
        self.stats["guide"] = self.guide.settings()

    def _single_objective_guide(self) -> Guide:
        """The guide of a one-objective search (a multi-objective optimizer swaps it in :meth:`bind`)."""
        raise NotImplementedError

    def fitness(self):
        return self.guide.fitness()

    # ---------------------------------------------------------------------
    def ask(self, remaining):
        c = self.config
        if len(self.known_archs) < c.n_init:
            return [Proposal(a) for a in self.random_unknown(min(remaining, c.n_init - len(self.known_archs)))]
        want = min(c.batch_size, remaining)
        self.guide.archs, self.guide.values = self._fit_set()
        start = time.perf_counter()
        with torch_seeded(self.rng):
            model = self.guide.fit()
        fitted = time.perf_counter()
        candidates = self._ascend(model, self.best_known(c.n_seeds))
        if c.mix:
            chosen = self._mixed(candidates, want)
        else:
            if len(candidates) < want:
                self.stats["fill_rounds"] += 1
                filled = self._mutations(want - len(candidates), candidates)
                self.stats["filled"] += len(filled)
                candidates += filled
            chosen = self.guide.select(candidates, want)
        self.stats["rounds"] += 1
        self.stats["fit_seconds"].append(fitted - start)
        self.stats["propose_seconds"].append(time.perf_counter() - fitted)
        return chosen

    def _mixed(self, decoded: list, want: int) -> list:
        """The batch from decoded ascent, tournament mutations and, with the label-aware surrogate's
        ``labels.samples``, that many uniform admissible architectures (:mod:`.source_mix`)."""
        samples = self._uniform_samples()
        sampled = self.random_unknown(samples, decoded) if samples else []
        if self._mix is None:
            self._mix = SourceMix(("ascent", "mutation") + (("sample",) if samples else ()), "mutation",
                                  self.stats.setdefault("sources", {}), self.space.arch_id,
                                  self.rng if self.config.allocation == "thompson" else None)
        children = self._tournament_children(self.config.candidates, decoded + sampled)
        return self._mix.select(self.guide, {"ascent": decoded, "mutation": children, "sample": sampled}, want)

    def _uniform_samples(self) -> int:
        """Uniform admissible architectures drawn each round as a third source of the mix (none here)."""
        return 0

    def _tournament_children(self, count: int, exclude: list) -> list:
        """One-edit mutations of the guide's parent picks, none known or in ``exclude``."""
        members = list(zip(self.guide.archs, self.fitness()))
        return self._children(count, exclude, lambda: self.guide.parent(members, self.tournament_winner))

    def _children(self, count: int, exclude: list, pick_parent) -> list:
        """Up to ``count`` admissible one-edit mutations of ``pick_parent()`` picks, none known,
        in ``exclude`` or repeated (at most ``50 · count`` tries)."""
        seen = set(self.known_ids) | {self.space.arch_id(a) for a in exclude}
        found = []
        for _ in range(50 * count):
            child = self.space.mutate(pick_parent(), self.rng)
            if self.space.arch_id(child) not in seen:
                seen.add(self.space.arch_id(child))
                if self.admissible(child):
                    found.append(child)
                if len(found) == count:
                    break
        return found

    def tell(self, arch, value):
        if self._mix is not None:
            self._mix.told(self.space.arch_id(arch), lambda: self._enters_top(value))
        super().tell(arch, value)

    def _enters_top(self, value) -> bool:
        """Whether a told ``value`` enters the top ``n_seeds`` (a source's success). It is judged
        among the told values, of its own fidelity, whatever the guide fits."""
        n = self.config.n_seeds
        if self.guide.values is self.known_values:
            return bool(self.guide.improves(value, n))
        return len(self.known_values) < n or value > np.sort(self.known_values)[-n]

    def tell_fidelity(self, arch, fidelity, value):
        archs, values = self._by_fidelity.setdefault(float(fidelity), ([], []))
        archs.append(arch)
        values.append(float(value))

    def _fit_set(self) -> tuple:
        """``(archs, values)`` the guide fits this round: in a multi-fidelity search the highest
        fidelity with at least ``n_init`` results (BOHB's rule: the most faithful signal with
        enough data), else the told values (the lowest rung's). One fidelity, never mixed."""
        for fidelity in sorted(self._by_fidelity, reverse=True):
            archs, values = self._by_fidelity[fidelity]
            if len(archs) >= self.config.n_init:
                self.stats["fit_fidelity"] = fidelity
                return archs, values
        return self.known_archs, self.known_values

    def best_known(self, count: int = 1) -> list:
        """The ``count`` best architectures of the set the guide fits (ascent seeds)."""
        order = np.argsort(-np.asarray(self.fitness(), dtype=float), kind="stable")[:count]
        return [self.guide.archs[i] for i in order]

    def tell_failure(self, arch):
        if self._mix is not None:
            self._mix.told(self.space.arch_id(arch), None)
        super().tell_failure(arch)

    def _direction(self, outputs: torch.Tensor) -> torch.Tensor:
        """Surrogate gradient w.r.t. ``outputs (B, L, d)``, scaled to the outputs' norm √L per row."""
        with torch.enable_grad():
            outputs = outputs.detach().requires_grad_(True)
            gradient, = torch.autograd.grad(self.guide.soft_score(outputs).sum(), outputs)
        norms = gradient.flatten(1).norm(dim=1).clamp_min(1e-12)
        return gradient / norms[:, None, None] * outputs.shape[1] ** 0.5

    def _moved(self, outputs: torch.Tensor, direction: torch.Tensor, path: list, steps: list) -> torch.Tensor:
        """Moved encoder outputs for each step number in ``steps``: ``(len(steps) · B, L, d)``.

        ``ascent: nao`` moves along the seeds' gradient ``direction``: ``outputs + λ·ĝ`` with
        ``λ = step · s``. ``ascent: iterative`` re-evaluates the gradient after every step of
        size ``step`` and projects back onto the sphere each time; ``path`` caches the points.
        """
        c = self.config
        if c.ascent == "nao":
            lambdas = torch.tensor([s * c.step for s in steps], dtype=outputs.dtype)
            moved = F.normalize(outputs[None] + lambdas[:, None, None, None] * direction[None], dim=-1)
            return moved.reshape(-1, *outputs.shape[1:])
        while len(path) <= steps[-1]:
            current = path[-1]
            path.append(F.normalize(current + c.step * self._direction(current), dim=-1))
        return torch.cat([path[s] for s in steps], dim=0)

    def _ascend(self, model: SequenceAutoencoder, seeds: list) -> list:
        c = self.config
        tokens = torch.as_tensor(np.array([self.space.to_sequence(a) for a in seeds]), dtype=torch.long)
        model.eval()
        outputs = model.encode(tokens)[0].detach()
        direction, path = self._direction(outputs), [outputs]
        seen = set(self.known_ids)
        found = []
        chunk = 10   # decode several λ at once: one batched decode is much cheaper than many small ones
        for first in range(1, c.max_steps + 1, chunk):
            steps = list(range(first, min(first + chunk, c.max_steps + 1)))
            moved = self._moved(outputs, direction, path, steps)
            for sequence in model.greedy_decode(moved, SequenceAutoencoder.pool(moved), self.space):
                try:
                    arch = self.space.from_sequence(sequence)
                except NasearchError:  # an invalid decode is dropped, as in NAO
                    continue
                if self.space.arch_id(arch) not in seen:
                    seen.add(self.space.arch_id(arch))
                    if self.admissible(arch):   # a known cost breaks a constraint: reject before any query
                        found.append(arch)
                    else:
                        self.stats["rejected_decodes"] = self.stats.get("rejected_decodes", 0) + 1
            step = steps[-1]
            if len(found) >= c.candidates:
                break
        self.stats["decoded"] += len(found)
        self.stats["last_step"] = step
        return found

    def _mutations(self, count: int, exclude: list) -> list:
        seeds = self.best_known(self.config.n_seeds)
        found = self._children(count, exclude, lambda: seeds[int(self.rng.integers(len(seeds)))])
        if len(found) < count:
            found += self.random_unknown(count - len(found), exclude + found)
        return found


class EmProxNAO(_GradientSearch):
    """Gradient ascent on the differentiable soft-kNN EmProx surrogate.

    With several objectives its guide is a :class:`~nasearch.optimizers.pareto_guide.ParetoGuide`
    (Chebyshev ascent, hypervolume-improvement selection).
    """

    name = "emprox_nao"
    multi_objective = True
    #: a run directory that predates ``optimizer_options.yaml`` was searched with the faithful surrogate
    defaults_of_unrecorded_runs = {"surrogate": "emprox"}

    def make_predictor(self, term: int = 0, learned: bool = True):
        """Term ``term``'s surrogate: a fresh faithful EmProx (the pretrained autoencoder is shared), or,
        with ``surrogate: label_aware`` and a ``learned`` term (one that needs evaluating), that term's
        :class:`LabelAwareSurrogate`, kept across rounds so it retrains only as the told set grows."""
        c = self.config
        if c.surrogate == "label_aware" and learned:
            if term not in self._label_aware:
                self._label_aware[term] = LabelAwareSurrogate.build(self.space, c.labels, c.k, self.rng,
                                                                   self._faithful_emprox(), self._pseudo_pool)
            return self._label_aware[term]
        return self._faithful_emprox()

    def _pseudo_pool(self, archs: list, values, count: int) -> list:
        """``count`` unknown architectures: half one-edit mutations of the ``n_seeds`` best, half uniform."""
        top = [archs[i] for i in np.argsort(-np.asarray(values), kind="stable")[:self.config.n_seeds]]
        pool = self._children(count // 2, [], lambda: top[int(self.rng.integers(len(top)))])
        return pool + self.random_unknown(count - len(pool), pool)

    def _uniform_samples(self) -> int:
        """``labels.samples`` resolved for this search, with the label-aware surrogate (else none)."""
        if self.config.surrogate != "label_aware":
            return 0
        return self.config.labels.samples_for(isinstance(self.guide, ParetoGuide))  # a front search's guide

    def _faithful_emprox(self):
        from ..predictors import EmProx

        c = self.config
        return EmProx(self.space, {"k": c.k, "embedding_dim": c.embedding_dim, "pretrained": True,
                                   "pretrain_archs": c.pretrain_archs, "pretrain_steps": c.pretrain_steps,
                                   "pretrain_seed": self.seed, "metric": c.metric,
                                   "temperature": c.temperature, "residual": c.residual}, self.rng)

    def _single_objective_guide(self):
        c = self.config
        return EmProxGuide(self.make_predictor(), self.known_archs, self.known_values, self.rng, c.temperature,
                           c.eps, resolved_optimism(c.optimism, 0.0), c.rank)

    def bind(self, goal, known_metrics):
        super().bind(goal, known_metrics)
        if goal.multi:
            c = self.config
            self.guide = ParetoGuide(goal, self.make_predictor, self.known_metrics, self.random_unknown,
                                     self.known_archs, self.known_values, self.rng, c.pareto, c.temperature, c.eps,
                                     resolved_optimism(c.optimism, DEFAULT_OPTIMISM), c.rank)
            self.stats["guide"] = self.guide.settings()
