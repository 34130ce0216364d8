"""Relative URLs between built pages, for generated HTML that MkDocs does not rewrite."""

from __future__ import annotations

import posixpath

import pytest
from markdown import Markdown

from archkb.mkdocs.deferred import DeferredHtml
from archkb.site.urls import page_href, page_url

CASES = [
    ("patterns/x.md", "reading-list.md", True, "../../reading-list/"),
    ("patterns/x.md", "patterns/y.md", True, "../y/"),
    ("patterns/x.md", "index.md", True, "../../"),
    ("patterns/x.md", "patterns/x.md", True, "./"),
    ("patterns/x.md", "reading-list.md", False, "../reading-list.html"),
    ("patterns/x.md", "patterns/y.md", False, "y.html"),
    ("patterns/x.md", "index.md", False, "../index.html"),
    ("index.md", "map.md", True, "map/"),
    ("index.md", "patterns/index.md", True, "patterns/"),
    ("reading-list.md", "patterns/a.md", True, "../patterns/a/"),
    ("patterns/index.md", "patterns/a.md", True, "a/"),
    ("patterns/index.md", "reading-list.md", False, "../reading-list.html"),
    ("index.md", "index.md", True, "./"),
]


@pytest.mark.parametrize(("src", "dst", "directory_urls", "expected"), CASES)
def test_page_href(src, dst, directory_urls, expected):
    assert page_href(src, dst, directory_urls) == expected
    # The link, resolved against the source page's URL, lands on the target's URL.
    base = posixpath.dirname(page_url(src, directory_urls) + ("x" if directory_urls else ""))
    resolved = posixpath.normpath(posixpath.join(base or ".", expected))
    assert resolved.strip("./") == page_url(dst, directory_urls).strip("/")


def test_deferred_html_round_trip():
    deferred = DeferredHtml()
    markdown = "# T\n" + deferred.defer('<div id="a"><a href="x">x</a></div>') + deferred.defer('<p id="b">b</p>')
    html = Markdown().convert(markdown)
    # Python-Markdown wraps each placeholder in a paragraph; restoring drops the wrapper.
    assert deferred.restore(html) == '<h1>T</h1>\n<div id="a"><a href="x">x</a></div>\n<p id="b">b</p>'
    assert deferred.anchor_ids() == {"a", "b"}


def test_inline_placeholders_pass_through_markdown():
    deferred = DeferredHtml()
    fragment = '<a href="r" title="T">Lee 2020</a>'
    markdown = f"{deferred.inline(fragment)} opens a line, and one *ends* it {deferred.inline(fragment)}.\n\n- {deferred.inline(fragment)}\n"
    html = Markdown().convert(markdown)
    restored = deferred.restore_for_search(html)
    assert restored == (
        f"<p>{fragment} opens a line, and one <em>ends</em> it {fragment}.</p>\n<ul>\n<li>{fragment}</li>\n</ul>"
    )
    assert "\x8f" not in restored and "\x90" not in restored
