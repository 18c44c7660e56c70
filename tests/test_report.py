"""report: one self-contained HTML page for a search run or a comparison."""
import re

from nasearch import Search
from nasearch.architecture_graph import ArchitectureGraph
from nasearch.cli import main
from nasearch.reporting.cell_drawing import cell_svg, layers

SMALL = {"n_init": 10, "batch_size": 5, "candidates": 10, "surrogate": "emprox",
         "autoencoder": {"pretrain_steps": 300}}


def _sections(page: str) -> list:
    return re.findall(r"<h2>(.*?)</h2>", page)


def test_a_search_report_holds_every_view_and_needs_no_network(nb201, tmp_path, capsys):
    Search(nb201, None, "emprox_nao", budget=15, seed=0, directory=tmp_path / "run", options=SMALL).run()
    assert main(["report", str(tmp_path / "run"), "--quiet"]) == 0
    page = (tmp_path / "run" / "report.html").read_text()
    assert _sections(page) == ["Incumbent", "Embedding map", "Best architectures", "The best architecture, drawn"]
    assert "<script src" not in page and "Plotly" in page   # plotly.js is inline
    assert "optimum 91.607" in page   # the benchmark's optimum is drawn on the curve
    assert "the run&#x27;s own pretrained autoencoder" in page
    drawing = page[page.index('<svg xmlns="http://www.w3.org/2000/svg" width='):]
    assert "input" in drawing and "output" in drawing and "nor_conv" in drawing


def test_a_two_objective_report_draws_the_front(nb201, tmp_path):
    # 7 evaluations: too few for an embedding map, so no autoencoder is pretrained for this test
    Search(nb201, None, "random", budget=7, seed=0, directory=tmp_path / "run",
           objectives=["val", "-latency@edgegpu"]).run()
    assert main(["report", str(tmp_path / "run"), "--out", str(tmp_path / "page.html"), "--quiet"]) == 0
    page = (tmp_path / "page.html").read_text()
    assert "Pareto front" in _sections(page) and "found front" in page and "latency@edgegpu" in page
    assert "Fewer than 8 successful evaluations: no map" in page


def test_a_comparison_report_has_bands_and_paired_verdicts(tmp_path, nb201_path):
    import yaml

    from test_compare import CONFIG

    path = tmp_path / "compare.yaml"
    path.write_text(yaml.safe_dump(dict(CONFIG, seeds=5, budget=30, output=str(tmp_path / "cmp"))))
    assert main(["compare", "--quiet", "--config", str(path), "--data", str(nb201_path)]) == 0
    assert main(["report", str(tmp_path / "cmp")]) == 0
    page = (tmp_path / "cmp" / "report.html").read_text()
    assert _sections(page) == ["Incumbent curves", "Paired verdicts"]
    assert "RE − RS (paired ± s.e.)" in page and "toself" in page   # the 95% band is a filled trace
    assert re.search(r"<td>25</td><td>[+-]\d\.\d{3} ± \d\.\d{3} (win|tie|loss)</td>", page)


def test_a_directory_that_is_no_run_is_a_one_line_error(tmp_path, capsys):
    assert main(["report", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "neither a search run nor a comparison" in err


def test_cells_are_drawn_in_layers_of_their_longest_path():
    chain_with_skip = ArchitectureGraph((0, 2, 3, 1), ((0, 1), (1, 2), (2, 3), (0, 3)))
    assert layers(4, chain_with_skip.edges) == [0, 1, 2, 3]
    svg = cell_svg(chain_with_skip, ["in", "out", "conv", "pool"], "t")
    assert svg.count("<rect") == 4 and svg.count("<line") == 4 and ">conv<" in svg and ">pool<" in svg
    # two components (as DARTS's normal and reduction cells) share the columns, one above the other
    two = ArchitectureGraph((0, 2, 0, 2), ((0, 1), (2, 3)))
    assert layers(4, two.edges) == [0, 1, 0, 1]
