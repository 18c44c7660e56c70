"""The Python examples of the README and the documentation pages run as written, each block on
its own, and the worked example space of the how-to guide passes the contract."""
import re
import sys
import textwrap

import pytest

from conftest import REPO
from nasearch.testing import SearchSpaceContract


#: the pages a reader copies code from (the results page only quotes commands)
PAGES = [REPO / "README.md"] + sorted(p for p in (REPO / "docs").rglob("*.md") if p.name != "RESULTS.md")
OWN_SPACE = REPO / "docs" / "howto" / "own-space.md"


def _blocks(page):
    return re.findall(r"```python\n(.*?)```", page.read_text(), re.S)


def _all_blocks() -> list:
    return [(page, block) for page in PAGES for block in _blocks(page)]


@pytest.fixture
def my_chain(tmp_path, monkeypatch):
    """The how-to guide's ``my_chain.py``, written as the module it says it is, on the path."""
    code = next(block for _, block in _all_blocks() if block.startswith("# my_chain.py"))
    (tmp_path / "my_chain.py").write_text(code)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield
    sys.modules.pop("my_chain", None)


@pytest.mark.parametrize("index", range(len(_all_blocks())))
def test_every_python_block_of_the_pages_runs_on_its_own(index, my_chain, capsys):
    """Each block in a fresh namespace, as a reader would paste it (budgets of 300 cut to 40)."""
    page, block = _all_blocks()[index]
    code = textwrap.dedent(block).replace("budget=300", "budget=40")
    exec(compile(code, f"{page.relative_to(REPO)} python block {index}", "exec"), {"__name__": "readme_block"})


def _example_namespace():
    code = _blocks(OWN_SPACE)[0]
    assert len(code.splitlines()) < 100
    namespace = {}
    exec(compile(code, str(OWN_SPACE), "exec"), namespace)
    return namespace


class TestReadmeExampleSpace(SearchSpaceContract):
    @pytest.fixture
    def space(self):
        return _example_namespace()["ChainSpace"]()


def test_example_space_is_searched_with_a_callable_objective(my_chain, capsys):
    namespace = {}
    exec(compile(_blocks(OWN_SPACE)[1], str(OWN_SPACE), "exec"), namespace)
    result = namespace["result"]
    assert len(result.history) == 12 and all(r.status == "ok" for r in result.history)
    assert result.best_value == 84.0   # conv5-conv5-conv5 is the optimum of the stand-in score
    assert "conv5-conv5-conv5 84.0" in capsys.readouterr().out


def test_python_section_examples_do_what_they_say():
    first, loop = ({}, {})
    quickstart = REPO / "docs" / "quickstart.md"
    exec(compile(_blocks(quickstart)[0], str(quickstart), "exec"), first)
    exec(compile(_blocks(quickstart)[1], str(quickstart), "exec"), loop)
    space = first["space"]
    assert len(first["result"].history) == 50
    assert first["result"].best_value == space.query(first["result"].best_arch, "cifar100", "val")
    search = loop["search"]
    assert search.finished and search.told == 80
    # not degenerate: evaluations after the random population were proposed by evolution
    assert search.optimizer.config.population == 20 < search.told


def test_example_registers_at_run_time():
    from nasearch.registry import get_search_space, search_spaces

    search_spaces.register("chain_readme", _example_namespace()["ChainSpace"])
    assert get_search_space("chain_readme").size == 27


def test_hardware_aware_example_runs(capsys):
    page = REPO / "docs" / "howto" / "hardware-aware.md"
    code = _blocks(page)[0].replace("budget=300", "budget=40")
    exec(compile(code, str(page), "exec"), {})
    ratio = float(capsys.readouterr().out.split()[0])
    from nasearch import Search   # the same search by random search, on the same seed and budget

    random = Search("nasbench201", None, optimizer="random", budget=40, seed=0,
                    objectives=["val", "-latency@edgegpu"]).run()
    assert random.summary.hypervolume_ratio < ratio <= 1.0
