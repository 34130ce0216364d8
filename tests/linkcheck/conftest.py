"""Fixtures for the link checker tests: a local aiohttp server on 127.0.0.1 and a fake resolver.

Nothing here touches the real network or real DNS.
"""

from __future__ import annotations

import asyncio
import functools
import gzip
import socket
import ssl
import time
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
import trustme
from aiohttp import web
from aiohttp.abc import AbstractResolver

from archkb.linkcheck import Settings

PAGE = """<!doctype html>
<html><head><title>t</title></head>
<body>
<h1 id="top">Top</h1>
<h2 id="present">Present</h2>
<a name="legacy"></a>
<div id="user-content-readme">x</div>
</body></html>
"""


@functools.cache
def gzip_bomb(megabytes: int = 256) -> bytes:
    """An HTML page of ``megabytes`` MiB of zeros, gzip-compressed (about 1 KiB a MiB)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)  # 16 +: the gzip wrapper
    block = b"\0" * (1 << 20)
    parts = [packer.compress(b"<!doctype html><html><body><p>")]
    parts += [packer.compress(block) for _ in range(megabytes)]
    return b"".join([*parts, packer.flush()])


@dataclass
class ServerState:
    """What the test server saw."""

    hits: Counter = field(default_factory=Counter)
    methods: list[tuple[str, str]] = field(default_factory=list)
    in_flight: int = 0
    peak: int = 0
    path_in_flight: Counter = field(default_factory=Counter)
    path_peak: Counter = field(default_factory=Counter)
    bytes_sent: Counter = field(default_factory=Counter)
    hit_times: dict[str, list[float]] = field(default_factory=dict)
    starts: list[float] = field(default_factory=list)
    auth: list[tuple[str, str, str | None]] = field(default_factory=list)  # (Host header, path, Authorization)
    archive_asked: list[str] = field(default_factory=list)  # the url= of every availability API request
    snapshots: dict[str, str] = field(default_factory=dict)  # url -> snapshot the fake API knows
    peers: list[tuple[str, int]] = field(default_factory=list)  # the client's address, per request
    headers: list[dict[str, str]] = field(default_factory=list)  # every request's headers, names lower-cased


class FakeResolver(AbstractResolver):
    """Resolves names from a table (an address or a list of them); every other name fails like a
    name that does not exist. ``calls`` lists the names asked, in order."""

    def __init__(self, table: dict[str, str | list[str]]) -> None:
        self.table = table
        self.calls: list[str] = []

    async def resolve(self, host, port=0, family=socket.AF_INET):
        self.calls.append(host)
        address = self.table.get(host)
        if address is None:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        addresses = [address] if isinstance(address, str) else list(address)
        return [
            {
                "hostname": host,
                "host": a,
                "port": port,
                "family": socket.AF_INET6 if ":" in a else socket.AF_INET,
                "proto": 0,
                "flags": 0,
            }
            for a in addresses
        ]

    async def close(self) -> None:
        return None


def make_app(state: ServerState) -> web.Application:
    """Build the application with one route per behaviour under test."""

    @web.middleware
    async def count(request: web.Request, handler):
        state.hits[request.path] += 1
        state.methods.append((request.method, request.path))
        state.peers.append(request.transport.get_extra_info("peername")[:2] if request.transport else ("?", 0))
        state.hit_times.setdefault(request.path, []).append(asyncio.get_running_loop().time())
        state.starts.append(asyncio.get_running_loop().time())
        state.auth.append((request.host, request.path, request.headers.get("Authorization")))
        state.headers.append({name.lower(): value for name, value in request.headers.items()})
        state.in_flight += 1
        state.peak = max(state.peak, state.in_flight)
        state.path_in_flight[request.path] += 1
        state.path_peak[request.path] = max(state.path_peak[request.path], state.path_in_flight[request.path])
        try:
            return await handler(request)
        finally:
            state.in_flight -= 1
            state.path_in_flight[request.path] -= 1

    app = web.Application(middlewares=[count])

    async def ok(request):
        return web.Response(text=PAGE, content_type="text/html")

    async def status(request):
        return web.Response(status=int(request.match_info["code"]), text="x")

    def redirect(code: int, to: str):
        async def handler(request):
            return web.Response(status=code, headers={"Location": to})

        return handler

    async def redirect_to(request):
        return web.Response(status=302, headers={"Location": request.query["to"]})

    async def head405(request):
        if request.method == "HEAD":
            return web.Response(status=405)
        return web.Response(text=PAGE, content_type="text/html")

    async def loop_a(request):
        return web.Response(status=302, headers={"Location": "/loop-b"})

    async def loop_b(request):
        return web.Response(status=302, headers={"Location": "/loop-a"})

    async def hang(request):
        await asyncio.sleep(30)
        return web.Response(text="late")

    async def slow(request):
        await asyncio.sleep(0.05)
        return web.Response(text=PAGE, content_type="text/html")

    def once(status: int, headers: dict[str, str] | Callable[[], dict[str, str]] | None = None):
        """A route that answers its first request with ``status`` and ``headers`` (or what a function
        makes of them at that moment), and every later one with the page."""

        async def handler(request):
            if state.hits[request.path] == 1:
                return web.Response(status=status, headers=headers() if callable(headers) else headers)
            return web.Response(text=PAGE, content_type="text/html")

        return handler

    async def rate_limited_always(request):
        return web.Response(status=429, headers={"Retry-After": "0"})

    async def spent(request):
        """A page whose answer says the client has no requests left for a second."""
        return web.Response(
            text=PAGE, content_type="text/html", headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset-After": "1"}
        )

    async def cookie_gate(request):
        """A page that first sends a visitor without its cookie to get one (as Medium's custom
        domains and some publishers do): a client that keeps no cookies goes round for ever."""
        if request.cookies.get("seen") == "1":
            return web.Response(text=PAGE, content_type="text/html")
        raise web.HTTPFound(f"/set-cookie?back={request.path}")

    async def set_cookie(request):
        response = web.HTTPFound(request.query.get("back", "/ok"))
        response.set_cookie("seen", "1", path="/")
        raise response

    async def cookie_then_away(request):
        """Sets a cookie, then sends the client to another host name (same server)."""
        response = web.HTTPFound(f"http://other.test:{request.url.port}/ok")
        response.set_cookie("token", "secret", path="/")
        raise response

    async def cookie_loop(request):
        """Sets the same cookie and sends the client back here, every time: a loop all the same."""
        response = web.HTTPFound(request.path)
        response.set_cookie("n", "1", path="/")
        raise response

    async def sets_cookie(request):
        response = web.Response(text=PAGE, content_type="text/html")
        response.set_cookie("visit", request.path, path="/")
        return response

    async def head_fails(request):
        """HEAD hangs (``/head-fails/hang``) or fails (``/head-fails/500``); GET answers with the page."""
        if request.method == "HEAD":
            if request.match_info["how"] == "hang":
                await asyncio.sleep(3600)
            return web.Response(status=500)
        return web.Response(text=PAGE, content_type="text/html")

    async def retry_after_an_hour(request):
        return web.Response(status=429, headers={"Retry-After": "3600"})

    async def limited_for_an_hour(request):
        return web.Response(status=429, headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "3600"})

    async def bot_wall(request):
        return web.Response(status=403, headers={"cf-mitigated": "challenge"}, text="Just a moment")

    async def bot_wall_503(request):
        return web.Response(status=503, headers={"cf-mitigated": "challenge"}, text="Just a moment")

    async def huge(request):
        """200 MB of HTML, streamed; HEAD is refused so that the checker must GET it."""
        if request.method == "HEAD":
            return web.Response(status=405)
        response = web.StreamResponse(headers={"Content-Type": "text/html"})
        response.content_length = 200 * 1024 * 1024
        await response.prepare(request)
        chunk = b"<p>" + b"x" * (64 * 1024 - 7) + b"</p>\n"
        try:
            for _ in range(200 * 16):
                await response.write(chunk)
                state.bytes_sent[request.path] += len(chunk)
        except (ConnectionResetError, ConnectionError):
            pass
        return response

    async def late_body(request):
        """8 KiB of HTML sent 50 ms after the headers (as a page does over a real network); HEAD refused."""
        if request.method == "HEAD":
            return web.Response(status=405)
        response = web.StreamResponse(headers={"Content-Type": "text/html"})
        response.content_length = 8 * 1024
        await response.prepare(request)
        await asyncio.sleep(0.05)
        await response.write(b"x" * (8 * 1024))
        return response

    async def gzipped(request):
        """The test page, gzip-encoded, as most servers send HTML."""
        headers = {"Content-Encoding": "gzip", "Content-Type": "text/html; charset=utf-8"}
        return web.Response(body=gzip.compress(PAGE.encode()), headers=headers)

    legacy = "<!doctype html><html><head>{meta}<title>t</title></head><body><h2 id='café'>Café</h2></body></html>"

    async def charset_in_header(request):
        """A windows-1252 page whose encoding only the Content-Type header names."""
        body = legacy.format(meta="").encode("windows-1252")
        return web.Response(body=body, headers={"Content-Type": "text/html; charset=windows-1252"})

    async def charset_in_meta(request):
        """A windows-1252 page whose encoding only its <meta charset> names (the header has none)."""
        body = legacy.format(meta='<meta charset="windows-1252">').encode("windows-1252")
        return web.Response(body=body, headers={"Content-Type": "text/html"})

    async def charset_in_http_equiv(request):
        """The same, named the older way: <meta http-equiv="Content-Type" content="...; charset=...">."""
        meta = '<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">'
        return web.Response(body=legacy.format(meta=meta).encode("latin-1"), headers={"Content-Type": "text/html"})

    def header_of(size: int):
        async def handler(request):
            policy = "default-src 'self'; " + "img-src https://cdn.example; " * (size // 30)
            return web.Response(text=PAGE, content_type="text/html", headers={"Content-Security-Policy": policy})

        return handler

    async def many_headers(request):
        return web.Response(text=PAGE, content_type="text/html", headers={f"X-Header-{n}": "1" for n in range(150)})

    async def bomb(request):
        """256 MiB of HTML in about 256 KiB of gzip."""
        headers = {"Content-Encoding": "gzip", "Content-Type": "text/html"}
        return web.Response(body=gzip_bomb(), headers=headers)

    async def small_bomb(request):
        """15 MiB of HTML in under 16 KiB of gzip; HEAD refused, so that the checker must GET it."""
        if request.method == "HEAD":
            return web.Response(status=405)
        headers = {"Content-Encoding": "gzip", "Content-Type": "text/html"}
        return web.Response(body=gzip_bomb(15), headers=headers)

    async def wayback(request):
        """A fake Wayback Machine availability API: the snapshots in ``state.snapshots``."""
        asked = request.query.get("url", "")
        state.archive_asked.append(asked)
        await asyncio.sleep(0.02)
        snapshot = state.snapshots.get(asked)
        if snapshot is None:
            return web.json_response({"url": asked, "archived_snapshots": {}})
        closest = {"status": "200", "available": True, "url": snapshot, "timestamp": "20130919044612"}
        return web.json_response({"url": asked, "archived_snapshots": {"closest": closest}})

    async def wayback_busy(request):
        """The same API, answering 429 with Retry-After to its first request."""
        if state.hits[request.path] == 1:
            return web.Response(status=429, headers={"Retry-After": "1"})
        return await wayback(request)

    app.router.add_route("*", "/wayback/available", wayback)
    app.router.add_route("*", "/wayback-busy/available", wayback_busy)
    app.router.add_route("*", "/wayback-closed/available", retry_after_an_hour)
    app.router.add_route("*", "/ok", ok)
    app.router.add_route("*", "/counted", ok)
    app.router.add_route("*", "/status/{code}", status)
    app.router.add_route("*", "/perm301", redirect(301, "/ok"))
    app.router.add_route("*", "/perm308", redirect(308, "/ok"))
    app.router.add_route("*", "/temp302", redirect(302, "/ok"))
    app.router.add_route("*", "/redirect-with-fragment", redirect(302, "/ok#top"))
    app.router.add_route("*", "/redirect-with-empty-fragment", redirect(302, "/ok#"))
    app.router.add_route("*", "/head405", head405)
    app.router.add_route("*", "/redirect-to", redirect_to)
    app.router.add_route("*", "/loop-a", loop_a)
    app.router.add_route("*", "/loop-b", loop_b)
    app.router.add_route("*", "/hang", hang)
    app.router.add_route("*", "/slow/{n}", slow)
    app.router.add_route("*", "/429-once", once(429, {"Retry-After": "1"}))
    app.router.add_route("*", "/429-always", rate_limited_always)
    app.router.add_route("*", "/503-once", once(503))
    app.router.add_route("*", "/spent/{n}", spent)
    # GitHub's primary rate limit: 403, no requests left until the reset (seconds since the epoch).
    github_limit = once(403, lambda: {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(time.time()) + 2)})
    app.router.add_route("*", "/github-limit-once", github_limit)
    # A 429 that says when the limit resets in the IETF draft's header, not with Retry-After.
    app.router.add_route("*", "/limited-429-once", once(429, {"RateLimit": '"default";r=0;t=1'}))
    app.router.add_route("*", "/limited-for-an-hour/{n}", limited_for_an_hour)
    app.router.add_route("*", "/retry-after-an-hour", retry_after_an_hour)
    app.router.add_route("*", "/head-fails/{how}", head_fails)
    app.router.add_route("*", "/cookie-gate", cookie_gate)
    app.router.add_route("*", "/set-cookie", set_cookie)
    app.router.add_route("*", "/cookie-then-away", cookie_then_away)
    app.router.add_route("*", "/cookie-loop", cookie_loop)
    app.router.add_route("*", "/sets-cookie/{n}", sets_cookie)
    app.router.add_route("*", "/github-secondary-once", once(403, {"Retry-After": "1"}))  # GitHub's secondary limit
    app.router.add_route("*", "/bot-wall", bot_wall)
    app.router.add_route("*", "/bot-wall-503", bot_wall_503)
    app.router.add_route("*", "/huge", huge)
    app.router.add_route("*", "/late-body", late_body)
    app.router.add_route("*", "/gzipped", gzipped)
    app.router.add_route("*", "/gzip-bomb", bomb)
    app.router.add_route("*", "/small-gzip-bomb", small_bomb)
    app.router.add_route("*", "/header-20k", header_of(20_000))
    app.router.add_route("*", "/header-40k", header_of(40_000))
    app.router.add_route("*", "/many-headers", many_headers)
    app.router.add_route("*", "/charset-in-header", charset_in_header)
    app.router.add_route("*", "/charset-in-meta", charset_in_meta)
    app.router.add_route("*", "/charset-in-http-equiv", charset_in_http_equiv)
    return app


@dataclass
class LocalServer:
    """A running test server."""

    port: int
    state: ServerState
    scheme: str = "http"

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        """Absolute URL of ``path`` on this server."""
        return f"{self.scheme}://{host}:{self.port}{path}"


async def _serve(tls: ssl.SSLContext | None = None):
    state = ServerState()
    runner = web.AppRunner(make_app(state), shutdown_timeout=0.1, handler_cancellation=True)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=tls)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    return runner, LocalServer(port, state, "https" if tls else "http")


@pytest.fixture
async def server():
    """The behaviour server on 127.0.0.1 (a free port)."""
    runner, local = await _serve()
    yield local
    await runner.cleanup()


#: The names the HTTPS server's certificate is issued to (the fake resolver maps them to 127.0.0.1).
TLS_NAMES = ("127.0.0.1", "localhost", "gh.test", "away.test")


@pytest.fixture(scope="session")
def tls_ca() -> trustme.CA:
    """A local certificate authority that no system trusts."""
    return trustme.CA()


@pytest.fixture
def client_tls(tls_ca) -> ssl.SSLContext:
    """A verifying client context that trusts :func:`tls_ca` (and nothing else)."""
    return ssl.create_default_context(cadata=tls_ca.cert_pem.bytes().decode())


@pytest.fixture
async def tls_server(tls_ca):
    """The behaviour server over HTTPS on 127.0.0.1, its certificate issued by :func:`tls_ca` to
    :data:`TLS_NAMES`.
    """
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls_ca.issue_cert(*TLS_NAMES).configure_cert(context)
    runner, local = await _serve(context)
    yield local
    await runner.cleanup()


@pytest.fixture
async def reset_server():
    """A raw TCP server on 127.0.0.1 that resets every connection after reading the request."""
    count = {"connections": 0}

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        count["connections"] += 1
        await reader.read(1024)
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        writer.transport.abort()

    srv = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = srv.sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}/", count
    srv.close()
    await srv.wait_closed()


@dataclass
class ProxyState:
    """What the test proxy saw and how it behaves."""

    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)  # (method, target, headers)
    names: dict[str, str] = field(default_factory=dict)  # host name -> the address the proxy connects to
    refuse_connect: int | None = None  # answer every CONNECT with this status
    tunnels: int | None = None  # tunnel this many CONNECTs, then refuse the rest with 403
    answer: int | None = None  # answer every plain-HTTP request with this status itself


@dataclass
class LocalProxy:
    """A running test proxy on 127.0.0.1."""

    port: int
    state: ProxyState
    scheme: str = "http"

    def url(self, userinfo: str = "") -> str:
        """The proxy's URL, with ``user:password@`` when given."""
        return f"{self.scheme}://{userinfo}127.0.0.1:{self.port}"


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        writer.close()


async def _start_proxy(tls: ssl.SSLContext | None) -> tuple[asyncio.Server, LocalProxy]:
    """A forward proxy on 127.0.0.1 (spoken to over TLS when ``tls`` is given): CONNECT tunnels for
    HTTPS, absolute-form requests for HTTP.

    Like a real proxy it resolves names itself (``state.names``, else as given) and does not pass
    ``Proxy-Authorization`` on.
    """
    state = ProxyState()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            writer.close()
            return
        first, *lines = head.split("\r\n")
        method, target, _version = first.split(" ", 2)
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines if line)}
        state.requests.append((method, target, headers))
        if method == "CONNECT":
            if state.tunnels is not None:
                state.refuse_connect = 403 if state.tunnels <= 0 else state.refuse_connect
                state.tunnels -= 1
            if state.refuse_connect is not None:
                writer.write(f"HTTP/1.1 {state.refuse_connect} Refused\r\nContent-Length: 0\r\n\r\n".encode())
                await writer.drain()
                writer.close()
                return
            host, _, port = target.rpartition(":")
            up_reader, up_writer = await asyncio.open_connection(state.names.get(host, host), int(port))
            writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            await writer.drain()
            await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))
            return
        if state.answer is not None:
            writer.write(f"HTTP/1.1 {state.answer} Proxy\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".encode())
            await writer.drain()
            writer.close()
            return
        url = urlsplit(target)
        up_reader, up_writer = await asyncio.open_connection(
            state.names.get(url.hostname, url.hostname), url.port or 80
        )
        path = (url.path or "/") + (f"?{url.query}" if url.query else "")
        kept = [
            f"{k}: {v}"
            for k, v in headers.items()
            if k not in ("proxy-authorization", "proxy-connection", "connection")
        ]
        up_writer.write(
            "\r\n".join([f"{method} {path} HTTP/1.1", *kept, "Connection: close", "", ""]).encode("latin-1")
        )
        await up_writer.drain()
        await _pipe(up_reader, writer)  # the origin closes after its answer (Connection: close)
        up_writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=tls)
    return server, LocalProxy(server.sockets[0].getsockname()[1], state, "https" if tls else "http")


@pytest.fixture
async def proxy_server():
    """A forward HTTP proxy on 127.0.0.1 (:func:`_start_proxy`)."""
    server, proxy = await _start_proxy(None)
    yield proxy
    server.close()
    await server.wait_closed()


@pytest.fixture
async def https_proxy_server(tls_ca):
    """The same proxy spoken to over TLS (an ``https://`` proxy), its certificate issued by
    :func:`tls_ca` to 127.0.0.1.
    """
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls_ca.issue_cert("127.0.0.1").configure_cert(context)
    server, proxy = await _start_proxy(context)
    yield proxy
    server.close()
    await server.wait_closed()


@pytest.fixture(autouse=True)
def _no_proxy_from_the_environment(monkeypatch):
    """A machine's own proxy settings never reach the tests (the command reads them)."""
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


@pytest.fixture(scope="session")
def httpserver_listen_address():
    """Bind pytest-httpserver to 127.0.0.1 only."""
    return ("127.0.0.1", 0)


@pytest.fixture
def fake_resolver():
    """The :class:`FakeResolver` class: ``fake_resolver({"name.test": "127.0.0.1"})``."""
    return FakeResolver


@pytest.fixture
def settings(tmp_path) -> Settings:
    """Fast settings for local servers: the private-address guard is OFF (tests bind to loopback)."""
    return Settings(
        timeout=2.0,
        retries=1,
        backoff_base=0.01,
        retry_after_cap=5.0,
        run_budget=30.0,
        cache_path=str(tmp_path / "cache.json"),
        allow_private=True,
    )
