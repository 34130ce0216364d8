"""The build-performance benchmark: our site against plain Material, at growing catalog sizes.

For each size N (default 250, 1000 and 4000 patterns, with M = 5N references), it
generates a synthetic catalog and its baseline (see ``generate.py``), then runs
``mkdocs build`` on each, alternating which goes first, ``--repeat`` times. Each
build runs in its own process; the benchmark records its wall time, its CPU time
(user + system) and its peak memory (maximum resident set size from ``wait4``).
Medians and the ratios ours/baseline go to ``results.json`` and ``results.md``
(rewritten after every size, so a long run leaves partial results), and a plot
of build time against N to ``build-time.png``.

Then, unless ``--no-incremental``, it measures a ``mkdocs serve`` rebuild after
editing one pattern of the 1,000-pattern catalog (see ``incremental.py``).

Usage::

    python bench/build/run.py                      # N = 250, 1000, 4000; 3 repeats
    python bench/build/run.py --sizes 100 --repeat 1 --no-incremental   # a quick look
"""

from __future__ import annotations

import argparse
import compileall
import datetime as dt
import hashlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate_baseline, generate_catalog, generate_project_catalog  # noqa: E402

__all__ = ["BuildRun", "plugin_fingerprint", "timed_build", "summarise", "write_markdown", "write_plot", "main"]

GOALS = {
    "time_ratio_at_1000": 1.3,
    "growth_4x": 4.4,
    "memory_ratio": 1.5,
}
"""The issue's goals: time within 1.3x of the baseline at N=1000, 4x patterns at most 4.4x time,
peak memory within 1.5x of the baseline."""

VARIANTS = ("baseline", "archkb")
_BUILT_IN = re.compile(r"Documentation built in ([0-9.]+) seconds")


@dataclass
class BuildRun:
    """One ``mkdocs build`` process.

    Attributes:
        variant: ``archkb`` (our site) or ``baseline`` (plain Material).
        patterns: N.
        wall_s: Wall-clock seconds of the whole process (start-up included).
        cpu_s: User plus system CPU seconds of the process.
        build_s: The build time MkDocs itself reports (``Documentation built in``).
        max_rss_mb: Peak resident memory of the process, in MiB.
        warnings: How many WARNING lines the build logged.
        returncode: The process's exit status.
        first_warnings: The first few WARNING lines, to tell what they were.
        plugin_source: A hash of ``plugins/archkb/*.py`` when the build ran (the package is
            installed editable, so a change during a run shows up here).
    """

    variant: str
    patterns: int
    wall_s: float
    cpu_s: float
    build_s: float | None
    max_rss_mb: float
    warnings: int
    returncode: int
    first_warnings: list[str] = field(default_factory=list)
    plugin_source: str = ""


def plugin_fingerprint(package: Path = HERE.parents[1] / "plugins" / "archkb") -> str:
    """A short hash of the archkb sources, to tell whether the plugin changed between builds."""
    digest = hashlib.blake2b(digest_size=6)
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def timed_build(root: Path, variant: str, patterns: int, book: bool = False) -> BuildRun:
    """Run ``mkdocs build`` in ``root`` in a child process and measure it."""
    source = plugin_fingerprint()
    site_dir = Path(tempfile.mkdtemp(prefix=f"archkb-bench-{variant}-"))
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", PYTHONHASHSEED="0", ARCHKB_BOOK="true" if book else "false")
    command = [sys.executable, "-m", "mkdocs", "build", "--clean", "-f", str(root / "mkdocs.yml"), "-d", str(site_dir)]
    with tempfile.TemporaryFile() as log:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        log.seek(0)
        output = log.read().decode("utf-8", errors="replace")
    shutil.rmtree(site_dir, ignore_errors=True)
    built = _BUILT_IN.search(output)
    warning_lines = [line for line in output.splitlines() if line.startswith("WARNING")]
    if process.returncode != 0:
        tail = "\n".join(output.splitlines()[-15:])
        raise RuntimeError(f"mkdocs build of {root} failed with status {process.returncode}:\n{tail}")
    return BuildRun(
        variant=variant,
        patterns=patterns,
        wall_s=round(wall, 3),
        cpu_s=round(usage.ru_utime + usage.ru_stime, 3),
        build_s=float(built.group(1)) if built else None,
        max_rss_mb=round(usage.ru_maxrss / 1024, 1),
        warnings=len(warning_lines),
        returncode=process.returncode,
        first_warnings=warning_lines[:5],
        plugin_source=source,
    )


def _median(runs: list[BuildRun], attribute: str) -> float | None:
    values = [getattr(r, attribute) for r in runs if getattr(r, attribute) is not None]
    return round(statistics.median(values), 3) if values else None


def summarise(runs: list[BuildRun]) -> dict[str, Any]:
    """Medians per size and variant, the ratios ours/baseline, and growth between sizes."""
    sizes = sorted({r.patterns for r in runs})
    table: dict[str, Any] = {}
    for n in sizes:
        row: dict[str, Any] = {}
        for variant in VARIANTS:
            chosen = [r for r in runs if r.patterns == n and r.variant == variant]
            if not chosen:
                continue
            row[variant] = {
                "runs": len(chosen),
                **{f"median_{a}": _median(chosen, a) for a in ("wall_s", "cpu_s", "build_s", "max_rss_mb")},
                "warnings": max(r.warnings for r in chosen),
            }
        if len(row) == 2:
            row["ratio"] = {
                metric: round(row["archkb"][f"median_{metric}"] / row["baseline"][f"median_{metric}"], 3)
                for metric in ("wall_s", "cpu_s", "build_s", "max_rss_mb")
                if row["archkb"][f"median_{metric}"] and row["baseline"][f"median_{metric}"]
            }
            # Runs alternate which variant goes first, so the k-th build of each variant ran side by
            # side: the ratio of each such pair cancels the machine's drift during a run.
            ours = [r for r in runs if r.patterns == n and r.variant == "archkb"]
            theirs = [r for r in runs if r.patterns == n and r.variant == "baseline"]
            pairs = [a.wall_s / b.wall_s for a, b in zip(ours, theirs, strict=False) if b.wall_s]
            if pairs:
                row["paired_wall_ratio"] = {
                    "median": round(statistics.median(pairs), 3),
                    "min": round(min(pairs), 3),
                    "max": round(max(pairs), 3),
                }
        table[str(n)] = row
    growth: dict[str, Any] = {}
    for small in sizes:
        big = small * 4
        if big in sizes:
            growth[f"{small}->{big}"] = {
                variant: {
                    metric: round(
                        table[str(big)][variant][f"median_{metric}"] / table[str(small)][variant][f"median_{metric}"], 3
                    )
                    for metric in ("wall_s", "cpu_s", "build_s")
                    if table[str(small)].get(variant, {}).get(f"median_{metric}")
                    and table[str(big)].get(variant, {}).get(f"median_{metric}")
                }
                for variant in VARIANTS
                if variant in table[str(small)] and variant in table[str(big)]
            }
    return {"sizes": table, "growth": growth}


def _fmt(value: float | None, unit: str = "") -> str:
    return "n/a" if value is None else f"{value:.2f}{unit}"


def write_markdown(path: Path, results: dict[str, Any]) -> None:
    """Write the figures as Markdown tables."""
    summary = results["summary"]
    lines = [
        "# Build benchmark results",
        "",
        f"Measured {results['finished']} on {results['machine']}, "
        f"{results['repeat']} repeats per size and variant, medians. "
        f"Command: `{results['command']}`. Plugin at commit {results.get('git', {}).get('commit', '?')}"
        + (" with uncommitted changes" if results.get("git", {}).get("plugin_uncommitted_changes") else "")
        + ".",
        "",
        "`archkb` is our site (Material + tags + archkb plugin); `baseline` is plain Material "
        "building the same pattern Markdown as plain pages with the site's other plugins (search, tags) and the site's nav (one-line stubs for the pages archkb generates). "
        "Wall is the whole `mkdocs build` process; CPU is its user + system time (with the EPUB book's "
        "worker process); peak memory is its maximum resident set size.",
        "",
        *(
            [
                "With the EPUB book (`--book`: `ARCHKB_BOOK=true`, as the published site builds; CPU includes the "
                "book's worker process).",
                "",
            ]
            if results.get("book")
            else ["Without the EPUB book (local builds leave it out; `--book` measures it).", ""]
        ),
        *(
            [
                "Catalog shape: **the real project with N synthetic patterns added**, each with exactly 3 relations "
                "and 4 references and no inline citation (`--shape project`); N counts the synthetic patterns only.",
                "",
            ]
            if results.get("shape") == "project"
            else []
        ),
        "| N patterns | M refs | variant | wall (s) | CPU (s) | MkDocs-reported (s) | peak RSS (MiB) | warnings |",
        "| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for n, row in summary["sizes"].items():
        for variant in VARIANTS:
            if variant not in row:
                continue
            v = row[variant]
            lines.append(
                f"| {n} | {5 * int(n) if results['references_per_pattern'] == 5 and results.get('shape', 'synthetic') == 'synthetic' else '-'} | {variant} | "
                f"{_fmt(v['median_wall_s'])} | {_fmt(v['median_cpu_s'])} | {_fmt(v['median_build_s'])} | "
                f"{_fmt(v['median_max_rss_mb'])} | {v['warnings']} |"
            )
    lines += [
        "",
        "## Ratios (archkb / baseline)",
        "",
        "| N | wall | CPU | MkDocs-reported | peak RSS |",
        "| ---: | ---: | ---: | ---: | ---: |",
    ]
    for n, row in summary["sizes"].items():
        ratio = row.get("ratio")
        if ratio:
            lines.append(
                f"| {n} | {_fmt(ratio.get('wall_s'), 'x')} | {_fmt(ratio.get('cpu_s'), 'x')} | "
                f"{_fmt(ratio.get('build_s'), 'x')} | {_fmt(ratio.get('max_rss_mb'), 'x')} |"
            )
    paired = {n: row["paired_wall_ratio"] for n, row in summary["sizes"].items() if row.get("paired_wall_ratio")}
    if paired:
        lines += [
            "",
            "Paired rounds (each archkb build against the baseline build beside it, which cancels the "
            "machine's drift during the run), wall time:",
            "",
            "| N | median | range |",
            "| ---: | ---: | --- |",
        ]
        lines += [f"| {n} | {p['median']:.2f}x | {p['min']:.2f}x-{p['max']:.2f}x |" for n, p in paired.items()]
    if summary["growth"]:
        lines += [
            "",
            "## Growth with 4x the patterns (goal: at most 4.4x)",
            "",
            "| sizes | variant | wall | CPU | MkDocs-reported |",
            "| --- | --- | ---: | ---: | ---: |",
        ]
        for step, variants in summary["growth"].items():
            for variant, g in variants.items():
                lines.append(
                    f"| {step} | {variant} | {_fmt(g.get('wall_s'), 'x')} | {_fmt(g.get('cpu_s'), 'x')} | "
                    f"{_fmt(g.get('build_s'), 'x')} |"
                )
    incremental = results.get("incremental")
    if incremental:
        serve = incremental["serve"]
        catalog = incremental["catalog"]
        lines += [
            "",
            f"## `mkdocs serve` rebuild after editing one pattern (N = {catalog['patterns']})",
            "",
            f"Edited file: `{incremental['edited']}`.",
            "",
            "| build | whole build (s) | archkb plugin (s) | plugin `on_files` (s) | files parsed | files from cache |",
            "| --- | ---: | ---: | ---: | ---: | ---: |",
        ]
        for label in ("first_build", "rebuild_after_edit", "rebuild_no_edit"):
            b = serve[label]
            files = b["plugin"]["events"].get("files", {}).get("seconds")
            lines.append(
                f"| {label.replace('_', ' ')} | {_fmt(b['build_s'])} | {_fmt(b['plugin']['total_s'])} | "
                f"{_fmt(files)} | {b['cache_misses']} | {b['cache_hits']} |"
            )
        lines += [
            "",
            "Catalog core without MkDocs (best of 3): "
            f"cold load {_fmt(catalog['load_cold_s'])} s, warm reload after one edit "
            f"{_fmt(catalog['load_warm_after_edit_s'])} s, rendering every generated page "
            f"{_fmt(catalog['render_all_pages_s'])} s.",
        ]
    lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")


def write_plot(path: Path, results: dict[str, Any]) -> None:
    """Plot median build time (wall and CPU) against N for both variants."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = results["summary"]["sizes"]
    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=120)
    styles = {"archkb": ("tab:blue", "archkb site"), "baseline": ("tab:gray", "plain Material baseline")}
    for variant in VARIANTS:
        points = [(int(n), row[variant]) for n, row in sizes.items() if variant in row]
        if not points:
            continue
        xs = [n for n, _ in points]
        color, label = styles[variant]
        ax.plot(xs, [v["median_wall_s"] for _, v in points], "o-", color=color, label=f"{label}, wall")
        ax.plot(xs, [v["median_cpu_s"] for _, v in points], "s--", color=color, alpha=0.6, label=f"{label}, CPU")
        if variant == "baseline":
            ax.plot(
                xs,
                [GOALS["time_ratio_at_1000"] * v["median_wall_s"] for _, v in points],
                ":",
                color="tab:green",
                label=f"goal: {GOALS['time_ratio_at_1000']}x baseline wall",
            )
    ax.set_xlabel("patterns N (references M = 5N)")
    ax.set_ylabel("mkdocs build time (s, median)")
    ax.set_title("Build time against catalog size")
    ax.grid(True, alpha=0.3)
    ax.set_xlim(left=0)
    ax.set_ylim(bottom=0)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def _git_state() -> dict[str, Any]:
    """The commit the plugin was measured at, and whether its sources had uncommitted changes."""

    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=HERE, capture_output=True, text=True, check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return ""

    return {
        "commit": git("rev-parse", "--short", "HEAD"),
        "plugin_uncommitted_changes": bool(git("status", "--porcelain", "--", "../../plugins/archkb")),
    }


def _machine() -> str:
    cpus = os.cpu_count() or 0
    return f"{platform.system()} {platform.machine()}, {cpus} CPUs, Python {platform.python_version()}"


def _save(out: Path, results: dict[str, Any], runs: list[BuildRun]) -> None:
    results["runs"] = [asdict(r) for r in runs]
    results["summary"] = summarise(runs)
    results["finished"] = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    stem = "results" if results.get("shape", "synthetic") == "synthetic" else f"results-{results['shape']}"
    stem += "-book" if results.get("book") else ""
    (out / f"{stem}.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    write_markdown(out / f"{stem}.md", results)
    if runs and stem == "results":
        write_plot(out / "build-time.png", results)


def main(argv: list[str] | None = None) -> int:
    """Command line; see the module docstring."""
    parser = argparse.ArgumentParser(description="Time mkdocs build of the archkb site against plain Material.")
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[250, 1000, 4000], help="numbers of patterns N (default: 250 1000 4000)"
    )
    parser.add_argument("--repeat", type=int, default=3, help="builds per size and variant (default 3)")
    parser.add_argument("--references-per-pattern", type=int, default=5, help="M = this times N (default 5)")
    parser.add_argument(
        "--shape",
        choices=("synthetic", "project"),
        default="synthetic",
        help="synthetic: N generated patterns with M = 5N references, inline citations, 3-4 "
        "relations each (the default); project: the real project with N synthetic patterns "
        "added, 3 relations and 4 references each, no inline citations (the issue's second "
        "shape); results then go to results-project.json/.md",
    )
    parser.add_argument(
        "--book",
        action="store_true",
        help="build the EPUB book too (ARCHKB_BOOK=true, as the published site does; local "
        "builds leave it out); results then go to results[-project]-book.json/.md",
    )
    parser.add_argument("--work", type=Path, default=HERE / ".work", help="scratch folder for generated sites")
    parser.add_argument("--out", type=Path, default=HERE, help="where results.json/.md and the plot go")
    parser.add_argument(
        "--incremental-size",
        type=int,
        default=1000,
        help="N of the catalog for the serve-rebuild measurement (default 1000)",
    )
    parser.add_argument("--no-incremental", action="store_true", help="skip the serve-rebuild measurement")
    parser.add_argument(
        "--replot", action="store_true", help="only rewrite results.md and the plot from an existing results.json"
    )
    args = parser.parse_args(argv)
    if args.replot:
        results = json.loads((args.out / "results.json").read_text(encoding="utf-8"))
        write_markdown(args.out / "results.md", results)
        write_plot(args.out / "build-time.png", results)
        print(f"rewrote {args.out / 'results.md'} and {args.out / 'build-time.png'}")
        return 0
    if args.repeat < 1 or any(n < 1 for n in args.sizes):
        parser.error("--repeat and --sizes must be positive")
    args.out.mkdir(parents=True, exist_ok=True)
    # Both sides import from bytecode: pip byte-compiles the baseline's packages when it
    # installs them, but an editable install of the plugin is compiled on first import,
    # and not cached at all where PYTHONDONTWRITEBYTECODE is set (as on this machine),
    # which would add the compiling of 31 modules to every archkb build measured.
    compileall.compile_dir(str(HERE.parents[1] / "plugins" / "archkb"), quiet=1)
    results: dict[str, Any] = {
        "command": "python bench/build/run.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "machine": _machine(),
        "repeat": args.repeat,
        "shape": args.shape,
        "book": args.book,
        "references_per_pattern": args.references_per_pattern,
        "goals": GOALS,
        "git": _git_state(),
    }
    results["command"] = results["command"].strip()
    runs: list[BuildRun] = []
    for n in sorted(set(args.sizes)):
        site = args.work / f"{args.shape}-n{n}" / "site"
        base = args.work / f"{args.shape}-n{n}" / "baseline"
        if args.shape == "project":
            generate_project_catalog(site, n)
        else:
            generate_catalog(site, n, args.references_per_pattern * n)
        generate_baseline(base, site)
        for attempt in range(args.repeat):
            order = VARIANTS if attempt % 2 == 0 else VARIANTS[::-1]
            for variant in order:
                run = timed_build(site if variant == "archkb" else base, variant, n, book=args.book)
                runs.append(run)
                print(
                    f"N={n} {variant:8} run {attempt + 1}/{args.repeat}: wall {run.wall_s:.2f} s, "
                    f"CPU {run.cpu_s:.2f} s, peak {run.max_rss_mb:.0f} MiB, {run.warnings} warnings",
                    flush=True,
                )
        _save(args.out, results, runs)
    if not args.no_incremental:
        n = args.incremental_size
        scratch = args.work / f"incremental-n{n}"
        generate_catalog(scratch, n, args.references_per_pattern * n)
        print(f"N={n}: measuring a serve rebuild after editing one pattern", flush=True)
        output = subprocess.run(
            [sys.executable, str(HERE / "incremental.py"), str(scratch)],
            check=True,
            capture_output=True,
            text=True,
            env=dict(os.environ, NO_MKDOCS_2_WARNING="1"),
        ).stdout
        results["incremental"] = json.loads(output)
        _save(args.out, results, runs)
    print(f"wrote {args.out / 'results.json'}, {args.out / 'results.md'} and {args.out / 'build-time.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
