"""Build the same synthetic catalog with each engine: MkDocs + plugin, and Zensical from ``archkb generate``.

For one generated catalog (N patterns, M = 5N references, as ``run.py`` makes them) this
times, in one run, with the medians of ``--repeat`` runs each:

* ``mkdocs + archkb``: ``mkdocs build`` of the project, the plugin generating the pages;
* ``archkb generate``: writing the plugin-free site source;
* ``zensical (cold)``: ``zensical build --clean`` of that source, its cache emptied first;
* ``zensical (cached)``: ``zensical build`` again, nothing changed;
* ``mkdocs, no plugin``: ``mkdocs build`` of the generated source.

Usage::

    python bench/build/engines.py [--patterns 1000] [--repeat 3] [--out bench/build/engines.md]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate_catalog  # noqa: E402

BIN = Path(sys.executable).parent
ENV = dict(os.environ, NO_MKDOCS_2_WARNING="1", DISABLE_MKDOCS_2_WARNING="1", PYTHONHASHSEED="0")


def _timed(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=ENV, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{(done.stdout + done.stderr)[-3000:]}")
    return seconds


def measure(root: Path, repeat: int) -> dict[str, float]:
    """Median seconds of each step, for the catalog project at ``root``."""
    out = root / "generated"
    times: dict[str, list[float]] = {
        k: []
        for k in ("mkdocs + archkb", "archkb generate", "zensical (cold)", "zensical (cached)", "mkdocs, no plugin")
    }
    for _ in range(repeat):
        site = Path(tempfile.mkdtemp(prefix="archkb-engines-"))
        times["mkdocs + archkb"].append(
            _timed([sys.executable, "-m", "mkdocs", "build", "--clean", "-d", str(site)], root)
        )
        shutil.rmtree(site, ignore_errors=True)
        times["archkb generate"].append(_timed([str(BIN / "archkb"), "generate", "--out", str(out)], root))
        shutil.rmtree(out / ".cache", ignore_errors=True)
        shutil.rmtree(out / "site", ignore_errors=True)
        times["zensical (cold)"].append(
            _timed([str(BIN / "zensical"), "build", "--clean", "-f", str(out / "mkdocs.yml")], out)
        )
        times["zensical (cached)"].append(_timed([str(BIN / "zensical"), "build", "-f", str(out / "mkdocs.yml")], out))
        plain = Path(tempfile.mkdtemp(prefix="archkb-engines-plain-"))
        times["mkdocs, no plugin"].append(
            _timed([sys.executable, "-m", "mkdocs", "build", "-f", str(out / "mkdocs.yml"), "-d", str(plain)], out)
        )
        shutil.rmtree(plain, ignore_errors=True)
    return {k: round(statistics.median(v), 2) for k, v in times.items()}


def main(argv: list[str] | None = None) -> int:
    """Generate the catalog, time every engine on it, write the Markdown table."""
    parser = argparse.ArgumentParser(description="Time MkDocs + plugin against Zensical on one synthetic catalog.")
    parser.add_argument("--patterns", "-n", type=int, default=1000, help="number of patterns (default 1000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per step (default 3)")
    parser.add_argument("--work", type=Path, default=HERE / ".work", help="scratch folder")
    parser.add_argument("--out", type=Path, default=HERE / "engines.md", help="the Markdown table to write")
    args = parser.parse_args(argv)
    root = args.work / f"engines-{args.patterns}"
    generate_catalog(root, args.patterns)
    results = measure(root, args.repeat)
    lines = [
        f"Engines on one synthetic catalog, N = {args.patterns} patterns (M = {5 * args.patterns} references), "
        f"medians of {args.repeat} runs; `python bench/build/engines.py --patterns {args.patterns} "
        f"--repeat {args.repeat}`.",
        "",
        "| step | seconds |",
        "| --- | ---: |",
    ]
    lines += [f"| {step} | {seconds:.2f} |" for step, seconds in results.items()]
    table = "\n".join(lines) + "\n"
    args.out.write_text(table, encoding="utf-8")
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
