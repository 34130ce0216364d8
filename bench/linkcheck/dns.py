"""Benchmark: name lookups, archkb's resolver against aiohttp's ``ThreadedResolver``, in one run.

Run (from the project root, virtualenv active): ``python bench/linkcheck/dns.py``.

The bench farm's links name IP addresses, so no checker looks a name up there. A real reading list
names hosts (this project's: 272 links on 105 hosts), and every host costs a lookup before its first
request. This runs the checker in-process (``check_urls``) on 105 named hosts, three links each,
served by the bench server on 127.0.0.1 ... 127.0.0.64 (every answer after 50 ms), with
``socket.getaddrinfo`` replaced by a stand-in for a name server: each lookup takes ``--lookup``
seconds (30 ms; ``time.sleep``, which, like a real lookup, leaves the interpreter to the other
threads), and in the second case 8 more hosts, spread among the others, are dead domains whose lookups never finish before
``--dead`` seconds (15 s, as the C library retrying a name server that does not answer). Each
case is run with archkb's resolver (every lookup on a thread of its own) and with aiohttp's
``ThreadedResolver``, which runs lookups in the event loop's default pool (``min(32, CPUs + 4)``
threads, 6 on 2 cores): that resolver is what archkb used before. The checker's defaults
otherwise (10 s a try, 1 retry). Results go to ``dns.md``: wall time (``check_urls`` returning,
which includes ``asyncio.run`` waiting for its pool), the live hosts not found ``ok``, and the
peak of lookups in flight.
"""

from __future__ import annotations

import argparse
import os
import platform
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from run import HOSTS, control, free_port  # noqa: E402

LIVE_HOSTS = 105
LINKS_PER_HOST = 3
DEAD_HOSTS = 8

_REAL = socket.getaddrinfo


class NameServer:
    """``socket.getaddrinfo`` for ``*.live.bench`` (after ``lookup`` s) and ``*.dead.bench`` (never
    before ``dead`` s); other names go to the real one."""

    def __init__(self, lookup: float, dead: float) -> None:
        self.lookup, self.dead = lookup, dead
        self.lock = threading.Lock()
        self.now = 0
        self.peak = 0

    def __call__(self, host, port, *args, **kwargs):
        name = str(host)
        if not name.endswith((".live.bench", ".dead.bench")):
            return _REAL(host, port, *args, **kwargs)
        with self.lock:
            self.now += 1
            self.peak = max(self.peak, self.now)
        try:
            if name.endswith(".dead.bench"):
                time.sleep(self.dead)
                raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
            time.sleep(self.lookup)
            number = int(name.split(".", 1)[0][1:])
            return _REAL(f"127.0.0.{1 + number % HOSTS}", port, *args, **kwargs)
        finally:
            with self.lock:
                self.now -= 1


def one_case(resolver: str, dead_hosts: int, port: int, lookup: float, dead: float) -> dict:
    """Check the links once with ``resolver`` ("archkb" or "threaded"); return what was seen."""
    from archkb.linkcheck import Link, Settings, State, check_urls

    links = [
        Link(f"http://h{n}.live.bench:{port}/doc/{n}-{k}", f"page.md:{n}")
        for n in range(LIVE_HOSTS)
        for k in range(LINKS_PER_HOST)
    ]
    for n in range(dead_hosts):  # spread among the live ones, as a reading list's dead domains are
        links.insert(n * len(links) // dead_hosts, Link(f"http://d{n}.dead.bench:{port}/doc/{n}", f"page.md:{n}"))
    settings = Settings(allow_private=True, no_cache=True, cache_path=None)
    server = NameServer(lookup, dead)
    socket.getaddrinfo = server
    try:
        started = time.monotonic()
        inner = None
        if resolver == "threaded":
            inner = _Threaded()  # made inside the run's loop, as the client used to
        report = check_urls(links, settings, resolver=inner)
        wall = time.monotonic() - started
    finally:
        socket.getaddrinfo = _REAL
        # Let the stand-in's sleeping dead lookups end before the next case (archkb left them).
        deadline = time.monotonic() + dead + 1
        while server.now and time.monotonic() < deadline:
            time.sleep(0.05)
    live_not_ok = sum(1 for r in report.results if ".live.bench" in r.url and r.state is not State.OK)
    return {"wall": wall, "live_not_ok": live_not_ok, "peak": server.peak, "links": len(links)}


class _Threaded:
    """aiohttp's ``ThreadedResolver``, created on first use inside the checker's event loop."""

    def __init__(self) -> None:
        self._inner = None

    async def resolve(self, host, port=0, family=socket.AF_INET):
        import aiohttp

        if self._inner is None:
            self._inner = aiohttp.ThreadedResolver()
        return await self._inner.resolve(host, port, family)

    async def close(self) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lookup", type=float, default=0.03, help="seconds a live name's lookup takes")
    parser.add_argument("--dead", type=float, default=15.0, help="seconds before a dead name's lookup fails")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the case without dead hosts")
    args = parser.parse_args()
    port, control_port = free_port(), free_port()
    command = [sys.executable, str(HERE / "server.py"), "--port", str(port), "--control", str(control_port)]
    command += ["--hosts", str(HOSTS), "--delay", "0.05"]
    farm = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert farm.stdout is not None
    assert farm.stdout.readline().strip() == "ready"
    rows: list[tuple[str, str, dict]] = []
    try:
        healthy: dict[str, list[dict]] = {"archkb": [], "threaded": []}
        for _ in range(args.rounds):
            for resolver in healthy:
                control(control_port, "/reset", "POST")
                healthy[resolver].append(one_case(resolver, 0, port, args.lookup, args.dead))
        for resolver, runs in healthy.items():
            runs.sort(key=lambda r: r["wall"])
            rows.append(
                (
                    f"{LIVE_HOSTS} hosts, every lookup {args.lookup * 1000:g} ms",
                    resolver,
                    {**runs[len(runs) // 2], "rounds": runs},
                )
            )
        for resolver in ("archkb", "threaded"):
            control(control_port, "/reset", "POST")
            result = one_case(resolver, DEAD_HOSTS, port, args.lookup, args.dead)
            rows.append((f"the same and {DEAD_HOSTS} dead domains", resolver, {**result, "rounds": [result]}))
    finally:
        farm.terminate()
    write(rows, args)


NAMES = {
    "archkb": "archkb (`SystemResolver`: a thread a lookup)",
    "threaded": "aiohttp `ThreadedResolver` (the loop's default pool; archkb before)",
}


def write(rows: list[tuple[str, str, dict]], args: argparse.Namespace) -> None:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Name lookups: archkb's resolver against aiohttp's ThreadedResolver",
        "",
        f"Measured {when} on {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()},"
        " `python bench/linkcheck/dns.py`.",
        f"{LIVE_HOSTS} named hosts, {LINKS_PER_HOST} links each, every lookup after {args.lookup * 1000:g} ms,"
        f" every answer after 50 ms; dead domains' lookups fail after {args.dead:g} s. The checker's defaults"
        " (10 s a try, 1 retry, 128 in flight, 4 per host).",
        "",
        "| Case | Resolver | Wall time (s) | Rounds (s) | Live links not ok | Peak lookups at once |",
        "| --- | --- | ---: | --- | ---: | ---: |",
    ]
    for case, resolver, r in rows:
        rounds = ", ".join(f"{x['wall']:.2f}" for x in r["rounds"])
        lines.append(f"| {case} | {NAMES[resolver]} | {r['wall']:.2f} | {rounds} | {r['live_not_ok']} | {r['peak']} |")
    by = {(case, resolver): r for case, resolver, r in rows}
    lines.append("")
    for case in dict.fromkeys(case for case, _, _ in rows):
        ours, theirs = by[(case, "archkb")], by[(case, "threaded")]
        lines.append(f"{case}: archkb takes **{ours['wall'] / theirs['wall']:.2f}x** the time with its resolver.")
        lines.append("")
    (HERE / "dns.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
