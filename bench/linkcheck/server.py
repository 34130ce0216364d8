"""The benchmark's delayed server: one port on 127.0.0.1 ... 127.0.0.N, every answer after a delay.

Run: ``python bench/linkcheck/server.py --port 8900 --control 8999 --hosts 64 --delay 0.05``.
With ``--tls-ca FILE`` every host serves HTTPS, its certificate issued by a new local authority
(trustme) whose certificate is written to FILE, for the checkers to trust (``SSL_CERT_FILE``).
``GET http://127.0.0.1:<control>/stats`` returns what was seen since the last ``POST /reset``:
requests in total and per host, the peak of requests in flight per host and in total.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ssl
from collections import Counter

from aiohttp import web

PAGE = b"<!doctype html><html><head><title>doc</title></head><body><h1 id='top'>Doc</h1></body></html>"


class Seen:
    """Counters since the last reset."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Forget everything."""
        self.requests: Counter[str] = Counter()
        self.in_flight: Counter[str] = Counter()
        self.peak: Counter[str] = Counter()
        self.paths: Counter[str] = Counter()
        self.total_in_flight = 0
        self.total_peak = 0
        self.first: float | None = None  # loop time of the first request since the reset
        self.last = 0.0  # and of the last answer


def make_app(seen: Seen, delay: float) -> web.Application:
    """The application served on every loopback address."""

    async def handler(request: web.Request) -> web.Response:
        host = request.transport.get_extra_info("sockname")[0] if request.transport else "?"
        seen.requests[host] += 1
        seen.paths[request.path.split("/")[1] if "/" in request.path else request.path] += 1
        seen.in_flight[host] += 1
        seen.peak[host] = max(seen.peak[host], seen.in_flight[host])
        seen.total_in_flight += 1
        seen.total_peak = max(seen.total_peak, seen.total_in_flight)
        if seen.first is None:
            seen.first = asyncio.get_running_loop().time()
        try:
            await asyncio.sleep(delay)
            if request.path.startswith("/missing/"):
                return web.Response(status=404, text="not found")
            if request.path.startswith("/nohead/") and request.method == "HEAD":  # as many servers do
                return web.Response(status=405, headers={"Allow": "GET"})
            if request.path == "/robots.txt":
                return web.Response(status=404, text="no robots.txt")
            return web.Response(body=PAGE, content_type="text/html")
        finally:
            seen.in_flight[host] -= 1
            seen.total_in_flight -= 1
            seen.last = asyncio.get_running_loop().time()

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    return app


def make_control(seen: Seen) -> web.Application:
    """The control application (stats and reset) on 127.0.0.1:<control>."""

    async def stats(request: web.Request) -> web.Response:
        return web.json_response(
            {
                "requests": sum(seen.requests.values()),
                "hosts": len(seen.requests),
                "peak_per_host": max(seen.peak.values(), default=0),
                "peak_total": seen.total_peak,
                # From the first request to the last answer: the network phase, without start-up.
                "span": round(seen.last - seen.first, 3) if seen.first is not None else 0.0,
                # The same two instants on the monotonic clock every process on this machine shares,
                # so the runner can tell start-up (before the first request) from finishing (after
                # the last answer).
                "first": seen.first,
                "last": seen.last if seen.first is not None else None,
                "paths": dict(seen.paths),
            }
        )

    async def reset(request: web.Request) -> web.Response:
        seen.reset()
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_get("/stats", stats)
    app.router.add_post("/reset", reset)
    return app


def tls_context(hosts: int, ca_file: str) -> ssl.SSLContext:
    """A server context whose certificate names 127.0.0.1 ... 127.0.0.N; its authority goes to ``ca_file``."""
    import trustme

    authority = trustme.CA()
    authority.cert_pem.write_to_path(ca_file)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert(*(f"127.0.0.{i}" for i in range(1, hosts + 1))).configure_cert(context)
    return context


async def serve(port: int, control: int, hosts: int, delay: float, ca_file: str | None = None) -> None:
    """Serve until cancelled (over HTTPS when ``ca_file`` is given)."""
    seen = Seen()
    runner = web.AppRunner(make_app(seen, delay), access_log=None)
    await runner.setup()
    tls = tls_context(hosts, ca_file) if ca_file else None
    for i in range(1, hosts + 1):
        await web.TCPSite(runner, f"127.0.0.{i}", port, backlog=1024, ssl_context=tls).start()
    control_runner = web.AppRunner(make_control(seen), access_log=None)
    await control_runner.setup()
    await web.TCPSite(control_runner, "127.0.0.1", control).start()
    print("ready", flush=True)
    await asyncio.Event().wait()


def main() -> None:
    """Parse arguments and serve."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8900)
    parser.add_argument("--control", type=int, default=8999)
    parser.add_argument("--hosts", type=int, default=64)
    parser.add_argument("--delay", type=float, default=0.05)
    parser.add_argument("--tls-ca", metavar="FILE", help="serve HTTPS; write the certificate authority to FILE")
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.port, args.control, args.hosts, args.delay, args.tls_ca))


if __name__ == "__main__":
    main()
