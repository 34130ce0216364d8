"""What the content-safety checks cost, against the Markdown conversion they follow.

For every pattern of a catalog (the real one, and the synthetic N = 1,000 one that
``bench/build`` builds), this renders the body with the site's Markdown settings, then
times the three steps the safety design adds:

* ``scan_text``: the source-level scan of each file's text (controls, bidi, markers);
* ``check_html``: the allow-list check of the rendered HTML (lexbor);
* ``sanitize_html``: the nh3 pass the build applies to every pattern page (natively; a refused page
  also gets the reserved-id and class rules, through a Python callback);

and reports each as a ratio of the Markdown conversion itself, which every build pays
anyway. Medians of ``--repeat`` passes, all in one process and one run::

    python bench/safety/run.py [--patterns 1000] [--repeat 5] [--out bench/safety]

The build-time ratio against plain Material (the goal: at most 1.3x) is measured by
``bench/build/run.py``; the figures of both are in ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO / "plugins"))
sys.path.insert(0, str(REPO / "bench" / "build"))

from archkb import load_catalog  # noqa: E402
from archkb.mkdocs.markdown import markdown_converter, site_markdown_settings  # noqa: E402
from archkb.safety.htmlpolicy import check_html, sanitize_html  # noqa: E402
from archkb.safety.text import scan_text  # noqa: E402


def _passes(fn, items, repeat: int) -> float:
    """The median, over ``repeat`` passes, of the seconds one pass over ``items`` takes."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        for item in items:
            fn(item)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(root: Path, repeat: int) -> dict[str, float]:
    """Time Markdown conversion and the three safety steps over every pattern of ``root``."""
    catalog = load_catalog(root)
    settings = site_markdown_settings(root)
    md = markdown_converter(settings)
    bodies = [entry.body for entry in catalog.patterns.values()]
    texts = [(root / entry.path).read_text(encoding="utf-8") for entry in catalog.patterns.values()]

    def convert(body: str) -> str:
        md.reset()
        return md.convert(body)

    pages = [convert(body) for body in bodies]
    markdown_s = _passes(convert, bodies, repeat)
    scan_s = _passes(lambda text: scan_text(text, "x"), texts, repeat)
    check_s = _passes(check_html, pages, repeat)
    sanitize_s = _passes(lambda page: sanitize_html(page, refused=False), pages, repeat)
    strict_s = _passes(sanitize_html, pages, repeat)
    return {
        "patterns": len(bodies),
        "html_kib": round(sum(len(p) for p in pages) / 1024, 1),
        "markdown_s": round(markdown_s, 4),
        "scan_text_s": round(scan_s, 4),
        "check_html_s": round(check_s, 4),
        "sanitize_html_s": round(sanitize_s, 4),
        "sanitize_refused_s": round(strict_s, 4),
        "scan_text_ratio": round(scan_s / markdown_s, 3),
        "check_html_ratio": round(check_s / markdown_s, 3),
        "sanitize_html_ratio": round(sanitize_s / markdown_s, 3),
        "all_checks_ratio": round((scan_s + check_s + sanitize_s) / markdown_s, 3),
    }


def main(argv: list[str] | None = None) -> int:
    """Measure on the real catalog and on a synthetic one; write results.json and results.md."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--patterns", type=int, default=1000, help="size of the synthetic catalog (default 1000)")
    parser.add_argument("--repeat", type=int, default=5, help="passes per step (default 5)")
    parser.add_argument("--out", type=Path, default=HERE, help="where results.json and results.md go")
    args = parser.parse_args(argv)

    from generate import generate_catalog

    results = {"real": measure(REPO, args.repeat)}
    with tempfile.TemporaryDirectory(prefix="archkb-safety-") as work:
        generate_catalog(Path(work), args.patterns)
        results[f"synthetic-{args.patterns}"] = measure(Path(work), args.repeat)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    lines = [
        "| catalog | patterns | HTML KiB | Markdown s | scan_text | check_html | sanitize_html | all checks |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, r in results.items():
        lines.append(
            f"| {name} | {r['patterns']} | {r['html_kib']} | {r['markdown_s']} | "
            f"{r['scan_text_ratio']:.1%} | {r['check_html_ratio']:.1%} | {r['sanitize_html_ratio']:.1%} | "
            f"{r['all_checks_ratio']:.1%} |"
        )
    table = "\n".join(lines) + "\n"
    (args.out / "results.md").write_text(
        "Cost of the content-safety steps, as a share of the Markdown "
        f"conversion of the same bodies (medians of {args.repeat}).\n\n" + table,
        encoding="utf-8",
    )
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
