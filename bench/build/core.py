"""Time each step of the archkb plugin's own work, without MkDocs, at several catalog sizes.

The plugin's ``on_files`` loads the catalog, then renders every generated page and
export. This script runs the same steps one by one on generated catalogs and
reports the CPU time of each (``time.process_time``, which a busy machine
disturbs less than wall time), so a step that grows faster than the catalog
shows up as a growth factor above 4 between N and 4N.

Usage::

    python bench/build/core.py --sizes 1000 4000
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate_catalog  # noqa: E402

__all__ = ["steps", "time_steps", "main"]


def steps(root: Path) -> list[tuple[str, Callable[[Any], Any]]]:
    """The plugin's steps as ``(name, function of the catalog)``; the first loads the catalog."""
    from archkb import render
    from archkb.catalog.loader import ParseCache, load_catalog

    out: list[tuple[str, Callable[[Any], Any]]] = [
        ("load_catalog (cold cache)", lambda _: load_catalog(root, cache=ParseCache())),
        (
            "pattern pages",
            lambda c: [render.render_pattern_page(e, c, directory_urls=True) for e in c.patterns.values()],
        ),
        ("patterns index", render.render_patterns_index),
        ("reading list", render.render_reading_list),
    ]
    optional = {
        "map page": ("render_map_page", {"directory_urls": True}),
    }
    for label, (name, kwargs) in optional.items():
        function = getattr(render, name, None)
        if function is not None:
            out.append((label, lambda c, f=function, k=kwargs: f(c, **k)))
    try:
        from archkb.exports.json import catalog_to_json

        out.append(("JSON export", catalog_to_json))
    except ImportError:
        pass
    try:
        from archkb.exports.bibtex import catalog_to_bibtex

        out.append(("BibTeX export", catalog_to_bibtex))
    except ImportError:
        pass
    return out


def time_steps(root: Path, repeat: int = 1) -> dict[str, float]:
    """CPU seconds of each step on the catalog in ``root`` (best of ``repeat``)."""
    results: dict[str, float] = {}
    catalog = None
    for name, function in steps(root):
        best = float("inf")
        for _ in range(repeat):
            start = time.process_time()
            value = function(catalog)
            best = min(best, time.process_time() - start)
            if catalog is None:
                catalog = value
        results[name] = round(best, 3)
    return results


def main(argv: list[str] | None = None) -> int:
    """Command line; prints a Markdown table and writes JSON with ``--json``."""
    parser = argparse.ArgumentParser(description="Time the archkb plugin's steps at several catalog sizes.")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 4000])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--work", type=Path, default=HERE / ".work")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures as JSON here")
    args = parser.parse_args(argv)
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    table: dict[int, dict[str, float]] = {}
    for n in args.sizes:
        root = args.work / f"core-n{n}"
        generate_catalog(root, n)
        table[n] = time_steps(root.resolve(), args.repeat)
    names = list(next(iter(table.values())))
    header = "| step | " + " | ".join(f"N={n} CPU (s)" for n in args.sizes)
    growth = [(a, b) for a in args.sizes for b in args.sizes if b == 4 * a]
    header += "".join(f" | {a}->{b}" for a, b in growth) + " |"
    lines = [header, "| --- |" + " ---: |" * (len(args.sizes) + len(growth))]
    for name in names + ["total"]:
        values = [sum(table[n].values()) if name == "total" else table[n][name] for n in args.sizes]
        row = f"| {name} | " + " | ".join(f"{v:.2f}" for v in values)
        for a, b in growth:
            va = sum(table[a].values()) if name == "total" else table[a][name]
            vb = sum(table[b].values()) if name == "total" else table[b][name]
            row += f" | {vb / va:.2f}x" if va else " | n/a"
        lines.append(row + " |")
    print("\n".join(lines))
    if args.json:
        args.json.write_text(json.dumps({str(k): v for k, v in table.items()}, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
