"""The private-address policy against every spelling of a host (issue #12).

Hosts written with fullwidth digits or ideographic full stops used to pass the guard: it judged the
text ``urlsplit`` returns, while yarl/aiohttp normalise the host (IDNA/UTS 46) and connect to
127.0.0.1. Here every spelling is judged as the client reads it, on the first request and on every
redirect hop, and the peer check catches what the earlier checks are made to miss. Only servers on
127.0.0.1 and fake resolvers are used: nothing here touches the real network or real DNS.
"""

from __future__ import annotations

import socket
from urllib.parse import quote

import pytest
from yarl import URL

from archkb.linkcheck import Link, State, check_urls_async
from archkb.linkcheck import client as client_module
from archkb.linkcheck.client import Client
from archkb.linkcheck.guard import (
    BlockedAddressError,
    BlockedPeerError,
    check_host_literal,
    is_forbidden_address,
    literal_address,
)
from archkb.linkcheck.peer import PeerGuard

#: Spellings of 127.0.0.1 that yarl (and so aiohttp) turns into 127.0.0.1 before connecting.
UNICODE_LOOPBACK = {
    "fullwidth digits": "１２７.０.０.１",
    "ideographic full stops (U+3002)": "127。0。0。1",
    "fullwidth full stops (U+FF0E)": "127．0．0．1",
    "halfwidth ideographic full stops (U+FF61)": "127｡0｡0｡1",
    "fullwidth digits and stops": "１２７．０．０．１",
    "mixed widths": "１２7.0.０.1",
    "mixed stops": "127。0．0｡1",
    "circled digits": "①②⑦.0.0.1",
    "mathematical bold digits": "𝟏𝟐𝟕.0.0.1",
}

#: Other spellings that reach a forbidden address, through yarl or through the system resolver.
OTHER_FORBIDDEN = {
    "IPv4-mapped IPv6": "[::ffff:127.0.0.1]",
    "IPv4-mapped IPv6, hex": "[::ffff:7f00:1]",
    "IPv4-mapped IPv6, long": "[0:0:0:0:0:ffff:127.0.0.1]",
    "IPv6 loopback": "[::1]",
    "6to4 of loopback": "[2002:7f00:1::]",
    "decimal integer": "2130706433",
    "hex integer": "0x7f000001",
    "hex, short": "0x7f.1",
    "octal": "0177.0.0.1",
    "octal integer": "017700000001",
    "short": "127.1",
    "zero": "0",
    "trailing dot": "127.0.0.1.",
    "fullwidth metadata endpoint": "１６９．２５４．１６９．２５４",
    "fullwidth private network": "１０.０.０.１",
}

LEGACY_NUMERIC = ["2130706433", "0x7f000001", "0x7f.1", "0177.0.0.1", "017700000001", "127.1"]


def guarded(settings, **changes):
    """The test settings with the private-address guard ON (the fixture turns it off)."""
    return settings.replace(allow_private=False, **changes)


async def check_one(url, settings, **kwargs):
    report = await check_urls_async([Link(url, "page.md:1")], settings, **kwargs)
    (result,) = report.results
    return result


class PassThroughResolver:
    """Stands in for GuardedResolver to switch the resolver guard off: only the peer check is left."""

    def __new__(cls, inner, **_options):
        return inner


# --- what the client makes of a host, and the judgement of it -------------------------------------


@pytest.mark.parametrize("host", UNICODE_LOOPBACK.values(), ids=UNICODE_LOOPBACK.keys())
def test_yarl_maps_unicode_spellings_to_loopback_and_the_guard_judges_that(host):
    assert URL(f"http://{host}:8000/x").raw_host == "127.0.0.1"  # what aiohttp connects to
    with pytest.raises(BlockedAddressError) as caught:
        check_host_literal(host)
    assert caught.value.address == "127.0.0.1"
    assert str(caught.value) == f"{host} is 127.0.0.1, a non-public address"


@pytest.mark.parametrize("host", OTHER_FORBIDDEN.values(), ids=OTHER_FORBIDDEN.keys())
def test_other_spellings_of_forbidden_addresses_are_refused(host):
    address = literal_address(host)
    assert address is not None and is_forbidden_address(address)
    with pytest.raises(BlockedAddressError):
        check_host_literal(host)


@pytest.mark.parametrize("host", LEGACY_NUMERIC)
def test_legacy_numeric_hosts_reach_loopback_through_the_system_resolver(host):
    """yarl leaves these as they are; the C library's parser still maps them onto 127.0.0.1.

    aiohttp 3.14 refuses the all-digit and dotted ones itself, but hands ``0x7f.1`` to the resolver,
    and older versions hand it all of them: the guard must judge them as the address they spell.
    ``AI_NUMERICHOST`` makes getaddrinfo parse only, never look anything up.
    """
    assert URL(f"http://{host}/").raw_host == host
    (_family, _type, _proto, _name, sockaddr), *_ = socket.getaddrinfo(host, 80, flags=socket.AI_NUMERICHOST)
    assert sockaddr[0] == "127.0.0.1"
    assert literal_address(host) == "127.0.0.1"


@pytest.mark.parametrize("host", ["８.８.８.８", "example.org", "Bücher.example", "xn--bcher-kva.example", "1.2.3"])
def test_public_hosts_and_names_pass_the_literal_check(host):
    check_host_literal(host)  # names are the resolver's and the peer check's to judge


def test_allow_hosts_match_after_normalisation():
    check_host_literal("１２７.０.０.１", allow_hosts=["127.0.0.1"])
    check_host_literal("127.0.0.1", allow_hosts=["１２７。０。０。１"])
    check_host_literal("[::1]", allow_hosts=["::1"])
    with pytest.raises(BlockedAddressError):
        check_host_literal("127.0.0.2", allow_hosts=["127.0.0.1"])


# --- the first request ------------------------------------------------------------------------

FIRST_REQUEST = {**UNICODE_LOOPBACK, **{k: OTHER_FORBIDDEN[k] for k in ("IPv4-mapped IPv6", "hex, short", "short")}}


@pytest.mark.parametrize("host", FIRST_REQUEST.values(), ids=FIRST_REQUEST.keys())
async def test_a_spelling_of_loopback_is_refused_before_any_request(server, settings, fake_resolver, host):
    resolver = fake_resolver({})
    result = await check_one(f"http://{host}:{server.port}/ok", guarded(settings), resolver=resolver)
    assert result.state is State.SKIPPED, result.message
    assert result.message.startswith("private address: ")
    assert result.message.endswith("; use --allow-private to check it")
    assert sum(server.state.hits.values()) == 0
    assert resolver.calls == []  # refused as the literal it is, not looked up


@pytest.mark.parametrize("host", UNICODE_LOOPBACK.values(), ids=UNICODE_LOOPBACK.keys())
async def test_with_the_policy_off_the_same_spelling_does_reach_loopback(server, settings, host):
    """The control: these spellings really are loopback, so the refusal above is what protects it."""
    result = await check_one(f"http://{host}:{server.port}/ok", settings)
    assert result.state is State.OK, result.message
    assert server.state.hits["/ok"] == 1


# --- every redirect hop -----------------------------------------------------------------------

REDIRECT_TARGETS = {**UNICODE_LOOPBACK, **{k: OTHER_FORBIDDEN[k] for k in ("IPv4-mapped IPv6", "hex, short")}}


@pytest.mark.parametrize("host", REDIRECT_TARGETS.values(), ids=REDIRECT_TARGETS.keys())
async def test_a_redirect_to_a_spelling_of_loopback_is_refused(server, httpserver, settings, fake_resolver, host):
    """An allowed host redirects to loopback spelled oddly: the hop is refused, the target never asked."""
    httpserver.expect_request("/secret").respond_with_data("internal")
    target = f"http://{host}:{httpserver.port}/secret"
    resolver = fake_resolver({"docs.test": "127.0.0.1"})
    url = server.url(f"/redirect-to?to={quote(target)}", host="docs.test")
    result = await check_one(url, guarded(settings, allow_hosts=["docs.test"]), resolver=resolver)
    assert result.state is State.SKIPPED, result.message
    assert result.message.startswith("private address: ")
    assert f"(redirect to {target})" in result.message
    assert result.final_url == target
    assert server.state.hits["/redirect-to"] == 1
    assert httpserver.log == []  # the redirect target received nothing
    assert resolver.calls == ["docs.test"]


# --- the peer check: the last line ------------------------------------------------------------


async def test_peer_check_refuses_what_the_resolver_guard_let_through(server, settings, fake_resolver, monkeypatch):
    monkeypatch.setattr(client_module, "GuardedResolver", PassThroughResolver)
    resolver = fake_resolver({"public.test": "127.0.0.1"})
    result = await check_one(server.url("/ok", host="public.test"), guarded(settings), resolver=resolver)
    assert result.state is State.SKIPPED, result.message
    assert result.message == (
        "private address: the connection for public.test would go to the non-public address 127.0.0.1; "
        "use --allow-private to check it"
    )
    assert sum(server.state.hits.values()) == 0


@pytest.mark.parametrize("host", ["127.0.0.1", "１２７.０.０.１", "127。0。0。1", "[::ffff:127.0.0.1]"])
async def test_peer_check_refuses_a_literal_the_host_check_missed(server, settings, monkeypatch, host):
    monkeypatch.setattr(client_module, "check_host_literal", lambda *args, **kwargs: None)
    async with Client(guarded(settings)) as client:
        outcome = await client.check(f"http://{host}:{server.port}/ok")
        assert client.peers.connections >= 1  # the factory was asked, and said no
    assert outcome.state is State.SKIPPED, outcome.message
    assert "would go to the non-public address" in outcome.message
    assert sum(server.state.hits.values()) == 0


@pytest.mark.parametrize("addresses", [["127.0.0.1", "127.0.0.2"], ["::1", "127.0.0.1"]], ids=["v4,v4", "v6,v4"])
async def test_peer_check_refuses_every_address_of_a_name(server, settings, fake_resolver, monkeypatch, addresses):
    """Several forbidden addresses: aiohttp tries each (happy eyeballs) and folds the failures into
    one error; the verdict is still the policy's."""
    monkeypatch.setattr(client_module, "GuardedResolver", PassThroughResolver)
    resolver = fake_resolver({"many.test": addresses})
    result = await check_one(server.url("/ok", host="many.test"), guarded(settings), resolver=resolver)
    assert result.state is State.SKIPPED, result.message
    assert "the connection for many.test would go to the non-public address" in result.message
    assert sum(server.state.hits.values()) == 0


async def test_peer_check_keeps_allow_hosts(server, settings, fake_resolver, monkeypatch):
    monkeypatch.setattr(client_module, "GuardedResolver", PassThroughResolver)
    resolver = fake_resolver({"docs.test": "127.0.0.1", "other.test": "127.0.0.1"})
    links = [
        Link(server.url("/ok", host="docs.test"), "a.md:1"),
        Link(server.url("/counted", host="other.test"), "a.md:2"),
    ]
    report = await check_urls_async(links, guarded(settings, allow_hosts=["DOCS.test."]), resolver=resolver)
    by_url = report.by_url()
    assert by_url[server.url("/ok", host="docs.test")].state is State.OK
    assert by_url[server.url("/counted", host="other.test")].state is State.SKIPPED
    assert server.state.hits["/ok"] == 1 and server.state.hits["/counted"] == 0


def test_peer_guard_judges_the_socket_address_and_fails_closed():
    loopback = (socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", ("127.0.0.1", 80))
    public = (socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", ("93.184.215.14", 80))
    guard = PeerGuard(allow_hosts=["docs.test"])
    with pytest.raises(BlockedPeerError) as caught:
        guard.socket_factory(loopback)  # outside any attempt: no host, so no exemption
    assert isinstance(caught.value, OSError) and caught.value.address == "127.0.0.1"
    with guard.attempt("other.test") as attempt, pytest.raises(BlockedPeerError):
        guard.socket_factory(loopback)
    assert attempt.refused is not None and attempt.refused.host == "other.test"
    with guard.attempt("docs.test"):
        guard.socket_factory(loopback).close()
    guard.socket_factory(public).close()  # created, never connected
    PeerGuard(allow_private=True).socket_factory(loopback).close()
    assert guard.connections == 4
