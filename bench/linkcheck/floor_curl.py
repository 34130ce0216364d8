"""The floor of a Python link checker on a compiled HTTP client: libcurl (pycurl's multi interface).

Run by ``run.py`` beside ``floor.py`` and ``floor_asyncio.py``: ``python bench/linkcheck/floor_curl.py
SITE``. It sends the requests archkb sends (HEAD, and GET again when HEAD gets 400 or more) through
one libcurl multi handle, so that connecting, writing, parsing answers, keep-alive and TLS all run
in C; Python only chooses what to send next and reads the statuses. The choosing is archkb's: a
request goes out whenever one of the 128 slots is free, to the host with the most links left of
those with fewer than 4 in flight (libcurl's own ``CURLMOPT_MAX_HOST_CONNECTIONS`` is 4 as well, so
no host is ever sent more). libcurl's connection cache holds 256, one for each of the 64 hosts'
4 connections: with 128 it closed idle connections to open new ones, and took a fifth longer.

No redirects, no guard, no cache, no report: what is left is the interpreter, pycurl's import and
the requests. It answers "what would a checker whose HTTP is compiled cost here". It prints the
number of broken links.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pycurl
from hrefs import site_urls


def _discard(data: bytes) -> None:
    """A GET's body is not needed: libcurl reads it (the connection stays usable) and drops it."""


def check(urls: list[str], per_host: int = 4, concurrency: int = 128) -> int:
    """HEAD (then GET on 400+) every URL; return how many stayed 400 or more (or failed)."""
    queues: dict[str, list[str]] = {}
    for url in reversed(urls):  # popped from the end: file order
        queues.setdefault(urlsplit(url).netloc, []).append(url)
    active = dict.fromkeys(queues, 0)
    multi = pycurl.CurlMulti()
    multi.setopt(pycurl.M_MAX_HOST_CONNECTIONS, per_host)
    multi.setopt(pycurl.M_MAXCONNECTS, len(queues) * per_host)
    ca = os.environ.get("SSL_CERT_FILE")  # the bench's local authority under --tls
    spare: list[pycurl.Curl] = []
    owner: dict[pycurl.Curl, tuple[str, str, bool]] = {}
    broken = 0

    def send(host: str, url: str, get: bool) -> None:
        handle = spare.pop() if spare else pycurl.Curl()
        handle.setopt(pycurl.URL, url)
        if ca:
            handle.setopt(pycurl.CAINFO, ca)
        if get:
            handle.setopt(pycurl.HTTPGET, 1)
            handle.setopt(pycurl.WRITEFUNCTION, _discard)
        else:
            handle.setopt(pycurl.NOBODY, 1)
        owner[handle] = (host, url, get)
        active[host] += 1
        multi.add_handle(handle)

    def fill() -> None:
        while len(owner) < concurrency:
            waiting = [(len(q), h) for h, q in queues.items() if q and active[h] < per_host]
            if not waiting:
                return
            host = max(waiting)[1]
            send(host, queues[host].pop(), get=False)

    fill()
    while owner:
        while multi.perform()[0] == pycurl.E_CALL_MULTI_PERFORM:
            pass
        while True:
            queued, ok, failed = multi.info_read()
            for handle, error in [(h, False) for h in ok] + [(h, True) for h, _code, _msg in failed]:
                multi.remove_handle(handle)
                host, url, get = owner.pop(handle)
                active[host] -= 1
                status = 0 if error else handle.getinfo(pycurl.RESPONSE_CODE)
                if status >= 400 and not get:
                    send(host, url, get=True)  # the GET follows its HEAD at once, as archkb's does
                else:
                    broken += error or status >= 400
                spare.append(handle)
            if not queued:
                break
        fill()
        if owner:
            multi.select(1.0)
    return broken


def main() -> None:
    """Check the links of the site folder given as the only argument."""
    print(check(site_urls(Path(sys.argv[1]))))


if __name__ == "__main__":
    main()
