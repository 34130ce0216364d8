"""Issue #15's features against local servers only: archived snapshots, dead archived URLs, per-host
rules, remaps and the cache, the GitHub token, text fragments, and follow-up requests going first."""

from __future__ import annotations

import itertools
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from archkb.linkcheck import Link, Settings, State, check_urls_async, render
from archkb.linkcheck.cache import LinkCache
from archkb.linkcheck.config import ConfigFileError, apply_table, load_table
from archkb.linkcheck.internal import check_internal, load_pages
from archkb.linkcheck.settings import HostRule

from .test_linkcheck_cli import run, web, write_project  # noqa: F401 - web is a fixture


def links(*urls: str) -> list[Link]:
    return [Link(url, f"page.md:{i + 1}") for i, url in enumerate(urls)]


# --- --suggest: the availability API is asked about broken links, and nothing else --------------------


async def test_suggest_asks_the_archive_about_broken_urls_only(server, settings):
    gone, also_gone, ok = server.url("/status/404"), server.url("/status/410"), server.url("/ok")
    snapshot = "http://web.archive.org/web/20130919044612/" + gone
    server.state.snapshots[gone] = snapshot
    run_settings = settings.replace(suggest=True, archive_api=server.url("/wayback/available"))
    report = await check_urls_async(links(gone, also_gone + "#frag", ok, server.url("/ok#top")), run_settings)
    by_url = report.by_url()
    assert sorted(server.state.archive_asked) == sorted([gone, also_gone])  # once each, without fragments
    # The Wayback Machine's own links are upgraded to HTTPS.
    assert by_url[gone].suggestion == "https://web.archive.org/web/20130919044612/" + gone
    assert by_url[also_gone + "#frag"].suggestion is None  # the archive has no copy
    assert by_url[ok].suggestion is None
    data = json.loads(render(report, "json"))
    entries = {entry["url"]: entry for entry in data["results"]}
    assert entries[gone]["suggestion"] == by_url[gone].suggestion
    assert entries[ok]["suggestion"] is None  # always present: null when none


async def test_without_suggest_the_archive_is_never_asked(server, settings):
    run_settings = settings.replace(archive_api=server.url("/wayback/available"))
    report = await check_urls_async(links(server.url("/status/404")), run_settings)
    assert report.results[0].state is State.BROKEN
    assert server.state.archive_asked == []
    assert report.results[0].suggestion is None


async def test_the_archive_api_gets_the_same_politeness(server, settings):
    """The API's host is queued like any other: here it shares the one slot of its host."""
    gone = [server.url(f"/status/404?n={n}") for n in range(5)]
    run_settings = settings.replace(suggest=True, archive_api=server.url("/wayback/available"), per_host=1)
    await check_urls_async(links(*gone), run_settings)
    assert len(server.state.archive_asked) == 5
    assert server.state.peak == 1


async def test_the_archive_api_retry_after_pauses_its_host(server, settings):
    gone = server.url("/status/404")
    server.state.snapshots[gone] = "https://web.archive.org/web/20200101000000/" + gone
    run_settings = settings.replace(suggest=True, archive_api=server.url("/wayback-busy/available"))
    report = await check_urls_async(links(gone), run_settings)
    assert report.results[0].suggestion == server.state.snapshots[gone]
    first, second = server.state.hit_times["/wayback-busy/available"]
    assert second - first >= 0.95  # Retry-After: 1 was honoured


async def test_an_archive_answer_that_is_not_an_http_url_is_dropped(server, settings):
    gone = server.url("/status/404")
    server.state.snapshots[gone] = "javascript:alert(1)"
    run_settings = settings.replace(suggest=True, archive_api=server.url("/wayback/available"))
    report = await check_urls_async(links(gone), run_settings)
    assert report.results[0].suggestion is None


async def test_an_unreachable_archive_costs_only_the_suggestion(server, settings):
    run_settings = settings.replace(suggest=True, archive_api="http://127.0.0.1:9/wayback/available")
    report = await check_urls_async(links(server.url("/status/404")), run_settings)
    assert report.results[0].state is State.BROKEN and report.results[0].suggestion is None


def test_cli_suggest_in_every_format(tmp_path, web):
    base = web.url_for("").rstrip("/")
    snapshot = f"https://web.archive.org/web/20200102030405/{base}/gone"
    asked = []

    def availability(request):
        from werkzeug import Response

        asked.append(request.args["url"])
        body = {"archived_snapshots": {"closest": {"available": True, "url": snapshot, "status": "200"}}}
        return Response(json.dumps(body), content_type="application/json")

    web.expect_request("/wayback/available").respond_with_handler(availability)
    page = tmp_path / "links.md"
    page.write_text(f"[gone]({base}/gone) and [ok]({base}/ok)\n", encoding="utf-8")
    common = [
        str(page),
        "--root",
        str(tmp_path),
        "--allow-private",
        "--no-cache",
        "--suggest",
        "--archive-api",
        f"{base}/wayback/available",
    ]
    as_json = run([*common, "--format", "json"])
    assert as_json.exit_code == 2, as_json.output
    entries = {e["url"]: e for e in json.loads(as_json.stdout)["results"]}
    assert entries[f"{base}/gone"]["suggestion"] == snapshot
    assert entries[f"{base}/ok"]["suggestion"] is None
    assert asked == [f"{base}/gone"]
    assert f"archived copy: {snapshot}" in run([*common, "--format", "text"]).stdout
    assert f"archived copy: <{snapshot}>" in run([*common, "--format", "markdown"]).stdout
    junit = ET.fromstring(run([*common, "--format", "junit"]).stdout)
    failure = junit.find(".//failure")
    assert failure is not None and f"archived copy: {snapshot}" in failure.text


def test_markdown_output_keeps_a_hostile_snapshot_inside_its_cell():
    from archkb.linkcheck import Report, Result

    hostile = "https://web.archive.org/web/2020/x|y> <script>alert(1)</script>"
    report = Report(results=[Result("https://example.com/a", State.BROKEN, 404, suggestion=hostile)])
    line = next(row for row in render(report, "markdown").splitlines() if row.startswith("| broken | <https"))
    assert "<script>" not in line and "|y>" not in line
    assert line.count(" | ") == 3  # still four cells


# --- archived_url: a dead fallback is reported with the reference that carries it ------------------


def test_a_dead_archived_url_is_reported_with_its_reference(tmp_path, web):
    base = web.url_for("").rstrip("/")
    write_project(tmp_path, base)
    refs = tmp_path / "references" / "t.yml"
    refs.write_text(refs.read_text().replace(f"archived_url: {base}/ok", f"archived_url: {base}/archive-gone"))
    web.expect_request("/archive-gone").respond_with_data("gone", status=404)
    from archkb.catalog.loader import load_catalog

    ref = load_catalog(tmp_path).references["doe-2020-gone"]
    result = run(["--root", str(tmp_path), "--allow-private", "--format", "json"])
    assert result.exit_code == 2, result.output
    entries = {e["url"]: e for e in json.loads(result.stdout)["results"]}
    dead = entries[f"{base}/archive-gone"]
    assert dead["state"] == "broken"
    assert dead["sources"] == [f"references/t.yml:{ref.line}"]


# --- per-host rules, excludes and remaps --------------------------------------------------------------


async def test_per_host_interval_is_honoured(server, settings):
    rule = HostRule("127.0.0.1", interval=0.15)
    urls = [server.url(f"/counted?n={n}") for n in range(4)]
    report = await check_urls_async(links(*urls), settings.replace(hosts=[rule]))
    assert {r.state for r in report.results} == {State.OK}
    starts = sorted(server.state.starts)
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert len(starts) == 4 and min(gaps) >= 0.14, gaps


async def test_run_interval_applies_to_every_host(server, settings):
    urls = [server.url(f"/counted?n={n}") for n in range(3)]
    await check_urls_async(links(*urls), settings.replace(interval=0.1))
    starts = sorted(server.state.starts)
    assert min(b - a for a, b in itertools.pairwise(starts)) >= 0.09


async def test_per_host_concurrency_and_accepted_statuses(server, settings):
    rule = HostRule("127.0.0.1", accept=[403, 429], per_host=1)
    urls = [server.url(f"/slow/{n}") for n in range(4)] + [server.url("/status/403"), server.url("/429-always")]
    report = await check_urls_async(links(*urls), settings.replace(hosts=[rule], per_host=4))
    by_url = report.by_url()
    assert server.state.peak == 1
    assert by_url[server.url("/status/403")].state is State.OK
    assert "accepted for this host" in by_url[server.url("/status/403")].message
    assert by_url[server.url("/429-always")].state is State.OK


async def test_a_rule_for_another_host_changes_nothing(server, settings):
    rule = HostRule("*.example.org", accept=[403], per_host=1)
    report = await check_urls_async(links(server.url("/status/403")), settings.replace(hosts=[rule]))
    assert report.results[0].state is State.BLOCKED
    assert rule.matches("docs.example.org") and not rule.matches("example.org")


async def test_per_host_headers_are_sent(server, settings, fake_resolver):
    resolver = fake_resolver({"docs.test": "127.0.0.1"})
    rule = HostRule("docs.test", headers={"Authorization": "Basic abc"})
    await check_urls_async(
        links(f"http://docs.test:{server.port}/ok", server.url("/counted")),
        settings.replace(hosts=[rule]),
        resolver=resolver,
    )
    seen = {path: auth for _host, path, auth in server.state.auth}
    assert seen == {"/ok": "Basic abc", "/counted": None}


async def test_a_remap_changes_the_cache_key(server, settings, tmp_path):
    old = server.url("/moved-away/page")
    run_settings = settings.replace(rewrites=[(r"/moved-away/(page|other)$", "/ok")])
    first = await check_urls_async(links(old), run_settings)
    assert first.results[0].url == old and first.results[0].state is State.OK  # reported as written
    assert server.state.hits == {"/ok": 1}  # the remapped URL was fetched, never the written one
    cache = LinkCache(run_settings.cache_path, run_settings.fingerprint(), 7).load()
    keys = [key.split(" ", 1)[1] for key in cache.entries]
    assert keys == [server.url("/ok")]
    # Another URL remapped to the same target is answered from the cache: keyed after the remap.
    again = await check_urls_async(links(server.url("/moved-away/other")), run_settings)
    assert again.stats["from_cache"] == 1 and again.stats["requests"] == 0
    # Without the remap, the written URL is its own key: not in the cache.
    plain = await check_urls_async(links(old), settings)
    assert plain.stats["from_cache"] == 0 and plain.results[0].state is State.BROKEN  # no such page


async def test_excludes_by_regular_expression(server, settings):
    report = await check_urls_async(links(server.url("/status/404")), settings.replace(excludes=[r"/status/\d+$"]))
    assert report.results[0].state is State.SKIPPED and server.state.hits == {}


def test_pyproject_table_applies_and_command_line_options_win(tmp_path, web):
    base = web.url_for("").rstrip("/")
    web.expect_request("/forbidden").respond_with_data("no", status=403)
    page = tmp_path / "links.md"
    page.write_text(f"[a]({base}/forbidden) [b]({base}/skip-me) [c]({base}/old)\n", encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(
        "[project]\nname = 'x'\n\n"
        "[tool.archkb.link_check]\n"
        "exclude = ['/skip-me$']\n"
        "remap = ['/old$ /ok']\n"
        "retries = 0\n"
        '[tool.archkb.link_check.hosts."127.0.0.1"]\n'
        "accept = [403]\n"
        "per_host = 1\n",
        encoding="utf-8",
    )
    result = run([str(page), "--root", str(tmp_path), "--allow-private", "--no-cache", "--format", "json"])
    assert result.exit_code == 0, result.output
    states = {e["url"]: e["state"] for e in json.loads(result.stdout)["results"]}
    assert states == {f"{base}/forbidden": "ok", f"{base}/skip-me": "skipped", f"{base}/old": "ok"}


def test_config_file_with_keys_at_the_top_level(tmp_path, web):
    base = web.url_for("").rstrip("/")
    web.expect_request("/forbidden").respond_with_data("no", status=403)
    page = tmp_path / "links.md"
    page.write_text(f"[a]({base}/forbidden)\n", encoding="utf-8")
    config = tmp_path / "links.toml"
    config.write_text("accept = [403]\n", encoding="utf-8")
    result = run(
        [
            str(page),
            "--root",
            str(tmp_path),
            "--allow-private",
            "--no-cache",
            "--format",
            "json",
            "--config",
            str(config),
        ]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["results"][0]["state"] == "ok"


def test_a_config_mistake_names_the_file_and_the_key(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.archkb.link_check]\nexlude = ['x']\n", encoding="utf-8")
    page = tmp_path / "links.md"
    page.write_text("[a](https://example.com/)\n", encoding="utf-8")
    result = run([str(page), "--root", str(tmp_path), "--offline"])
    assert result.exit_code == 3
    assert "pyproject.toml:2: [tool.archkb.link_check] unknown key 'exlude' (did you mean 'exclude'?)" in result.output


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"hosts": {"a.test": {"per_host": 0}}}, "hosts.a.test: per_host must be an integer >= 1"),
        ({"hosts": {"a.test": {"intervall": 1}}}, "unknown key 'intervall' (did you mean 'interval'?)"),
        ({"accept": ["403"]}, "accept must be a list of HTTP statuses"),
        ({"remap": ["no-replacement"]}, "remap entries must be"),
        ({"headers": {"X": 1}}, "headers must be a table of header names and string values"),
        ({"hosts": {"https://a.test/": {}}}, "give a bare host name"),
    ],
)
def test_config_values_are_checked(table, message):
    with pytest.raises(ConfigFileError, match=re.escape(message)):
        apply_table(Settings(), table, "F")


def test_load_table_reads_pyproject_or_a_plain_file(tmp_path):
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text("[tool.archkb.link_check]\nsuggest = true\n", encoding="utf-8")
    table, source = load_table(pyproject)
    assert (table, str(source), source.prefix) == (
        {"suggest": True},
        f"{pyproject} [tool.archkb.link_check]",
        ("tool", "archkb", "link_check"),
    )
    broken = tmp_path / "bad.toml"
    broken.write_text("this is = = not toml", encoding="utf-8")
    with pytest.raises(ConfigFileError, match="not valid TOML"):
        load_table(broken)


# --- the GitHub token ------------------------------------------------------------------------------------


async def test_token_goes_to_githubs_hosts_only_and_never_on_a_redirect_away(server, settings, fake_resolver):
    resolver = fake_resolver({"gh.test": "127.0.0.1", "away.test": "127.0.0.1"})
    away = f"http://away.test:{server.port}/ok"
    leaving = f"http://gh.test:{server.port}/redirect-to?to={away}"
    run_settings = settings.replace(github_token="s3cret-token", github_hosts=["gh.test"], github_https_only=False)
    report = await check_urls_async(
        links(f"http://gh.test:{server.port}/counted", leaving, f"http://away.test:{server.port}/status/404"),
        run_settings,
        resolver=resolver,
    )
    seen = [(host.split(":")[0], path, auth) for host, path, auth in server.state.auth]
    assert ("gh.test", "/counted", "Bearer s3cret-token") in seen
    assert ("gh.test", "/redirect-to", "Bearer s3cret-token") in seen
    assert ("away.test", "/ok", None) in seen  # the redirect left GitHub's hosts: no token
    assert all(auth is None for host, _path, auth in seen if host != "gh.test")
    assert "s3cret" not in render(report, "json") + Path(run_settings.cache_path).read_text()


async def test_token_is_sent_over_https_only_by_default(server, settings, fake_resolver):
    resolver = fake_resolver({"gh.test": "127.0.0.1"})
    run_settings = settings.replace(github_token="s3cret-token", github_hosts=["gh.test"])
    await check_urls_async(links(f"http://gh.test:{server.port}/ok"), run_settings, resolver=resolver)
    assert [auth for _h, _p, auth in server.state.auth] == [None]


async def test_no_token_for_the_real_github_hosts_by_name_only(server, settings, fake_resolver):
    """A look-alike host (github.com.evil.test) never gets the token."""
    resolver = fake_resolver({"github.com.evil.test": "127.0.0.1"})
    run_settings = settings.replace(github_token="s3cret-token", github_https_only=False)
    await check_urls_async(links(f"http://github.com.evil.test:{server.port}/ok"), run_settings, resolver=resolver)
    assert [auth for _h, _p, auth in server.state.auth] == [None]


def test_the_command_reads_github_token_from_the_environment(tmp_path, monkeypatch):
    seen = {}
    import archkb.linkcheck.runner as runner

    def fake_check_urls(links, settings, **kwargs):
        seen["token"] = settings.github_token
        from archkb.linkcheck import Report

        return Report()

    monkeypatch.setattr(runner, "check_urls", fake_check_urls)
    page = tmp_path / "links.md"
    page.write_text("[a](https://github.com/x/y)\n", encoding="utf-8")
    result = run([str(page), "--root", str(tmp_path), "--no-cache"], env={"CI": "true", "GITHUB_TOKEN": "t0k"})
    assert result.exit_code == 0, result.output
    assert seen["token"] == "t0k"
    assert "t0k" not in result.output


# --- text fragments are never broken ------------------------------------------------------------------


@pytest.mark.parametrize(
    "fragment",
    [":~:text=Top", ":~:text=nowhere%20at%20all", "missing:~:text=x", "%3A~%3Atext=abc", "top:~:text=Top"],
)
async def test_text_fragments_are_never_broken(server, settings, fragment):
    report = await check_urls_async(links(server.url(f"/ok#{fragment}")), settings)
    assert report.results[0].state is State.OK, report.results[0].message


def test_internal_text_fragments_are_never_broken(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "a.html").write_text(
        '<html><body><a href="b.html#:~:text=Hello">t</a> <a href="b.html#nope:~:text=x">u</a>'
        ' <a href="#:~:text=self">v</a></body></html>',
        encoding="utf-8",
    )
    (site / "b.html").write_text('<html><body><h1 id="top">Hello</h1></body></html>', encoding="utf-8")
    pages = load_pages([site / "a.html", site / "b.html"], site)
    results = check_internal(pages, site)
    assert results and {r.state for r in results} == {State.OK}


# --- follow-up requests go first ---------------------------------------------------------------------


async def test_the_get_that_confirms_a_404_follows_its_head_at_once(server, settings):
    """With one slot per host, each 404's GET comes right after its HEAD, not after every other HEAD."""
    urls = [server.url(f"/status/404?n={n}") for n in range(4)]
    await check_urls_async(links(*urls), settings.replace(per_host=1))
    methods = [method for method, path in server.state.methods if path == "/status/404"]
    assert methods == ["HEAD", "GET"] * 4


async def test_a_busy_host_is_not_kept_waiting_behind_a_host_with_one_link(server, settings, fake_resolver):
    """Longest queue first: with one slot in all, the host with more checks left keeps the slot it
    releases rather than queueing behind the host with one; once both have one left, the one that
    has waited longer goes first. In arrival order alone, the lone check would come second."""
    busy = [server.url(f"/status/200?n={n}", host="busy.test") for n in range(4)]
    lone = server.url("/status/204", host="127.0.0.1")
    resolver = fake_resolver({"busy.test": "127.0.0.1"})
    report = await check_urls_async(links(*busy, lone), settings.replace(concurrency=1), resolver=resolver)
    assert {r.state for r in report.results} == {State.OK}
    assert [path for _method, path in server.state.methods] == ["/status/200"] * 3 + ["/status/204", "/status/200"]


async def test_global_slots_serve_follow_ups_then_the_most_work_waiting():
    import asyncio

    from archkb.linkcheck.client import Slots

    slots = Slots(1)
    await slots.acquire()  # held: everyone else waits
    served: list[str] = []

    async def ask(name: str, **how) -> None:
        await slots.acquire(**how)
        served.append(name)
        slots.release()

    asks = [
        ("light", {"weight": 1}),
        ("heavy", {"weight": 5}),
        ("middle", {"weight": 3}),
        ("middle, later", {"weight": 3}),
        ("follow-up", {"first": True}),
        ("gone", {"weight": 9}),
    ]
    tasks = {name: asyncio.ensure_future(ask(name, **how)) for name, how in asks}
    await asyncio.sleep(0)  # every one of them is waiting now
    tasks["gone"].cancel()  # a cancelled waiter leaves the queue and takes no slot
    await asyncio.sleep(0)
    slots.release()
    await asyncio.gather(*tasks.values(), return_exceptions=True)
    assert served == ["follow-up", "heavy", "middle", "middle, later", "light"]
    await asyncio.wait_for(slots.acquire(weight=0), 1)  # and the slot is free again


# --- start-up: a PATH run imports only what it needs ----------------------------------------------------


def _modules_after(code: str, tmp_path: Path) -> set[str]:
    import subprocess
    import sys

    script = "import sys\n" + code + "\nprint('\\n'.join(sorted(sys.modules)))\n"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert done.returncode == 0, done.stderr
    return set(done.stdout.split())


def _check_links_code(*args: str, exit_code: int) -> str:
    """A script that runs ``archkb check-links ARGS`` in process and asserts its exit code."""
    return (
        "from archkb.cli import main\n"
        f"try:\n    main(['check-links', *{list(args)!r}])\n"
        f"except SystemExit as exit:\n    assert exit.code == {exit_code}, exit.code\n"
    )


def test_the_cli_imports_nothing_heavy(tmp_path):
    modules = _modules_after("import archkb.cli", tmp_path)
    assert not {m for m in modules if m.split(".")[0] in ("pydantic", "aiohttp", "yaml", "mkdocs", "selectolax")}
    assert "archkb.catalog.model" not in modules and "archkb.linkcheck.command" not in modules


def test_an_offline_path_run_imports_no_catalog_and_no_http_client(tmp_path):
    page = tmp_path / "links.md"
    page.write_text("[a](https://example.com/) [b](other.md)\n", encoding="utf-8")
    (tmp_path / "other.md").write_text("# Other\n", encoding="utf-8")  # the local link is checked too
    code = _check_links_code(str(page), "--root", str(tmp_path), "--offline", "--no-cache", exit_code=0)
    modules = _modules_after(code, tmp_path)
    assert "archkb.linkcheck.command" in modules  # it did run
    heavy = {m for m in modules if m.split(".")[0] in ("pydantic", "aiohttp", "yaml", "mkdocs", "rich")}
    assert heavy == set() and "archkb.catalog.model" not in modules and "archkb.catalog.loader" not in modules


def test_a_run_that_finds_every_link_in_the_cache_imports_no_http_client(tmp_path, web):
    page = tmp_path / "links.md"
    page.write_text(f"[a]({web.url_for('/ok')}) [b]({web.url_for('/gone')})\n", encoding="utf-8")
    code = _check_links_code(str(page), "--root", str(tmp_path), "--allow-private", exit_code=2)  # /gone is broken
    cold = _modules_after(code, tmp_path)
    assert "aiohttp" in cold and (tmp_path / ".cache" / "archkb").is_dir()  # it fetched, and cached
    warm = _modules_after(code, tmp_path)
    assert "archkb.linkcheck.runner" in warm  # it did run, from the cache
    # yarl stays: cache keys normalise hosts exactly as the client would
    assert not {m for m in warm if m.split(".")[0] in ("aiohttp", "pydantic")}


async def test_an_http_client_without_the_peer_check_is_refused_only_when_it_would_send(server, settings, monkeypatch):
    from archkb.linkcheck import SettingsError, peer

    guarded = settings.replace(allow_private=False, allow_hosts=["127.0.0.1"])
    cached = await check_urls_async(links(server.url("/ok")), guarded)  # fills the cache
    assert cached.results[0].state is State.OK
    monkeypatch.setattr(peer, "peer_guard_supported", lambda: False)  # as with aiohttp older than 3.12
    again = await check_urls_async(links(server.url("/ok")), guarded)  # nothing to send: no objection
    assert again.stats["from_cache"] == 1
    with pytest.raises(SettingsError, match=r"install aiohttp 3\.12 or newer"):
        await check_urls_async(links(server.url("/ok"), server.url("/status/404")), guarded)


def test_an_online_path_run_imports_no_catalog(tmp_path, web):
    page = tmp_path / "links.md"
    page.write_text(f"[a]({web.url_for('/ok')})\n", encoding="utf-8")
    code = _check_links_code(str(page), "--root", str(tmp_path), "--allow-private", "--no-cache", exit_code=0)
    modules = _modules_after(code, tmp_path)
    assert "aiohttp" in modules
    assert not {m for m in modules if m.split(".")[0] in ("pydantic", "yaml", "mkdocs")}


async def test_an_archive_api_that_asks_for_a_long_pause_is_asked_nothing_more(server, settings):
    """Its Retry-After is past the cap: the other broken links get no suggestion, and no request."""
    gone = [server.url(f"/status/404?n={n}") for n in range(3)]
    api = server.url("/wayback-closed/available")
    report = await check_urls_async(
        [Link(url, "p.md:1") for url in gone], settings.replace(suggest=True, archive_api=api, per_host=1)
    )
    assert [r.state for r in report.results] == [State.BROKEN] * 3
    assert [r.suggestion for r in report.results] == [None] * 3
    assert server.state.hits["/wayback-closed/available"] == 1


# --- what an availability API answers is a remote server's: checked before readers see it ------------


async def test_the_archive_is_asked_about_the_link_as_written_not_its_remap(server, settings):
    """A remap checks a mirror instead; the archive is asked about what readers follow, and the
    mirror's address (a staging host, say) is not sent to a third party."""
    written = "https://docs.example.org/guide/gone"
    run_settings = settings.replace(
        suggest=True,
        archive_api=server.url("/wayback/available"),
        rewrites=[(r"^https://docs\.example\.org/", server.url("/status/404?mirror="))],
    )
    report = await check_urls_async(links(written), run_settings)
    assert report.results[0].state is State.BROKEN
    assert server.state.archive_asked == [written]


@pytest.mark.parametrize(
    ("closest", "suggested"),
    [
        (
            {"url": "https://web.archive.org/web/2020/http://x.example/"},
            "https://web.archive.org/web/2020/http://x.example/",
        ),
        ({"url": "http://web.archive.org/web/2020/x"}, "https://web.archive.org/web/2020/x"),
        ({"url": "https://api.mirror.test/web/2020/x"}, "https://api.mirror.test/web/2020/x"),  # the API's own host
        ({"url": "https://evil.example/web/20240131000000/phish"}, None),  # another host's
        ({"url": "https://web.archive.org/web/2020/\ud800"}, None),  # a lone surrogate
        ({"url": "https://web.archive.org/web/2020/a\u202eb"}, None),  # a bidi control
        ({"url": "https://web.archive.org/web/2020/x", "status": "404"}, None),  # an archived error page
        ({"url": "https://web.archive.org/web/2020/x", "status": 200}, None),  # not the API's form
        ({"url": "https://web.archive.org/web/2020/x", "status": "302"}, "https://web.archive.org/web/2020/x"),
    ],
)
def test_only_the_archives_own_snapshots_are_suggested(closest, suggested):
    from archkb.linkcheck.client import _snapshot_url

    answer = {"archived_snapshots": {"closest": {"available": True, **closest}}}
    body = json.dumps(answer).encode()  # json escapes the surrogate as \ud800, as a server would
    assert _snapshot_url(body, "api.mirror.test") == suggested


def test_a_server_text_that_xml_cannot_hold_leaves_the_junit_report_well_formed():
    from archkb.linkcheck.report import Report
    from archkb.linkcheck.states import Result

    report = Report(
        results=[
            Result(
                "https://e.example/a\uffff",
                State.BROKEN,
                sources=["page.md:1"],
                message="HTTP 404 \ud800\ufffe",
                final_url="https://e.example/\uffff",
            )
        ]
    )
    for fmt in ("junit", "text", "json", "markdown", "github", "sarif"):
        text = render(report, fmt)
        text.encode("utf-8")  # no lone surrogate is written out
        if fmt == "junit":
            ET.fromstring(text)


async def test_the_token_stays_on_the_port_the_chain_began_on(server, settings, fake_resolver, web):
    """A redirect from GitHub's host to the same name on another port (another service, perhaps
    someone else's) carries no token, as curl learnt (CVE-2022-27776)."""
    from werkzeug import Response

    seen = []

    def record(request):
        seen.append(request.headers.get("Authorization"))
        return Response("ok")

    web.expect_request("/other-port").respond_with_handler(record)
    resolver = fake_resolver({"gh.test": "127.0.0.1"})
    other = f"http://gh.test:{web.port}/other-port"
    run_settings = settings.replace(github_token="s3cret-token", github_hosts=["gh.test"], github_https_only=False)
    report = await check_urls_async(
        links(f"http://gh.test:{server.port}/redirect-to?to={other}"), run_settings, resolver=resolver
    )
    assert report.results[0].state in (State.OK, State.REDIRECTED), report.results[0].message
    assert [auth for _h, path, auth in server.state.auth if path == "/redirect-to"] == ["Bearer s3cret-token"]
    assert seen == [None]


def test_a_proxy_password_with_url_characters_is_never_shown():
    from archkb.linkcheck.proxy import proxy_problems, redact_proxy

    for password in ("pa#SECRETPW", "pa/SECRETPW", "pa?SECRETPW", "pa@SECRETPW"):
        proxy = f"http://bob:{password}@127.0.0.1:3128x"
        assert redact_proxy(proxy) == "http://***@127.0.0.1:3128x"
        assert all("SECRETPW" not in problem for problem in proxy_problems({"https": proxy}))
    assert redact_proxy("http://127.0.0.1:3128") == "http://127.0.0.1:3128"


def test_a_header_mistake_never_shows_a_value(tmp_path):
    with pytest.raises(ConfigFileError) as caught:
        apply_table(Settings(), {"headers": {"Authorization": "Bearer SECRETCFG", "X-Retries": 3}}, "F")
    assert "SECRETCFG" not in str(caught.value) and "'X-Retries'" in str(caught.value)
    page = tmp_path / "links.md"
    page.write_text("[a](https://example.com/)\n", encoding="utf-8")
    for header in ("X Api Key: SECRETHDR", "Authorization Bearer SECRETHDR"):
        result = run([str(page), "--root", str(tmp_path), "--dump", "--header", header])
        assert result.exit_code == 3 and "SECRETHDR" not in result.output, result.output


def test_no_report_format_carries_an_old_style_runner_command():
    """``##[command]`` anywhere in a line of a GitHub Actions log is a command; a URL or a server's
    text in a report printed there cannot be one, and JSON and SARIF readers read the same text."""
    from archkb.linkcheck.report import Report
    from archkb.linkcheck.states import Result

    url = "https://e.example/a##[stop-commands]x"
    report = Report([Result(url, State.BROKEN, sources=["page.md:1"], message="HTTP 404 ##[warning]fake")])
    for fmt in ("text", "json", "junit", "markdown", "sarif"):
        assert "##[" not in render(report, fmt), fmt
    assert json.loads(render(report, "json"))["results"][0]["url"] == url
    ET.fromstring(render(report, "junit"))


def test_a_remap_that_makes_a_link_malformed_says_so():
    """A remap whose replacement breaks the host gave "malformed URL: the host 'exb cmple.org'...",
    naming a host no page has: the message now says the remap made it."""
    from archkb.linkcheck.plan import plan_link

    _target, verdict = plan_link("https://example.org/", ["a.md:1"], [("a", "b c")], [])
    assert verdict is not None and verdict.state is State.BROKEN
    assert verdict.message.startswith("malformed URL after the remap to 'https://exb cmple.org/': the host")
    _target, verdict = plan_link("https://exa mple.org/", ["a.md:1"], [], [])  # no remap: as before
    assert verdict is not None and verdict.message.startswith("malformed URL: the host 'exa mple.org'")
    _target, verdict = plan_link("//exa mple.org/", ["a.md:1"], [], [])  # read as HTTPS, not remapped
    assert verdict is not None and verdict.message.startswith("malformed URL: ")


@pytest.mark.parametrize("api", ["http://", "https://?url=", "ftp://archive.example/", "https://a b/"])
def test_an_archive_api_without_a_host_is_refused(api):
    problems = Settings(suggest=True, archive_api=api).validate()
    assert [p for p in problems if p.startswith("archive API must be an http(s) URL with a host")], problems
    assert not Settings(suggest=True, archive_api="http://127.0.0.1:8080/wayback/available").validate()
