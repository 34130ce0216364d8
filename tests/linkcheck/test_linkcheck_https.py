"""--require-https: an http:// link that works is asked for over HTTPS too, and is reported as moved
there when that works, as lychee's --require-https does, through the same client and policy.

The servers: the behaviour server over plain HTTP and over HTTPS, behind one port that hands each
connection to the one its first byte asks for (a TLS handshake starts with 0x16), so a link's
``http://`` and ``https://`` forms reach the same host and port, as on a real site.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl

import pytest

from archkb.linkcheck import Link, State, check_urls_async
from archkb.linkcheck.config import ConfigFileError, apply_table
from archkb.linkcheck.settings import HostRule
from archkb.linkcheck.urls import https_variant

from .conftest import TLS_NAMES, _serve


class Both:
    """The two servers behind one port."""

    def __init__(self, port: int, plain, secure) -> None:
        self.port, self.plain, self.secure = port, plain, secure

    def url(self, path: str, scheme: str = "http") -> str:
        return f"{scheme}://127.0.0.1:{self.port}{path}"


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError, asyncio.CancelledError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    writer.close()


@pytest.fixture
async def both(tls_ca):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls_ca.issue_cert(*TLS_NAMES).configure_cert(context)
    plain_runner, plain = await _serve()
    secure_runner, secure = await _serve(context)
    tasks: set[asyncio.Task] = set()

    async def front(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        first = await reader.read(1)
        if not first:
            writer.close()
            return
        port = secure.port if first == b"\x16" else plain.port
        back_reader, back_writer = await asyncio.open_connection("127.0.0.1", port)
        back_writer.write(first)
        for task in (_pipe(reader, back_writer), _pipe(back_reader, writer)):
            tasks.add(asyncio.ensure_future(task))

    door = await asyncio.start_server(front, "127.0.0.1", 0)
    yield Both(door.sockets[0].getsockname()[1], plain, secure)
    door.close()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await plain_runner.cleanup()
    await secure_runner.cleanup()


def links(*urls: str) -> list[Link]:
    return [Link(url, f"page.md:{n}") for n, url in enumerate(urls, 1)]


async def test_an_http_link_that_works_over_https_too_is_moved_there(both, settings, client_tls):
    ok, fragment, gone = both.url("/ok"), both.url("/ok#present"), both.url("/status/404")
    report = await check_urls_async(links(ok, fragment, gone), settings.replace(require_https=True), tls=client_tls)
    results = {r.url: r for r in report.results}
    assert results[ok].state is State.REDIRECTED
    assert results[ok].final_url == both.url("/ok", "https")
    assert results[ok].message == f"served over HTTPS too: link to {both.url('/ok', 'https')}"
    assert results[fragment].final_url == both.url("/ok#present", "https")  # the fragment kept
    assert results[gone].state is State.BROKEN  # a broken link is not asked for again over HTTPS
    assert both.secure.state.hits["/ok"] == 1  # once for both links to the document
    assert both.secure.state.hits["/status/404"] == 0


async def test_without_the_setting_nothing_is_asked_over_https(both, settings, client_tls):
    report = await check_urls_async(links(both.url("/ok")), settings, tls=client_tls)
    assert report.results[0].state is State.OK and report.results[0].final_url is None
    assert sum(both.secure.state.hits.values()) == 0


async def test_an_https_form_that_fails_leaves_the_link_ok(server, settings, client_tls):
    """The plain server does not speak TLS: its https:// form is an error, so the link stays ok."""
    url = server.url("/ok")
    report = await check_urls_async(links(url), settings.replace(require_https=True, retries=0), tls=client_tls)
    assert report.results[0].state is State.OK and report.results[0].message == ""


async def test_an_https_form_whose_certificate_is_not_trusted_leaves_the_link_ok(both, settings):
    """lychee was reported to suggest HTTPS for a link whose certificate was invalid
    (lycheeverse/lychee#960): the HTTPS form is verified as every request is."""
    report = await check_urls_async(links(both.url("/ok")), settings.replace(require_https=True, retries=0))
    assert report.results[0].state is State.OK


async def test_a_host_rule_exempts_its_hosts(both, settings, client_tls):
    """As lycheeverse/lychee#960 asks: a site whose pages load over HTTPS but whose assets do not."""
    exempt = settings.replace(require_https=True, hosts=[HostRule("127.0.0.1", require_https=False)])
    report = await check_urls_async(links(both.url("/ok")), exempt, tls=client_tls)
    assert report.results[0].state is State.OK
    assert sum(both.secure.state.hits.values()) == 0


async def test_the_https_verdict_is_cached_as_any_other(both, settings, client_tls):
    strict = settings.replace(require_https=True)
    first = await check_urls_async(links(both.url("/ok")), strict, tls=client_tls)
    second = await check_urls_async(links(both.url("/ok")), strict, tls=client_tls)
    assert first.results[0].state is second.results[0].state is State.REDIRECTED
    assert second.stats["requests"] == 0
    assert both.plain.state.hits["/ok"] == both.secure.state.hits["/ok"] == 1


@pytest.mark.parametrize(
    ("url", "secure"),
    [
        ("http://example.org/a?b#c", "https://example.org/a?b#c"),
        ("HTTP://example.org", "https://example.org"),
        ("http://example.org:80/a", "https://example.org/a"),  # HTTP's default port is not HTTPS's
        ("http://example.org:80?q=1#f", "https://example.org?q=1#f"),  # the authority ends at ? and # too
        ("http://user@example.org:80/", "https://user@example.org/"),
        ("http://exa\tmple.org/", None),  # never a target (a browser drops the tab first): no guess
        ("http://example.org:8080/a", "https://example.org:8080/a"),
        ("http://[::1]:80/", "https://[::1]/"),
        ("https://example.org/", None),
        ("mailto:a@example.org", None),
        ("http://example.org:99999/", None),
    ],
)
def test_the_https_form_of_a_url(url, secure):
    assert https_variant(url) == secure


def test_the_config_file_sets_it_and_a_host_may_opt_out(settings):
    table = {"require_https": True, "hosts": {"legacy.example.org": {"require_https": False}}}
    applied = apply_table(settings, table, "pyproject.toml [tool.archkb.link_check]")
    assert applied.require_https is True
    assert applied.rule_for("legacy.example.org").require_https is False
    assert applied.rule_for("docs.example.org").require_https is True
    with pytest.raises(ConfigFileError, match=r"hosts\.a\.example: require_https must be true or false, got 'no'"):
        apply_table(settings, {"hosts": {"a.example": {"require_https": "no"}}}, "cfg")
