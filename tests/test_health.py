"""Link health for readers: reading the latest report, each reference's state, the "Link health" page."""

from __future__ import annotations

import html
import json
import re

import pytest

from archkb import load_catalog
from archkb.catalog.model import Reference
from archkb.site.health import (
    UNCHECKED,
    LinkHealth,
    archive_url_for,
    render_link_health_page,
    render_link_state,
    snapshot_date,
    wayback_url,
)


def _read(text: str) -> str:
    """``text`` with the numeric references that ``md_escape``/``md_attr`` write (so that Markdown
    leaves the characters alone) read as a browser reads them; named ones (``&quot;``) kept."""
    return re.sub(r"&#(\d+);", lambda m: chr(int(m.group(1))), text)


def result(url: str, state: str, **extra) -> dict:
    return {
        "url": url,
        "state": state,
        "status": extra.pop("status", 200),
        "final_url": extra.pop("final_url", None),
        "sources": extra.pop("sources", []),
        "message": extra.pop("message", ""),
        "checked_at": extra.pop("checked_at", "2026-11-20T08:30:00Z"),
        **extra,
    }


REPORT = {
    "results": [
        result(
            "https://example.com/a", "broken", status=404, sources=["references/testing.yml:4", "patterns/alpha.md:20"]
        ),
        result("https://example.com/b", "redirected", status=301, final_url="https://example.org/b-new"),
        result("https://example.com/c", "ok", checked_at="2026-11-21T09:00:00Z"),
        result(
            "https://blocked.example.com/",
            "blocked",
            status=403,
            message="bot wall",
            sources=["docs/guide/index.md:3", "docs/gone.md:1"],
        ),
        result("https://timeout.example.com/x", "error", status=None, message="timed out"),
        {"url": "https://example.com/malformed", "state": "no-such-state"},
        "not an object",
    ],
    "summary": {},
}


def ref(url: str, **extra) -> Reference:
    return Reference(id="r-2020-x", title="R", authors=["A B"], year=2020, kind="book", url=url, summary="s", **extra)


@pytest.fixture
def report_file(tmp_path):
    path = tmp_path / "link-report.json"
    path.write_text(json.dumps(REPORT), encoding="utf-8")
    return path


def test_load_skips_malformed_entries_only(report_file):
    health = LinkHealth.load(report_file)
    assert health.loaded
    assert set(health.results) == {
        "https://example.com/a",
        "https://example.com/b",
        "https://example.com/c",
        "https://blocked.example.com/",
        "https://timeout.example.com/x",
    }
    assert health.last_checked == "2026-11-21T09:00:00Z"
    assert [p.state for p in health.problems()] == ["broken", "redirected", "error", "blocked"]


@pytest.mark.parametrize("content", [None, "", "{not json", "[]", '{"results": 3}', "\xff\xfe"])
def test_missing_or_corrupt_report_means_not_checked_yet(tmp_path, content):
    path = tmp_path / "report.json"
    if content is not None:
        path.write_bytes(content.encode("latin-1"))
    health = LinkHealth.load(path)
    assert not health.loaded and health.results == {}
    assert health.status("https://example.com/a").state == UNCHECKED
    assert "Link not checked yet" in render_link_state(ref("https://example.com/a"), health)


def test_status_ignores_a_trailing_slash(report_file):
    health = LinkHealth.load(report_file)
    assert health.status("https://example.com/c/").state == "ok"
    assert health.status("https://blocked.example.com").state == "blocked"
    assert health.status("https://elsewhere.example.com/").state == UNCHECKED


def test_each_state_reads_as_a_sentence(report_file):
    health = LinkHealth.load(report_file)
    ok = render_link_state(ref("https://example.com/c"), health)
    assert 'class="archkb-link-state archkb-link-state--ok"' in ok
    assert 'Link verified <time datetime="2026-11-21">2026-11-21</time>' in ok
    moved = render_link_state(ref("https://example.com/b"), health)
    assert "archkb-link-state--redirected" in moved
    assert 'now at <a href="https://example.org/b-new">https://example.org/b-new</a>' in moved
    broken = render_link_state(ref("https://example.com/a"), health)
    assert "archkb-link-state--broken" in broken
    assert '<a href="https://web.archive.org/web/*/https://example.com/a">archived copy</a>' in _read(broken)
    archived = render_link_state(ref("https://example.com/a", archived_url="https://archive.example.net/a"), health)
    assert '<a href="https://archive.example.net/a">archived copy</a>' in archived
    blocked = render_link_state(ref("https://blocked.example.com/"), health)
    assert "archkb-link-state--blocked" in blocked and "refused" in blocked
    error = render_link_state(ref("https://timeout.example.com/x"), health)
    assert "archkb-link-state--error" in error and "the check failed" in error
    assert "Link not checked yet" in render_link_state(ref("https://new.example.com/"), None)


def test_archive_urls():
    assert wayback_url("https://example.com/a b?x=1") == "https://web.archive.org/web/*/https://example.com/a%20b?x=1"
    assert archive_url_for(ref("https://example.com/a")) == "https://web.archive.org/web/*/https://example.com/a"
    assert archive_url_for(ref("https://example.com/a", archived_url="https://a.example/x")) == "https://a.example/x"


def test_link_health_page_lists_problems_with_citing_pages(site, report_file):
    catalog = load_catalog(site.root)
    health = LinkHealth.load(report_file)
    page = render_link_health_page(catalog, health, existing_pages={"guide/index.md", "index.md"})
    assert page.startswith("---\ntitle: Link health\n")
    assert "# Link health" in page
    assert 'Last check: <time datetime="2026-11-21">2026-11-21</time>' in page
    summary = page[page.index("## Summary") : page.index("## Problem links")]
    assert "| Verified | 1 | 0 |" in summary
    assert "| Broken | 1 | 1 |" in summary and "| Moved | 1 | 1 |" in summary
    assert "| Not checked yet | – | 0 |" in summary
    rows = [line for line in page.splitlines() if line.startswith("| ") and "://" in line]
    assert [r.split(" | ")[0] for r in rows] == [
        "| Broken",
        "| Moved",
        "| Could not be checked (error)",
        "| Could not be checked (refused)",
    ]
    broken = rows[0]
    # ref-a's URL: its reading-list entry and both patterns that cite it.
    assert "[Reading list: A & B: the first reference](reading-list.md#ref-ref-a)" in html.unescape(broken)
    assert "[Alpha](patterns/alpha.md)" in broken and "[Beta](patterns/beta.md)" in broken
    assert '<a href="https://web.archive.org/web/*/https://example.com/a">archived copy</a>' in _read(broken)
    assert "HTTP 404" in broken
    moved = rows[1]
    assert 'now at <a href="https://example.org/b-new">https://example.org/b-new</a>' in moved
    assert "[Gamma](patterns/gamma.md)" in moved
    blocked = rows[3]
    # A docs page that exists is linked; one that no longer exists is named, not linked.
    assert "[guide/index.md](guide/index.md)" in blocked
    assert "`docs/gone.md`" in blocked and "(gone.md)" not in blocked


def test_link_health_page_before_any_check(site, tmp_path):
    catalog = load_catalog(site.root)
    page = render_link_health_page(catalog, LinkHealth.load(tmp_path / "missing.json"))
    assert "No link check has run yet" in page and "archkb check-links" in page
    assert "## Problem links" not in page


def test_link_health_page_with_no_problems(site, tmp_path):
    path = tmp_path / "r.json"
    path.write_text(json.dumps({"results": [result("https://example.com/a", "ok")]}), encoding="utf-8")
    page = render_link_health_page(load_catalog(site.root), LinkHealth.load(path))
    assert "No problem links" in page


# --- archived snapshots (check-links --suggest) and dead archived URLs ---------------------------------

SNAPSHOT = "https://web.archive.org/web/20130919044612/https://example.com/a"


def health_of(*items: dict) -> LinkHealth:
    return LinkHealth.from_results(list(items))


def test_a_known_snapshot_reads_archived_copy_from_its_date():
    health = health_of(result("https://example.com/a", "broken", status=404, suggestion=SNAPSHOT))
    assert health.status("https://example.com/a").suggestion == SNAPSHOT
    assert snapshot_date(SNAPSHOT) == "2013-09-19"
    broken = render_link_state(ref("https://example.com/a"), health)
    assert f'<a href="{SNAPSHOT}">archived copy from <time datetime="2013-09-19">2013-09-19</time></a>' in broken
    assert "web/*/" not in broken  # not the generic listing
    assert archive_url_for(ref("https://example.com/a"), health) == SNAPSHOT


def test_the_authors_archived_url_comes_first_unless_it_is_dead_too():
    fallback = "https://archive.example.net/a"
    alive = health_of(result("https://example.com/a", "broken", suggestion=SNAPSHOT), result(fallback, "ok"))
    assert f'<a href="{fallback}">archived copy</a>' in render_link_state(
        ref("https://example.com/a", archived_url=fallback), alive
    )
    dead = health_of(result("https://example.com/a", "broken", suggestion=SNAPSHOT), result(fallback, "broken"))
    text = render_link_state(ref("https://example.com/a", archived_url=fallback), dead)
    assert fallback not in text and f'href="{SNAPSHOT}"' in text
    neither = health_of(result("https://example.com/a", "broken"), result(fallback, "broken"))
    text = render_link_state(ref("https://example.com/a", archived_url=fallback), neither)
    assert fallback not in text and 'href="https://web.archive.org/web/*/https://example.com/a"' in _read(text)


@pytest.mark.parametrize(
    "hostile", ["javascript:alert(1)", "data:text/html,<script>x</script>", 42, "https://ok.example/\nx"]
)
def test_a_suggestion_that_is_not_an_http_url_never_becomes_a_link(hostile):
    health = health_of(result("https://example.com/a", "broken", suggestion=hostile))
    assert health.status("https://example.com/a").suggestion is None
    text = render_link_state(ref("https://example.com/a"), health)
    assert "javascript" not in text and "data:" not in text
    assert 'href="https://web.archive.org/web/*/https://example.com/a"' in _read(text)


@pytest.mark.parametrize(
    ("final_url", "shown"),
    [
        (
            "https://evil.example/\u202egro.elpmaxe",
            '<a href="https://evil.example/\u202egro.elpmaxe">https://evil.example/\\u202egro.elpmaxe</a>',
        ),
        ("javascript:alert(1)", "now at javascript:alert(1)</span>"),
        ("https://e.org/a\x1b[2Jb", "https://e.org/a\\x1b[2Jb</a>"),
    ],
)
def test_where_a_redirect_leads_is_shown_as_text_that_reads_as_stored(final_url, shown):
    """A redirect's target is a remote server's answer: a bidi override in it cannot make it read as
    another address, a control character is shown as an escape, and only http(s) becomes a link.
    """
    health = health_of(result("https://example.com/b", "redirected", status=200, final_url=final_url))
    text = render_link_state(ref("https://example.com/b"), health)
    assert shown in _read(text)
    assert 'href="javascript' not in text


def test_a_suggestion_is_escaped_for_its_attribute():
    hostile = 'https://web.archive.org/web/20200101000000/x"><script>alert(1)</script>'
    health = health_of(result("https://example.com/a", "broken", suggestion=hostile))
    text = render_link_state(ref("https://example.com/a"), health)
    assert "<script>" not in text and "&#34;&#62;&#60;script&#62;" in text
    assert "archived copy from" in text


def test_snapshot_dates():
    assert snapshot_date("https://web.archive.org/web/2013/x") is None
    assert snapshot_date("https://web.archive.org/web/20131399000000/x") is None
    assert snapshot_date("https://web.archive.org/web/20130919id_/x") == "2013-09-19"
    assert snapshot_date("https://example.com/") is None


def test_link_health_page_shows_the_snapshot_and_names_a_dead_archived_url(site, tmp_path):
    refs = site.root / "references" / "testing.yml"
    refs.write_text(
        refs.read_text().replace(
            "    url: https://example.com/b\n",
            "    url: https://example.com/b\n    archived_url: https://archive.example.net/b\n",
        )
    )
    hostile = "https://web.archive.org/web/20130919044612/https://example.com/a|<b>x</b>"
    path = tmp_path / "r.json"
    path.write_text(
        json.dumps(
            {
                "results": [
                    result("https://example.com/a", "broken", status=404, suggestion=hostile),
                    result("https://example.com/b", "ok"),
                    result(
                        "https://archive.example.net/b", "broken", status=404, sources=["references/testing.yml:10"]
                    ),
                ]
            }
        ),
        encoding="utf-8",
    )
    page = render_link_health_page(load_catalog(site.root), LinkHealth.load(path))
    rows = [line for line in page.splitlines() if line.startswith("| Broken |")]
    first = next(r for r in rows if "example.com/a" in r.split(" | ")[1])
    assert 'archived copy from <time datetime="2013-09-19">2013-09-19</time></a>' in first
    assert "<b>" not in first and "&#124;" in first  # the cell stays one cell, the tag stays text
    dead = next(r for r in rows if "archive.example.net" in r)
    assert "the archived_url of The second reference" in dead
    assert "[Reading list: The second reference]" in dead


MARKDOWN_LINK = "[a](y/onmouseover=alert(document.domain)//)"


def test_the_link_health_page_survives_markdown_inside_its_hrefs(site, tmp_path):
    """A red-team pass made a live ``onmouseover`` out of a snapshot URL and a redirect's Location
    holding Markdown: Python-Markdown's inline rules ran inside the ``href`` of the table's inline
    ``<a>`` tags. Judged on the HTML the site's own Markdown makes of the page, as a browser reads it.
    """
    from html.parser import HTMLParser

    import markdown
    import yaml

    snapshot = f"https://web.archive.org/web/20200101000000/http://x.example/{MARKDOWN_LINK}`c`*e*_u_"
    moved = f"https://example.org/ok?{MARKDOWN_LINK}"
    path = tmp_path / "r.json"
    path.write_text(
        json.dumps(
            {
                "results": [
                    result("https://example.com/a", "broken", status=404, suggestion=snapshot),
                    result("https://example.com/b", "redirected", status=200, final_url=moved),
                    result("https://example.com/c", "broken", status=404, final_url=moved),
                ]
            }
        ),
        encoding="utf-8",
    )
    page = render_link_health_page(load_catalog(site.root), LinkHealth.load(path))
    config = yaml.load((site.root / "mkdocs.yml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader)  # noqa: S506 - BaseLoader builds strings only
    extensions = [e if isinstance(e, str) else next(iter(e)) for e in config.get("markdown_extensions", [])]
    body = markdown.markdown(page.split("---\n", 2)[2], extensions=extensions or ["tables"])

    class Anchors(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.attributes: list[dict[str, str | None]] = []

        def handle_starttag(self, tag, attrs):
            self.attributes.append({"tag": tag, **dict(attrs)})

    anchors = Anchors()
    anchors.feed(body)
    assert all(not name.startswith("on") for element in anchors.attributes for name in element)
    hrefs = {element.get("href") for element in anchors.attributes if element["tag"] == "a"}
    assert snapshot in hrefs and moved in hrefs  # each reaches the browser as it was stored
    assert "<code>" not in body and "<em>" not in body


def test_a_snapshot_day_is_a_day_of_the_calendar():
    from archkb.site.health import snapshot_date

    assert snapshot_date("https://web.archive.org/web/20240229120000/x") == "2024-02-29"
    assert snapshot_date("https://web.archive.org/web/20230231000000/x") is None
    assert snapshot_date("https://web.archive.org/web/20231301000000/x") is None
