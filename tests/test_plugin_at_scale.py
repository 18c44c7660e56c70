"""A third-party space of 4.4e12 architectures, installed through the entry point like any
pip-installed package: contract, `spaces`, `info`, an emprox_nao search, resume. Nothing enumerates it."""
import json
import os
import shutil
import subprocess
import sys

import pytest

from conftest import REPO
from nasearch.testing import SearchSpaceContract

PLUGIN = REPO / "tests" / "plugin_package"
sys.path.insert(0, str(PLUGIN))
from nasearch_widechain import UnboundedChain, WideChain  # noqa: E402


class TestWideChainContract(SearchSpaceContract):
    @pytest.fixture
    def space(self):
        return WideChain()


class TestUnboundedChainContract(SearchSpaceContract):
    @pytest.fixture
    def space(self):
        return UnboundedChain()


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A site directory holding the plug-in and its .dist-info, as `pip install` leaves them."""
    site = tmp_path_factory.mktemp("site")
    shutil.copytree(PLUGIN / "nasearch_widechain", site / "nasearch_widechain")
    info = site / "nasearch_widechain-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: nasearch-widechain\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[nasearch.search_spaces]\n"
                                           "widechain = nasearch_widechain:WideChain\n"
                                           "widechain_unbounded = nasearch_widechain:UnboundedChain\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")]))

    def run(*argv):
        return subprocess.run([sys.executable, "main.py", *argv], cwd=REPO, env=env, capture_output=True, text=True)
    return run


def test_spaces_lists_the_plugin_with_its_size(installed):
    result = installed("spaces")
    assert result.returncode == 0, result.stderr
    assert "widechain: WideChain" in result.stdout and "4.4e+12 architectures" in result.stdout
    assert "widechain_unbounded" in result.stdout and "unknown architectures" in result.stdout
    assert "darts: DARTS" in result.stdout and "nasbench201" in result.stdout


@pytest.mark.parametrize("name,size", [("widechain", "4.4e+12"), ("widechain_unbounded", "unknown")])
def test_info_needs_no_enumeration(installed, name, size):
    result = installed("info", "--space", name)
    assert result.returncode == 0, result.stderr
    assert f"{size} architectures" in result.stdout and "only sampled" in result.stdout


def test_emprox_nao_searches_and_resumes_the_large_space(installed, tmp_path):
    out = tmp_path / "run"
    args = ["search", "--quiet", "--out", str(out), "--set", "space=widechain", "--set", "budget=40",
            "--set", "options={n_init: 10, batch_size: 10, autoencoder: {pretrain_steps: 300}, sources: {ascent: {}}}"]   # 300 steps decode 98%
    result = installed(*args)
    assert result.returncode == 0, result.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["space"] == "widechain" and summary["dataset"] == "synthetic" and summary["queries"] == 40
    assert summary["optimum"] is None and summary["optimizer_stats"]["round_trip"] >= 0.95
    records = [json.loads(line) for line in (out / "history.jsonl").read_text().splitlines()]
    assert summary["best_value"] > max(r["value"] for r in records[:10]), "ascent must improve on the random start"
    # a cut history resumes to the same result
    lines = (out / "history.jsonl").read_text().splitlines(keepends=True)
    (out / "history.jsonl").write_text("".join(lines[:23]))
    (out / "summary.json").unlink()
    result = installed("search", "--quiet", "--resume", str(out))
    assert result.returncode == 0, result.stderr
    resumed = [json.loads(line) for line in (out / "history.jsonl").read_text().splitlines()]
    strip = lambda rs: [{k: v for k, v in r.items() if k not in ("wall", "seconds")} for r in rs]
    assert strip(resumed) == strip(records)


def test_unknown_size_space_searches_too(installed, tmp_path):
    out = tmp_path / "run"
    result = installed("search", "--quiet", "--out", str(out), "--set", "space=widechain_unbounded",
                       "--set", "optimizer=evolution", "--set", "budget=35", "--set", "options={population: 10}")
    assert result.returncode == 0, result.stderr
    assert json.loads((out / "summary.json").read_text())["queries"] == 35


def test_pretrain_compare_and_evaluate_on_the_large_space(installed, tmp_path):
    result = installed("pretrain", "--space", "widechain_unbounded", "--steps", "20")
    assert result.returncode == 0, result.stderr
    assert "a stream of" in result.stdout and "held-out round trip" in result.stdout
    result = installed("compare", "--quiet", "--set", "space=widechain", "--set", "dataset=synthetic",
                       "--set", "budget=12", "--set", "seeds=1", "--set", "workers=1",
                       "--set", "optimizers=[{name: random}, {name: evolution, options: {population: 5}}]",
                       "--out", str(tmp_path / "compare"))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "compare" / "compare.md").is_file() and (tmp_path / "compare" / "compare.png").is_file()
    result = installed("evaluate", "--set", "space=widechain", "--set", "dataset=synthetic",
                       "--out", str(tmp_path / "evaluate"))
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert "needs a benchmark table" in result.stderr
