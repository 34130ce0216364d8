"""Credentials in URLs: never sent, never stored in the cache or a report, always reported.

Local servers on 127.0.0.1 only (the policy is off for them, as in every test that needs a server).
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from archkb.linkcheck import Link, Settings, State, check_urls_async, render
from archkb.linkcheck.cache import LinkCache
from archkb.linkcheck.command import check_links
from archkb.linkcheck.credentials import has_credentials, redact_credentials, redact_text, strip_credentials
from archkb.linkcheck.states import Result
from archkb.linkcheck.urls import normalize_url

SECRET = "s3cret-Pa55"


@pytest.mark.parametrize(
    ("url", "carries", "stripped", "redacted"),
    [
        ("https://user:pw@host.example/a?b#c", True, "https://host.example/a?b#c", "https://***@host.example/a?b#c"),
        ("https://user@host.example/", True, "https://host.example/", "https://***@host.example/"),
        ("https://:pw@host.example/", True, "https://host.example/", "https://***@host.example/"),
        ("https://a@b@host.example/", True, "https://host.example/", "https://***@host.example/"),  # last @ wins
        ("//user:pw@host.example/x", True, "//host.example/x", "//***@host.example/x"),
        ("HTTP://u:p@１２７.０.０.１:81/", True, "HTTP://１２７.０.０.１:81/", "HTTP://***@１２７.０.０.１:81/"),
        ("ftp://u:p@files.example/", True, "ftp://files.example/", "ftp://***@files.example/"),
        ("https://@host.example/", False, "https://host.example/", "https://@host.example/"),
        ("https://:@host.example/", False, "https://host.example/", "https://:@host.example/"),
        ("https://medium.com/@user/post", False, "https://medium.com/@user/post", "https://medium.com/@user/post"),
        ("https://host.example/?to=a@b", False, "https://host.example/?to=a@b", "https://host.example/?to=a@b"),
        ("https://host.example/#a@b", False, "https://host.example/#a@b", "https://host.example/#a@b"),
        ("mailto:someone@example.org", False, "mailto:someone@example.org", "mailto:someone@example.org"),
    ],
)
def test_credentials_helpers(url, carries, stripped, redacted):
    assert has_credentials(url) is carries
    assert strip_credentials(url) == stripped
    assert redact_credentials(url) == redacted


def test_redact_text_and_cache_keys_hold_no_userinfo():
    text = "redirect to https://u:pw@a.example/x (then http://b.example/@y and mailto:c@d)"
    assert redact_text(text) == "redirect to https://***@a.example/x (then http://b.example/@y and mailto:c@d)"
    assert normalize_url("https://u:pw@Host.Example/a") == "https://host.example/a"


def _assert_no_secret(*texts: str) -> None:
    for text in texts:
        assert SECRET not in text and "user:" not in text, text


async def test_written_credentials_are_never_sent_nor_stored(httpserver, settings, tmp_path):
    httpserver.expect_request("/private").respond_with_data("<p>hi</p>", content_type="text/html")
    url = f"http://user:{SECRET}@127.0.0.1:{httpserver.port}/private"
    report = await check_urls_async([Link(url, "page.md:3")], settings)

    assert len(httpserver.log) >= 1
    for request, _response in httpserver.log:
        assert "Authorization" not in request.headers  # aiohttp would have sent Basic auth
    (result,) = report.results
    assert result.url == f"http://***@127.0.0.1:{httpserver.port}/private"
    assert result.state is State.ERROR
    assert result.message == (
        "URL carries credentials; they are never sent; remove them from the link (without them: ok)"
    )
    assert result.sources == ["page.md:3"]

    report.save(tmp_path / "report.json")
    outputs = [render(report, fmt) for fmt in ("text", "json", "junit", "markdown")]
    _assert_no_secret(*outputs, (tmp_path / "report.json").read_text(), Path(settings.cache_path).read_text())
    assert "***@127.0.0.1" in outputs[0]  # listed in the text report: an error is not hidden
    cache = json.loads(Path(settings.cache_path).read_text())
    assert [key.split(" ", 1)[1] for key in cache["entries"]] == [f"http://127.0.0.1:{httpserver.port}/private"]


async def test_credentials_on_a_broken_link_keep_it_broken(server, settings):
    report = await check_urls_async(
        [Link(server.url("/status/404").replace("//", f"//u:{SECRET}@"), "a.md:1")], settings
    )
    (result,) = report.results
    assert result.state is State.BROKEN
    assert result.message.endswith("(without them: broken, HTTP 404)")
    _assert_no_secret(render(report, "json"))


async def test_a_cached_verdict_does_not_hide_the_credentials(server, settings):
    plain = server.url("/ok")
    await check_urls_async([Link(plain, "a.md:1")], settings)
    report = await check_urls_async([Link(plain.replace("//", f"//u:{SECRET}@"), "b.md:1")], settings)
    assert report.stats["requests"] == 0  # the same page without credentials: known already
    (result,) = report.results
    assert result.state is State.ERROR and result.message.startswith("URL carries credentials")


async def test_a_redirect_with_credentials_is_followed_without_them(httpserver, settings):
    target = f"http://user:{SECRET}@127.0.0.1:{httpserver.port}/next"
    httpserver.expect_request("/hop").respond_with_data("", status=302, headers={"Location": target})
    httpserver.expect_request("/next").respond_with_data("<p>next</p>", content_type="text/html")
    report = await check_urls_async([Link(httpserver.url_for("/hop"), "a.md:1")], settings)

    (result,) = report.results
    assert result.state is State.OK, result.message  # the link itself carries none
    assert result.final_url == f"http://127.0.0.1:{httpserver.port}/next"
    assert [request.path for request, _ in httpserver.log] == ["/hop", "/next"]
    assert all("Authorization" not in request.headers for request, _ in httpserver.log)
    _assert_no_secret(render(report, "json"), render(report, "text"))


async def test_a_permanent_redirect_with_credentials_leaves_no_trace(server, httpserver, settings):
    httpserver.expect_request("/moved").respond_with_data(
        "", status=301, headers={"Location": f"http://user:{SECRET}@127.0.0.1:{httpserver.port}/new"}
    )
    httpserver.expect_request("/new").respond_with_data("<p>new</p>", content_type="text/html")
    report = await check_urls_async([Link(httpserver.url_for("/moved"), "a.md:1")], settings)
    (result,) = report.results
    assert result.state is State.REDIRECTED, result.message
    assert all("Authorization" not in request.headers for request, _ in httpserver.log)
    _assert_no_secret(render(report, "json"), render(report, "markdown"), Path(settings.cache_path).read_text())


def test_a_cache_written_with_credentials_is_scrubbed_on_load(tmp_path):
    path = tmp_path / "cache.json"
    entry = {"state": "ok", "status": 200, "final_url": None, "message": "", "checked_at": "t", "expires": 4e9}
    entries = {
        f"fp https://user:{SECRET}@a.example/": dict(entry),
        "fp https://b.example/": dict(entry, final_url=f"https://u:{SECRET}@c.example/"),
        "fp https://d.example/": dict(entry, message=f"permanent redirect to https://u:{SECRET}@e.example/"),
        "fp https://kept.example/": dict(entry),
    }
    path.write_text(json.dumps({"format": 1, "entries": entries}), encoding="utf-8")
    cache = LinkCache(path, "fp", 7).load()
    assert list(cache.entries) == ["fp https://kept.example/"]
    cache.save()
    _assert_no_secret(path.read_text())
    cache.put(
        Result(
            "https://f.example/",
            State.REDIRECTED,
            200,
            f"https://u:{SECRET}@g.example/",
            message=f"permanent redirect to https://u:{SECRET}@g.example/",
        )
    )
    cache.save()
    _assert_no_secret(path.read_text())


def test_cli_reports_credentials_in_a_markdown_file_without_repeating_them(tmp_path, httpserver):
    httpserver.expect_request("/doc").respond_with_data("<p>doc</p>", content_type="text/html")
    page = tmp_path / "page.md"
    page.write_text(f"# P\n\nSee [the doc](http://reader:{SECRET}@127.0.0.1:{httpserver.port}/doc).\n")
    out = tmp_path / "out.json"
    cache = tmp_path / "cache.json"
    result = CliRunner().invoke(
        check_links,
        [
            str(page),
            "--root",
            str(tmp_path),
            "--allow-private",
            "--cache",
            str(cache),
            "--format",
            "json",
            "--output",
            str(out),
        ],
        env={"CI": "true"},
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output  # an error, not a broken link
    data = json.loads(out.read_text())
    (entry,) = data["results"]
    assert entry["url"] == f"http://***@127.0.0.1:{httpserver.port}/doc"
    assert entry["state"] == "error" and "never sent" in entry["message"]
    assert entry["sources"] == ["page.md:3"]
    assert all("Authorization" not in request.headers for request, _ in httpserver.log)
    _assert_no_secret(out.read_text(), cache.read_text(), result.output)


@pytest.mark.parametrize(
    "written",
    [
        "http:user:PW@h.example/",
        "http:\\\\user:PW@h.example/",
        "http:/\t/user:PW@h.example/",
        "ht\ntp://user:PW@h.example/",
    ],
)
def test_credentials_as_a_browser_reads_them_are_never_shown(written):
    """A browser reads these as http://user:PW@h.example/ (WHATWG URL: tabs and line breaks
    dropped, any slashes and backslashes after a special scheme): they carry credentials too."""
    assert has_credentials(written)
    assert "PW" not in redact_credentials(written) and "***@h.example/" in redact_credentials(written)
    report = asyncio.run(check_urls_async([Link(written, "page.md:1")], Settings(offline=True, no_cache=True)))
    for fmt in ("json", "junit", "text", "markdown"):
        assert "PW" not in render(report, fmt), fmt
