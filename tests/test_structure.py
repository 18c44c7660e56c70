"""The house rules that keep the code base readable, checked on the source itself."""
import ast

import pytest

from conftest import REPO

PACKAGES = ("nasearch", "search_spaces")
MAX_LINES = 350


def _modules(package):
    return sorted(p for p in (REPO / package).rglob("*.py"))


def _imports(path):
    """Absolute names of every module ``path`` imports (at module level or inside functions)."""
    tree = ast.parse(path.read_text())
    package = ".".join(path.relative_to(REPO).with_suffix("").parts[:-1])
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parent = ".".join(parts[:len(parts) - node.level + 1])
                base = f"{parent}.{base}" if base else parent
                names += [f"{base}.{alias.name}" for alias in node.names]   # `from . import x` may name a module
            names.append(base)
    return names


@pytest.mark.parametrize("package", PACKAGES)
def test_no_module_is_over_the_line_limit(package):
    long = {str(p.relative_to(REPO)): n for p in _modules(package)
            if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert not long, f"modules over {MAX_LINES} lines: {long}"


def test_the_core_imports_no_concrete_space():
    offenders = {str(p.relative_to(REPO)) for p in _modules("nasearch")
                 if any(name.split(".")[0] == "search_spaces" for name in _imports(p))}
    assert not offenders, f"nasearch modules importing a concrete space: {sorted(offenders)}"


@pytest.mark.parametrize("space", sorted(p.name for p in (REPO / "search_spaces").iterdir()
                                         if (p / "__init__.py").is_file()))
def test_no_import_circle_inside_a_space(space):
    root = REPO / "search_spaces" / space
    modules = {f"search_spaces.{space}.{p.stem}": p for p in root.glob("*.py") if p.stem != "__init__"}
    graph = {name: {other for other in _imports(path) if other in modules and other != name}
             for name, path in modules.items()}

    def reaches(start, target, seen=()):
        return any(step == target or (step not in seen and reaches(step, target, (*seen, step)))
                   for step in graph[start])

    circles = sorted(name for name in graph if reaches(name, name))
    assert not circles, f"modules of {space} that import themselves through others: {circles}"


def test_only_the_run_directory_module_spells_a_run_file_name():
    """Every module reaches a run file through :mod:`nasearch.runs.directory`'s names."""
    from nasearch.runs.directory import NAMES

    owner = REPO / "nasearch" / "runs" / "directory.py"
    spelled = {}
    for path in _modules("nasearch"):
        if path == owner:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and node.value in NAMES:
                spelled.setdefault(str(path.relative_to(REPO)), set()).add(node.value)
    assert not spelled, f"run file names spelled outside nasearch/runs/directory.py: {spelled}"
