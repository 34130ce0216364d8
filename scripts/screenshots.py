"""Regenerate the README screenshots: the pattern map and a pattern page.

Usage::

    .venv/bin/python scripts/screenshots.py [--pattern SLUG] [--out-dir docs/images] [--scheme light|dark]

Builds the real site, serves it on 127.0.0.1 and photographs it with Debian's Chromium through the same
harness as the browser tests (``tests/browser/harness.py``), so the pictures show what the tests check.
Needs what the browser tests need: ``bash scripts/install-system-deps.sh``.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import tempfile
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parent.parent


def load_harness() -> ModuleType:
    """Import ``tests/browser/harness.py`` by path (``tests`` is not an installed package)."""
    path = REPO / "tests" / "browser" / "harness.py"
    spec = importlib.util.spec_from_file_location("archkb_browser_harness", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load the browser harness from {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pattern", default="circuit-breaker", help="slug of the pattern page to photograph")
    parser.add_argument(
        "--out-dir", type=Path, default=REPO / "docs" / "images", help="where to write map.png and pattern.png"
    )
    parser.add_argument("--scheme", choices=["light", "dark"], default="light", help="colour scheme")
    parser.add_argument("--width", type=int, default=1280, help="viewport width in CSS pixels")
    parser.add_argument("--height", type=int, default=900, help="viewport height in CSS pixels")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Build, serve and photograph the site; print the files written."""
    args = parse_args(argv)
    harness = load_harness()
    try:
        harness.check_prerequisites()
    except harness.HarnessError as error:
        print(f"screenshots: {error}", file=sys.stderr)
        return 2
    if not (REPO / "patterns" / f"{args.pattern}.md").is_file():
        print(f"screenshots: no pattern {args.pattern!r} (patterns/{args.pattern}.md does not exist)", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    args.out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory(prefix="archkb-shots-") as tmp:
        try:
            site = harness.build_site(Path(tmp) / "site")
        except harness.HarnessError as error:
            print(f"screenshots: {error}", file=sys.stderr)
            return 1
        with harness.serve(site) as base_url, sync_playwright() as playwright:
            browser = harness.launch_chromium(playwright)
            try:
                context = harness.new_context(browser, color_scheme=args.scheme, width=args.width, height=args.height)
                watch = harness.PageWatch().attach(context)
                page = context.new_page()

                page.goto(base_url + "map/", wait_until="networkidle")
                figure = page.locator(".md-content svg:has(a.archkb-node)").first
                if figure.count() == 0:
                    print("screenshots: the map page has no SVG with a.archkb-node links", file=sys.stderr)
                    return 1
                target = args.out_dir / "map.png"
                figure.screenshot(path=str(target), animations="disabled")
                written.append(target)

                page.goto(base_url + f"patterns/{args.pattern}/", wait_until="networkidle")
                target = args.out_dir / "pattern.png"
                page.screenshot(path=str(target), animations="disabled")
                written.append(target)
                context.close()
            finally:
                browser.close()
        if watch.external_requests:
            print(f"screenshots: warning: the site requested {watch.external_requests}", file=sys.stderr)
    for path in written:
        shown = path.relative_to(REPO) if path.is_relative_to(REPO) else path
        print(f"wrote {shown} ({path.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
