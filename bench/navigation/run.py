"""Navigation speed: Material's ``navigation.instant`` against full page loads, in Chromium.

Builds the real site twice, as configured and with ``navigation.instant`` added to
(or removed from) ``theme.features``, serves each on 127.0.0.1 with the caching a
static host sends (``Cache-Control: max-age=600``, as GitHub Pages does), and drives
Debian's Chromium through Playwright. For each route (a link a reader follows), each
variant and each of ``--runs`` rounds (variants alternate within a round), it opens
the route's first page, clicks the link and measures the time from the click to the
new page being *usable*:

* its URL is the link's target and its ``<h1>`` is the target page's title;
* the document has finished loading (``readyState`` complete: the theme's and the
  site's scripts ran and the page's subresources are in);
* on the reading list, the filter is bound (``#archkb-filter[data-ready]``), which the
  filter script does on each ``document$`` emission, as after an instant navigation.

Material 9.x's instant navigation makes every relative ``[href]`` absolute with
``el.href = el.href``, which throws on an SVG ``<a href>`` (read-only ``href``): the maps
write their links as ``xlink:href`` for that reason (see :mod:`archkb.map.svg`); with
``href`` the pages are left half-navigated (new URL, old content) with a page error.

Both timestamps are taken in the page (``performance.timeOrigin + performance.now()``):
the click just before it is dispatched, the usable moment on the first animation frame
that satisfies the conditions, so Playwright's round trips are not counted. Medians go
to ``results.json`` and ``results.md`` next to this file.

Usage::

    python bench/navigation/run.py              # 20 rounds per route and variant
    python bench/navigation/run.py --runs 5     # a quick look
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import http.server
import json
import platform
import statistics
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO / "tests"))

from browser.harness import CHROMIUM_ARGS, CHROMIUM_PATH, site_url_path  # noqa: E402

FEATURE = "navigation.instant"


@dataclass(frozen=True)
class Route:
    """A link a reader follows: the page it is on, the link, and where it leads."""

    name: str
    start: str
    link: str
    target: str
    title: str
    filter: bool = False


ROUTES = (
    Route(
        "pattern -> related pattern",
        "patterns/circuit-breaker/",
        "article li > a[href$='/timeouts-and-deadlines/']",
        "patterns/timeouts-and-deadlines/",
        "Timeouts and deadlines",
    ),
    Route(
        "pattern -> reading list (citation)",
        "patterns/circuit-breaker/",
        "article p a[href*='reading-list/#ref-']",
        "reading-list/",
        "Reading list",
        filter=True,
    ),
    Route(
        "reading list -> pattern (cited by)",
        "reading-list/",
        "article .archkb-ref p a[href$='/circuit-breaker/']",
        "patterns/circuit-breaker/",
        "Circuit breaker",
    ),
    Route("home -> pattern map", "", "article li > a[href$='map/']", "map/", "Pattern map"),
)
"""The routes measured: links readers follow most (relations, citations, cited-by, the map)."""

WATCH_JS = """
(want) => {
  const start = performance.timeOrigin + performance.now();
  window.__archkbBenchDocument = start;  // still there after the click only if the document was kept
  sessionStorage.setItem('archkb-bench-want', JSON.stringify(want));
  sessionStorage.removeItem('archkb-bench-usable');
  window.__archkbBenchWatch();
  document.querySelector(want.link).click();
  return start;
}
"""

INIT_JS = """
(() => {
  const usable = (want) => {
    if (!location.pathname.endsWith(want.target)) return false;
    if (document.readyState !== 'complete') return false;
    const h1 = document.querySelector('.md-content h1');
    if (!h1) return false;
    const title = Array.from(h1.childNodes).filter((n) => !(n.classList && n.classList.contains('headerlink')))
      .map((n) => n.textContent).join('').replace(/\\s+/g, ' ').trim();
    if (title !== want.title) return false;
    if (want.filter) {
      const form = document.getElementById('archkb-filter');
      if (!form || form.getAttribute('data-ready') !== 'true') return false;
    }
    return true;
  };
  window.__archkbBenchWatch = () => {
    const raw = sessionStorage.getItem('archkb-bench-want');
    if (!raw) return;
    const want = JSON.parse(raw);
    const tick = () => {
      if (sessionStorage.getItem('archkb-bench-want') !== raw) return;
      if (usable(want)) {
        sessionStorage.setItem('archkb-bench-usable', String(performance.timeOrigin + performance.now()));
        sessionStorage.removeItem('archkb-bench-want');
      } else {
        requestAnimationFrame(tick);
      }
    };
    requestAnimationFrame(tick);
  };
  window.__archkbBenchWatch();  // a new document after a full navigation
})();
"""


class _CachingHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the built site under its ``site_url`` path, with a static host's caching."""

    prefix = "/"

    def translate_path(self, path: str) -> str:
        if not path.startswith(self.prefix):
            return str(Path(self.directory) / ".outside" / "missing")
        return super().translate_path("/" + path[len(self.prefix) :])

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "max-age=600")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


@contextmanager
def serve(site: Path) -> Iterator[str]:
    site.mkdir(parents=True, exist_ok=True)
    prefix = site_url_path(REPO / "mkdocs.yml")
    handler = functools.partial(type("Handler", (_CachingHandler,), {"prefix": prefix}), directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    finally:
        server.shutdown()
        server.server_close()


def build(out: Path, instant: bool, site_url: str) -> Path:
    """Build the real site with or without ``navigation.instant``; return the site folder.

    ``site_url`` is where the site is served: Material's instant navigation only takes
    over links whose URL is in the sitemap, which it rebases on the page's protocol and
    host name but not its port.
    """
    import os

    import yaml
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
    theme = yaml.load((REPO / "mkdocs.yml").read_text(encoding="utf-8"), Loader=Loader)["theme"]  # noqa: S506
    features = [f for f in theme.get("features", []) if f != FEATURE]
    theme["features"] = features + [FEATURE] if instant else features
    site = out / ("instant" if instant else "full")
    cfg = load_config(config_file=str(REPO / "mkdocs.yml"), site_dir=str(site), theme=theme, site_url=site_url)
    cfg.plugins.on_startup(command="build", dirty=False)
    try:
        mkdocs_build(cfg)
    finally:
        cfg.plugins.on_shutdown()
    return site


def measure(page: Any, base: str, route: Route) -> tuple[float, bool]:
    """One click on ``route``'s link: milliseconds from the click to the target page being usable, and
    whether the page was swapped in place (an instant navigation) rather than loaded anew."""
    page.goto(base + route.start, wait_until="load")
    page.wait_for_function(
        "() => typeof window.__archkbBenchWatch === 'function' && document.readyState === 'complete'"
    )
    want = {"link": route.link, "target": route.target, "title": route.title, "filter": route.filter}
    start = page.evaluate(WATCH_JS, want)
    page.wait_for_function("() => sessionStorage.getItem('archkb-bench-usable') !== null", timeout=20_000)
    usable = float(page.evaluate("() => sessionStorage.getItem('archkb-bench-usable')"))
    kept = page.evaluate("(start) => window.__archkbBenchDocument === start", start)
    return usable - start, kept


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="clicks per route and variant (default 20)")
    parser.add_argument(
        "--work", type=Path, default=REPO / "bench" / "out" / "navigation", help="where the two sites are built"
    )
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    args.work.mkdir(parents=True, exist_ok=True)
    sites = {"full page loads": args.work / "full", FEATURE: args.work / "instant"}
    with (
        serve(sites["full page loads"]) as full_url,
        serve(sites[FEATURE]) as instant_url,
        sync_playwright() as playwright,
    ):
        build(args.work, instant=False, site_url=full_url)
        build(args.work, instant=True, site_url=instant_url)
        times: dict[str, dict[str, list[float]]] = {v: {r.name: [] for r in ROUTES} for v in sites}
        in_place: dict[str, int] = dict.fromkeys(sites, 0)
        errors: dict[str, list[str]] = {v: [] for v in sites}
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM_PATH), headless=True, args=list(CHROMIUM_ARGS)
        )
        bases = {"full page loads": full_url, FEATURE: instant_url}
        pages = {}
        for variant in sites:
            context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
            context.route(
                "**/*", lambda route: route.continue_() if "127.0.0.1" in route.request.url else route.abort()
            )
            context.add_init_script(INIT_JS)
            pages[variant] = context.new_page()
            pages[variant].on("pageerror", lambda error, variant=variant: errors[variant].append(str(error)))
            for route in ROUTES:  # warm the HTTP cache: a reader who is already on the site
                measure(pages[variant], bases[variant], route)
        for round_number in range(args.runs):
            order = list(sites) if round_number % 2 == 0 else list(reversed(list(sites)))
            for route in ROUTES:
                for variant in order:
                    elapsed, kept = measure(pages[variant], bases[variant], route)
                    times[variant][route.name].append(round(elapsed, 1))
                    in_place[variant] += kept
            print(f"round {round_number + 1}/{args.runs} done", file=sys.stderr)
        browser.close()
    write(times, args.runs, in_place, errors)
    return 0


def write(
    times: dict[str, dict[str, list[float]]], runs: int, in_place: dict[str, int], errors: dict[str, list[str]]
) -> None:
    """Write ``results.json`` and ``results.md``."""
    full, instant = "full page loads", FEATURE
    summary = {
        variant: {
            route: {
                "median_ms": round(statistics.median(values), 1),
                "p90_ms": round(sorted(values)[max(0, int(len(values) * 0.9) - 1)], 1),
                "min_ms": round(min(values), 1),
                "runs": values,
            }
            for route, values in routes.items()
        }
        for variant, routes in times.items()
    }
    meta = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "runs": runs,
        "swapped_in_place": in_place,
        "page_errors": {v: sorted(set(e)) for v, e in errors.items()},
        "machine": f"{platform.system()} {platform.machine()}, Python {platform.python_version()}",
        "chromium": str(CHROMIUM_PATH),
    }
    (HERE / "results.json").write_text(
        json.dumps({"meta": meta, "results": summary}, indent=2) + "\n", encoding="utf-8"
    )
    lines = [
        "# Navigation benchmark results",
        "",
        f"Measured {meta['date']} on {meta['machine']}, headless Chromium ({CHROMIUM_PATH}), "
        f"{runs} clicks per route and variant, variants alternating. Command: "
        f"`python bench/navigation/run.py --runs {runs}`. Time from the click to the new page usable "
        "(see `run.py`), in milliseconds.",
        "",
        f"| Route | full page loads: median | p90 | `{instant}`: median | p90 | instant / full |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for route in ROUTES:
        a, b = summary[full][route.name], summary[instant][route.name]
        lines.append(
            f"| {route.name} | {a['median_ms']:.0f} | {a['p90_ms']:.0f} | {b['median_ms']:.0f} | "
            f"{b['p90_ms']:.0f} | {b['median_ms'] / a['median_ms']:.2f}x |"
        )
    all_full = statistics.median(v for r in summary[full].values() for v in r["runs"])
    all_instant = statistics.median(v for r in summary[instant].values() for v in r["runs"])
    lines += [
        "",
        f"All routes together: full page loads {all_full:.0f} ms, `{instant}` {all_instant:.0f} ms "
        f"(median of {runs * len(ROUTES)} clicks each; {all_instant / all_full:.2f}x). Clicks answered "
        f"by swapping the page in place: {in_place[instant]} of {runs * len(ROUTES)} with `{instant}`, "
        f"{in_place[full]} without. Page errors: "
        + ("; ".join(f"{v}: {', '.join(sorted(set(e)))}" for v, e in errors.items() if e) or "none")
        + ".",
        "",
    ]
    (HERE / "results.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    raise SystemExit(main())
