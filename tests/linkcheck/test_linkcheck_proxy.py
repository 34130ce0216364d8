"""Proxies: links go through the proxy the environment (or ``--proxy``) names, ``no_proxy`` hosts
directly, credentials to the proxy only, and the private-address policy still judges every link.

The proxy is a local forward proxy (``proxy_server`` in conftest) in front of the local servers.
"""

from __future__ import annotations

import base64
import http.client
import http.server
import json
import socket
import threading
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from archkb.linkcheck import Link, Settings, State, check_urls_async
from archkb.linkcheck.command import check_links
from archkb.linkcheck.proxy import proxies_from_environment, proxy_for, proxy_problems


def links(*urls: str) -> list[Link]:
    return [Link(url, f"page.md:{n}") for n, url in enumerate(urls, 1)]


def through(settings: Settings, proxy: str, **extra) -> Settings:
    return settings.replace(proxies={"http": proxy, "https": proxy}, **extra)


async def test_a_plain_http_link_goes_through_the_proxy(server, settings, proxy_server):
    url, page = server.url("/ok"), server.url("/ok#present")
    report = await check_urls_async(links(url, page), through(settings, proxy_server.url()))
    assert {r.url: r.state for r in report.results} == {url: State.OK, page: State.OK}
    # One GET for the page and its fragment, asked in absolute form, as proxies are asked.
    assert [(method, target) for method, target, _ in proxy_server.state.requests] == [("GET", url)]
    assert server.state.methods == [("GET", "/ok")]


async def test_an_https_link_is_tunnelled_and_verified_end_to_end(tls_server, settings, client_tls, proxy_server):
    url = tls_server.url("/ok#present")
    report = await check_urls_async(links(url), through(settings, proxy_server.url()), tls=client_tls)
    assert report.results[0].state is State.OK, report.results[0].message
    assert [(m, t) for m, t, _ in proxy_server.state.requests] == [("CONNECT", f"127.0.0.1:{tls_server.port}")]


async def test_an_https_link_to_a_certificate_nobody_trusts_is_still_a_tls_error(tls_server, settings, proxy_server):
    (result,) = (await check_urls_async(links(tls_server.url("/ok")), through(settings, proxy_server.url()))).results
    assert result.state is State.ERROR
    assert result.message.startswith("TLS error")


async def test_an_https_proxy_is_spoken_to_over_tls_for_both_schemes(
    server, tls_server, settings, client_tls, https_proxy_server
):
    """An ``https://`` proxy: the connection to it is TLS (its certificate verified), and an HTTPS
    link's tunnel runs inside it, verified end to end."""
    plain, secure = server.url("/ok"), tls_server.url("/ok")
    report = await check_urls_async(links(plain, secure), through(settings, https_proxy_server.url()), tls=client_tls)
    assert [(r.state, r.message) for r in report.results] == [(State.OK, "")] * 2
    assert sorted((m, t) for m, t, _ in https_proxy_server.state.requests) == [
        ("CONNECT", f"127.0.0.1:{tls_server.port}"),
        ("HEAD", plain),
    ]


async def test_an_https_proxy_whose_certificate_is_not_trusted_is_an_error(server, settings, https_proxy_server):
    (result,) = (await check_urls_async(links(server.url("/ok")), through(settings, https_proxy_server.url()))).results
    assert result.state is State.ERROR
    # The proxy's certificate failed, not the link's: said so, and not taken for the link's server
    # leaving out an intermediate (no chain is fetched for it).
    assert result.message.startswith(f"TLS error with the proxy 127.0.0.1:{https_proxy_server.port}: ")
    assert "certificate verify failed" in result.message and "intermediate" not in result.message
    assert https_proxy_server.state.requests == []  # nothing was said to a proxy that could not be verified


async def test_no_proxy_hosts_are_reached_directly(server, settings, proxy_server):
    settings = through(settings, proxy_server.url(), no_proxy=["localhost", "127.0.0.1"])
    report = await check_urls_async(links(server.url("/ok")), settings)
    assert report.results[0].state is State.OK
    assert proxy_server.state.requests == []
    assert server.state.hits["/ok"] == 1


async def test_the_proxys_credentials_go_to_the_proxy_only(server, tls_server, settings, client_tls, proxy_server):
    proxy = proxy_server.url("archkb:s3cret@")
    expected = "Basic " + base64.b64encode(b"archkb:s3cret").decode()
    await check_urls_async(links(server.url("/ok")), through(settings, proxy))
    await check_urls_async(links(tls_server.url("/ok")), through(settings, proxy), tls=client_tls)
    sent = {method: headers.get("proxy-authorization") for method, _, headers in proxy_server.state.requests}
    assert sent == {"HEAD": expected, "CONNECT": expected}
    for seen in server.state.headers + tls_server.state.headers:
        assert "proxy-authorization" not in seen and "authorization" not in seen


async def test_a_proxy_that_cannot_be_reached_is_an_error_and_its_password_is_never_shown(server, settings):
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    settings = through(settings, f"http://archkb:s3cret@127.0.0.1:{port}", retries=0)
    (result,) = (await check_urls_async(links(server.url("/ok")), settings)).results
    assert result.state is State.ERROR  # not the link's fault: never broken
    assert result.message.startswith("cannot connect to the proxy: ")
    assert "s3cret" not in result.message
    assert "s3cret" not in repr(settings)


async def test_a_proxy_that_refuses_the_tunnel_or_wants_credentials_is_an_error(
    server, tls_server, settings, client_tls, proxy_server
):
    proxy_server.state.refuse_connect = 403
    (tunnel,) = (
        await check_urls_async(links(tls_server.url("/ok")), through(settings, proxy_server.url()), tls=client_tls)
    ).results
    assert (tunnel.state, tunnel.message) == (State.ERROR, "the proxy refused to connect to the host: HTTP 403")
    proxy_server.state.answer = 407
    (plain,) = (await check_urls_async(links(server.url("/ok")), through(settings, proxy_server.url()))).results
    assert (plain.state, plain.message) == (State.ERROR, "HTTP 407: the proxy asks for credentials")
    assert server.state.hits["/ok"] == 0


# --- the private-address policy behind a proxy ---------------------------------------------------


async def test_a_name_that_resolves_to_a_private_address_is_refused_before_the_proxy(
    server, settings, proxy_server, fake_resolver
):
    settings = through(settings, proxy_server.url(), allow_private=False)
    resolver = fake_resolver({"inside.test": "10.0.0.7"})
    (result,) = (
        await check_urls_async(links(f"http://inside.test:{server.port}/ok"), settings, resolver=resolver)
    ).results
    assert result.state is State.SKIPPED
    assert "inside.test resolves to the non-public address 10.0.0.7" in result.message
    assert proxy_server.state.requests == []


async def test_a_private_literal_address_is_refused_before_the_proxy(server, settings, proxy_server):
    settings = through(settings, proxy_server.url(), allow_private=False)
    (result,) = (await check_urls_async(links(server.url("/ok")), settings)).results
    assert result.state is State.SKIPPED
    assert proxy_server.state.requests == []


async def test_a_public_name_goes_through_a_proxy_on_a_private_address(server, settings, proxy_server, fake_resolver):
    """The proxy the user named may be on loopback or the LAN: its own name and address are not refused."""
    proxy_server.state.names["public.test"] = "127.0.0.1"
    resolver = fake_resolver({"public.test": "93.184.216.34", "proxy.test": "127.0.0.1"})
    settings = through(settings, f"http://proxy.test:{proxy_server.port}", allow_private=False)
    url = f"http://public.test:{server.port}/ok"
    (result,) = (await check_urls_async(links(url), settings, resolver=resolver)).results
    assert result.state is State.OK, result.message
    assert [t for _, t, _ in proxy_server.state.requests] == [url]
    assert resolver.calls.count("public.test") == 1  # judged once, here


async def test_a_name_only_the_proxy_can_resolve_is_left_to_it(server, settings, proxy_server, fake_resolver):
    proxy_server.state.names["intranet-only.test"] = "127.0.0.1"
    settings = through(settings, proxy_server.url(), allow_private=False)
    url = f"http://intranet-only.test:{server.port}/ok"
    (result,) = (await check_urls_async(links(url), settings, resolver=fake_resolver({}))).results
    assert result.state is State.OK, result.message


# --- choosing the proxy ----------------------------------------------------------------------------


def test_the_environment_names_the_proxies_as_curl_reads_them():
    environ = {"HTTPS_PROXY": "http://upper:1", "https_proxy": "lower:2", "ALL_PROXY": "http://all:3"}
    assert proxies_from_environment({**environ, "no_proxy": " localhost, .corp.example ,"}) == (
        {"http": "http://all:3", "https": "http://lower:2"},
        ["localhost", ".corp.example"],
    )
    assert proxies_from_environment({}) == ({}, [])


@pytest.mark.parametrize(
    ("host", "direct"),
    [
        ("corp.example", True),
        ("docs.corp.example", True),  # under a listed domain
        ("notcorp.example", False),
        ("LOCALHOST.", True),
        ("::1", True),
        ("10.1.2.3", True),  # the entry's port is ignored
        ("192.168.7.9", True),  # in a range
        ("192.169.0.1", False),
        ("fd12::1", True),
        ("example.org", False),
    ],
)
def test_no_proxy_matches_hosts_and_the_hosts_under_them(host, direct):
    proxies = {"https": "http://proxy:3128"}
    entries = ["localhost", ".corp.example", "[::1]", "10.1.2.3:8080", "192.168.0.0/16", "fd00::/8", "bad/range"]
    chosen = proxy_for("https", host, proxies, entries)
    assert chosen == (None if direct else "http://proxy:3128")
    assert proxy_for("https", host, proxies, ["*"]) is None
    assert proxy_for("ftp", host, proxies, []) is None


def test_only_http_proxies_are_accepted():
    assert proxy_problems({"https": "http://proxy:3128", "http": "https://proxy:3129"}) == []
    (socks,) = proxy_problems({"https": "socks5://user:pw@proxy:1080"})
    assert (
        socks
        == "https proxy 'socks5://***@proxy:1080': only http:// and https:// proxies are supported (socks5:// is not)"
    )
    assert proxy_problems({"http": "http://:3128"}) == ["http proxy 'http://:3128' names no host"]


class _Forwarder(http.server.BaseHTTPRequestHandler):
    """A threaded forward proxy for plain HTTP (the command runs outside the test's event loop)."""

    def _forward(self) -> None:
        self.server.seen.append(self.path)  # type: ignore[attr-defined]
        target = urlsplit(self.path)
        origin = http.client.HTTPConnection(target.hostname, target.port, timeout=5)
        origin.request(self.command, target.path or "/")
        answer = origin.getresponse()
        body = answer.read()
        self.send_response(answer.status)
        for name, value in answer.getheaders():
            if name.lower() not in ("connection", "content-length", "transfer-encoding"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_HEAD = _forward

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def proxy_thread():
    """The threaded forward proxy: ``.url``, and ``.seen``, the URLs it was asked for."""
    proxy = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Forwarder)
    proxy.seen = []  # type: ignore[attr-defined]
    proxy.url = f"http://127.0.0.1:{proxy.server_address[1]}"  # type: ignore[attr-defined]
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    yield proxy
    proxy.shutdown()
    proxy.server_close()


@pytest.fixture
def server_thread(httpserver):
    """The origin's base URL (a threaded pytest-httpserver with ``/ok``)."""
    httpserver.expect_request("/ok").respond_with_data("<html><body></body></html>", content_type="text/html")
    return httpserver.url_for("").rstrip("/")


def run(args: list[str], env: dict[str, str]):
    return CliRunner().invoke(check_links, args, env={"CI": "true", **env}, catch_exceptions=False)


def test_the_command_honours_the_environment_and_no_proxy(tmp_path, server_thread, proxy_thread):
    page = tmp_path / "page.md"
    page.write_text(f"[a]({server_thread}/ok)\n", encoding="utf-8")
    args = [str(page), "--root", str(tmp_path), "--allow-private", "--no-cache", "--format", "json"]
    result = run(args, {"http_proxy": proxy_thread.url})
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["results"][0]["state"] == "ok"
    assert proxy_thread.seen == [f"{server_thread}/ok"]
    result = run(args, {"http_proxy": proxy_thread.url, "NO_PROXY": "127.0.0.1"})
    assert result.exit_code == 0, result.output
    assert proxy_thread.seen == [f"{server_thread}/ok"]  # not asked again


def test_the_proxy_option_wins_and_a_proxy_without_a_scheme_is_http(tmp_path, server_thread, proxy_thread):
    page = tmp_path / "page.md"
    page.write_text(f"[a]({server_thread}/ok)\n", encoding="utf-8")
    args = [str(page), "--root", str(tmp_path), "--allow-private", "--no-cache"]
    result = run([*args, "--proxy", proxy_thread.url.removeprefix("http://")], {"http_proxy": "http://127.0.0.1:9"})
    assert result.exit_code == 0, result.output
    assert proxy_thread.seen == [f"{server_thread}/ok"]


def test_a_socks_proxy_is_a_configuration_error(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("[a](https://example.org/)\n", encoding="utf-8")
    result = run([str(page), "--root", str(tmp_path)], {"https_proxy": "socks5://proxy:1080"})
    assert result.exit_code == 3
    assert "only http:// and https:// proxies are supported (socks5:// is not)" in result.output
    assert "Traceback" not in result.output


async def test_the_archive_api_is_asked_through_the_proxy_too(server, settings, proxy_server):
    gone = server.url("/status/404")
    server.state.snapshots[gone] = "https://web.archive.org/web/2013/http://example.com/"
    api = server.url("/wayback/available")
    settings = through(settings, proxy_server.url(), suggest=True, archive_api=api)
    (result,) = (await check_urls_async(links(gone), settings)).results
    assert result.state is State.BROKEN
    assert result.suggestion == "https://web.archive.org/web/2013/http://example.com/"
    asked = [target for _, target, _ in proxy_server.state.requests]
    assert gone in asked
    assert [t for t in asked if t.startswith(api)] == [f"{api}?url={gone}"]  # as yarl sends the query
