"""docs/RESULTS.md's tables still come out of their configs: no default moved under one silently."""
import importlib.util

from conftest import REPO


def _checker():
    spec = importlib.util.spec_from_file_location("check_results", REPO / "benchmarks" / "check_results.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_no_table_of_results_is_silently_stale(capsys):
    assert _checker().main([]) == 0, capsys.readouterr().out


def test_a_moved_default_is_listed_and_a_marked_one_is_known(tmp_path, capsys):
    checker = _checker()
    config = "experiments/search/nb201_cifar10_compare.yaml"
    today = checker.digest(REPO / config)
    results = tmp_path / "RESULTS.md"
    results.write_text(f"```bash\npython main.py compare --config {config}\n```\n<!-- options {config} 000000000000 -->\n")
    assert checker.main(["--results", str(results)]) == 1
    out = capsys.readouterr().out
    assert f"STALE   {config}: 000000000000 when measured, {today} today" in out
    results.write_text(results.read_text() + f"<!-- measured under older defaults: {config} (a test) -->\n")
    assert checker.main(["--results", str(results)]) == 0
    assert "known   " in capsys.readouterr().out
    # stamping writes today's digest after the block that names the config
    assert checker.main(["--results", str(results), "--stamp"]) == 0
    assert f"<!-- options {config} {today} -->" in results.read_text()
