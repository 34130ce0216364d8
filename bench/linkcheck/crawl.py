"""Crawling a live site: archkb check-links URL --recursive, linkinator --recurse and LinkChecker.

One command (from the project root, virtualenv active; linkinator as ``run.py`` installs it)::

    python bench/linkcheck/crawl.py

It serves a site of 150 HTML pages under ``/docs/`` on 127.0.0.1, every answer after 50 ms: each
page links 6 other pages (some with a ``#fragment``, 1 in 10 of them to an id that is not there),
an image, a page outside ``/docs/`` (whose own links must not be read) and, on every 15th page, a
page that is gone. Each checker starts from ``/docs/`` (the same page as ``page-0.html``) and crawls; the server counts the
requests for every path and the peak in flight. Scored: the pages found (every one of the 150),
the gone pages and missing fragments reported, requests sent (a page asked for more than once is
politeness lost), and the peak in flight against the host (archkb's limit is 4 per host, lychee's
default too; linkinator has no per-host limit, so it runs a second time with ``--concurrency 4``,
which on one host is the same politeness; LinkChecker runs 10 threads). Medians of 3 rounds,
interleaved. Results go to ``bench/linkcheck/crawl.md``.
"""

from __future__ import annotations

import asyncio
import json
import platform
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from aiohttp import web

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "out" / "linkcheck-crawl"
BIN = Path(sys.executable).parent
LINKINATOR = HERE / "node" / "node_modules" / ".bin" / "linkinator"
PAGES = 150
DELAY = 0.05


def page(n: int) -> str:
    """Page ``n``: its id, 6 links to other pages, an image, an outside page, sometimes a gone one."""
    links = []
    for k in range(1, 7):
        other = (n * 7 + k * 13) % PAGES
        fragment = ""
        if k == 6:
            fragment = "#missing" if n % 10 == 0 else f"#part-{other}"
        links.append(f'<a href="page-{other}.html{fragment}">page {other}</a>')
    links.append('<img src="logo.png" alt="">')
    links.append('<a href="/outside.html">outside</a>')
    if n % 15 == 0:
        links.append(f'<a href="gone-{n}.html">gone</a>')
    body = "\n".join(links)
    return f'<!doctype html><html><head><title>Page {n}</title></head><body><h1 id="part-{n}">P{n}</h1>\n{body}\n</body></html>'


class Seen:
    def __init__(self) -> None:
        self.paths: Counter[str] = Counter()
        self.in_flight = 0
        self.peak = 0


def serve(seen: Seen) -> int:
    """Start the site in a thread; return its port."""

    async def handler(request: web.Request) -> web.StreamResponse:
        seen.paths[request.path] += 1
        seen.in_flight += 1
        seen.peak = max(seen.peak, seen.in_flight)
        try:
            await asyncio.sleep(DELAY)
            path = request.path
            if path == "/docs/":
                return web.Response(text=page(0), content_type="text/html")
            if path.startswith("/docs/page-") and path.endswith(".html"):
                return web.Response(text=page(int(path[len("/docs/page-") : -len(".html")])), content_type="text/html")
            if path == "/docs/logo.png":
                return web.Response(body=b"\x89PNG", content_type="image/png")
            if path == "/outside.html":
                return web.Response(text='<a href="/docs/never-read.html">x</a>', content_type="text/html")
            return web.Response(status=404, text="gone")
        finally:
            seen.in_flight -= 1

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    ready = threading.Event()

    def run() -> None:
        loop = asyncio.new_event_loop()
        runner = web.AppRunner(app, access_log=None)
        loop.run_until_complete(runner.setup())
        loop.run_until_complete(web.SockSite(runner, sock).start())
        ready.set()
        loop.run_forever()

    threading.Thread(target=run, daemon=True).start()
    ready.wait()
    return port


def expected() -> tuple[int, int, int]:
    """Pages reachable from the start, gone pages linked from them, and missing fragments linked."""
    reached, todo = {0}, [0]
    while todo:
        n = todo.pop()
        for k in range(1, 7):
            other = (n * 7 + k * 13) % PAGES
            if other not in reached:
                reached.add(other)
                todo.append(other)
    gone = sum(1 for n in reached if n % 15 == 0)
    missing = len({(n * 7 + 6 * 13) % PAGES for n in reached if n % 10 == 0})
    return len(reached), gone, missing


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    seen = Seen()
    port = serve(seen)
    start = f"http://127.0.0.1:{port}/docs/"  # linkinator follows only links that begin with it
    checkers = {
        "archkb check-links URL --recursive": [
            str(BIN / "archkb"), "check-links", start, "--recursive", "--allow-private", "--no-cache",
            "--root", str(OUT), "--format", "json", "--output", str(OUT / "archkb.json"),
        ],
        "linkinator 7.6.1 --recurse": [str(LINKINATOR), start, "--recurse", "--format", "json", "--timeout", "10000"],
        "linkinator 7.6.1 --recurse --concurrency 4": [
            str(LINKINATOR), start, "--recurse", "--concurrency", "4", "--format", "json", "--timeout", "10000",
        ],
        "LinkChecker (defaults: recursive, 10 threads)": [
            str(BIN / "linkchecker"), "--no-warnings", "--no-status", "--check-extern", "-o", "csv", start,
        ],
    }  # fmt: skip
    if not LINKINATOR.exists():
        checkers = {name: command for name, command in checkers.items() if not name.startswith("linkinator")}
    rounds: dict[str, list[tuple[float, int, int, int, int]]] = {name: [] for name in checkers}
    for _round in range(3):
        for name, command in checkers.items():
            seen.paths.clear()
            seen.peak = 0
            started = time.perf_counter()
            subprocess.run(command, capture_output=True, check=False, cwd=OUT)
            wall = time.perf_counter() - started
            pages = sum(1 for p in seen.paths if p.startswith("/docs/page-")) + ("/docs/" in seen.paths)
            requests = sum(seen.paths.values())
            repeats = sum(n - 1 for p, n in seen.paths.items() if n > 1)
            leaked = seen.paths.get("/docs/never-read.html", 0)
            rounds[name].append((wall, pages, requests, repeats, seen.peak + 1000 * leaked))
    reached, gone, missing = expected()
    report = json.loads((OUT / "archkb.json").read_text(encoding="utf-8"))
    broken = [r for r in report["results"] if r["state"] == "broken"]
    found_gone = sum(1 for r in broken if "/docs/gone-" in r["url"])
    found_missing = sum(1 for r in broken if r["url"].endswith("#missing"))
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Crawling a site: archkb, linkinator, LinkChecker",
        "",
        f"Measured {stamp} on {platform.machine()}, Python {platform.python_version()}, "
        f"`python bench/linkcheck/crawl.py`. {PAGES} pages under `/docs/` on one host, every answer after "
        f"{DELAY * 1000:.0f} ms; {reached} of them reachable from the start, linking {gone} gone pages and "
        f"{missing} missing fragments. Medians of 3 rounds, interleaved; requests and the peak in flight "
        "as the server saw them.",
        "",
        "| Checker | Wall time (s) | Pages fetched | Requests | Asked more than once | Peak in flight |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, values in rounds.items():

        def med(i: int, values: list[tuple[float, int, int, int, int]] = values) -> float:
            return statistics.median(v[i] for v in values)

        lines.append(f"| {name} | {med(0):.2f} | {med(1):.0f} | {med(2):.0f} | {med(3):.0f} | {med(4):.0f} |")
    lines += [
        "",
        f"archkb reported {found_gone} of the {gone} gone pages and {found_missing} of the {missing} missing "
        "fragments as broken, and never read the outside page's links (a peak over 1,000 would say it did).",
        "",
    ]
    (HERE / "crawl.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
