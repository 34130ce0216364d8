"""Behaviour of the checker against a local server: one test per state-deciding situation."""

from __future__ import annotations

import asyncio
import time
import tracemalloc

import pytest

from archkb.linkcheck import Link, Settings, State, check_urls, check_urls_async

from .conftest import gzip_bomb


async def check_one(url: str, settings: Settings, **kwargs):
    report = await check_urls_async([Link(url, "page.md:1")], settings, **kwargs)
    assert len(report.results) == 1
    return report.results[0], report


@pytest.mark.parametrize(
    ("path", "state", "status", "final"),
    [
        ("/ok", State.OK, 200, None),
        ("/status/404", State.BROKEN, 404, None),
        ("/status/410", State.BROKEN, 410, None),
        ("/perm301", State.REDIRECTED, 200, "/ok"),
        ("/perm308", State.REDIRECTED, 200, "/ok"),
        ("/temp302", State.OK, 200, "/ok"),
        ("/status/403", State.BLOCKED, 403, None),
        ("/status/401", State.BLOCKED, 401, None),
        ("/status/999", State.BLOCKED, 999, None),
        ("/bot-wall", State.BLOCKED, 403, None),
        ("/bot-wall-503", State.BLOCKED, 503, None),  # a challenge is not retried as an outage
        ("/head405", State.OK, 200, None),
        ("/status/400", State.ERROR, 400, None),
        ("/status/501", State.ERROR, 501, None),
    ],
)
async def test_status_to_state(server, settings, path, state, status, final):
    result, _ = await check_one(server.url(path), settings)
    assert result.state is state, result.message
    assert result.status == status
    assert result.final_url == (server.url(final) if final else None)
    assert result.sources == ["page.md:1"]
    assert result.checked_at


async def test_head_first_then_get_only_when_needed(server, settings):
    await check_one(server.url("/head405"), settings)
    assert server.state.methods == [("HEAD", "/head405"), ("GET", "/head405")]
    server.state.methods.clear()
    await check_one(server.url("/ok"), settings)
    assert server.state.methods == [("HEAD", "/ok")]


async def test_a_host_that_mishandles_head_is_asked_with_get_from_then_on(server, settings):
    """HEAD 405 then GET 200 on one URL: the host's later checks are one GET each, not HEAD + GET."""
    links = [Link(server.url(f"/head405?n={n}"), "page.md:1") for n in range(4)]
    report = await check_urls_async(links, settings.replace(per_host=1, concurrency=1))
    assert [r.state for r in report.results] == [State.OK] * 4
    assert [m for m, _path in server.state.methods] == ["HEAD", "GET", "GET", "GET", "GET"]
    assert report.stats["requests"] == 5


async def test_a_small_unneeded_body_is_read_so_the_connection_is_kept(server, settings):
    """A GET whose body is small is read to the end, so the host's next check reuses the connection."""
    links = [Link(server.url(f"/late-body?n={n}"), "page.md:1") for n in range(4)]
    await check_urls_async(links, settings.replace(per_host=1, concurrency=1))
    assert [m for m, _path in server.state.methods] == ["HEAD", "GET", "GET", "GET", "GET"]
    assert len(set(server.state.peers[1:])) == 1  # the four GETs over one connection


async def test_a_small_body_that_expands_is_not_read_to_its_end(server, settings):
    """Small as sent is not small as read: under 16 KiB of gzip holding 15 MiB is dropped, not inflated."""
    assert len(gzip_bomb(15)) <= 16 * 1024  # within the size read to keep a connection; made before measuring
    tracemalloc.start()
    try:
        result, _ = await check_one(server.url("/small-gzip-bomb"), settings.replace(retries=0))
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.state is State.OK
    assert peak < 8 * 1024 * 1024, f"{peak / 2**20:.0f} MiB allocated at the peak"


async def test_a_large_unneeded_body_is_not_read(server, settings):
    """A GET whose body is large (here 200 MB) is never read for nothing: its connection is closed."""
    links = [Link(server.url("/huge?n=1"), "page.md:1"), Link(server.url("/huge?n=2"), "page.md:2")]
    report = await check_urls_async(links, settings.replace(per_host=1, concurrency=1, retries=0))
    assert [r.state for r in report.results] == [State.OK, State.OK]
    assert [m for m, _path in server.state.methods] == ["HEAD", "GET", "GET"]
    assert len(set(server.state.peers[1:])) == 2  # each GET's connection closed, the body left unread
    assert server.state.bytes_sent["/huge"] < 40 * 1024 * 1024


async def test_a_404_on_head_and_get_keeps_head_first(server, settings):
    """A page that is really gone says nothing about HEAD: the host's next check starts with HEAD."""
    links = [Link(server.url("/status/404"), "page.md:1"), Link(server.url("/ok"), "page.md:2")]
    report = await check_urls_async(links, settings.replace(per_host=1, concurrency=1))
    assert {r.url: r.state for r in report.results} == {
        server.url("/status/404"): State.BROKEN,
        server.url("/ok"): State.OK,
    }
    assert server.state.methods == [("HEAD", "/status/404"), ("GET", "/status/404"), ("HEAD", "/ok")]


async def test_501_on_head_means_try_get_without_retrying(server, settings):
    _result, report = await check_one(server.url("/status/501"), settings)
    assert server.state.methods == [("HEAD", "/status/501"), ("GET", "/status/501")]
    assert report.stats["retries"] == 0


async def test_redirect_loop_is_error(server, settings):
    result, _ = await check_one(server.url("/loop-a"), settings)
    assert result.state is State.ERROR
    assert "loop" in result.message
    assert server.state.hits["/loop-a"] == 1  # detected at once, not after max_redirects hops


async def test_too_many_redirects_is_error(server, settings):
    result, _ = await check_one(server.url("/perm301"), settings.replace(max_redirects=0))
    assert result.state is State.ERROR
    assert "more than 0 redirects" in result.message


async def test_guard_blocks_redirect_to_loopback(server, settings, fake_resolver):
    """Guard ON: an allowed host that redirects to a loopback address is refused at that hop."""
    guarded = settings.replace(allow_private=False, allow_hosts=["docs.test"])
    resolver = fake_resolver({"docs.test": "127.0.0.1", "sneaky.test": "127.0.0.1"})

    # A literal loopback address is refused before any connection.
    result, _ = await check_one(server.url("/ok"), guarded, resolver=resolver)
    assert result.state is State.SKIPPED and "private address" in result.message

    # Redirect to a name that resolves to loopback: the first hop is fetched, the second refused.
    target = server.url("/ok", host="sneaky.test")
    result, _ = await check_one(server.url(f"/redirect-to?to={target}", host="docs.test"), guarded, resolver=resolver)
    assert result.state is State.SKIPPED, result.message
    assert "sneaky.test resolves to the non-public address 127.0.0.1" in result.message
    assert result.final_url == target

    # Redirect to a literal loopback address: refused too.
    target = server.url("/ok", host="127.0.0.1")
    result, _ = await check_one(server.url(f"/redirect-to?to={target}", host="docs.test"), guarded, resolver=resolver)
    assert result.state is State.SKIPPED, result.message
    assert server.state.hits["/redirect-to"] == 2
    assert server.state.hits["/ok"] == 0


async def test_guard_judges_resolved_address(server, settings, fake_resolver):
    guarded = settings.replace(allow_private=False)
    resolver = fake_resolver({"metadata.test": "169.254.169.254", "lan.test": "10.1.2.3"})
    for host in ("metadata.test", "lan.test"):
        result, _ = await check_one(f"http://{host}/x", guarded, resolver=resolver)
        assert result.state is State.SKIPPED
        assert "non-public address" in result.message


async def test_unresolvable_host_is_broken(settings, fake_resolver):
    result, _ = await check_one("http://no-such-host.test/page", settings, resolver=fake_resolver({}))
    assert result.state is State.BROKEN
    assert "does not resolve" in result.message
    assert result.status is None


async def test_hanging_response_times_out_then_error(server, settings):
    fast = settings.replace(timeout=0.3, retries=1)
    started = time.monotonic()
    result, report = await check_one(server.url("/hang"), fast)
    elapsed = time.monotonic() - started
    assert result.state is State.ERROR
    assert "timed out after 0.3s" in result.message
    assert server.state.hits["/hang"] == 2  # one retry
    assert elapsed < 2.0
    assert report.stats["retries"] == 1


async def test_connection_reset_is_retried_then_error(reset_server, settings):
    url, count = reset_server
    result, report = await check_one(url, settings)
    assert result.state is State.ERROR
    assert "reset" in result.message
    assert report.stats["requests"] == 2  # the attempt and one retry
    assert report.stats["retries"] == 1
    # aiohttp transparently re-sends an idempotent request once on a dropped connection (RFC 9112
    # section 9.3.1.1), so each of our requests costs at most two connections.
    assert 2 <= count["connections"] <= 4


async def test_connection_refused_is_error_without_retry(settings):
    import socket

    with socket.socket() as sock:  # find a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result, report = await check_one(f"http://127.0.0.1:{port}/", settings)
    assert result.state is State.ERROR
    assert "refused" in result.message
    assert report.stats["retries"] == 0


async def test_429_with_retry_after_then_200(server, settings):
    started = time.monotonic()
    result, _ = await check_one(server.url("/429-once"), settings)
    assert result.state is State.OK
    assert server.state.hits["/429-once"] == 2
    gap = server.state.hit_times["/429-once"][1] - server.state.hit_times["/429-once"][0]
    assert gap >= 0.95  # Retry-After: 1 paused the host's queue
    assert time.monotonic() - started < 3


async def test_429_that_persists_is_blocked(server, settings):
    result, _ = await check_one(server.url("/429-always"), settings.replace(retries=2))
    assert result.state is State.BLOCKED
    assert result.status == 429
    assert server.state.hits["/429-always"] == 3


async def test_retry_after_beyond_cap_gives_up_at_once(server, settings):
    result, _ = await check_one(server.url("/429-once"), settings.replace(retry_after_cap=0.5))
    assert result.state is State.BLOCKED
    assert "exceeds" in result.message
    assert server.state.hits["/429-once"] == 1


async def test_503_then_200(server, settings):
    result, _ = await check_one(server.url("/503-once"), settings)
    assert result.state is State.OK
    assert server.state.hits["/503-once"] == 2


async def test_5xx_after_retries_is_error(server, settings):
    result, _ = await check_one(server.url("/status/502"), settings)
    assert result.state is State.ERROR
    assert result.status == 502


@pytest.mark.parametrize(
    ("path", "state", "message"),
    [
        ("/header-20k", State.OK, ""),  # a long Content-Security-Policy: browsers show the page
        ("/header-40k", State.ERROR, "invalid HTTP response: "),  # over 32 KiB in one line
        ("/many-headers", State.ERROR, "invalid HTTP response: Too many headers received"),
    ],
)
async def test_response_headers_are_read_up_to_a_bound(server, settings, path, state, message):
    result, _ = await check_one(server.url(path), settings.replace(retries=0))
    assert result.state is state
    assert result.message.startswith(message) and "400" not in result.message, result.message
    assert len(result.message) <= 200


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        (b"hello there\r\n\r\n", "invalid HTTP response: Bad status line: "),
        (b"HTTP/1.1 2OO OK\r\nContent-Length: 0\r\n\r\n", "invalid HTTP response: Bad status line: "),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "invalid HTTP response: "),
        (b"", "the server closed the connection without answering"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n<p>", "the response ended before its body did"),
    ],
)
async def test_a_reply_that_is_not_http_is_an_error_on_one_line(settings, reply, message):
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(reply)
        await writer.drain()
        writer.close()

    listener = await asyncio.start_server(answer, "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]
    try:
        result, _ = await check_one(f"http://127.0.0.1:{port}/page#part", settings.replace(retries=0))  # a GET
    finally:
        listener.close()
    assert result.state is State.ERROR and result.status is None
    assert result.message.startswith(message), result.message
    assert "\n" not in result.message and len(result.message) <= 200


async def test_a_gzipped_page_is_decoded_for_its_fragments(server, settings):
    present, absent = server.url("/gzipped#present"), server.url("/gzipped#absent")
    report = await check_urls_async([Link(present, "p.md:1"), Link(absent, "p.md:2")], settings)
    states = {r.url: r.state for r in report.results}
    assert states == {present: State.OK, absent: State.BROKEN}


@pytest.mark.parametrize("path", ["/charset-in-header", "/charset-in-meta", "/charset-in-http-equiv"])
async def test_a_legacy_encoded_page_is_read_in_its_declared_encoding(server, settings, path):
    """An id with a non-ASCII letter on a windows-1252 page is found, wherever the page names its
    encoding (the header, or only a <meta> in the page, as the HTML standard's prescan reads it).
    """
    present, absent = server.url(f"{path}#caf%C3%A9"), server.url(f"{path}#cafe")
    report = await check_urls_async([Link(present, "p.md:1"), Link(absent, "p.md:2")], settings)
    states = {r.url: (r.state, r.message) for r in report.results}
    assert states[present] == (State.OK, "")
    assert states[absent][0] is State.BROKEN


async def test_a_gzip_bomb_is_decompressed_only_up_to_the_cap(server, settings):
    """256 MiB behind 256 KiB of gzip: the checker decompresses about the body cap, never the rest."""
    gzip_bomb()  # made before measuring (the server holds it)
    capped = settings.replace(max_body_bytes=512 * 1024, retries=0)
    tracemalloc.start()
    try:
        result, _ = await check_one(server.url("/gzip-bomb#somewhere"), capped)
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.state is State.ERROR
    assert result.message == f"fragment #somewhere not in the first {512 * 1024} bytes read"
    assert peak < 48 * 1024 * 1024, f"{peak / 2**20:.0f} MiB allocated at the peak"


async def test_huge_body_is_not_downloaded(server, settings):
    """HEAD refused, so GET: the checker stops after the headers (no fragment to look for)."""
    started = time.monotonic()
    result, _ = await check_one(server.url("/huge"), settings)
    assert result.state is State.OK
    assert time.monotonic() - started < 3
    assert server.state.bytes_sent["/huge"] < 20 * 1024 * 1024


async def test_huge_body_with_fragment_reads_only_the_cap(server, settings):
    capped = settings.replace(max_body_bytes=256 * 1024)
    result, _ = await check_one(server.url("/huge#somewhere"), capped)
    assert result.state is State.ERROR  # not found in what we read: inconclusive, not broken
    assert "first 262144 bytes" in result.message
    assert server.state.bytes_sent["/huge"] < 20 * 1024 * 1024


@pytest.mark.parametrize(
    ("fragment", "state"),
    [
        ("present", State.OK),
        ("legacy", State.OK),  # <a name>
        ("readme", State.OK),  # GitHub-style user-content- prefix
        ("absent", State.BROKEN),
        (":~:text=hello", State.OK),  # text fragments are not ids
    ],
)
async def test_fragments(server, settings, fragment, state):
    result, _ = await check_one(server.url(f"/ok#{fragment}"), settings)
    assert result.state is state, result.message
    assert result.url.endswith(f"#{fragment}")
    if state is State.BROKEN:
        assert f"#{fragment} is not on the page" in result.message


async def test_fragment_after_permanent_redirect(server, settings):
    result, _ = await check_one(server.url("/perm301#absent"), settings)
    assert result.state is State.BROKEN
    result, _ = await check_one(server.url("/perm301#present"), settings)
    assert result.state is State.REDIRECTED


async def test_one_url_cited_by_many_pages_is_fetched_once(server, settings):
    url = server.url("/counted")
    links = [Link(url, f"page{i}.md:{i}") for i in range(50)]
    links += [Link(url + "#present", "a.md:1"), Link(url + "#absent", "b.md:2"), Link(url, "page0.md:0")]
    report = await check_urls_async(links, settings)
    assert server.state.hits["/counted"] == 1  # one GET serves the page and both fragments
    by_url = report.by_url()
    assert len(by_url[url].sources) == 50  # the repeated page0.md:0 is listed once
    assert by_url[url + "#present"].state is State.OK
    assert by_url[url + "#absent"].state is State.BROKEN
    assert report.summary["ok"] == 2 and report.summary["broken"] == 1


async def test_per_host_limit_is_never_exceeded(server, settings):
    links = [Link(server.url(f"/slow/{i}"), "p.md:1") for i in range(24)]
    report = await check_urls_async(links, settings.replace(per_host=3, concurrency=50))
    assert report.summary["ok"] == 24
    assert server.state.peak == 3
    assert report.stats["peak_per_host"] == 3


async def test_policy_skips(settings):
    links = [
        Link("mailto:someone@example.org", "a.md:1"),
        Link("ftp://files.example.org/x", "a.md:2"),
        Link("https://excluded.example.org/page", "a.md:3"),
        Link("relative/page.md", "a.md:4"),
    ]
    report = await check_urls_async(links, settings.replace(excludes=[r"excluded\.example"]))
    assert {r.state for r in report.results} == {State.SKIPPED}
    messages = {r.url: r.message for r in report.results}
    assert "mailto:" in messages["mailto:someone@example.org"]
    assert "excluded" in messages["https://excluded.example.org/page"]
    assert report.stats["requests"] == 0


async def test_run_budget_stops_a_slow_run(server, settings):
    started = time.monotonic()
    report = await check_urls_async([Link(server.url("/hang"), "a.md:1")], settings.replace(run_budget=0.3, timeout=5))
    assert time.monotonic() - started < 2
    assert report.results[0].state is State.ERROR
    assert "run budget" in report.results[0].message


def test_sync_api_and_json_format(tmp_path):
    settings = Settings(cache_path=str(tmp_path / "c.json"), offline=True)
    report = check_urls(
        [Link("https://example.org/a#b", "x.md:3"), Link("https://example.org/a#b", "y.md:4")], settings
    )
    data = report.to_json()
    assert set(data) == {"results", "summary"}
    (entry,) = data["results"]
    assert set(entry) == {"url", "state", "status", "final_url", "sources", "message", "checked_at", "suggestion"}
    assert entry["url"] == "https://example.org/a#b"
    assert entry["state"] == "skipped" and entry["sources"] == ["x.md:3", "y.md:4"]
    assert data["summary"] == {"broken": 0, "error": 0, "blocked": 0, "redirected": 0, "ok": 0, "skipped": 1}


def test_invalid_settings_raise_settings_error():
    from archkb.linkcheck import SettingsError

    with pytest.raises(SettingsError, match="per-host"):
        check_urls([], Settings(per_host=0, no_cache=True))


async def test_a_host_that_keeps_timing_out_is_given_up(server, settings):
    """One dead host costs a few timeouts, not one timeout per URL."""
    links = [Link(server.url(f"/hang?n={i}"), "a.md:1") for i in range(12)]
    fast = settings.replace(timeout=0.3, retries=0, per_host=2, host_timeouts=2)
    started = time.monotonic()
    report = await check_urls_async(links, fast)
    assert time.monotonic() - started < 1.5
    assert report.summary["error"] == 12
    assert server.state.hits["/hang"] <= 4
    assert sum("in a row" in r.message for r in report.results) >= 8


async def test_same_url_never_requested_twice_at_once(server, settings):
    """Ten URLs redirect to /slow/shared while it is also checked directly: never two at once."""
    shared = server.url("/slow/shared")
    links = [Link(shared, "a.md:1")]
    links += [Link(server.url(f"/redirect-to?to={shared}&k={i}"), f"a.md:{i + 2}") for i in range(10)]
    report = await check_urls_async(links, settings.replace(per_host=8))
    assert report.summary["ok"] == 11
    assert server.state.hits["/slow/shared"] == 11
    assert server.state.path_peak["/slow/shared"] == 1
    assert server.state.peak > 1  # the redirects themselves did run in parallel


async def test_malformed_urls_are_broken_not_a_crash(settings, fake_resolver):
    bad = ["http://[bad", "http://exa mple.com/", "http://", "http://a.test:99999/", "https://a.test/\x00x"]
    report = await check_urls_async([Link(u, "x.md:1") for u in bad], settings, resolver=fake_resolver({}))
    assert [r.state for r in report.results] == [State.BROKEN] * len(bad)
    assert all(r.message.startswith("malformed URL: ") for r in report.results)
    assert report.stats["requests"] == 0


@pytest.mark.parametrize("how", ["hang", "500"])
async def test_a_retry_after_head_got_no_answer_or_a_server_error_asks_with_get(server, settings, how):
    """Some servers hang up on HEAD, let it time out, or fail it, and answer GET: the retry uses GET."""
    result, _ = await check_one(server.url(f"/head-fails/{how}"), settings.replace(timeout=0.5, retries=1))
    assert result.state is State.OK, result.message
    assert [m for m, p in server.state.methods if p == f"/head-fails/{how}"] == ["HEAD", "GET"]


async def test_without_retries_a_head_that_fails_is_not_asked_again(server, settings):
    result, _ = await check_one(server.url("/head-fails/500"), settings.replace(retries=0))
    assert result.state is State.ERROR
    assert [m for m, p in server.state.methods if p == "/head-fails/500"] == ["HEAD"]


async def test_a_503_to_head_is_retried_with_head(server, settings):
    """503 says "later", not "not this way": the retry stays as cheap for the server."""
    result, _ = await check_one(server.url("/503-once"), settings)
    assert result.state is State.OK
    assert [m for m, p in server.state.methods if p == "/503-once"] == ["HEAD", "HEAD"]


async def test_a_redirect_that_carries_a_fragment_replaces_the_links_own(server, settings):
    """A browser follows ``Location: /ok#top`` to ``#top``, whatever fragment the link had; without
    a fragment in the Location, the link's own carries over and is judged."""
    replaced, carried, present = (
        server.url("/redirect-with-fragment#absent"),
        server.url("/temp302#absent"),
        server.url("/temp302#present"),
    )
    emptied = server.url("/redirect-with-empty-fragment#absent")
    report = await check_urls_async([Link(u, "p.md:1") for u in (replaced, carried, present, emptied)], settings)
    results = {r.url: r for r in report.results}
    assert results[replaced].state is State.OK
    assert results[replaced].message == "fragment #absent not checked: the redirect replaces it with #top"
    assert results[emptied].state is State.OK
    assert results[emptied].message == "fragment #absent not checked: the redirect replaces it with no fragment"
    assert results[carried].state is State.BROKEN
    assert "fragment #absent is not on the page" in results[carried].message
    assert results[present].state is State.OK
