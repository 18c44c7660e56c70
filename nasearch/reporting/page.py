"""The report page: figures for a search run or a comparison, in one self-contained HTML file.

A search run shows its incumbent curve (with the optimum when the benchmark knows it), its
Pareto front (several objectives), the embedding map of :mod:`.embedding_map` with the
path of the incumbents through it, its best architectures and the best one drawn as a cell.
A comparison shows every contender's mean incumbent curve with a 95% band and the paired
verdicts against its first contender. Plotly's JavaScript is embedded once, so the page
opens with no server and no network.
"""
from __future__ import annotations

import csv
import html
from pathlib import Path
from typing import Optional

import numpy as np

from ..errors import ConfigError
from ..runs.directory import COMPARISON, CONFIG, HISTORY, INCUMBENTS, OPTIONS, PARETO_CSV, REPORT, RunDirectory

#: evaluation counts at which a comparison's paired verdicts are read
CHECKPOINTS = (25, 50, 100, 200, 300, 500, 1000)


def write_report(directory, out: Optional[str] = None, progress: bool = False) -> Path:
    """Write ``report.html`` (or ``out``) for the search run or comparison in ``directory``."""
    files = RunDirectory(directory)
    if files.has(COMPARISON):
        title, sections = _comparison(files)
    elif files.has(HISTORY):
        title, sections = _search(files, progress)
    else:
        raise ConfigError(f"{str(directory)!r} is neither a search run nor a comparison (no {HISTORY}, no "
                          f"{COMPARISON}); pass a directory that search or compare wrote")
    body = "".join(f"<section><h2>{html.escape(heading)}</h2>{content}</section>" for heading, content in sections)
    page = (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{_STYLE}</style><script>{_plotly_js()}</script></head><body><h1>{html.escape(title)}</h1>"
            f"{body}</body></html>")
    if out:
        path = Path(out)
        path.write_text(page, encoding="utf-8")
        return path
    return files.write_text(REPORT, page)


_STYLE = ("body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}"
          "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;font-size:13px}"
          "code{font-size:12px}section{margin-bottom:2.5em}")


def _plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def _figure(figure) -> str:
    return figure.to_html(full_html=False, include_plotlyjs=False)


def _table(header: list, rows: list) -> str:
    head = "".join(f"<th>{html.escape(str(cell))}</th>" for cell in header)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


# ------------------------------------------------------------------------------ a search run
def _search(files: RunDirectory, progress: bool) -> tuple:
    import plotly.graph_objects as go

    from ..registry import get_search_space
    from ..runs.history import read_summary, read_trials

    trials = read_trials(files.file(HISTORY), repair=False)
    summary = read_summary(files.path)
    # the CLI records its config; a run of the Python API has its summary (once finished) instead
    config = files.read_yaml(CONFIG) if files.has(CONFIG) else {}
    if not config and summary is not None:
        config = {"space": summary.space, "optimizer": summary.optimizer, "seed": summary.seed,
                  "metric": summary.metric}
    if "space" not in config:
        raise ConfigError(f"the run in {str(files.path)!r} has neither its {CONFIG} nor a summary yet, so its "
                          "space is unknown; report it once the search has finished")
    space = get_search_space(config["space"], data=config.get("data"))
    ok = [t for t in trials if t.status == "ok" and t.value is not None]
    what = summary.objective if summary else config.get("space", "")
    title = f"{config.get('optimizer', 'search')} on {what}, seed {config.get('seed', 0)}"
    sections = []

    spent = np.cumsum([1.0 if t.cost is None else t.cost for t in trials])
    unit = "evaluations" if all(t.cost is None for t in trials) else "epochs spent"
    curve = go.Figure(go.Scatter(x=spent, y=[t.incumbent for t in trials], mode="lines", name="incumbent"))
    if summary and summary.optimum is not None:
        curve.add_hline(y=summary.optimum, line_dash="dash", annotation_text=f"optimum {summary.optimum:.3f}")
    curve.update_layout(xaxis_title=unit, yaxis_title=f"best {config.get('metric') or 'value'} so far", height=380)
    facts = [("evaluations", len(trials)), ("failed", len(trials) - len(ok)),
             ("best value", f"{summary.best_value:.4f}" if summary and summary.best_value is not None else "–"),
             ("optimum", summary.optimum if summary else "–")]
    sections.append(("Incumbent", _table(["", ""], facts) + _figure(curve)))

    if files.has(PARETO_CSV):
        sections.append(("Pareto front", _pareto(files, ok)))
    if len(ok) >= 2:
        sections.append(("Embedding map", _embedding_map(files, space, config, ok, progress)))
    best = sorted(ok, key=lambda t: -t.value)[:10]
    rows = [(i + 1, f"{t.value:.4f}", f"<code>{html.escape(t.arch)}</code>") for i, t in enumerate(best)]
    sections.append(("Best architectures", _table(["rank", "value", "architecture"], rows)))
    if best:
        from .cell_drawing import cell_svg

        arch = space.from_string(best[0].arch)
        sections.append(("The best architecture, drawn", cell_svg(space.graph(arch), space.graph_label_names(),
                                                                  f"value {best[0].value:.4f}")))
    return title, sections


def _pareto(files: RunDirectory, ok: list) -> str:
    import plotly.graph_objects as go

    with open(files.file(PARETO_CSV), newline="") as handle:
        rows = list(csv.DictReader(handle))
    metrics = [name for name in (rows[0] if rows else {}) if name not in ("arch", "on_true_front")][:2]
    if len(metrics) < 2:
        return "<p>The front has fewer than two objectives to draw.</p>"
    x, y = metrics
    evaluated = [(t.metrics.get(x), t.metrics.get(y)) for t in ok]
    evaluated = [(a, b) for a, b in evaluated if a is not None and b is not None]
    figure = go.Figure()
    figure.add_trace(go.Scatter(x=[a for a, _ in evaluated], y=[b for _, b in evaluated], mode="markers",
                                name="evaluated", marker={"color": "#bbb", "size": 5}))
    front = sorted((float(r[x]), float(r[y]), r["arch"], r["on_true_front"]) for r in rows)
    figure.add_trace(go.Scatter(x=[p[0] for p in front], y=[p[1] for p in front], mode="lines+markers",
                                name="found front", text=[p[2] for p in front], marker={"color": "#c0392b"}))
    on_true = [p for p in front if p[3] == "True"]
    if on_true:
        figure.add_trace(go.Scatter(x=[p[0] for p in on_true], y=[p[1] for p in on_true], mode="markers",
                                    name="on the true front", marker={"symbol": "circle-open", "size": 12,
                                                                      "color": "black"}))
    figure.update_layout(xaxis_title=x, yaxis_title=y, height=420)
    return _figure(figure)


def _embedding_map(files: RunDirectory, space, config: dict, ok: list, progress: bool) -> str:
    import plotly.graph_objects as go

    from .embedding_map import MIN_POINTS, layout, run_autoencoder

    if len(ok) < MIN_POINTS:
        return f"<p>Fewer than {MIN_POINTS} successful evaluations: no map.</p>"
    options = files.read_yaml(OPTIONS) if files.has(OPTIONS) else {}
    model, how = run_autoencoder(space, options, int(config.get("seed", 0)), progress)
    archs = [space.from_string(t.arch) for t in ok]
    points = layout(model, space, archs)
    values = [t.value for t in ok]
    figure = go.Figure(go.Scatter(x=points[:, 0], y=points[:, 1], mode="markers", name="evaluated",
                                  text=[f"#{i + 1} {t.arch}" for i, t in enumerate(ok)],
                                  marker={"color": values, "colorscale": "Viridis", "showscale": True, "size": 7,
                                          "colorbar": {"title": config.get("metric") or "value"}}))
    path, best = [], -np.inf   # the incumbents in the order the search found them
    for index, trial in enumerate(ok):
        if trial.value > best:
            best = trial.value
            path.append(index)
    figure.add_trace(go.Scatter(x=points[path, 0], y=points[path, 1], mode="lines+markers", name="incumbents",
                                line={"color": "#c0392b"}, marker={"size": 9, "symbol": "star"}))
    # the legend above the plot, clear of the colour bar's title on the right
    figure.update_layout(height=560, xaxis={"visible": False}, yaxis={"visible": False},
                         legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0})
    return (f"<p>Each evaluated architecture embedded by {html.escape(how)}, laid out in 2-D by t-SNE and "
            "coloured by its value; the red path joins the incumbents in the order they were found.</p>"
            + _figure(figure))


# ------------------------------------------------------------------------------ a comparison
def _comparison(files: RunDirectory) -> tuple:
    import plotly.graph_objects as go

    from ..compare import paired_difference, verdict

    config = files.read_yaml(COMPARISON)
    if not files.has(INCUMBENTS):
        raise ConfigError(f"the comparison in {str(files.path)!r} has no {INCUMBENTS} yet; let it finish "
                          "(python main.py compare --resume DIR), then report it")
    curves: dict = {}
    with open(files.file(INCUMBENTS), newline="") as handle:
        for row in csv.DictReader(handle):
            value = float(row["incumbent"]) if row["incumbent"] not in ("", "None") else np.nan
            curves.setdefault(row["optimizer"], {}).setdefault(int(row["seed"]), []).append(value)
    labels = list(curves)
    seeds = sorted(set.intersection(*(set(c) for c in curves.values())))
    arrays = {label: np.array([curves[label][seed] for seed in seeds], dtype=float) for label in labels}
    figure = go.Figure()
    for label in labels:
        data = arrays[label]
        x = np.arange(1, data.shape[1] + 1)
        mean = np.nanmean(data, axis=0)
        half = 1.96 * np.nanstd(data, axis=0, ddof=1) / np.sqrt(len(seeds)) if len(seeds) > 1 else 0 * mean
        figure.add_trace(go.Scatter(x=np.r_[x, x[::-1]], y=np.r_[mean + half, (mean - half)[::-1]], fill="toself",
                                    opacity=0.2, line={"width": 0}, showlegend=False, hoverinfo="skip",
                                    legendgroup=label))
        figure.add_trace(go.Scatter(x=x, y=mean, mode="lines", name=label, legendgroup=label))
    figure.update_layout(xaxis_title="evaluations", yaxis_title="mean best value (95% band)", height=480)
    first = labels[0]
    budget = min(a.shape[1] for a in arrays.values())
    rows = []
    for mark in [c for c in CHECKPOINTS if c <= budget] or [budget]:
        cells = [mark]
        for label in labels[1:]:
            mean, error = paired_difference(arrays[first][:, mark - 1], arrays[label][:, mark - 1])
            cells.append(f"{mean:+.3f} ± {error:.3f} {verdict(mean, error, len(seeds))}")
        rows.append(cells)
    title = f"comparison: {config.get('space', '')} {config.get('dataset', '')}, {len(seeds)} seeds"
    verdicts = _table(["evaluations"] + [f"{first} − {label} (paired ± s.e.)" for label in labels[1:]], rows)
    return title, [("Incumbent curves", _figure(figure)), ("Paired verdicts", verdicts)]
