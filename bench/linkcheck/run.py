"""Benchmark: ``archkb check-links`` against linkinator and LinkChecker, in one run.

One command reproduces everything (from the project root, with the virtualenv active)::

    python bench/linkcheck/run.py

It installs linkinator 7.6.1 under ``bench/linkcheck/node`` and LinkChecker into the virtualenv if they
are missing, starts the delayed server on 127.0.0.1 ... 127.0.0.64 (every answer after 50 ms),
generates 200 HTML pages holding 2,000 unique links spread over those hosts (1% of them 404), runs each
checker, and records wall time, requests sent, the per-host peak of requests in flight (seen by the
server), broken links found, and for archkb the requests of a second run with a warm cache. Results go
to ``bench/linkcheck/results.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent.parent
OUT = PROJECT / "bench" / "out" / "linkcheck"
NODE = HERE / "node"
LINKINATOR_VERSION = "7.6.1"
HOSTS = 64
PAGES = 200
LINKS_PER_PAGE = 10
BROKEN_EVERY = 100  # one link in 100 is a 404


def free_port() -> int:
    """A TCP port free on 127.0.0.1 (and, in practice, on the other loopback addresses)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ensure_tools() -> tuple[list[str], list[str]]:
    """Install linkinator and LinkChecker if missing; return their base commands."""
    linkinator = NODE / "node_modules" / ".bin" / "linkinator"
    if not linkinator.exists():
        subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--prefix", str(NODE), f"linkinator@{LINKINATOR_VERSION}"],
            check=True,
        )
    bindir = Path(sys.executable).parent
    linkchecker = bindir / "linkchecker"
    if not linkchecker.exists():
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "linkchecker"], check=True)
    return [str(linkinator)], [str(linkchecker)]


def generate_site(site: Path, port: int) -> int:
    """Write 200 pages with 2,000 unique links over the loopback hosts; return the number of 404s."""
    if site.exists():
        shutil.rmtree(site)
    site.mkdir(parents=True)
    broken = 0
    index = ["<!doctype html><html><body><h1>Bench</h1><ul>"]
    for page in range(PAGES):
        items = []
        for j in range(LINKS_PER_PAGE):
            n = page * LINKS_PER_PAGE + j
            host = f"127.0.0.{1 + n % HOSTS}"
            kind = "missing" if n % BROKEN_EVERY == BROKEN_EVERY - 1 else "doc"
            broken += kind == "missing"
            items.append(f'<li><a href="http://{host}:{port}/{kind}/{n}">link {n}</a></li>')
        (site / f"page-{page:03d}.html").write_text(
            f"<!doctype html><html><head><title>Page {page}</title></head><body>\n"
            f"<h1 id='top'>Page {page}</h1>\n<ul>\n" + "\n".join(items) + "\n</ul>\n</body></html>\n",
            encoding="utf-8",
        )
        index.append(f'<li><a href="page-{page:03d}.html">page {page}</a></li>')
    index.append("</ul></body></html>")
    (site / "index.html").write_text("\n".join(index), encoding="utf-8")
    return broken


def control(port: int, path: str, method: str = "GET") -> dict:
    """Call the server's control endpoint."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method, data=b"" if method == "POST" else None)
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback only
        return json.loads(response.read())


def timed(command: list[str], control_port: int, stdout_path: Path | None = None) -> dict:
    """Run one checker; return wall time, exit code and what the server saw."""
    control(control_port, "/reset", "POST")
    started = time.perf_counter()
    with open(stdout_path, "w") if stdout_path else open(os.devnull, "w") as out:
        proc = subprocess.run(command, stdout=out, stderr=subprocess.PIPE, text=True, env={**os.environ, "CI": "true"})
    seconds = time.perf_counter() - started
    seen = control(control_port, "/stats")
    return {"seconds": seconds, "exit": proc.returncode, "stderr": proc.stderr[-2000:], **seen}


def broken_archkb(path: Path) -> int:
    data = json.loads(path.read_text())
    return data["summary"]["broken"]


def broken_linkinator(path: Path) -> int:
    data = json.loads(path.read_text())
    return len({link["url"] for link in data.get("links", []) if link.get("state") == "BROKEN"})


def broken_linkchecker(path: Path) -> int:
    urls = set()
    for line in path.read_text(errors="replace").splitlines():
        if line.startswith("#") or not line.strip() or line.startswith("urlname"):
            continue
        fields = line.split(";")
        if len(fields) > 9 and fields[9].strip().lower() == "false" or "404" in line:
            urls.add(fields[0])
    return len(urls)


def main() -> None:
    """Run the benchmark and write the results."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3, help="Timed rounds of archkb and linkinator (median kept).")
    parser.add_argument("--skip-linkchecker", action="store_true", help="Leave LinkChecker out (it is slow).")
    args = parser.parse_args()

    linkinator, linkchecker = ensure_tools()
    OUT.mkdir(parents=True, exist_ok=True)
    port, control_port = free_port(), free_port()
    site = OUT / "site"
    expected_broken = generate_site(site, port)
    server = subprocess.Popen(
        [sys.executable, str(HERE / "server.py"), "--port", str(port), "--control", str(control_port),
         "--hosts", str(HOSTS), "--delay", "0.05"],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        if server.stdout.readline().strip() != "ready":
            raise SystemExit("the bench server did not start")
        archkb = str(Path(sys.executable).parent / "archkb")
        cache = OUT / "archkb-cache.json"
        archkb_cmd = [archkb, "check-links", str(site), "--root", str(OUT), "--allow-private",
                      "--cache", str(cache), "--format", "json", "--output", str(OUT / "archkb.json")]
        linkinator_cmd = [*linkinator, str(site), "--recurse", "--format", "json", "--timeout", "10000"]
        linkchecker_cmd = [*linkchecker, "--check-extern", "--no-warnings", "--no-status", "-o", "csv",
                           (site / "index.html").as_uri()]

        runs: dict[str, list[dict]] = {"archkb": [], "archkb-warm": [], "linkinator": [], "linkchecker": []}
        for _ in range(args.rounds):
            cache.unlink(missing_ok=True)
            cold = timed(archkb_cmd, control_port)
            cold["broken"] = broken_archkb(OUT / "archkb.json")
            runs["archkb"].append(cold)
            warm = timed(archkb_cmd, control_port)
            warm["broken"] = broken_archkb(OUT / "archkb.json")
            runs["archkb-warm"].append(warm)
            lk = timed(linkinator_cmd, control_port, OUT / "linkinator.json")
            lk["broken"] = broken_linkinator(OUT / "linkinator.json")
            runs["linkinator"].append(lk)
        if not args.skip_linkchecker:
            lc = timed(linkchecker_cmd, control_port, OUT / "linkchecker.csv")
            lc["broken"] = broken_linkchecker(OUT / "linkchecker.csv")
            runs["linkchecker"].append(lc)
    finally:
        server.terminate()
        server.wait(timeout=10)

    write_results(runs, expected_broken, archkb_cmd, linkinator_cmd, linkchecker_cmd)


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def write_results(runs: dict[str, list[dict]], expected_broken: int, *commands: list[str]) -> None:
    """Write results.md and print it."""
    def short(command: list[str]) -> str:
        """The command with the tool's bare name and project-relative paths."""
        parts = [Path(command[0]).name] + command[1:]
        return " ".join(parts).replace(PROJECT.as_uri() + "/", "file://").replace(str(PROJECT) + "/", "")

    lines = [
        "# Link checker benchmark results",
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {platform.machine()}, "
        f"{os.cpu_count()} CPUs (load average {os.getloadavg()[0]:.1f} at the end), "
        f"Python {platform.python_version()}, `python bench/linkcheck/run.py`.",
        f"{PAGES} pages, {PAGES * LINKS_PER_PAGE} unique links over {HOSTS} loopback hosts, "
        f"{expected_broken} of them 404; every answer after 50 ms.",
        "Wall time is the median of the rounds (all rounds listed); requests and the per-host peak are",
        "what the server saw.",
        "",
        "| Checker | Wall time (s) | Rounds (s) | Requests | Per-host peak in flight | Broken found | Exit |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: |",
    ]
    for name, label in (("archkb", "archkb check-links (cold cache)"), ("archkb-warm", "archkb check-links (warm cache)"),
                        ("linkinator", f"linkinator {LINKINATOR_VERSION}"), ("linkchecker", "LinkChecker")):
        rs = runs.get(name) or []
        if not rs:
            continue
        med = _median([r["seconds"] for r in rs])
        rounds = ", ".join(f"{r['seconds']:.2f}" for r in rs)
        last = rs[-1]
        lines.append(f"| {label} | {med:.2f} | {rounds} | {last['requests']} | {max(r['peak_per_host'] for r in rs)} "
                     f"| {last['broken']} | {last['exit']} |")
    a, lk = runs.get("archkb"), runs.get("linkinator")
    if a and lk:
        ratio = _median([r["seconds"] for r in lk]) / _median([r["seconds"] for r in a])
        lines += ["", f"archkb (cold) is **{ratio:.1f}x** as fast as linkinator in this run."]
    lines += ["", "Commands (paths relative to the project root):", ""]
    lines += [f"- `{short(c)}`" for c in commands]
    lines += ["", "archkb runs with its defaults: `--per-host 4`, `--concurrency 128`, HEAD first.", ""]
    text = "\n".join(lines)
    (HERE / "results.md").write_text(text, encoding="utf-8")
    print(text)
    (OUT / "results.json").write_text(json.dumps(runs, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
