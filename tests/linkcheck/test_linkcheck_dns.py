"""Name lookups through the system's resolver: each on a thread of its own, so that a dead domain's
hanging lookup holds up neither the other hosts' lookups nor the end of the run.

``socket.getaddrinfo`` is replaced by a fake that answers the test's names (``*.live.test`` with
127.0.0.1, ``*.dead.test`` never until released, as a name server that does not answer) and
passes every other name to the real one; no real DNS is asked.
"""

from __future__ import annotations

import socket
import threading
from collections import Counter

import aiohttp
import pytest

from archkb.linkcheck import Link, State, check_urls, check_urls_async
from archkb.linkcheck.resolver import SystemResolver

_REAL_GETADDRINFO = socket.getaddrinfo


class FakeDNS:
    """A stand-in for ``socket.getaddrinfo`` that counts the lookups in flight at once."""

    def __init__(self, *, barrier: threading.Barrier | None = None) -> None:
        self.release = threading.Event()  # set: the dead names' lookups finally fail
        self.barrier = barrier  # every live lookup waits for the others before it answers
        self.lock = threading.Lock()
        self.in_flight = Counter()  # "live" / "dead" -> lookups running now
        self.peak = Counter()
        self.asked = Counter()

    def __call__(self, host, port, *args, **kwargs):
        kind = "dead" if str(host).endswith(".dead.test") else "live" if str(host).endswith(".live.test") else None
        if kind is None:
            return _REAL_GETADDRINFO(host, port, *args, **kwargs)
        with self.lock:
            self.asked[host] += 1
            self.in_flight[kind] += 1
            self.peak[kind] = max(self.peak[kind], self.in_flight[kind])
        try:
            if kind == "dead":
                self.release.wait(10)  # a name server that never answers: the C library retries on
                raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
            if self.barrier is not None:
                self.barrier.wait()
            return _REAL_GETADDRINFO("127.0.0.1", port, *args, **kwargs)
        finally:
            with self.lock:
                self.in_flight[kind] -= 1


@pytest.fixture
def dns(monkeypatch):
    """Install a :class:`FakeDNS`; the dead names' lookups are released when the test ends."""
    fakes: list[FakeDNS] = []

    def install(**kwargs) -> FakeDNS:
        fake = FakeDNS(**kwargs)
        fakes.append(fake)
        monkeypatch.setattr(socket, "getaddrinfo", fake)
        return fake

    yield install
    for fake in fakes:
        fake.release.set()


def links(*urls: str) -> list[Link]:
    return [Link(url, f"page.md:{n}") for n, url in enumerate(urls, 1)]


def by_url(report) -> dict:
    return {r.url: r for r in report.results}


async def test_hanging_lookups_do_not_hold_up_other_hosts(server, settings, dns):
    """Eight dead domains, more than the threads of the event loop's default pool on most machines
    (6 on 2 cores): with lookups run in that pool, every live host behind them timed out too."""
    fake = dns()
    settings.timeout, settings.retries = 1.0, 0
    dead = [f"http://d{n}.dead.test:{server.port}/ok" for n in range(8)]
    live = [f"http://h{n}.live.test:{server.port}/ok" for n in range(24)]
    results = by_url(await check_urls_async(links(*dead, *live), settings))
    for url in live:
        assert results[url].state is State.OK, (url, results[url].message)
    for n, url in enumerate(dead):
        assert results[url].state is State.ERROR
        assert results[url].message == f"DNS lookup of d{n}.dead.test timed out after 1s"
    assert server.state.hits["/ok"] == len(live)
    assert fake.in_flight["dead"] == 8  # still hanging: the run did not wait for them


async def test_lookups_of_many_hosts_run_at_once(server, settings, dns):
    """24 lookups that each wait until all 24 are running: a pool of fewer threads never gets there."""
    fake = dns(barrier=threading.Barrier(24, timeout=5))
    live = [f"http://h{n}.live.test:{server.port}/ok" for n in range(24)]
    results = by_url(await check_urls_async(links(*live), settings))
    assert {url: r.state for url, r in results.items()} == dict.fromkeys(live, State.OK)
    assert fake.peak["live"] == 24
    assert set(fake.asked.values()) == {1}  # one lookup per name


def test_a_run_ends_without_waiting_for_a_hanging_lookup(dns, tmp_path, monkeypatch):
    """``check_urls`` returns while the dead names' lookups still hang (``asyncio.run`` used to wait
    for the default pool's threads), and their late answers, after the loop has closed, are dropped
    without an error on any thread."""
    from archkb.linkcheck import Settings

    thread_errors: list[BaseException] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: thread_errors.append(args.exc_value))
    fake = dns()
    settings = Settings(timeout=0.5, retries=0, allow_private=True, cache_path=str(tmp_path / "cache.json"))
    dead = [f"http://d{n}.dead.test/" for n in range(3)]
    report = check_urls(links(*dead), settings)
    assert [r.state for r in report.results] == [State.ERROR] * 3
    assert fake.in_flight["dead"] == 3, "the run waited for the lookups to end"
    lookups = [t for t in threading.enumerate() if t.name.startswith("lookup ")]
    assert lookups and all(t.daemon for t in lookups)  # an exit never waits for them
    fake.release.set()
    for thread in lookups:
        thread.join(5)
    assert fake.in_flight["dead"] == 0
    assert thread_errors == []


async def test_a_name_that_does_not_exist_is_broken_through_the_system_resolver(server, settings, monkeypatch):
    def no_such_name(host, port, *args, **kwargs):
        if host == "gone.test":
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return _REAL_GETADDRINFO(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", no_such_name)
    url = f"http://gone.test:{server.port}/ok"
    (result,) = (await check_urls_async(links(url), settings)).results
    assert result.state is State.BROKEN
    assert result.message == "host name gone.test does not resolve"


async def test_a_name_resolving_to_a_private_address_is_still_refused(server, settings, dns):
    dns()
    settings.allow_private = False
    url = f"http://inside.live.test:{server.port}/ok"
    (result,) = (await check_urls_async(links(url), settings)).results
    assert result.state is State.SKIPPED
    assert "inside.live.test is 127.0.0.1, a non-public address" in result.message
    assert server.state.hits["/ok"] == 0


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "::1"])
async def test_the_system_resolver_answers_as_aiohttps_threaded_resolver(host):
    """The same addresses, in the same order and form, as the resolver it replaces."""
    for family in (socket.AF_UNSPEC, socket.AF_INET):
        try:
            expected = await aiohttp.ThreadedResolver().resolve(host, 443, family)
        except OSError as exc:  # e.g. ::1 asked for IPv4 only
            with pytest.raises(type(exc)):
                await SystemResolver().resolve(host, 443, family)
            continue
        assert await SystemResolver().resolve(host, 443, family) == expected


async def test_a_scoped_ipv6_address_is_spelled_as_the_system_spells_it(monkeypatch):
    """A link-local IPv6 answer carries a scope id; the address is then spelled by getnameinfo."""
    answer = [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("fe80::1", 8080, 0, 2))]
    monkeypatch.setattr(socket, "getaddrinfo", lambda *args, **kwargs: answer)
    monkeypatch.setattr(socket, "getnameinfo", lambda address, flags: ("fe80::1%eth1", "8080"))
    expected = await aiohttp.ThreadedResolver().resolve("router.test", 8080, socket.AF_UNSPEC)
    (result,) = await SystemResolver().resolve("router.test", 8080, socket.AF_UNSPEC)
    assert [result] == expected
    assert result["host"] == "fe80::1%eth1" and result["port"] == 8080
