"""The README's worked example space passes the shipped contract."""
import re

import pytest

from conftest import REPO
from nasearch.testing import SearchSpaceContract


def _example_namespace():
    readme = (REPO / "README.md").read_text()
    section = readme.split("### Adding a search space", 1)[1]
    code = re.findall(r"```python\n(.*?)```", section, re.S)[0]
    assert len(code.splitlines()) < 100
    namespace = {}
    exec(compile(code, "README.md", "exec"), namespace)
    return namespace


class TestReadmeExampleSpace(SearchSpaceContract):
    @pytest.fixture
    def space(self):
        return _example_namespace()["ChainSpace"]()


def test_example_registers_at_run_time():
    from nasearch.registry import get_search_space, search_spaces

    search_spaces.register("chain_readme", _example_namespace()["ChainSpace"])
    assert get_search_space("chain_readme").size == 27
