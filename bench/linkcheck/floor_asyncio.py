"""The floor of any Python link checker on the bench farm: asyncio streams, no HTTP library at all.

Run by ``run.py`` beside ``floor.py``: ``python bench/linkcheck/floor_asyncio.py SITE``. It sends
the requests archkb sends (HEAD, and GET again when HEAD gets 400 or more) as hand-written HTTP/1.1
over keep-alive connections: 4 per host, 128 requests in flight in all. Plain HTTP only, no TLS,
no redirects, no guard, no cache, no report; only the farm's well-behaved server makes it work.
It is a measuring stick, not a checker: what the interpreter and its event loop cost with nothing
else. It prints the number of broken links.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from urllib.parse import urlsplit

from hrefs import site_urls


async def check(urls: list[str], per_host: int = 4, concurrency: int = 128) -> int:
    """HEAD (then GET on 400+) every URL; return how many stayed 400 or more."""
    by_host: dict[tuple[str, int], list[str]] = {}
    for url in urls:
        parts = urlsplit(url)
        by_host.setdefault((parts.hostname or "", parts.port or 80), []).append(parts.path or "/")
    gate = asyncio.Semaphore(concurrency)
    broken = 0

    async def connection(host: str, port: int, paths: list[str]) -> None:
        nonlocal broken
        reader, writer = await asyncio.open_connection(host, port)
        while paths:
            path = paths.pop()
            status = 0
            async with gate:
                for method in ("HEAD", "GET"):
                    writer.write(f"{method} {path} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode())
                    await writer.drain()
                    status = int((await reader.readline()).split()[1])
                    length = 0
                    while (line := await reader.readline()) not in (b"\r\n", b""):
                        if line.lower().startswith(b"content-length:"):
                            length = int(line.split(b":", 1)[1])
                    if method == "GET" and length:
                        await reader.readexactly(length)
                    if status < 400:
                        break
            broken += status >= 400
        writer.close()

    await asyncio.gather(*(connection(h, p, paths) for (h, p), paths in by_host.items() for _ in range(per_host)))
    return broken


def main() -> None:
    """Check the links of the site folder given as the only argument."""
    print(asyncio.run(check(site_urls(Path(sys.argv[1])))))


if __name__ == "__main__":
    main()
