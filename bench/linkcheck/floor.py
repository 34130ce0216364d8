"""The floor of a Python link checker on the bench farm: aiohttp with nothing else around it.

Run by ``run.py`` beside the real checkers: ``python bench/linkcheck/floor.py SITE``. It finds the
``href="http...`` values of every HTML file under SITE with a regular expression, then sends the
requests archkb sends (HEAD, and GET again when HEAD gets 400 or more) with the same politeness:
at most 4 in flight per host (aiohttp's own per-host limit) and 128 in all. No cache, no report, no
private-address guard, no redirects judged, no fragments: what is left is the interpreter, the
import of aiohttp and the requests, which any checker built on aiohttp pays. It prints the number
of broken links.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import aiohttp
from hrefs import site_urls


async def check(urls: list[str], per_host: int = 4, concurrency: int = 128) -> int:
    """HEAD (then GET on 400+) every URL; return how many stayed 400 or more."""
    connector = aiohttp.TCPConnector(limit=0, limit_per_host=per_host)
    gate = asyncio.Semaphore(concurrency)
    broken = 0
    async with aiohttp.ClientSession(connector=connector) as session:
        queue = list(reversed(urls))

        async def worker() -> None:
            nonlocal broken
            while queue:
                url = queue.pop()
                status = 0
                for method in ("HEAD", "GET"):
                    async with gate, session.request(method, url, allow_redirects=False) as response:
                        status = response.status
                    if status < 400:
                        break
                broken += status >= 400

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return broken


def main() -> None:
    """Check the links of the site folder given as the only argument."""
    print(asyncio.run(check(site_urls(Path(sys.argv[1])))))


if __name__ == "__main__":
    main()
