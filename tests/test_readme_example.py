"""The README's Python examples run as written, and its worked example space passes the contract."""
import re

import pytest

from conftest import REPO
from nasearch.testing import SearchSpaceContract


def _blocks(heading):
    readme = (REPO / "README.md").read_text()
    section = readme.split(heading, 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, re.S)


def _example_namespace():
    code = _blocks("### Adding a search space")[0]
    assert len(code.splitlines()) < 100
    namespace = {}
    exec(compile(code, "README.md", "exec"), namespace)
    return namespace


class TestReadmeExampleSpace(SearchSpaceContract):
    @pytest.fixture
    def space(self):
        return _example_namespace()["ChainSpace"]()


def test_example_space_is_searched_with_a_callable_objective(capsys):
    namespace = _example_namespace()
    exec(compile(_blocks("### Adding a search space")[1], "README.md", "exec"), namespace)
    result = namespace["result"]
    assert len(result.history) == 12 and all(r.status == "ok" for r in result.history)
    assert result.best_value == 84.0   # conv5-conv5-conv5 is the optimum of the stand-in score
    assert "conv5-conv5-conv5 84.0" in capsys.readouterr().out


def test_python_section_examples_run():
    namespace = {}
    for code in _blocks("## Python"):
        exec(compile(code, "README.md", "exec"), namespace)
    assert len(namespace["result"].history) == 50 and namespace["result"].best_value > 70
    assert namespace["search"].finished and namespace["search"].told == 30


def test_example_registers_at_run_time():
    from nasearch.registry import get_search_space, search_spaces

    search_spaces.register("chain_readme", _example_namespace()["ChainSpace"])
    assert get_search_space("chain_readme").size == 27


def test_hardware_aware_example_runs(capsys):
    code = _blocks("## Hardware-aware search")[0].replace("budget=300", "budget=40")
    exec(compile(code, "README.md", "exec"), {})
    ratio = float(capsys.readouterr().out.split()[0])
    from nasearch import Search   # the same search by random search, on the same seed and budget

    random = Search("nasbench201", None, optimizer="random", budget=40, seed=0,
                    objectives=["val", "-latency@edgegpu"]).run()
    assert random.summary.hypervolume_ratio < ratio <= 1.0
