"""The documentation site builds offline in strict mode: a broken link, a missing page or an
API reference to a name that does not exist fails the build."""
import subprocess
import sys

from conftest import REPO


def test_the_site_builds_strictly(tmp_path):
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
                          cwd=REPO, capture_output=True, text=True, timeout=300,
                          env={"PATH": "/usr/bin:/bin", "NO_MKDOCS_2_WARNING": "1", "HOME": str(tmp_path)})
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    reference = (tmp_path / "site" / "reference" / "configs" / "index.html").read_text()
    # an option's ``#:`` comment is its documentation in the reference (docs/hooks/option_comments.py)
    assert "times a trial whose worker died" in reference
    assert (tmp_path / "site" / "howto" / "ray-cluster" / "index.html").is_file()
