"""A finished or interrupted run continues under a new budget, and replays exactly afterwards."""
import shutil

import pytest
import yaml

from nasearch import Search
from nasearch.cli import main
from nasearch.errors import ConfigError
from nasearch.runs.history import read_trials

# batch 7 after 10 random: the last batch under budget 30 is cut to 6, so the change must be replayed
OPTIONS = {"n_init": 10, "batch_size": 7, "candidates": 14}


def _strip(directory):
    return [(t.arch, t.value, t.handed, t.told_before) for t in read_trials(directory / "history.jsonl")]


# allocation: thompson draws from the optimizer's generator inside ask, which a replay must repeat
@pytest.mark.parametrize("optimizer,options", [("emprox_nao", OPTIONS), ("random", {}),
                                               ("emprox_nao", {**OPTIONS, "allocation": "thompson"})])
def test_an_extended_run_keeps_its_trials_and_resumes_exactly(nb201, tmp_path, optimizer, options):
    run = tmp_path / "run"
    Search(nb201, None, optimizer, budget=30, seed=1, directory=run, options=options).run()
    first = _strip(run)
    # a Search with another budget on the directory is that change, recorded (as change_budget would)
    Search(nb201, None, optimizer, budget=45, seed=1, directory=run, options=options).run()
    assert len(_strip(run)) == 45 and _strip(run)[:30] == first
    # Interrupted after the extension (history cut at 38), it resumes to the same 45.
    copy = tmp_path / "copy"
    shutil.copytree(run, copy)
    lines = (copy / "history.jsonl").read_text().splitlines(keepends=True)
    (copy / "history.jsonl").write_text("".join(lines[:38]))
    Search(nb201, None, optimizer, budget=45, seed=1, directory=copy, options=options).run()
    assert _strip(copy) == _strip(run)
    with pytest.raises(ConfigError, match="below the 45 evaluations"):
        Search(nb201, None, optimizer, budget=30, seed=1, directory=copy, options=options)


def test_a_budget_cannot_shrink_below_the_recorded_evaluations(nb201, tmp_path):
    search = Search(nb201, None, "random", budget=20, seed=0, directory=tmp_path)
    search.run()
    with pytest.raises(ConfigError, match="below the 20 evaluations"):
        search.change_budget(10)


def test_cli_extends_a_finished_search_and_refuses_other_changes(tmp_path, nb201_path, capsys):
    out = tmp_path / "run"
    base = ["search", "--quiet", "--data", str(nb201_path), "--set", "optimizer=random"]
    assert main(base + ["--out", str(out), "--set", "budget=12"]) == 0
    assert main(["search", "--quiet", "--resume", str(out), "--set", "budget=20"]) == 0
    assert len(read_trials(out / "history.jsonl")) == 20
    assert yaml.safe_load((out / "config.yaml").read_text())["budget"] == 20
    assert main(["search", "--quiet", "--resume", str(out)]) == 0      # finished: read back, nothing added
    assert len(read_trials(out / "history.jsonl")) == 20
    capsys.readouterr()
    assert main(["search", "--quiet", "--resume", str(out), "--set", "seed=4"]) == 2
    err = capsys.readouterr().err
    assert "seed: 0 there, 4 now" in err and "--set budget=N at most" in err and len(err.splitlines()) == 1
    assert main(["search", "--quiet", "--resume", str(out), "--set", "budget=5"]) == 2
    assert "below the 20 evaluations" in capsys.readouterr().err
    assert len(read_trials(out / "history.jsonl")) == 20
    # Killed between writing budget.jsonl and config.yaml: a plain resume follows budget.jsonl and heals the config.
    with open(out / "budget.jsonl", "a") as handle:
        handle.write('{"handed": 20, "before": 20, "after": 24}\n')
    assert main(["search", "--quiet", "--resume", str(out)]) == 0
    assert len(read_trials(out / "history.jsonl")) == 24
    assert yaml.safe_load((out / "config.yaml").read_text())["budget"] == 24
