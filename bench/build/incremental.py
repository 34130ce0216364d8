"""Measure a ``mkdocs serve`` rebuild after editing one pattern.

``mkdocs serve`` reloads ``mkdocs.yml`` before each rebuild but keeps the archkb
plugin instance (the plugin defines ``on_startup``), so its ``ParseCache``
survives. This module replays that in one process, the way
``mkdocs.commands.serve`` does it: load the config, run ``startup`` with
``command="serve"``, build, edit one pattern file, load the config again and
build again. Every event handler of the archkb plugin is wrapped with a timer, so
the plugin's own work is measured apart from the rest of the build.

It also times the catalog work without MkDocs: loading the whole catalog cold,
reloading it through the warm cache after the edit, and rendering every
generated page.

Run ``python bench/build/incremental.py ROOT`` on a generated catalog; it prints
JSON. It edits one pattern file in ``ROOT`` (appending a sentence), so run it on a
scratch copy.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["EventTimer", "measure_rebuild", "measure_catalog_work", "edit_pattern", "main"]

SERVE_URL = "http://127.0.0.1:8000/"
"""The site URL ``mkdocs serve`` would set; builds run with it as in serve."""


@dataclass
class EventTimer:
    """Wraps a plugin's registered event handlers and sums the time spent in each event.

    Attributes:
        seconds: Wall seconds spent per event name.
        cpu_seconds: CPU seconds of this process spent per event name (less disturbed
            than wall time when the machine is busy).
        calls: Calls per event name.
    """

    seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    cpu_seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    calls: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def install(self, collection: Any, plugin: Any) -> None:
        """Replace ``plugin``'s handlers in a ``PluginCollection`` by timed wrappers."""
        for name, handlers in collection.events.items():
            for index, handler in enumerate(handlers):
                if getattr(handler, "__self__", None) is plugin:
                    handlers[index] = self._wrap(name, handler)

    def _wrap(self, name: str, handler: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            start, cpu = time.perf_counter(), time.process_time()
            try:
                return handler(*args, **kwargs)
            finally:
                self.seconds[name] += time.perf_counter() - start
                self.cpu_seconds[name] += time.process_time() - cpu
                self.calls[name] += 1

        timed.__self__ = handler.__self__  # type: ignore[attr-defined]
        return timed

    @property
    def total(self) -> float:
        """Wall seconds spent in all the plugin's handlers."""
        return sum(self.seconds.values())

    @property
    def cpu_total(self) -> float:
        """CPU seconds spent in all the plugin's handlers."""
        return sum(self.cpu_seconds.values())

    def as_dict(self) -> dict[str, Any]:
        """The totals as plain data."""
        return {
            "total_s": round(self.total, 4),
            "cpu_s": round(self.cpu_total, 4),
            "events": {
                name: {
                    "seconds": round(s, 4),
                    "cpu_seconds": round(self.cpu_seconds[name], 4),
                    "calls": self.calls[name],
                }
                for name, s in sorted(self.cpu_seconds.items(), key=lambda kv: -kv[1])
            },
        }


def edit_pattern(path: Path, marker: str = "") -> None:
    """Append one sentence to the first paragraph of the pattern's "Problem" section."""
    text = path.read_text(encoding="utf-8")
    head, sep, tail = text.partition("## Problem\n\n")
    if not sep:
        raise ValueError(f"{path}: no '## Problem' section to edit")
    first, rest = tail.split("\n\n", 1)
    path.write_text(
        f"{head}{sep}{first} An edited sentence{marker} for the rebuild benchmark.\n\n{rest}", encoding="utf-8"
    )


def measure_rebuild(root: Path, edited: Path) -> dict[str, Any]:
    """Build as ``mkdocs serve`` does, edit ``edited``, rebuild; time each build and the plugin's share.

    Args:
        root: A project folder holding ``mkdocs.yml`` with the archkb plugin.
        edited: The pattern file to edit between the builds.

    Returns:
        Timings of the first build, the rebuild after the edit and a rebuild with no edit.
    """
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    site_dir = tempfile.mkdtemp(prefix="archkb-bench-serve-")
    config_file = str(root / "mkdocs.yml")

    def get_config() -> Any:
        config = load_config(config_file=config_file, site_dir=site_dir)
        config.site_url = SERVE_URL
        return config

    config = get_config()
    config.plugins.on_startup(command="serve", dirty=False)
    plugin = config.plugins["archkb"]
    results: dict[str, Any] = {}
    try:
        for label, edit in (("first_build", False), ("rebuild_after_edit", True), ("rebuild_no_edit", False)):
            if label != "first_build":
                config = get_config()
                if config.plugins["archkb"] is not plugin:
                    raise RuntimeError("the archkb plugin instance did not survive the config reload")
            if edit:
                edit_pattern(edited)
            timer = EventTimer()
            timer.install(config.plugins, plugin)
            start, cpu = time.perf_counter(), time.process_time()
            build(config, serve_url=SERVE_URL)
            total, cpu = time.perf_counter() - start, time.process_time() - cpu
            results[label] = {
                "build_s": round(total, 4),
                "build_cpu_s": round(cpu, 4),
                "plugin": timer.as_dict(),
                # The parse and render caches count per build.
                "cache_hits": plugin.site.parse_cache.hits,
                "cache_misses": plugin.site.parse_cache.misses,
                "pages_rendered": plugin.site.renders.misses,
                "pages_reused": plugin.site.renders.hits,
            }
    finally:
        config.plugins.on_shutdown()
    return results


def measure_catalog_work(root: Path, edited: Path, repeat: int = 3) -> dict[str, Any]:
    """CPU time of the catalog core without MkDocs: cold load, warm reload after an edit, rendering.

    Args:
        root: A generated project folder.
        edited: The pattern file to edit before each warm reload.
        repeat: How many times to repeat each measurement (the minimum is kept).
    """
    from archkb import render
    from archkb.catalog.loader import ParseCache, load_catalog

    clock = time.process_time
    cold, warm, rendering = [], [], []
    cache = ParseCache()
    catalog = None
    for attempt in range(repeat):
        start = clock()
        catalog = load_catalog(root, cache=ParseCache())
        cold.append(clock() - start)
        load_catalog(root, cache=cache)
        edit_pattern(edited, marker=f" {attempt}")
        start = clock()
        catalog = load_catalog(root, cache=cache)
        warm.append(clock() - start)
        start = clock()
        for entry in catalog.patterns.values():
            render.render_pattern_page(entry, catalog, directory_urls=True)
        render.render_patterns_index(catalog)
        render.render_reading_list(catalog)
        for path_entry in catalog.paths.values():
            render.render_path_page(path_entry, catalog)
        rendering.append(clock() - start)
    assert catalog is not None
    return {
        "patterns": len(catalog.patterns),
        "references": len(catalog.references),
        "load_cold_s": round(min(cold), 4),
        "load_warm_after_edit_s": round(min(warm), 4),
        "render_all_pages_s": round(min(rendering), 4),
    }


def main(argv: list[str] | None = None) -> int:
    """Command line: ``incremental.py ROOT [--pattern FILE]``; prints the figures as JSON."""
    parser = argparse.ArgumentParser(description="Measure a mkdocs serve rebuild after editing one pattern.")
    parser.add_argument("root", type=Path, help="a generated catalog project (it will be edited)")
    parser.add_argument("--pattern", type=Path, default=None, help="the pattern file to edit (default: the middle one)")
    args = parser.parse_args(argv)
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    root = args.root.resolve()
    files = sorted((root / "patterns").glob("*.md"))
    if not files:
        parser.error(f"{root}: no patterns/*.md; generate a catalog first")
    edited = args.pattern or files[len(files) // 2]
    os.chdir(root)
    result = {
        "edited": edited.relative_to(root).as_posix(),
        "serve": measure_rebuild(root, edited),
        "catalog": measure_catalog_work(root, edited),
    }
    json.dump(result, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
