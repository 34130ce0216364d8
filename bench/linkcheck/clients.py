"""Micro-benchmark: aiohttp against httpx for the link checker's job (many HEADs over many hosts).

Run (from the project root, virtualenv active): ``python bench/linkcheck/clients.py``.

Starts the delayed bench server (64 loopback hosts, 50 ms per answer), then sends 2,000 HEAD requests
with each client under the same limits as ``archkb check-links`` (128 in flight, 4 per host), and
prints wall time and CPU time of the client process, and writes them to ``clients.md``.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from run import HOSTS, free_port  # noqa: E402

N = 2000


def urls(port: int) -> list[str]:
    """2,000 unique URLs over the loopback hosts."""
    return [f"http://127.0.0.{1 + n % HOSTS}:{port}/doc/{n}" for n in range(N)]


async def bounded(targets: list[str], send) -> int:
    """Send every URL through per-host and global semaphores; return the number of 200s."""
    total = asyncio.Semaphore(128)
    hosts: dict[str, asyncio.Semaphore] = defaultdict(lambda: asyncio.Semaphore(4))

    async def one(url: str) -> int:
        host = url.split("/")[2]
        async with hosts[host], total:
            return await send(url)

    return sum(1 for status in await asyncio.gather(*(one(u) for u in targets)) if status == 200)


async def with_aiohttp(targets: list[str]) -> int:
    import aiohttp

    connector = aiohttp.TCPConnector(limit=128, limit_per_host=4)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def send(url: str) -> int:
            async with session.head(url, allow_redirects=False) as response:
                return response.status

        return await bounded(targets, send)


async def with_httpx(targets: list[str]) -> int:
    import httpx

    limits = httpx.Limits(max_connections=128, max_keepalive_connections=128)
    async with httpx.AsyncClient(limits=limits, timeout=10) as client:

        async def send(url: str) -> int:
            response = await client.head(url)
            return response.status_code

        return await bounded(targets, send)


def measure(name: str, func, targets: list[str]) -> tuple[str, float, float, int]:
    """Run one client; return (name, wall seconds, CPU seconds, 200s)."""
    cpu, wall = time.process_time(), time.perf_counter()
    ok = asyncio.run(func(targets))
    return name, time.perf_counter() - wall, time.process_time() - cpu, ok


def main() -> None:
    """Start the server, measure both clients three times each, print a Markdown table."""
    port, control = free_port(), free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            str(HERE / "server.py"),
            "--port",
            str(port),
            "--control",
            str(control),
            "--hosts",
            str(HOSTS),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout.readline().strip() == "ready"
        targets = urls(port)
        rows = []
        for _ in range(3):
            rows.append(measure("aiohttp", with_aiohttp, targets))
            rows.append(measure("httpx", with_httpx, targets))
    finally:
        server.terminate()
        server.wait(timeout=10)
    lines = [
        "# aiohttp against httpx for link checking",
        "",
        f"{N} HEAD requests over {HOSTS} loopback hosts (50 ms per answer), 128 in flight, 4 per host;",
        "`python bench/linkcheck/clients.py`. CPU is the client process's own time.",
        "",
        "| Client | Wall (s), 3 rounds | CPU (s), 3 rounds | 200s |",
        "| --- | --- | --- | ---: |",
    ]
    for name in ("aiohttp", "httpx"):
        mine = [r for r in rows if r[0] == name]
        wall = ", ".join(f"{r[1]:.2f}" for r in mine)
        cpu = ", ".join(f"{r[2]:.2f}" for r in mine)
        lines.append(f"| {name} | {wall} | {cpu} | {mine[-1][3]} |")
    text = "\n".join(lines) + "\n"
    (HERE / "clients.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
