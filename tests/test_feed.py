"""The Atom feed of new and updated patterns, its date fallbacks, and the home page's recent changes."""

from __future__ import annotations

import datetime as dt
import html
import xml.etree.ElementTree as ET

from archkb import load_catalog
from archkb.exports.feed import ATOM_NS, git_last_commit_dates, pattern_changes, render_atom, render_recent_changes
from conftest import git, pattern_text

A = f"{{{ATOM_NS}}}"
NOW = dt.datetime(2030, 1, 2, 3, 4, 5, tzinfo=dt.UTC)


def dated(site):
    site.write("patterns/alpha.md", pattern_text("Alpha", extra="added: 2026-01-10\nupdated: 2026-03-01\n"))
    site.write("patterns/beta.md", pattern_text("Beta & <Sons>", extra="added: 2026-02-01\n"))
    return load_catalog(site.root)


def test_changes_use_front_matter_dates_then_build_date(site):
    changes = {c.slug: c for c in pattern_changes(dated(site), now=NOW)}
    alpha, beta, gamma = changes["alpha"], changes["beta"], changes["gamma"]
    assert alpha.published.date() == dt.date(2026, 1, 10) and alpha.updated.date() == dt.date(2026, 3, 1)
    assert not alpha.is_new and alpha.date_source == "front matter"
    assert beta.published == beta.updated and beta.is_new
    assert gamma.updated == NOW and gamma.date_source == "build"
    # Most recently updated first.
    assert [c.slug for c in pattern_changes(dated(site), now=NOW)] == ["gamma", "alpha", "beta"]


def test_changes_fall_back_to_git_dates(site):
    when = dt.datetime(2025, 5, 6, 7, 8, 9, tzinfo=dt.UTC)
    changes = {
        c.slug: c for c in pattern_changes(load_catalog(site.root), git_dates={"patterns/beta.md": when}, now=NOW)
    }
    assert changes["beta"].updated == when and changes["beta"].date_source == "git"
    assert changes["alpha"].date_source == "build"


def test_git_last_commit_dates_reads_a_real_repository(site):
    root = site.root

    git(root, "init", "-q")
    git(root, "add", "patterns/alpha.md", "patterns/beta.md")
    git(root, "commit", "-q", "-m", "one", date="2024-01-01T10:00:00+00:00")
    site.write("patterns/beta.md", pattern_text("Beta", summary="Beta changed its one sentence."))
    git(root, "add", "patterns/beta.md")
    git(root, "commit", "-q", "-m", "two", date="2024-06-01T12:30:00+02:00")
    dates = git_last_commit_dates(root, "patterns")
    assert dates == {
        "patterns/alpha.md": dt.datetime(2024, 1, 1, 10, tzinfo=dt.UTC),
        "patterns/beta.md": dt.datetime(2024, 6, 1, 10, 30, tzinfo=dt.UTC),
    }
    assert "patterns/gamma.md" not in dates  # never committed: the build date applies


def test_git_dates_outside_a_repository_are_empty(tmp_path):
    assert git_last_commit_dates(tmp_path, "patterns") == {}


def test_atom_feed_is_valid(site):
    changes = pattern_changes(dated(site), now=NOW)
    text = render_atom(changes, site_url="https://kb.example.org/docs/", title="Fixture KB", subtitle="Sub")
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == f"{A}feed"
    # RFC 4287 4.1.1: a feed has exactly one id, title and updated, an author, and a self link.
    for tag in ("id", "title", "updated"):
        assert len(root.findall(f"{A}{tag}")) == 1
    assert root.find(f"{A}author/{A}name").text == "Fixture KB contributors"
    assert root.find(f"{A}id").text == "https://kb.example.org/docs/feed.xml"
    self_link = root.find(f"{A}link[@rel='self']")
    assert self_link.get("href") == "https://kb.example.org/docs/feed.xml"
    assert root.find(f"{A}updated").text == "2030-01-02T03:04:05Z"
    entries = root.findall(f"{A}entry")
    assert len(entries) == 3
    for entry in entries:
        for tag in ("id", "title", "updated", "published", "summary"):
            assert len(entry.findall(f"{A}{tag}")) == 1, tag
        dt.datetime.strptime(entry.find(f"{A}updated").text, "%Y-%m-%dT%H:%M:%SZ")
        assert entry.find(f"{A}link[@rel='alternate']").get("href").startswith("https://kb.example.org/docs/patterns/")
    ids = [e.find(f"{A}id").text for e in entries]
    assert len(set(ids)) == 3
    alpha = next(e for e in entries if e.find(f"{A}id").text.endswith("/patterns/alpha/"))
    assert alpha.find(f"{A}title").text == "Updated: Alpha"
    assert alpha.find(f"{A}published").text == "2026-01-10T00:00:00Z"
    assert alpha.find(f"{A}updated").text == "2026-03-01T00:00:00Z"
    assert [c.get("term") for c in alpha.findall(f"{A}category")] == ["testing"]
    beta = next(e for e in entries if e.find(f"{A}id").text.endswith("/patterns/beta/"))
    assert beta.find(f"{A}title").text == "New: Beta & <Sons>"  # escaped in XML, intact when parsed


def test_atom_feed_without_site_url_uses_urns_and_relative_links(site):
    text = render_atom(pattern_changes(dated(site), now=NOW), site_url=None, title="KB", directory_urls=False)
    root = ET.fromstring(text.encode("utf-8"))
    assert root.find(f"{A}id").text == "urn:archkb:feed"
    entry = root.find(f"{A}entry")
    assert entry.find(f"{A}id").text.startswith("urn:archkb:pattern:")
    assert entry.find(f"{A}link").get("href").endswith(".html")


def test_empty_feed_is_still_valid():
    root = ET.fromstring(render_atom([], site_url=None, title="KB", now=NOW).encode("utf-8"))
    assert root.find(f"{A}updated").text == "2030-01-02T03:04:05Z"
    assert root.findall(f"{A}entry") == []


def test_recent_changes_list(site):
    changes = pattern_changes(dated(site), now=NOW)
    text = html.unescape(render_recent_changes(changes, from_uri="index.md", limit=2, feed_href="feed.xml"))
    lines = [line for line in text.splitlines() if line.startswith("- ")]
    assert len(lines) == 2
    assert lines[0].startswith('- <time datetime="2030-01-02">2030-01-02</time> · New: [Gamma](patterns/gamma.md)')
    assert "Updated: [Alpha](patterns/alpha.md): Alpha does one thing well." in lines[1]
    assert "[Atom feed](feed.xml)" in text
    assert render_recent_changes([], from_uri="index.md") == "No patterns yet.\n"
