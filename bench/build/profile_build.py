"""Profile one ``mkdocs build`` of a generated catalog with cProfile.

Writes a Markdown report of where the time goes: per package (own time), the
top functions of the whole build (cumulative and own time), and the top
functions of the archkb package. The report feeds ``profile.md``.

Usage::

    python bench/build/profile_build.py --patterns 1000 --out bench/build/profile-data.md
"""

from __future__ import annotations

import argparse
import cProfile
import logging
import os
import pstats
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate_baseline, generate_catalog  # noqa: E402

__all__ = [
    "fresh_plugins",
    "profile_build",
    "page_category",
    "breakdown",
    "breakdown_report",
    "package_of",
    "report",
    "main",
]

_PACKAGES = (
    "archkb",
    "mkdocs",
    "material",
    "markdown",
    "pymdownx",
    "jinja2",
    "yaml",
    "pydantic",
    "pydantic_core",
    "markupsafe",
    "babel",
    "pygments",
    "backrefs",
    "mkdocs_autorefs",
    "paginate",
)


def package_of(filename: str) -> str:
    """The top-level package a profiled function belongs to (``stdlib``/``builtins`` otherwise)."""
    if filename.startswith("~") or filename.startswith("<"):
        return "builtins"
    parts = Path(filename).parts
    if "archkb" in parts and "plugins" in parts:
        return "archkb"
    if "site-packages" in parts:
        index = parts.index("site-packages")
        if index + 1 < len(parts):
            name = parts[index + 1]
            return name[:-3] if name.endswith(".py") else name
    if "<frozen" in filename or "/lib/python3" in filename:
        return "stdlib"
    return "other"


def fresh_plugins() -> None:
    """Forget plugin instances kept from earlier builds in this process.

    MkDocs keeps one instance of each plugin that defines ``on_startup`` across
    config loads (that is how ``mkdocs serve`` keeps state), so a second build in
    the same process would start with the archkb plugin's warm parse cache.
    """
    from mkdocs.config.defaults import MkDocsConfig

    for _, option in MkDocsConfig._schema:
        cache = getattr(option, "plugin_cache", None)
        if isinstance(cache, dict):
            cache.clear()


def profile_build(root: Path) -> tuple[pstats.Stats, float]:
    """Build ``root`` once in this process under cProfile (cold plugin state); return the stats and wall time."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    os.chdir(root)
    fresh_plugins()
    config = load_config(config_file=str(root / "mkdocs.yml"), site_dir=tempfile.mkdtemp(prefix="archkb-prof-"))
    config.plugins.on_startup(command="build", dirty=False)
    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    try:
        build(config)
    finally:
        profiler.disable()
        config.plugins.on_shutdown()
    return pstats.Stats(profiler), time.perf_counter() - start


def page_category(src_uri: str) -> str:
    """Group a page by what produced it: pattern pages, the big generated pages, hand-written pages."""
    if src_uri.startswith("patterns/") and src_uri != "patterns/index.md":
        return "pattern pages"
    if src_uri.startswith("paths/") and src_uri != "paths/index.md":
        return "reading path pages"
    if src_uri in ("patterns/index.md", "paths/index.md", "reading-list.md", "tags.md") or (
        "/" not in src_uri and src_uri.endswith(".md") and src_uri not in ("index.md",)
    ):
        return src_uri
    return "other pages"


def breakdown(root: Path) -> dict[str, Any]:
    """Build ``root`` once (no profiler) and time each plugin's events and each kind of page.

    Times are CPU seconds of this process (``time.process_time``), except ``total_s``.

    Returns:
        ``total_s`` (wall) and ``cpu_s``; ``plugins``: CPU seconds per plugin and event;
        ``pages``: per page category,
        the count, the Markdown phase (read, ``page_markdown``, render to HTML, ``page_content``)
        and the template phase (``page_context``, Jinja, ``post_page``, write).
    """
    from incremental import EventTimer
    from mkdocs.commands import build as build_module
    from mkdocs.config import load_config

    os.chdir(root)
    fresh_plugins()
    config = load_config(config_file=str(root / "mkdocs.yml"), site_dir=tempfile.mkdtemp(prefix="archkb-brk-"))
    config.plugins.on_startup(command="build", dirty=False)
    timers: dict[str, EventTimer] = {}
    for name, plugin in config.plugins.items():
        timers[name] = EventTimer()
        timers[name].install(config.plugins, plugin)
    pages: dict[str, dict[str, float]] = defaultdict(lambda: {"count": 0, "markdown_s": 0.0, "template_s": 0.0})
    populate, build_page = build_module._populate_page, build_module._build_page

    def timed_populate(page: Any, *args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return populate(page, *args, **kwargs)
        finally:
            row = pages[page_category(page.file.src_uri)]
            row["count"] += 1
            row["markdown_s"] += time.process_time() - start

    def timed_build_page(page: Any, *args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return build_page(page, *args, **kwargs)
        finally:
            pages[page_category(page.file.src_uri)]["template_s"] += time.process_time() - start

    build_module._populate_page, build_module._build_page = timed_populate, timed_build_page
    start, cpu = time.perf_counter(), time.process_time()
    try:
        build_module.build(config)
    finally:
        build_module._populate_page, build_module._build_page = populate, build_page
        config.plugins.on_shutdown()
    return {
        "total_s": round(time.perf_counter() - start, 3),
        "cpu_s": round(time.process_time() - cpu, 3),
        "plugins": {name: timer.as_dict() for name, timer in timers.items()},
        "pages": {
            k: {
                "count": int(v["count"]),
                "markdown_s": round(v["markdown_s"], 3),
                "template_s": round(v["template_s"], 3),
            }
            for k, v in pages.items()
        },
    }


def breakdown_report(data: dict[str, Any], patterns: int) -> str:
    """The breakdown as Markdown tables."""
    out = [
        f"## Where one build spends its time at N = {patterns} (no profiler)",
        "",
        f"Whole build: {data['cpu_s']:.2f} s CPU ({data['total_s']:.2f} s wall). All figures below are CPU seconds.",
        "",
        "### Plugin events (own handlers only)",
        "",
    ]
    rows = []
    for name, timer in data["plugins"].items():
        for event, figures in timer["events"].items():
            if figures["cpu_seconds"] >= 0.005:
                rows.append((name, event, figures["calls"], f"{figures['cpu_seconds']:.2f}"))
    rows.sort(key=lambda r: -float(r[3]))
    out += _table(rows, ("plugin", "event", "calls", "seconds"))
    out += [
        "",
        "### Pages (the template phase includes `page_context` and `post_page` handlers, such as search indexing)",
        "",
    ]
    page_rows = sorted(data["pages"].items(), key=lambda kv: -(kv[1]["markdown_s"] + kv[1]["template_s"]))
    out += _table(
        [
            (
                k,
                v["count"],
                f"{v['markdown_s']:.2f}",
                f"{v['template_s']:.2f}",
                f"{1000 * (v['markdown_s'] + v['template_s']) / max(v['count'], 1):.1f}",
            )
            for k, v in page_rows
        ],
        ("pages", "count", "Markdown phase (s)", "template phase (s)", "ms per page"),
    )
    out.append("")
    return "\n".join(out)


def _label(func: tuple[str, int, str]) -> str:
    filename, line, name = func
    if filename == "~":
        return name
    parts = Path(filename).parts
    if "site-packages" in parts:
        short = "/".join(parts[parts.index("site-packages") + 1 :])
    elif "archkb" in parts:
        short = "/".join(parts[parts.index("archkb") :])
    else:
        short = "/".join(parts[-2:])
    return f"{short}:{line} {name}"


def _table(rows: list[tuple[Any, ...]], header: tuple[str, ...]) -> list[str]:
    lines = [
        "| " + " | ".join(header) + " |",
        "| " + " | ".join("---:" if i else "---" for i in range(len(header))) + " |",
    ]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return lines


def report(stats: pstats.Stats, wall: float, patterns: int, top: int = 25) -> str:
    """The profile as Markdown tables."""
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    total = sum(tt for (_, _, tt, _, _) in raw.values())
    by_package: dict[str, float] = defaultdict(float)
    for func, (_, _, tt, _, _) in raw.items():
        by_package[package_of(func[0])] += tt
    out = [
        f"# Profile data: one `mkdocs build` at N = {patterns} (M = {5 * patterns})",
        "",
        f"cProfile, in-process build: {wall:.1f} s wall under the profiler "
        f"(profiling adds overhead; compare shares, not absolute times).",
        "",
        "## Own time by package",
        "",
    ]
    out += _table(
        [
            (name, f"{sec:.2f}", f"{100 * sec / total:.1f}%")
            for name, sec in sorted(by_package.items(), key=lambda kv: -kv[1])
        ],
        ("package", "own time (s)", "share"),
    )

    def rows(key: int, only_archkb: bool) -> list[tuple[Any, ...]]:
        items = [(func, v) for func, v in raw.items() if not only_archkb or package_of(func[0]) == "archkb"]
        items.sort(key=lambda kv: -kv[1][key])
        return [(f"`{_label(func)}`", v[1], f"{v[2]:.3f}", f"{v[3]:.3f}") for func, v in items[:top]]

    for title, key, only in (
        ("Whole build, by cumulative time", 3, False),
        ("Whole build, by own time", 2, False),
        ("archkb, by cumulative time", 3, True),
        ("archkb, by own time", 2, True),
    ):
        out += ["", f"## {title}", ""]
        out += _table(rows(key, only), ("function", "calls", "own (s)", "cumulative (s)"))
    out.append("")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    """Command line; see the module docstring."""
    parser = argparse.ArgumentParser(description="Profile mkdocs build of a generated archkb catalog.")
    parser.add_argument("--patterns", "-n", type=int, default=1000, help="number of patterns (default 1000)")
    parser.add_argument("--work", type=Path, default=HERE / ".work", help="scratch folder for the generated site")
    parser.add_argument("--out", type=Path, default=HERE / "profile-data.md", help="Markdown report to write")
    parser.add_argument("--pstats", type=Path, default=None, help="also save the raw stats here")
    parser.add_argument(
        "--baseline", action="store_true", help="also break down the plain-Material baseline build of the same pages"
    )
    parser.add_argument(
        "--no-cprofile", action="store_true", help="write only the time breakdown, without the (slow) cProfile run"
    )
    args = parser.parse_args(argv)
    args.out = args.out.resolve()
    args.pstats = args.pstats.resolve() if args.pstats else None
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    root = (args.work / f"profile-n{args.patterns}").resolve()
    generate_catalog(root, args.patterns)
    sections = [breakdown_report(breakdown(root), args.patterns)]
    if args.baseline:
        base = root.parent / f"profile-n{args.patterns}-baseline"
        generate_baseline(base, root)
        sections.append(
            breakdown_report(breakdown(base), args.patterns).replace(
                "## Where one build spends", "## Baseline: where one plain-Material build spends", 1
            )
        )
        os.chdir(root)
    if args.no_cprofile:
        args.out.write_text(
            f"# Time breakdown: one `mkdocs build` at N = {args.patterns} (M = {5 * args.patterns})"
            "\n\n" + "\n\n".join(sections),
            encoding="utf-8",
        )
        print(f"wrote {args.out}")
        return 0
    stats, wall = profile_build(root)
    if args.pstats:
        stats.dump_stats(str(args.pstats))
    text = report(stats, wall, args.patterns)
    head, _, rest = text.partition("## Own time by package")
    args.out.write_text(head + "\n\n".join(sections) + "\n## Own time by package" + rest, encoding="utf-8")
    print(f"wrote {args.out} ({wall:.1f} s under the profiler)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
