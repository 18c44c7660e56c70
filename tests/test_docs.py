"""The documentation site builds offline in strict mode: a broken link, a missing page or an
API reference to a name that does not exist fails the build; and every option of every
registered component is documented in its reference."""
import dataclasses
import subprocess
import sys

import pytest

from conftest import REPO


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("docs")
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out / "site")],
                          cwd=REPO, capture_output=True, text=True, timeout=300,
                          env={"PATH": "/usr/bin:/bin", "NO_MKDOCS_2_WARNING": "1", "HOME": str(out)})
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return out / "site"


def test_the_site_builds_strictly(site):
    reference = (site / "reference" / "configs" / "index.html").read_text()
    # an option's ``#:`` comment is its documentation in the reference (docs/hooks/option_comments.py)
    assert "times a trial whose worker died" in reference
    assert (site / "howto" / "ray-cluster" / "index.html").is_file()


def test_every_option_of_every_registered_component_is_in_the_reference(site):
    """Each field of each built-in optimizer's, predictor's and proposal source's Config has its
    entry (the anchor ``module.Config.field``) in the generated API reference."""
    import nasearch.optimizers  # noqa: F401 (registers the built-ins)
    import nasearch.optimizers.emprox_nao  # noqa: F401
    import nasearch.predictors  # noqa: F401
    from nasearch.registry import optimizers, predictors, proposal_sources

    pages = "".join(path.read_text() for path in (site / "reference").rglob("*.html"))
    missing = []
    for registry in (optimizers, predictors, proposal_sources):
        for name in registry.names():
            config = registry.factory(name).Config
            if not config.__module__.startswith("nasearch."):   # a plug-in a test registered (the guides')
                continue
            for field in dataclasses.fields(config):
                if f'id="{config.__module__}.{config.__qualname__}.{field.name}"' not in pages:
                    missing.append(f"{name}: {config.__qualname__}.{field.name}")
    assert not missing, missing
