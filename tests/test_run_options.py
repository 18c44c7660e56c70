"""A run directory keeps its optimizer's options, so a resume survives a change of defaults."""
import pytest
import yaml

from nasearch import Search
from nasearch.config import to_dict
from nasearch.errors import ConfigError
from nasearch.optimizers import registry
from nasearch.runs.directory import OPTIONS as OPTIONS_FILE
from nasearch.runs.options import merged


def _proposed(trials):
    """What the replayed optimizer must reproduce: each trial's architecture and value, in order."""
    return [(t.arch, t.value) for t in trials]


def _interrupted(space, directory, told, **search):
    """A search stopped after ``told`` evaluations (its history kept, nothing else closed)."""
    partial = Search(space, None, budget=30, seed=2, directory=directory, **search)
    for _ in range(told):   # one at a time, as run() does with one worker
        arch, = partial.ask(1)
        partial.tell(arch, space.query(arch, "cifar10-valid"))
    return partial


def test_merged_lays_given_options_over_recorded_ones_section_by_section():
    recorded = {"n_seeds": 10, "surrogate": {"name": "label_aware", "k": 10, "ranker": {"width": 16, "epochs": 100}},
                "pareto": {"memory": 500}}
    assert merged(recorded, {"n_seeds": 5, "surrogate": {"ranker": {"width": 32}}}) == {
        "n_seeds": 5, "surrogate": {"name": "label_aware", "k": 10, "ranker": {"width": 32, "epochs": 100}},
        "pareto": {"memory": 500}}
    assert merged(recorded, {}) == recorded
    assert recorded["surrogate"]["ranker"] == {"width": 16, "epochs": 100}, "the recorded options are not changed"
    # a section naming another component replaces the recorded one: the ranker is not the faithful EmProx's
    assert merged(recorded, {"surrogate": {"name": "emprox"}})["surrogate"] == {"name": "emprox"}


@pytest.mark.parametrize("name", registry.names())
def test_every_optimizer_config_survives_its_recorded_form(name):
    factory = registry.factory(name)
    config = factory.configure({})
    assert factory.configure(yaml.safe_load(yaml.safe_dump(to_dict(config)))) == config


def test_a_new_run_records_its_resolved_options_and_emprox_nao_defaults_to_label_aware(nb201, tmp_path):
    Search(nb201, None, budget=20, seed=0, directory=tmp_path, options={"surrogate": {"k": 5}}).run()
    recorded = yaml.safe_load((tmp_path / OPTIONS_FILE).read_text())
    assert recorded["surrogate"]["k"] == 5 and recorded["surrogate"]["name"] == "label_aware"
    assert recorded["surrogate"]["ranker"]["members"] == 2, "defaults are recorded too, not only the given options"
    assert recorded["sources"]["ascent"] == "off" and recorded["sources"]["mutation"] == {"population": 30, "tournament": 20, "per_parent": 0}
    assert recorded["autoencoder"]["embedding_dim"] == 32


def test_a_resume_keeps_the_options_its_run_recorded(nb201, tmp_path):
    options = {"surrogate": "emprox", "candidates": 15}
    whole = Search(nb201, None, budget=30, seed=2, directory=tmp_path / "whole", options=options).run()
    _interrupted(nb201, tmp_path / "cut", 14, options=options)
    # resumed with no options at all: the recorded ones (not today's defaults) rebuild the run
    resumed = Search(nb201, None, budget=30, seed=2, directory=tmp_path / "cut").run()
    assert _proposed(resumed.history) == _proposed(whole.history)
    assert resumed.summary.optimizer_options["surrogate"]["name"] == "emprox"
    assert resumed.summary.optimizer_options["candidates"] == 15


def test_a_run_from_before_recorded_options_resumes_with_the_defaults_of_its_time(nb201, tmp_path):
    # the defaults of its time: the faithful surrogate, the climb, parents from every told one
    then = {"surrogate": "emprox", "sources": {"ascent": {}, "mutation": {"population": 0}}}
    whole = Search(nb201, None, budget=30, seed=2, directory=tmp_path / "whole", options=then).run()
    _interrupted(nb201, tmp_path / "old", 14, options=then)
    (tmp_path / "old" / OPTIONS_FILE).unlink()   # as a run directory written before the file existed
    resumed = Search(nb201, None, budget=30, seed=2, directory=tmp_path / "old").run()
    assert _proposed(resumed.history) == _proposed(whole.history)
    assert resumed.summary.optimizer_options["surrogate"]["name"] == "emprox"
    assert resumed.summary.optimizer_options["sources"]["ascent"]["step"] == 0.05
    assert not (tmp_path / "old" / OPTIONS_FILE).exists(), "a resumed run's options are not rewritten"


def test_a_run_recorded_before_local_predictors_resumes_with_its_ranker_alone(nb201, tmp_path):
    # the default before the warm MLP: the label-aware ranker alone; such a run recorded no `local`
    then = {"surrogate": {"name": "label_aware", "local": {}}}
    whole = Search(nb201, None, budget=40, seed=2, directory=tmp_path / "whole", options=then).run()
    assert whole.summary.optimizer_options["surrogate"]["local"] == {}
    _interrupted(nb201, tmp_path / "old", 24, options=then)
    path = tmp_path / "old" / OPTIONS_FILE
    recorded = yaml.safe_load(path.read_text())
    for key in ("local", "local_admission"):   # as written before those options existed
        del recorded["surrogate"][key]
    path.write_text(yaml.safe_dump(recorded))
    resumed = Search(nb201, None, budget=40, seed=2, directory=tmp_path / "old").run()
    assert resumed.summary.optimizer_options["surrogate"]["local"] == {}
    assert _proposed(resumed.history) == _proposed(whole.history)
    # today's default differs from it over these 40 evaluations, so the check above can fail
    today = Search(nb201, None, budget=40, seed=2, directory=tmp_path / "today").run()
    assert today.summary.optimizer_options["surrogate"]["local_admission"] == "sized"
    assert _proposed(today.history) != _proposed(whole.history)


def test_a_new_run_without_a_history_takes_todays_defaults(nb201, tmp_path):
    (tmp_path / "run").mkdir()
    search = Search(nb201, None, budget=12, seed=0, directory=tmp_path / "run")
    assert search.optimizer.config.surrogate["name"] == "label_aware"


@pytest.mark.parametrize("text, problem", [("k: [unclosed", "is not valid YAML"),
                                           ("- 1\n- 2\n", "must hold a mapping")])
def test_a_damaged_options_file_is_one_line_naming_the_fix(nb201, tmp_path, text, problem):
    _interrupted(nb201, tmp_path, 12, options={"surrogate": "emprox"})
    (tmp_path / OPTIONS_FILE).write_text(text)
    with pytest.raises(ConfigError) as error:
        Search(nb201, None, budget=30, seed=2, directory=tmp_path)
    message = str(error.value)
    assert problem in message and "restore it from a backup" in message and "\n" not in message


def test_nao_accepts_only_the_options_it_reads():
    factory = registry.factory("nao")
    read = {"n_init", "batch_size", "n_seeds", "candidates", "rank", "autoencoder", "sources", "allocation", "epochs"}
    assert set(to_dict(factory.configure({}))) == read
    for options in ({"surrogate": "label_aware"}, {"surrogate": {"name": "emprox"}}, {"k": 5}, {"optimism": 1.0},
                    {"labels": {"width": 32}}, {"pareto": {"memory": 10}}):
        with pytest.raises(ConfigError, match="belongs to emprox_nao; nao ranks with its own MLP"):
            factory.configure(options)
    # a run directory nao recorded before its options had sections: the unread defaults are dropped
    flat = {"n_init": 10, "k": 10, "temperature": 0.05, "surrogate": "emprox", "optimism": None, "epochs": 50,
            "labels": {"members": 3, "epochs": 100, "refit_growth": 0.2, "pseudo_labels": 200, "samples": None,
                       "width": None}, "pareto": {"augment": 0.05, "soft_min": 0.05, "memory": 500}}
    assert factory.configure(factory.upgrade_options(flat)) == factory.configure({})


def test_resume_checks_compare_the_options_a_run_is_built_with(nb201, tmp_path):
    from nasearch.experiment import SearchConfig, check_resume

    old, new = tmp_path / "old", tmp_path / "new"
    _interrupted(nb201, old, 12, options={"surrogate": "emprox"})
    (old / OPTIONS_FILE).unlink()   # a run from before the file: options {} meant the faithful surrogate
    _interrupted(nb201, new, 12)    # today's run with options {}: the label-aware surrogate, recorded
    saved = {"optimizer": "emprox_nao", "options": {}}
    check_resume(old, saved, SearchConfig(options={"surrogate": "emprox"}), "fix")   # the same run, spelled out
    check_resume(new, saved, SearchConfig(options={"surrogate": "label_aware"}), "fix")
    for directory, options in ((old, {"surrogate": "label_aware"}), (old, {"surrogate": {"k": 5}}),
                               (new, {"surrogate": "emprox"})):
        with pytest.raises(ConfigError, match=r"holds a different run \(options: .*; fix$"):
            check_resume(directory, saved, SearchConfig(options=options), "fix")


def test_a_new_compare_trial_is_built_with_todays_defaults_under_partial_sections(nb201, tmp_path):
    """A fresh trial directory (its config saved, no history yet) resolves ``surrogate: {ranker: ...}``
    over today's label-aware surrogate, not over the faithful default of runs that predate recorded
    options (which refuses the ranker's section)."""
    from nasearch.experiment import SearchConfig, check_resume

    fresh = tmp_path / "fresh"
    fresh.mkdir()
    options = {"surrogate": {"ranker": {"linear": "auto"}}}
    saved = {"optimizer": "emprox_nao", "options": options}
    check_resume(fresh, saved, SearchConfig(options=options), "fix")
    with pytest.raises(ConfigError, match=r"holds a different run \(options: .*; fix$"):
        check_resume(fresh, saved, SearchConfig(options={"surrogate": {"ranker": {"linear": "off"}}}), "fix")
