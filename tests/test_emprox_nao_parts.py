"""EmProx-NAO is assembled from parts: a surrogate, proposal sources and an allocation.

Each part has its own config section; any registered predictor can rank; a plug-in
source joins the mix; options measured and not adopted say so; the flat options of
earlier versions keep their meaning.
"""
import dataclasses
import warnings

import numpy as np
import pytest

from nasearch import Search, TabularObjective
from nasearch.config import to_dict
from nasearch.errors import ConfigError, NasearchError, SearchWarning
from nasearch.optimizers import create_optimizer, registry
from nasearch.optimizers.emprox_nao import EmProxNAOConfig, ProposalSource
from nasearch.optimizers.emprox_nao.experimental import ExperimentalWarning

SMALL = {"n_init": 10, "batch_size": 5, "candidates": 10}


def _search(space, budget, seed=0, **options):
    return Search(space, TabularObjective(space, "cifar10-valid"), "emprox_nao", budget, seed=seed,
                  options=dict(SMALL, **options))


def test_top_level_options_are_few_and_each_part_has_its_section():
    fields = [f.name for f in dataclasses.fields(EmProxNAOConfig)]
    assert len(fields) <= 12, fields
    resolved = to_dict(EmProxNAOConfig())
    assert set(resolved["sources"]) == {"ascent", "mutation", "sample"}
    # the decoded ascent is off by default (it won no cell of its ablation); NAO-guided is the climb
    assert resolved["sources"]["ascent"] == "off" and not EmProxNAOConfig().climbs
    # mutation parents: tournaments of 20 among the 30 youngest by default (both won on NAS-Bench-301);
    # a source named in a config takes its options from there alone, as a run recorded before the
    # option did, so a run recorded with aged parents and no tournament size replays with 10
    assert resolved["sources"]["mutation"] == {"population": 30, "tournament": 20, "per_parent": 0}
    assert to_dict(EmProxNAOConfig(sources={"mutation": {}}))["sources"]["mutation"]["population"] == 0
    recorded = to_dict(EmProxNAOConfig(sources={"mutation": {"population": 30}}))["sources"]["mutation"]
    assert recorded["tournament"] == 10
    assert to_dict(registry.factory("nao").Config())["sources"]["ascent"] == {"step": 0.05, "max_steps": 40,
                                                                              "mode": "nao"}
    assert resolved["surrogate"]["name"] == "label_aware" and resolved["allocation"] == {"rule": "share"}
    # no option is stated twice: the surrogate's ranker options are the predictor's own, overridden once
    from nasearch.predictors.gin import LabelAwareEmProxConfig

    ranker_fields = {f.name for f in dataclasses.fields(LabelAwareEmProxConfig)}
    assert set(resolved["surrogate"]["ranker"]) <= ranker_fields


def test_xgb_ranks_a_search_that_climbs_nothing(nb201):
    from nasearch.predictors.tabular import XGBoost

    search = _search(nb201, 30, surrogate={"name": "xgb", "options": {"rounds": 50}},
                     sources={"ascent": "off"})
    result = search.run()
    optimizer = search.optimizer
    assert isinstance(optimizer.guide.surrogate.predictor, XGBoost)
    record = optimizer.stats["sources"]
    assert set(record) == {"mutation", "sample"} and sum(tried for _, tried in record.values()) == 20
    assert all(t.predicted is not None for t in result.history[10:])
    # the predictions are XGB's: refit on what the last round knew, it gives them back
    assert optimizer.config.surrogate == {"name": "xgb", "options": to_dict(XGBoost.Config(rounds=50))}
    # a ranking-only surrogate screens samples, so it beats random search on the same seed
    random = Search(nb201, TabularObjective(nb201, "cifar10-valid"), "random", 30, seed=0).run()
    assert max(t.value for t in result.history) >= max(t.value for t in random.history)


def test_the_climb_asks_for_a_differentiable_surrogate_in_one_line(nb201):
    with pytest.raises(ConfigError, match="surrogate 'xgb' ranks but has no differentiable score") as error:
        create_optimizer("emprox_nao", nb201, {"surrogate": "xgb", "sources": {"ascent": {}}}, np.random.default_rng(0))
    assert "\n" not in str(error.value) and "drop sources.ascent (it is off by default)" in str(error.value)
    # without the climb (the default) a ranking-only surrogate is enough
    assert not create_optimizer("emprox_nao", nb201, {"surrogate": "xgb"}, np.random.default_rng(0)).config.climbs


class _Neighbours(ProposalSource):
    """A plug-in source: every neighbour of the best known architecture."""

    name = "neighbours"

    @dataclasses.dataclass(frozen=True)
    class Config:
        limit: int = 8

    def propose(self, guide, exclude):
        seen = set(self.context.known_ids) | {self.context.space.arch_id(a) for a in exclude}
        best = guide.best(1)[0]
        found = [a for a in self.context.space.neighbors(best) if self.context.space.arch_id(a) not in seen]
        return found[:self.config.limit]


def test_a_plug_in_source_joins_the_mix(nb201):
    from nasearch.registry import proposal_sources

    proposal_sources.register("neighbours", _Neighbours)
    search = _search(nb201, 35, surrogate="emprox", sources={"ascent": {}, "neighbours": {"limit": 6}})
    search.run()
    record = search.optimizer.stats["sources"]
    assert list(record) == ["ascent", "mutation", "neighbours"]   # the faithful surrogate screens no samples
    assert record["neighbours"][1] >= 5   # at least the floor's share of every round
    assert sum(tried for _, tried in record.values()) == 25
    with pytest.raises(ConfigError, match="unknown config key 'sources.neighbours.limt'"):
        _search(nb201, 35, sources={"neighbours": {"limt": 6}})
    with pytest.raises(ConfigError, match="every proposal source is off"):
        _search(nb201, 35, sources={"ascent": "off", "mutation": "off", "sample": "off"})


@pytest.mark.parametrize("options, option", [({"allocation": {"rule": "thompson"}}, "allocation.rule"),
                                             ({"sources": {"ascent": {"mode": "iterative"}}}, "sources.ascent.mode"),
                                             ({"surrogate": {"name": "emprox", "residual": "linear"}},
                                              "surrogate.residual")])
def test_options_measured_and_not_adopted_warn_that_they_are_experimental(nb201, options, option):
    from nasearch.optimizers.emprox_nao import experimental

    experimental._WARNED.clear()
    with pytest.warns(ExperimentalWarning, match=f"option {option}: .* is experimental"):
        create_optimizer("emprox_nao", nb201, options, np.random.default_rng(0))
    with warnings.catch_warnings():
        warnings.simplefilter("error", ExperimentalWarning)
        create_optimizer("emprox_nao", nb201, options, np.random.default_rng(0))   # once per process


def test_flat_options_of_earlier_versions_mean_the_same_and_say_where_they_moved():
    factory = registry.factory("emprox_nao")
    flat = {"k": 5, "step": 0.1, "ascent": "iterative", "pretrain_steps": 300, "allocation": "thompson",
            "labels": {"members": 2, "pseudo_labels": 40, "samples": 50}, "optimism": 0.5}
    sectioned = {"surrogate": {"k": 5, "ranker": {"members": 2}, "pseudo_labels": 40},
                 "sources": {"ascent": {"step": 0.1, "mode": "iterative"}, "sample": {"count": 50}},
                 "autoencoder": {"pretrain_steps": 300}, "allocation": {"rule": "thompson"}, "optimism": 0.5}
    with pytest.warns(SearchWarning, match="spelled the flat way"):
        upgraded = factory.configure(flat)
    assert upgraded == factory.configure(sectioned)
    mixless = factory.configure({"mix": False, "surrogate": "emprox"})
    assert mixless.allocation.rule == "fill" and mixless.sources["mutation"] == mixless.sources["sample"] == "off"
    assert mixless.climbs, "mix: false meant the ascent alone"
    with pytest.raises(ConfigError, match="labels belongs to the label-aware surrogate"):
        factory.configure({"surrogate": "emprox", "labels": {"members": 2}})


def test_aged_mutation_parents_come_from_the_youngest_told(nb201):
    """``sources.mutation.population: N`` draws parents only among the N most recently told."""
    search = _search(nb201, 40, surrogate="emprox", sources={"mutation": {"population": 6}})
    search.run()
    optimizer = search.optimizer
    mutation = next(source for source in optimizer.sources if source.name == "mutation")
    picked = []
    optimizer.context.mutants = lambda count, exclude, pick_parent, *_: picked.extend(pick_parent() for _ in range(50))
    mutation.propose(optimizer.guide, [])
    # a tournament of 10 over the 6 youngest always picks the best of them, the oldest never count
    fitness = list(optimizer.guide.fitness())
    best_young = max(range(len(fitness) - 6, len(fitness)), key=lambda i: fitness[i])
    assert {nb201.arch_id(a) for a in picked} == {nb201.arch_id(optimizer.guide.archs[best_young])}
    assert max(fitness[:-6]) > fitness[best_young], "seed 0 must hold a better, older architecture"
    with pytest.raises(ConfigError, match="population must be >= 0"):
        _search(nb201, 20, sources={"mutation": {"population": -1}})


def test_a_filler_that_runs_out_is_made_up_by_uniform_samples_not_a_short_round(nb201, monkeypatch):
    """With several objectives and no climb (the default), the mutations of the known front are the
    only source; once every neighbour of the front is known the batch is made up by uniform unknown
    architectures (credited to the filler), so the search neither shrinks its rounds nor stalls."""
    from nasearch.optimizers.emprox_nao.sources import MutationSource

    search = Search(nb201, TabularObjective(nb201, "cifar10-valid"), "emprox_nao", 30, seed=0,
                    objectives=["val", "-latency@edgegpu"], options=dict(SMALL))
    monkeypatch.setattr(MutationSource, "propose", lambda self, guide, exclude: [])   # the front's neighbours: known
    result = search.run()
    stats = search.optimizer.stats
    assert len(result.history) == 30 and len({t.arch for t in result.history}) == 30
    assert stats["filled"] == 20 and stats["fill_rounds"] == 4 and stats["sources"] == {"mutation": [stats["sources"]["mutation"][0], 20]}
    # a search with no filler (the ascent alone) still reports a short round instead
    from nasearch.optimizers.emprox_nao.sources import AscentSource

    monkeypatch.setattr(AscentSource, "propose", lambda self, guide, exclude: [])
    alone = Search(nb201, TabularObjective(nb201, "cifar10-valid"), "emprox_nao", 30, seed=0,
                   options=dict(SMALL, surrogate="emprox", sources={"ascent": {}, "mutation": "off", "sample": "off"}))
    with pytest.raises(NasearchError, match="proposed nothing new for 20 rounds"):
        alone.run()


def test_mutations_per_parent_caps_a_batchs_children_of_one_parent(nb201):
    """``sources.mutation.per_parent: N``: the mutation source's slots go to the guide's best with
    at most N children of one parent while other parents' children are left, then to the next best;
    each proposal's recorded parent is a told architecture one edit away."""
    search = _search(nb201, 40, sources={"mutation": {"population": 30, "per_parent": 1}, "sample": "off"})
    search.run()
    optimizer = search.optimizer
    mutation = next(source for source in optimizer.sources if source.name == "mutation")
    children = mutation.propose(optimizer.guide, [])
    told = {nb201.arch_id(a): a for a in optimizer.known_archs}
    assert len(mutation.parents) == len(children) >= 5
    for child in children:
        parent = told[mutation.parents[nb201.arch_id(child)]]
        edits = sum(a != b for a, b in zip(nb201.to_sequence(child), nb201.to_sequence(parent)))
        assert edits == 1, (nb201.to_string(child), nb201.to_string(parent))
    ranked = optimizer.guide.select_local(children, len(children))
    parent_of = [mutation.parents[nb201.arch_id(p.arch)] for p in ranked]
    distinct = len(set(parent_of))
    assert 1 < distinct < len(children), "seed 0 must give some parent several children"
    chosen = mutation.choose(optimizer.guide, children, distinct)
    assert len({mutation.parents[nb201.arch_id(p.arch)] for p in chosen}) == distinct   # one per parent
    first_of_each = [p.arch for i, p in enumerate(ranked) if parent_of[i] not in parent_of[:i]]
    assert [nb201.arch_id(p.arch) for p in chosen] == [nb201.arch_id(a) for a in first_of_each]
    # more slots than parents: the cap gives way to the next best, in the guide's order
    more = mutation.choose(optimizer.guide, children, distinct + 1)
    assert len(more) == distinct + 1 and {nb201.arch_id(p.arch) for p in chosen} < {nb201.arch_id(p.arch) for p in more}
    # without a cap the guide's best are taken whatever their parents
    uncapped = dataclasses.replace(mutation.config, per_parent=0)
    mutation.config = uncapped
    assert [p.arch for p in mutation.choose(optimizer.guide, children, distinct)] == [p.arch for p in ranked[:distinct]]
    with pytest.raises(ConfigError, match="per_parent must be >= 0"):
        _search(nb201, 20, sources={"mutation": {"per_parent": -1}})


def test_the_mutation_tournament_size_sets_how_greedy_parent_picks_are(nb201):
    """``sources.mutation.tournament: N``: each parent is the best of N members drawn at random;
    a tournament as large as the pool always picks its best member."""
    search = _search(nb201, 40, sources={"mutation": {"population": 12, "tournament": 12}, "sample": "off"})
    search.run()
    optimizer = search.optimizer
    mutation = next(source for source in optimizer.sources if source.name == "mutation")
    children = mutation.propose(optimizer.guide, [])
    fitness = list(optimizer.guide.fitness())
    best_young = max(range(len(fitness) - 12, len(fitness)), key=lambda i: fitness[i])
    assert set(mutation.parents.values()) == {nb201.arch_id(optimizer.guide.archs[best_young])}, len(children)
    small = _search(nb201, 40, sources={"mutation": {"population": 12, "tournament": 2}, "sample": "off"})
    small.run()
    source = next(s for s in small.optimizer.sources if s.name == "mutation")
    source.propose(small.optimizer.guide, [])
    assert len(set(source.parents.values())) > 1, "tournaments of 2 among 12 pick several parents"
    with pytest.raises(ConfigError, match="tournament must be >= 1, got 0"):
        _search(nb201, 20, sources={"mutation": {"tournament": 0}})


def test_the_neighborhood_source_lists_every_unknown_neighbour_of_the_best_known(nb201):
    """``sources: {neighborhood: {parents: N}}`` joins the mix: its candidates are exactly the unknown
    one-edit neighbours of the N known architectures of highest fitness, each once."""
    search = _search(nb201, 40, sources={"neighborhood": {"parents": 2}, "sample": "off"})
    search.run()
    optimizer = search.optimizer
    assert optimizer.stats["sources"]["neighborhood"][1] > 0, "the neighbourhood source was never given a slot"
    source = next(s for s in optimizer.sources if s.name == "neighborhood")
    fitness = np.asarray(optimizer.guide.fitness(), dtype=float)
    best = [optimizer.guide.archs[i] for i in np.argsort(-fitness, kind="stable")[:2]]
    known = {nb201.arch_id(a) for a in optimizer.known_archs}
    expected = {nb201.arch_id(n) for parent in best for n in nb201.neighbors(parent)} - known
    excluded = nb201.neighbors(best[0])[:3]
    proposed = [nb201.arch_id(a) for a in source.propose(optimizer.guide, excluded)]
    assert len(proposed) == len(set(proposed)), "a neighbour proposed twice"
    assert set(proposed) == expected - {nb201.arch_id(a) for a in excluded}
    with pytest.raises(ConfigError, match="neighborhood.parents must be >= 1, got 0"):
        _search(nb201, 20, sources={"neighborhood": {"parents": 0}})


def test_the_crossover_source_proposes_children_of_two_young_told_parents(nb201):
    """``sources: {crossover: {...}}`` joins the mix: each of its proposals is unknown, and its token
    sequence is a prefix of one told architecture's joined to the suffix of another's, both parents
    among the ``population`` youngest; the allocation keeps a record for it."""
    # 30 evaluations: the greedy tournaments' few winners can have every child told by 40, and then it
    # rightly proposes nothing
    search = _search(nb201, 30, sources={"crossover": {"population": 20}, "sample": "off"})
    search.run()
    optimizer = search.optimizer
    assert optimizer.stats["sources"]["crossover"][1] > 0, "the crossover source was never given a slot"
    crossover = next(source for source in optimizer.sources if source.name == "crossover")
    young = [nb201.to_sequence(a) for a in optimizer.guide.archs[-20:]]
    children = crossover.propose(optimizer.guide, [])
    assert children, "no unknown child of the young tournament winners"
    known = {nb201.arch_id(a) for a in optimizer.known_archs}

    def joins_two_young(tokens):
        return any(tokens[:cut] == a[:cut] and tokens[cut:] == b[cut:]
                   for cut in range(1, len(tokens)) for a in young for b in young if a != b)

    for child in children:
        assert nb201.arch_id(child) not in known
        assert joins_two_young(nb201.to_sequence(child)), nb201.to_string(child)
    with pytest.raises(ConfigError, match="crossover.population must be >= 0"):
        _search(nb201, 20, sources={"crossover": {"population": -1}})


def test_sample_count_all_screens_every_unknown_cell_of_a_listable_space(nb201, darts):
    """``sources: {sample: {count: all}}`` proposes each unknown architecture of a listable space
    exactly once a round (none known, none another source made), and the rounds stay full; a space too large to list and a
    count that is neither a number nor ``all`` are one-line errors."""
    search = _search(nb201, 40, sources={"sample": {"count": "all"}})
    search.run()
    optimizer = search.optimizer
    # the mutations (the filler) find nothing the screen did not: their slots go to the screen's
    # next best, so every round is full (6 rounds of 5 after 10 initial), none short
    assert optimizer.stats["rounds"] == 6 and optimizer.stats["sources"]["sample"][1] == 30
    sample = next(source for source in optimizer.sources if source.name == "sample")
    made = nb201.neighbors(optimizer.known_archs[0])[:3]   # what an earlier source proposed
    proposed = sample.propose(optimizer.guide, made)
    ids = [nb201.arch_id(a) for a in proposed]
    known = {nb201.arch_id(a) for a in optimizer.known_archs} | {nb201.arch_id(a) for a in made}
    assert len(set(ids)) == len(ids) and not known & set(ids)
    assert len(ids) == nb201.size - len(known)
    with pytest.raises(ConfigError, match="needs a listable space"):
        Search(darts, TabularObjective(darts, "nb301"), "emprox_nao", 20, options={"sources": {"sample": {"count": "all"}}})
    with pytest.raises(ConfigError, match=">= 0 or 'all'"):
        _search(nb201, 20, sources={"sample": {"count": "every"}})


def test_a_guide_written_before_the_tournament_option_keeps_its_own_size():
    """Guides once called ``tournament(members, 10)``; they still may, and get that size, while a
    guide that leaves the size out gets the source's."""
    from nasearch.optimizers.emprox_nao.parents import tournament_of

    asked = []

    class Context:
        @staticmethod
        def tournament(members, size):
            asked.append(size)
            return members[0][0]

    tournament = tournament_of(Context, 20)
    tournament([("a", 1.0)], 10)
    tournament([("a", 1.0)])
    assert asked == [10, 20]
