"""The persistent cache: warm runs send nothing, failures are never cached, files survive kills."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from archkb.linkcheck import Link, State, check_urls_async
from archkb.linkcheck.cache import LinkCache
from archkb.linkcheck.states import Result


async def test_warm_cache_sends_no_requests(server, settings):
    links = [Link(server.url(p), "a.md:1") for p in ("/ok", "/status/404", "/perm301", "/status/403", "/ok#present")]
    first = await check_urls_async(links, settings)
    hits = sum(server.state.hits.values())
    second = await check_urls_async(links, settings)
    assert sum(server.state.hits.values()) == hits
    assert second.stats["requests"] == 0 and second.stats["from_cache"] == 5
    assert [(r.url, r.state, r.status, r.final_url, r.checked_at) for r in second.results] == [
        (r.url, r.state, r.status, r.final_url, r.checked_at) for r in first.results
    ]


async def test_errors_429_and_5xx_are_never_cached(server, settings):
    fast = settings.replace(timeout=0.2, retries=0)
    links = [Link(server.url(p), "a.md:1") for p in ("/status/502", "/429-always", "/hang", "/status/400")]
    await check_urls_async(links, fast)
    assert not Path(settings.cache_path).exists()  # nothing worth remembering: nothing written
    hits = sum(server.state.hits.values())
    await check_urls_async(links, fast)
    assert sum(server.state.hits.values()) == 2 * hits


async def test_corrupt_cache_is_reported_and_rebuilt(server, settings):
    Path(settings.cache_path).write_text('{"format": 1, "entries": {"x": [tru', encoding="utf-8")
    report = await check_urls_async([Link(server.url("/ok"), "a.md:1")], settings)
    assert report.results[0].state is State.OK
    assert any("corrupt" in w and settings.cache_path in w for w in report.warnings)
    data = json.loads(Path(settings.cache_path).read_text())
    assert len(data["entries"]) == 1


async def test_cache_of_another_layout_is_rebuilt(server, settings):
    Path(settings.cache_path).write_text("[1, 2, 3]", encoding="utf-8")
    report = await check_urls_async([Link(server.url("/ok"), "a.md:1")], settings)
    assert report.results[0].state is State.OK and report.warnings


async def test_offline_uses_cache_and_never_the_network(server, settings):
    await check_urls_async([Link(server.url("/ok"), "a.md:1")], settings)
    hits = sum(server.state.hits.values())
    report = await check_urls_async(
        [Link(server.url("/ok"), "a.md:1"), Link(server.url("/status/404"), "a.md:2")],
        settings.replace(offline=True),
    )
    assert sum(server.state.hits.values()) == hits
    by_url = report.by_url()
    assert by_url[server.url("/ok")].state is State.OK
    skipped = by_url[server.url("/status/404")]
    assert skipped.state is State.SKIPPED and "offline" in skipped.message


async def test_settings_that_change_results_change_the_key(server, settings):
    await check_urls_async([Link(server.url("/ok"), "a.md:1")], settings)
    other = await check_urls_async([Link(server.url("/ok"), "a.md:1")], settings.replace(max_redirects=3))
    assert other.stats["requests"] == 1
    same = await check_urls_async([Link(server.url("/ok"), "a.md:1")], settings.replace(timeout=9, per_host=1))
    assert same.stats["requests"] == 0


async def test_cache_is_keyed_after_rewrites_and_normalization(server, settings):
    moved = settings.replace(rewrites=[(r"^https://old\.example", f"http://127.0.0.1:{server.port}")])
    await check_urls_async([Link("https://old.example/ok", "a.md:1")], moved)
    again = await check_urls_async([Link(f"HTTP://127.0.0.1:{server.port}/%6Fk", "b.md:1")], settings)
    assert again.stats["requests"] == 0 and again.results[0].state is State.OK


async def test_no_cache_reads_and_writes_nothing(server, settings):
    await check_urls_async([Link(server.url("/ok"), "a.md:1")], settings.replace(no_cache=True))
    assert not Path(settings.cache_path).exists()


def test_ttl_with_jitter(tmp_path):
    clock = [1_000_000.0]
    cache = LinkCache(tmp_path / "c.json", "fp", max_age_days=10, now=lambda: clock[0])
    cache.put(Result("https://a.example/", State.OK, 200, checked_at="t"))
    cache.put(Result("https://b.example/", State.BROKEN, 404, checked_at="t"))
    cache.save()
    day = 86400.0
    clock[0] += 0.79 * day
    fresh = LinkCache(tmp_path / "c.json", "fp", 10, now=lambda: clock[0]).load()
    assert fresh.get("https://a.example/") is not None and fresh.get("https://b.example/") is not None
    clock[0] += 1.5 * day  # broken verdicts live at most a day (+/-20%)
    later = LinkCache(tmp_path / "c.json", "fp", 10, now=lambda: clock[0]).load()
    assert later.get("https://a.example/") is not None and later.get("https://b.example/") is None
    clock[0] += 10 * day  # past 1.2 x max-age
    assert LinkCache(tmp_path / "c.json", "fp", 10, now=lambda: clock[0]).load().get("https://a.example/") is None


def test_ttl_jitter_spreads_expiry(tmp_path):
    cache = LinkCache(tmp_path / "c.json", "fp", max_age_days=7)
    for i in range(50):
        cache.put(Result(f"https://x.example/{i}", State.OK, 200))
    expiries = {round(e["expires"]) for e in cache.entries.values()}
    assert len(expiries) > 40


def test_cache_write_killed_midway_leaves_the_old_cache(tmp_path):
    """A process killed in the middle of saving leaves the previous cache intact and loadable."""
    path = tmp_path / "cache.json"
    old = LinkCache(path, "fp", 7)
    old.put(Result("https://kept.example/", State.OK, 200, checked_at="t"))
    old.save()
    before = path.read_bytes()
    child = textwrap.dedent(
        f"""
        import os, sys, time
        from archkb.linkcheck import atomic
        from archkb.linkcheck.cache import LinkCache
        from archkb.linkcheck.states import Result, State

        def stall(fd):  # the new content is half-way to disk: stop here and wait to be killed
            print("saving", flush=True)
            time.sleep(60)

        atomic.os.fsync = stall
        cache = LinkCache({str(path)!r}, "fp", 7).load()
        for i in range(20000):
            cache.put(Result(f"https://new.example/{{i}}", State.OK, 200, checked_at="t"))
        cache.save()
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", child], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "saving"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=10)
    assert path.read_bytes() == before
    survivor = LinkCache(path, "fp", 7).load()
    assert survivor.warning is None
    assert survivor.get("https://kept.example/").state is State.OK
    # The next save succeeds and replaces the file; a leftover temp file does no harm.
    survivor.put(Result("https://next.example/", State.OK, 200, checked_at="t"))
    survivor.save()
    assert LinkCache(path, "fp", 7).load().get("https://next.example/") is not None


def test_interrupted_save_cleans_its_temp_file(tmp_path, monkeypatch):
    from archkb.linkcheck import atomic

    path = tmp_path / "cache.json"
    cache = LinkCache(path, "fp", 7)
    cache.put(Result("https://a.example/", State.OK, 200))

    def boom(*_args):
        raise KeyboardInterrupt

    monkeypatch.setattr(atomic.os, "replace", boom)
    with contextlib.suppress(KeyboardInterrupt):
        cache.save()
    assert list(tmp_path.iterdir()) == []


async def test_interrupted_run_keeps_what_it_learned(server, settings):
    import asyncio

    links = [Link(server.url("/ok"), "a.md:1"), Link(server.url("/hang"), "a.md:2")]
    task = asyncio.ensure_future(check_urls_async(links, settings.replace(timeout=20)))
    while server.state.hits["/ok"] == 0 or server.state.hits["/hang"] == 0:
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.05)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    cache = LinkCache(settings.cache_path, settings.fingerprint(), settings.max_age_days).load()
    assert cache.get(server.url("/ok")).state is State.OK
    assert cache.get(server.url("/hang")) is None


async def test_a_run_stopped_by_its_budget_keeps_what_it_learned(server, settings):
    # Verdicts go into the cache as they arrive, so the one that came back before the budget ran
    # out is remembered and the next run asks only about the other.
    links = [Link(server.url("/ok"), "a.md:1"), Link(server.url("/hang"), "a.md:2")]
    report = await check_urls_async(links, settings.replace(run_budget=0.5, timeout=5))
    assert {r.url.rsplit("/", 1)[-1]: r.state for r in report.results} == {"ok": State.OK, "hang": State.ERROR}
    entries = json.loads(Path(settings.cache_path).read_text())["entries"]
    assert [key.rsplit("/", 1)[-1] for key in entries] == ["ok"]
    again = await check_urls_async(links[:1], settings)
    assert again.stats["requests"] == 0 and again.stats["from_cache"] == 1
