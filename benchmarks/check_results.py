"""Which tables of docs/RESULTS.md no longer come out of their configs with today's code.

Every table that a config under ``experiments/`` produces carries, in docs/RESULTS.md, a
line ``<!-- options CONFIG DIGEST -->``: a digest of the resolved options of every
contender of CONFIG (each optimizer's or predictor's full config, defaults included, as
today's code resolves them), taken when the table was measured. This script resolves
each named config again and lists every table whose digest moved: a default changed
under it, or the config changed. A table that a line ``<!-- measured under older
defaults: ... -->`` marks is listed apart, as known.

    python benchmarks/check_results.py            # list stale tables; exit 1 if any is silent
    python benchmarks/check_results.py --stamp    # add today's line after every command naming a config

Exit 0 when no table is silently stale.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

STAMP = re.compile(r"<!-- options (\S+\.yaml) ([0-9a-f]{12}) -->")
OLDER = re.compile(r"<!-- measured under older defaults: (\S+\.yaml)")
NAMED = re.compile(r"(experiments/[\w/*.-]+\.yaml)")


def named_configs(block: str) -> list:
    """The config files a code block names, globs expanded, in order."""
    found = []
    for pattern in NAMED.findall(block):
        for path in sorted(REPO.glob(pattern)) if "*" in pattern else [REPO / pattern]:
            name = str(path.relative_to(REPO))
            if name not in found and path.is_file():
                found.append(name)
    return found


def stamped(text: str) -> str:
    """``text`` with a stamp line after every fenced block that names configs (old stamps replaced)."""
    lines = [line for line in text.splitlines() if not STAMP.fullmatch(line.strip())]
    out, block, inside = [], [], False
    for line in lines:
        out.append(line)
        if line.startswith("```"):
            if inside:
                out += [f"<!-- options {name} {digest(REPO / name)} -->" for name in named_configs("\n".join(block))]
                block = []
            inside = not inside
        elif inside:
            block.append(line)
    return "\n".join(out) + "\n"


def resolved_contenders(path: Path) -> dict:
    """``{label: {"name": ..., "options": {...}}}`` for every contender of config ``path``, each
    with every option resolved by today's code."""
    from nasearch.config import load_yaml, to_dict

    data = load_yaml(path)
    contenders = {}
    if "predictors" in data:   # an evaluate config
        from nasearch.config import build
        from nasearch.evaluation.protocol import load_config
        from nasearch.predictors import registry

        for spec in load_config(data).predictors:
            factory = registry.factory(spec.name)
            contenders[spec.display()] = {"name": spec.name,
                                          "options": to_dict(build(factory.Config, spec.options, spec.name))}
        return contenders
    from nasearch.experiment import load_compare_config
    from nasearch.optimizers import registry

    if "optimizers" in data or "seeds" in data:
        specs = [(spec.display(), spec.name, spec.options) for spec in load_compare_config(data).optimizers]
    else:   # a single search config
        name = data.get("optimizer", "emprox_nao")
        specs = [(name, name, data.get("options") or {})]
    for label, name, options in specs:
        factory = registry.factory(name)
        contenders[label] = {"name": name, "options": to_dict(factory.configure(factory.upgrade_options(options)))}
    return contenders


def digest(path: Path) -> str:
    """12 hex digits of SHA-256 over the canonical JSON of :func:`resolved_contenders`."""
    text = json.dumps(resolved_contenders(path), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", default=str(REPO / "docs" / "RESULTS.md"))
    parser.add_argument("--stamp", action="store_true", help="print today's line for every config RESULTS names")
    args = parser.parse_args(argv)
    import warnings

    warnings.simplefilter("ignore")   # flat spellings and experimental options are resolved, not judged, here
    text = Path(args.results).read_text(encoding="utf-8")
    if args.stamp:
        Path(args.results).write_text(stamped(text), encoding="utf-8")
        print(f"stamped {args.results}")
        return 0
    older = set(OLDER.findall(text))
    stamps = STAMP.findall(text)
    stale, known = [], []
    for name, recorded in stamps:
        today = digest(REPO / name)
        if today != recorded:
            (known if name in older else stale).append((name, recorded, today))
    print(f"{len(stamps)} stamped tables, {len(stale) + len(known)} moved ({len(known)} marked as measured "
          f"under older defaults)")
    for name, recorded, today in known:
        print(f"  known   {name}: {recorded} when measured, {today} today")
    for name, recorded, today in stale:
        print(f"  STALE   {name}: {recorded} when measured, {today} today; rerun it or mark it")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
