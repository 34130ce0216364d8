"""Relative URLs between built pages, for generated HTML that MkDocs does not rewrite."""

from __future__ import annotations

import posixpath

import pytest

from archkb.render import DeferredHtml, page_href, page_url

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


@pytest.mark.parametrize("src, dst, directory_urls, expected", CASES)
def test_page_href(src, dst, directory_urls, expected):
    assert page_href(src, dst, directory_urls) == expected
    # The link, resolved against the source page's URL, lands on the target's URL.
    base = posixpath.dirname(page_url(src, directory_urls) + ("x" if directory_urls else ""))
    resolved = posixpath.normpath(posixpath.join(base or ".", expected))
    assert resolved.strip("./") == page_url(dst, directory_urls).strip("/")


def test_deferred_html_round_trip():
    deferred = DeferredHtml()
    markdown = "# T\n" + deferred.defer('<div id="a"><a href="x">x</a></div>') + deferred.defer('<p id="b">b</p>')
    html = markdown.replace("# T", "<h1>T</h1>")
    assert deferred.restore(html) == '<h1>T</h1>\n\n<div id="a"><a href="x">x</a></div>\n\n<p id="b">b</p>\n'
    assert deferred.anchor_ids() == {"a", "b"}
