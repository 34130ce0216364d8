"""A server that leaves out its intermediate certificate: fetched from the address its certificate
names (Authority Information Access), as browsers do, without trusting anything the trust store
does not. Every server is local: a root, an intermediate and a server certificate made here."""

from __future__ import annotations

import asyncio
import base64
import importlib.util
import logging
import ssl
import sys
from pathlib import Path

import pytest
from aiohttp import web

from archkb.linkcheck import Link, State, check_urls_async
from archkb.linkcheck.issuers import issuer_urls, issuers_in


def _chains():
    """The bench's certificate maker (bench/linkcheck/chains.py), which the fault farm uses too."""
    path = Path(__file__).resolve().parents[2] / "bench" / "linkcheck" / "chains.py"
    spec = importlib.util.spec_from_file_location("bench_linkcheck_chains", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


chains = _chains()
Made, make_cert = chains.Made, chains.make_cert


@pytest.fixture(scope="module")
def root() -> Made:
    return make_cert("Local Test Root", None, ca=True)


@pytest.fixture(scope="module")
def intermediate(root) -> Made:
    return make_cert("Local Test Intermediate", root, ca=True)


@pytest.fixture
def client_tls(root) -> ssl.SSLContext:
    """What the checker trusts: the root only."""
    return ssl.create_default_context(cadata=root.pem.decode())


class Issuers:
    """A plain-HTTP server of downloads (``/int.der`` ...), counting what it is asked for."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.asked: list[str] = []
        self.on_request = lambda request: None
        self.port = 0

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@pytest.fixture
async def issuers():
    served = Issuers()

    async def handler(request: web.Request) -> web.Response:
        served.asked.append(request.path)
        served.on_request(request)
        if request.path not in served.files:
            return web.Response(status=404)
        return web.Response(body=served.files[request.path], content_type="application/pkix-cert")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    served.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield served
    await runner.cleanup()


@pytest.fixture
async def serve_tls(tmp_path):
    """Start an HTTPS server on 127.0.0.1 presenting ``leaf`` alone (no intermediate); it counts requests."""
    runners: list[web.AppRunner] = []

    async def start(leaf: Made) -> tuple[str, list[str]]:
        seen: list[str] = []
        cert, key = tmp_path / f"leaf{len(runners)}.pem", tmp_path / f"key{len(runners)}.pem"
        cert.write_bytes(leaf.pem)
        key.write_bytes(chains.key_pem(leaf))
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)

        async def handler(request: web.Request) -> web.Response:
            seen.append(f"{request.method} {request.path}")
            return web.Response(text="<html><body><h1 id='top'>ok</h1></body></html>", content_type="text/html")

        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", handler)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=context)
        await site.start()
        runners.append(runner)
        return f"https://127.0.0.1:{site._server.sockets[0].getsockname()[1]}", seen  # type: ignore[union-attr]

    yield start
    for runner in runners:
        await runner.cleanup()


async def test_a_left_out_intermediate_is_fetched_as_browsers_fetch_it(
    settings, client_tls, root, intermediate, issuers, serve_tls
):
    issuers.files["/int.der"] = intermediate.der
    leaf = make_cert("server", intermediate, ca=False, aia=issuers.url("/int.der"))
    base, seen = await serve_tls(leaf)
    links = [Link(f"{base}/a", "a.md:1"), Link(f"{base}/b#top", "a.md:2"), Link(f"{base}/c", "a.md:3")]
    report = await check_urls_async(links, settings.replace(no_cache=True), tls=client_tls)
    assert [(r.state, r.message) for r in report.results] == [(State.OK, "")] * 3
    assert issuers.asked == ["/int.der"]  # once for the host, not once a link
    # The handshake that read the certificate sent no request: the server saw only the checks.
    assert sorted(seen) == ["GET /b", "HEAD /a", "HEAD /c"]


async def test_the_issuer_address_is_asked_without_the_credentials_it_carries(
    settings, client_tls, intermediate, issuers, serve_tls
):
    """Credentials in an address from a server's certificate are never sent (nor shown), as for links."""
    issuers.files["/int.der"] = intermediate.der
    seen_auth: list[str | None] = []
    aia = issuers.url("/int.der").replace("http://", "http://someone:hunter2@")
    base, _seen = await serve_tls(make_cert("server", intermediate, ca=False, aia=aia))
    issuers.on_request = lambda request: seen_auth.append(request.headers.get("Authorization"))
    report = await check_urls_async([Link(f"{base}/a", "a.md:1")], settings.replace(no_cache=True), tls=client_tls)
    assert [r.state for r in report.results] == [State.OK]
    assert issuers.asked == ["/int.der"] and seen_auth == [None]


async def test_without_the_fetch_the_same_server_is_the_tls_error_it_was(
    settings, client_tls, intermediate, issuers, serve_tls
):
    leaf = make_cert("server", intermediate, ca=False, aia=issuers.url("/missing.der"))
    base, seen = await serve_tls(leaf)
    report = await check_urls_async([Link(f"{base}/a", "a.md:1")], settings.replace(no_cache=True), tls=client_tls)
    (result,) = report.results
    assert result.state is State.ERROR
    assert "unable to get local issuer certificate" in result.message
    assert "which browsers fetch themselves, and the one its certificate names could not be used" in result.message
    assert f"{issuers.url('/missing.der')}: HTTP 404" in result.message
    assert seen == []  # nothing was sent over a connection that did not verify


async def test_a_certificate_that_names_no_issuer_to_fetch_says_so(settings, client_tls, intermediate, serve_tls):
    base, seen = await serve_tls(make_cert("server", intermediate, ca=False))
    report = await check_urls_async([Link(f"{base}/a", "a.md:1")], settings.replace(no_cache=True), tls=client_tls)
    (result,) = report.results
    assert result.state is State.ERROR and result.message.endswith("and its certificate names none to fetch")
    assert seen == []


async def test_a_fetched_root_of_the_servers_own_is_never_trusted(settings, client_tls, issuers, serve_tls):
    """The attack: the server's certificate names, as its issuer, a self-signed CA of its own.
    Trusting what was fetched would trust anything; it is refused, and the chain stays unverified."""
    own_root = make_cert("Own Root", None, ca=True)
    issuers.files["/own.der"] = own_root.der
    base, seen = await serve_tls(make_cert("server", own_root, ca=False, aia=issuers.url("/own.der")))
    report = await check_urls_async([Link(f"{base}/a", "a.md:1")], settings.replace(no_cache=True), tls=client_tls)
    (result,) = report.results
    assert result.state is State.ERROR
    assert f"{issuers.url('/own.der')} gave no certificate that signs it" in result.message
    assert seen == []


async def test_an_intermediate_that_does_not_chain_to_a_trusted_root_does_not_help(
    settings, client_tls, issuers, serve_tls
):
    """A real-looking intermediate, signed by a root the checker does not trust: loading it as a
    link of the chain does not make the chain end at a trusted root."""
    other_root = make_cert("Other Root", None, ca=True)
    other_intermediate = make_cert("Other Intermediate", other_root, ca=True)
    issuers.files["/other.der"] = other_intermediate.der
    leaf = make_cert("server", other_intermediate, ca=False, aia=issuers.url("/other.der"))
    base, seen = await serve_tls(leaf)
    report = await check_urls_async([Link(f"{base}/a", "a.md:1")], settings.replace(no_cache=True), tls=client_tls)
    (result,) = report.results
    assert result.state is State.ERROR and "certificate verify failed" in result.message
    assert issuers.asked == ["/other.der"] and seen == []


async def test_the_issuer_address_is_judged_by_the_private_address_policy(
    settings, client_tls, intermediate, issuers, serve_tls
):
    """The address comes from the server's certificate: with the policy on, a private one is never
    asked. The server itself is exempt by name (localhost); the issuer's 127.0.0.1 is not."""
    issuers.files["/int.der"] = intermediate.der
    base, seen = await serve_tls(make_cert("server", intermediate, ca=False, aia=issuers.url("/int.der")))
    guarded = settings.replace(no_cache=True, allow_private=False, allow_hosts=["localhost"])
    url = base.replace("127.0.0.1", "localhost")
    report = await check_urls_async([Link(f"{url}/a", "a.md:1")], guarded, tls=client_tls)
    (result,) = report.results
    assert result.state is State.ERROR
    assert f"{issuers.url('/int.der')} is a private address" in result.message
    assert issuers.asked == [] and seen == []


def test_the_certificate_readers_take_only_what_may_sign_the_server(root, intermediate):
    leaf = make_cert("server", intermediate, ca=False, aia="http://issuers.example/int.crt")
    assert issuer_urls(leaf.der) == ["http://issuers.example/int.crt"]
    assert issuer_urls(make_cert("server", intermediate, ca=False, aia="ldap://x/").der) == []
    assert issuer_urls(b"not a certificate") == []
    assert issuers_in(intermediate.der, leaf.der) == [intermediate.der]
    assert issuers_in(intermediate.pem + root.pem, leaf.der) == [intermediate.der]  # PEM, the root left out
    assert issuers_in(root.der, leaf.der) == []  # self-issued, and not the leaf's issuer
    not_ca = make_cert("Local Test Intermediate", root, ca=False)
    assert issuers_in(not_ca.der, leaf.der) == []  # the right name, but not a CA
    assert issuers_in(b"\x00" * 50, leaf.der) == [] and issuers_in(intermediate.der, b"junk") == []


def _through(settings, proxy: str, **extra):
    return settings.replace(no_cache=True, proxies={"http": proxy, "https": proxy}, **extra)


async def test_through_a_proxy_the_certificate_is_read_in_its_tunnel_and_the_issuer_fetched_through_it(
    settings, client_tls, intermediate, issuers, serve_tls, proxy_server
):
    """Behind a proxy nothing reaches the server or the issuer's address directly: the handshake
    that reads the server's certificate runs inside a CONNECT tunnel, and the download goes to
    the proxy like any plain-HTTP link. The link is then checked through the proxy, verified."""
    issuers.files["/int.der"] = intermediate.der
    base, seen = await serve_tls(make_cert("server", intermediate, ca=False, aia=issuers.url("/int.der")))
    report = await check_urls_async(
        [Link(f"{base}/a", "a.md:1")], _through(settings, proxy_server.url()), tls=client_tls
    )
    assert [(r.state, r.message) for r in report.results] == [(State.OK, "")]
    endpoint = base.removeprefix("https://")
    asked = [(method, target) for method, target, _headers in proxy_server.state.requests]
    # The first check (which fails), the handshake, the download, the check with the chain mended.
    assert asked == [
        ("CONNECT", endpoint),
        ("CONNECT", endpoint),
        ("GET", issuers.url("/int.der")),
        ("CONNECT", endpoint),
    ]
    assert issuers.asked == ["/int.der"] and seen == ["HEAD /a"]


async def test_the_proxys_credentials_go_with_the_handshake_and_the_download_to_the_proxy_only(
    settings, client_tls, intermediate, issuers, serve_tls, proxy_server
):
    issuers.files["/int.der"] = intermediate.der
    seen_auth: list[str | None] = []
    issuers.on_request = lambda request: seen_auth.append(request.headers.get("Proxy-Authorization"))
    base, _seen = await serve_tls(make_cert("server", intermediate, ca=False, aia=issuers.url("/int.der")))
    proxied = _through(settings, proxy_server.url("archkb:s3cret@"))
    report = await check_urls_async([Link(f"{base}/a", "a.md:1")], proxied, tls=client_tls)
    assert [r.state for r in report.results] == [State.OK]
    sent = [headers.get("proxy-authorization") for _method, _target, headers in proxy_server.state.requests]
    assert len(sent) == 4 and set(sent) == {"Basic " + base64.b64encode(b"archkb:s3cret").decode()}
    assert seen_auth == [None]  # the proxy keeps them: the issuer's server never sees them


async def test_through_an_https_proxy_the_handshake_is_tls_inside_tls(
    settings, root, intermediate, issuers, serve_tls, https_proxy_server, tls_ca
):
    """An ``https://`` proxy is spoken to over TLS (its certificate verified as for links), and the
    handshake that reads the server's certificate runs inside that."""
    issuers.files["/int.der"] = intermediate.der
    base, seen = await serve_tls(make_cert("server", intermediate, ca=False, aia=issuers.url("/int.der")))
    trusting = ssl.create_default_context(cadata=root.pem.decode() + tls_ca.cert_pem.bytes().decode())
    report = await check_urls_async(
        [Link(f"{base}/a", "a.md:1")], _through(settings, https_proxy_server.url()), tls=trusting
    )
    assert [(r.state, r.message) for r in report.results] == [(State.OK, "")]
    assert [method for method, _target, _headers in https_proxy_server.state.requests] == [
        "CONNECT",
        "CONNECT",
        "GET",
        "CONNECT",
    ]
    assert issuers.asked == ["/int.der"] and seen == ["HEAD /a"]


async def test_inside_an_https_proxy_a_failed_handshake_is_reported_by_its_verification_error(
    settings, root, intermediate, serve_tls, https_proxy_server, tls_ca, caplog
):
    """CPython 3.11 can turn a failed TLS-in-TLS handshake into a TypeError of its own (CPython
    gh-113214); the message is the certificate's verification error all the same, and what was
    tried to mend it, and that TypeError's traceback is not printed at the user."""
    base, seen = await serve_tls(make_cert("server", intermediate, ca=False))  # names no issuer
    trusting = ssl.create_default_context(cadata=root.pem.decode() + tls_ca.cert_pem.bytes().decode())
    report = await check_urls_async(
        [Link(f"{base}/a", "a.md:1")], _through(settings, https_proxy_server.url()), tls=trusting
    )
    (result,) = report.results
    assert result.state is State.ERROR
    assert result.message.startswith("TLS error: ") and "unable to get local issuer certificate" in result.message
    assert "TypeError" not in result.message and "_abort" not in result.message
    assert result.message.endswith("and its certificate names none to fetch")
    assert seen == []
    assert [r for r in caplog.records if r.name == "asyncio" and r.levelno >= logging.WARNING] == []


async def test_through_a_proxy_the_issuer_address_is_still_judged_by_the_private_address_policy(
    settings, client_tls, intermediate, issuers, serve_tls, proxy_server
):
    """The proxy would reach a private issuer address for us: it is refused before the proxy is asked."""
    issuers.files["/int.der"] = intermediate.der
    base, seen = await serve_tls(make_cert("server", intermediate, ca=False, aia=issuers.url("/int.der")))
    guarded = _through(settings, proxy_server.url(), allow_private=False, allow_hosts=["localhost"])
    url = base.replace("127.0.0.1", "localhost")
    report = await check_urls_async([Link(f"{url}/a", "a.md:1")], guarded, tls=client_tls)
    (result,) = report.results
    assert result.state is State.ERROR
    assert f"{issuers.url('/int.der')} is a private address" in result.message
    assert [method for method, _target, _headers in proxy_server.state.requests] == ["CONNECT", "CONNECT"]
    assert issuers.asked == [] and seen == []


async def test_a_tunnel_the_proxy_refuses_for_the_handshake_leaves_the_tls_error_with_its_reason(
    settings, client_tls, intermediate, issuers, serve_tls, proxy_server
):
    """The proxy tunnels the check but not the handshake after it (a proxy that changed its mind):
    the link stays the TLS error, saying the certificate could not be read, and nothing is fetched."""
    issuers.files["/int.der"] = intermediate.der
    base, seen = await serve_tls(make_cert("server", intermediate, ca=False, aia=issuers.url("/int.der")))
    proxy_server.state.tunnels = 1
    report = await check_urls_async(
        [Link(f"{base}/a", "a.md:1")], _through(settings, proxy_server.url()), tls=client_tls
    )
    (result,) = report.results
    assert result.state is State.ERROR
    assert result.message.endswith("and the proxy refused the tunnel to read its certificate: HTTP 403")
    assert issuers.asked == [] and seen == []


def test_a_pkcs7_bundle_of_issuers_is_read_too(root, intermediate):
    """Some authorities publish their "CA Issuers" certificates as PKCS #7 (.p7c), DER or PEM."""
    from cryptography.hazmat.primitives.serialization import Encoding, pkcs7

    leaf = make_cert("server", intermediate, ca=False)
    for encoding in (Encoding.DER, Encoding.PEM):
        bundle = pkcs7.serialize_certificates([root.cert, intermediate.cert], encoding)
        assert issuers_in(bundle, leaf.der) == [intermediate.der]


def test_a_certificate_whose_extensions_cannot_be_read_is_no_address_and_no_issuer(monkeypatch, intermediate):
    """For a certificate with an extension twice, cryptography raises DuplicateExtension when the
    extensions are read, which is not a ValueError: nothing a server sends lets a parsing error out."""
    from cryptography import x509
    from cryptography.x509.oid import ExtensionOID

    class Doubled:
        issuer = subject = intermediate.cert.subject

        @property
        def extensions(self):
            raise x509.DuplicateExtension(
                "Duplicate 1.3.6.1.5.5.7.1.1 extension found", ExtensionOID.AUTHORITY_INFORMATION_ACCESS
            )

    monkeypatch.setattr(x509, "load_der_x509_certificate", lambda _der: Doubled())
    assert issuer_urls(b"a server's certificate") == []
    assert issuers_in(b"a download", b"a server's certificate") == []


async def test_two_left_out_intermediates_are_fetched_one_above_the_other(
    settings, client_tls, root, issuers, serve_tls
):
    """The server's issuer is itself signed by an intermediate the store lacks: each names the next."""
    upper = make_cert("Local Upper Intermediate", root, ca=True)
    lower = make_cert("Local Lower Intermediate", upper, ca=True, aia=issuers.url("/upper.der"))
    issuers.files |= {"/lower.der": lower.der, "/upper.der": upper.der}
    base, seen = await serve_tls(make_cert("server", lower, ca=False, aia=issuers.url("/lower.der")))
    links = [Link(f"{base}/a", "a.md:1"), Link(f"{base}/b", "a.md:2")]
    report = await check_urls_async(links, settings.replace(no_cache=True), tls=client_tls)
    assert [(r.state, r.message) for r in report.results] == [(State.OK, "")] * 2
    assert issuers.asked == ["/lower.der", "/upper.der"]
    assert sorted(seen) == ["HEAD /a", "HEAD /b"]


async def test_the_walk_stops_at_an_intermediate_a_trusted_root_signs(settings, client_tls, root, issuers, serve_tls):
    """An intermediate names its root's certificate too (most do): the store has it, so it is not fetched."""
    issuers.files["/root.der"] = root.der
    intermediate = make_cert("Local Named Intermediate", root, ca=True, aia=issuers.url("/root.der"))
    issuers.files["/int.der"] = intermediate.der
    base, _seen = await serve_tls(make_cert("server", intermediate, ca=False, aia=issuers.url("/int.der")))
    report = await check_urls_async([Link(f"{base}/a", "a.md:1")], settings.replace(no_cache=True), tls=client_tls)
    assert [(r.state, r.message) for r in report.results] == [(State.OK, "")]
    assert issuers.asked == ["/int.der"]


async def test_a_chain_missing_more_than_the_limit_is_fetched_no_further(
    settings, client_tls, root, issuers, serve_tls
):
    """Each certificate may name yet another: no more than MAX_MISSING downloads for one server, and
    what OpenSSL then says of the unfinished chain is the verdict."""
    from archkb.linkcheck.issuers import MAX_MISSING

    above = root
    for level in range(MAX_MISSING + 1, 0, -1):
        above = make_cert(f"Local Intermediate {level}", above, ca=True, aia=issuers.url(f"/i{level + 1}.der"))
        issuers.files[f"/i{level}.der"] = above.der
    base, seen = await serve_tls(make_cert("server", above, ca=False, aia=issuers.url("/i1.der")))
    report = await check_urls_async([Link(f"{base}/a", "a.md:1")], settings.replace(no_cache=True), tls=client_tls)
    (result,) = report.results
    assert result.state is State.ERROR and "unable to get issuer certificate" in result.message
    assert result.message.endswith(
        f"; {MAX_MISSING} intermediate certificate(s) the server leaves out were fetched (at most {MAX_MISSING}),"
        " and the chain still does not end at a trusted root"
    )
    assert issuers.asked == [f"/i{level}.der" for level in range(1, MAX_MISSING + 1)]
    assert seen == []


async def test_only_that_cpython_error_is_kept_from_the_user_and_the_loop_handler_is_put_back(settings):
    """Every other error the event loop reports still reaches the handler it had, and that handler
    is the loop's again once the client is closed."""
    from archkb.linkcheck.client import Client

    loop = asyncio.get_running_loop()
    seen: list[object] = []
    before = lambda _loop, context: seen.append(context.get("exception"))  # noqa: E731
    loop.set_exception_handler(before)
    try:
        async with Client(settings):
            other = TypeError("SSLProtocol._abort() takes 1 positional argument but 2 were given")
            loop.call_exception_handler({"message": "not from sslproto", "exception": other})
            loop.call_exception_handler({"message": "a bug elsewhere", "exception": ValueError("x")})
        assert seen == [other, seen[1]] and isinstance(seen[1], ValueError)
        assert loop.get_exception_handler() is before
    finally:
        loop.set_exception_handler(None)
