"""``python main.py report RUN_DIR``: one self-contained HTML page for a search or a comparison.

:mod:`.page` assembles it (plotly figures, JavaScript embedded, no server, no network);
:mod:`.embedding_map` lays the evaluated architectures out in 2-D; :mod:`.cell_drawing`
draws an architecture's graph as SVG.
"""
from .page import write_report

__all__ = ["write_report"]
