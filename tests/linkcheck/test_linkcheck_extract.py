"""Link extraction with path:line sources, from HTML (selectolax) and Markdown."""

from __future__ import annotations

import pytest

from archkb.linkcheck import Link, extract_links_from_html, extract_links_from_markdown, ids_from_html
from archkb.linkcheck.extract import _as_browser_reads

HTML = """<!doctype html>
<html><head>
<link rel="stylesheet" href="assets/style.css">
<link rel="canonical" href="https://site.example/page/">
<link rel="preconnect" href="https://fonts.example">
</head>
<body>
<h1 id="intro">Intro</h1>
<p>See <a href="https://a.example/x?a=1&amp;b=2">A</a> and
<a href="https://b.example/">B</a>.</p>
<a name="old-anchor"></a>
<img src="img/pic.png" alt="">
<a href="../other/#sec">other</a>
<a href="">empty</a>
<pre><code>&lt;a href="https://not-a-link.example"&gt;</code></pre>
</body></html>
"""


def test_html_links_with_lines_and_ids():
    page = extract_links_from_html(HTML, name="site/page/index.html")
    assert page.links == [
        Link("assets/style.css", "site/page/index.html:3"),
        Link("https://a.example/x?a=1&b=2", "site/page/index.html:9"),
        Link("https://b.example/", "site/page/index.html:10"),
        Link("img/pic.png", "site/page/index.html:12"),
        Link("../other/#sec", "site/page/index.html:13"),
    ]
    assert page.ids == {"intro", "old-anchor"}
    assert ids_from_html(HTML) == {"intro", "old-anchor"}


def test_html_same_url_twice_gets_each_line(tmp_path):
    file = tmp_path / "p.html"
    file.write_text('<p><a href="https://x.example/">1</a></p>\n\n<p><a href="https://x.example/">2</a></p>\n')
    page = extract_links_from_html(file)
    assert [link.source for link in page.links] == [f"{file}:1", f"{file}:3"]


MARKDOWN = """---
title: Front matter is not scanned
see: "[x](https://front.example)"
---

Inline [link](https://inline.example/a_(b)) and ![image](img.png "Title").
Code `[not](https://code.example)` is ignored, \\[escaped](https://esc.example) too.

```python
[not a link](https://fence.example)
```

~~~
<https://tilde-fence.example>
~~~

A [reference][ref] link and an autolink <https://auto.example/p?q=1>.
<a href="https://raw-html.example/?a=1&amp;b=2">raw</a>
[ref]: https://ref.example/page "Title"
[angle]: <https://angle.example/with space>
Relative [other](other.md#anchor) and mail <mailto:me@example.org>.
Citation [@some-ref] is not a link.
"""


def test_markdown_links_with_lines():
    links = extract_links_from_markdown(MARKDOWN, name="docs/page.md")
    assert links == [
        Link("https://inline.example/a_(b)", "docs/page.md:6"),
        Link("img.png", "docs/page.md:6"),
        Link("https://auto.example/p?q=1", "docs/page.md:17"),
        Link("https://raw-html.example/?a=1&b=2", "docs/page.md:18"),
        Link("https://ref.example/page", "docs/page.md:19"),
        Link("https://angle.example/with space", "docs/page.md:20"),
        Link("other.md#anchor", "docs/page.md:21"),
        Link("mailto:me@example.org", "docs/page.md:21"),
    ]


def test_markdown_from_file(tmp_path):
    file = tmp_path / "x.md"
    file.write_text("# T\n\n[a](https://a.example)\n", encoding="utf-8")
    assert extract_links_from_markdown(file) == [Link("https://a.example", f"{file}:3")]


def test_a_text_that_names_a_file_is_text_not_the_file(tmp_path):
    """Text comes from servers and git revisions: a one-line page or file whose text is the path
    of a file on this machine had that file read, its links reported and requested."""
    secret = tmp_path / "secret.html"
    secret.write_text('<a href="https://leak.example/?token=s3cr3t">x</a>\n', encoding="utf-8")
    notes = tmp_path / "notes.md"
    notes.write_text("[a](https://leak.example/?token=s3cr3t)\n", encoding="utf-8")
    assert extract_links_from_html(str(secret)).links == []
    assert extract_links_from_markdown(str(notes)) == []
    assert [link.url for link in extract_links_from_html(secret).links] == ["https://leak.example/?token=s3cr3t"]


def test_markdown_indented_code_is_ignored_but_list_continuations_are_not():
    text = (
        "Para.\n"
        "\n"
        "    [code](https://indented-code.example)\n"
        "\n"
        "- item\n"
        "\n"
        "    [continued](https://list-continuation.example)\n"
        "\n"
        "Back to text with [a link](https://after.example).\n"
    )
    assert [link.url for link in extract_links_from_markdown(text)] == [
        "https://list-continuation.example",
        "https://after.example",
    ]


# --- a Markdown link is the URL the browser asks for, as the site renders it ------------------------------


def _site_markdown():
    """Python-Markdown with the extensions the site's mkdocs.yml lists (their options do not touch links)."""
    import markdown
    import yaml

    from conftest import REPO

    config = yaml.load((REPO / "mkdocs.yml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader)  # noqa: S506 - BaseLoader makes only strings, lists and dicts (!ENV read as text)
    names = [next(iter(e)) if isinstance(e, dict) else e for e in config["markdown_extensions"]]
    return markdown.Markdown(extensions=names)


@pytest.mark.parametrize(
    "source",
    [
        r"[x](https://e.org/a\_b)",  # an escaped underscore, as some editors write them
        r"[x](https://e.org/a\)b)",
        r"[x](https://e.org/a\|b)",  # the tables extension makes | escapable
        r"[x](https://a.b/a\\b)",
        r"[x](https://a.b/a\&b)",  # & is not escapable: the backslash stays
        r"[x](https://a.b/\*star\*)",
        "[x](https://a.b/?a=1&amp;b=2)",  # a character reference: the browser decodes it
        "[x](https://a.b/?q=&#38;x)",
        "[x](https://a.b/?a=1&copy=2)",  # no semicolon: not a reference, the ampersand is escaped
        "[x](<https://a.b/with space>)",
        '[x](https://a.b/t "title")',
        "[x](https://a.b/t 'ti tle')",
        "[x](https://a.b/a(b)c)",
        "[x](https://a.b/with space)",  # Python-Markdown keeps the space: the page links to it
        "[x](https://a.b/t (title))",  # and a title in parentheses is part of the URL
        '[x](https://a.b/t"q")',  # a title right after the URL
        '[x](https://a.b/t "ti)tle")',  # a ) inside a title
        '[x](https://a.b/t "title" extra)',  # not a title: it does not close before the )
        "[x](https://en.wikipedia.org/wiki/Conway's_law) and it's fine",  # an apostrophe is no title
        "See [x](https://a.b/x), it's (really) good.",
        '[a](https://a.b/1) [b](https://a.b/2 "t")',
        "[x](https://a.b/q?a=(1)&b=2)",
        '[x](<https://a.b/x y> "t")',
        "[x](https://a.b/%20enc)",
        r"<https://a.b/a\_b>",
        "<https://a.b/a&amp;b>",
        "[y][r]\n\n[r]: https://e.org/r\\_x",  # Python-Markdown keeps backslashes in definitions
        "[y][r]\n\n[r]: https://a.b/?a=1&amp;b=2",
        "[y][r]\n\n[r]: https://a.b/?a=1&copy=2",
        '<a href="https://e.org/?a=1&amp;b=2">h</a>',
        '<a href="https://e.org/?a=1&copy=2">h</a>',  # in an attribute, &copy= is not decoded
        "<!-- [old](https://e.org/gone) -->\n[x](https://e.org/kept)",  # a commented-out link is not on the page
        "[r]: https://e.org/unused",  # a definition nothing uses is not on the page
        "[y][R]\n\n[r]: https://e.org/case",  # labels match whatever their case
        "[r][]\n\n[r]: https://e.org/collapsed",
        "[r]\n\n[r]: https://e.org/shortcut",
        "[y] [r]\n\n[r]: https://e.org/spaced",
        "[a\nb][]\n\n[A B]: https://e.org/wrapped-label",
        "[y][r]\n\n[r]:\n   https://e.org/next-line",  # the URL on the line after the label
        'See [y][r].\n[r]: https://e.org/mid "t"\nmore text',  # a definition inside a paragraph
        "\\[r\\]\n\n[r]: https://e.org/escaped",  # escaped brackets use no label
        "[@k]: [branch](https://e.org/b) when",  # a citation then text: no definition, one link
        "<https://e.org/with space>",  # Python-Markdown's autolinks take spaces
        "[r]\n\n[r]: <https://e.org/c d>",  # not a definition (a space), but an autolink
        "> see [r]\n>\n> [r]: https://e.org/quoted",  # a definition in a block quote
        "see [r]\n\n> [r]: https://e.org/quoted-alone",
        "- item [r]\n\n    [r]: https://e.org/listed",  # and in a list item
    ],
)
def test_a_markdown_link_is_the_url_the_rendered_page_links_to(source):
    """What is checked is what a reader's browser asks for: the href of the page the site renders
    from this Markdown, read by an HTML parser (which decodes character references as browsers do),
    then by a WHATWG URL parser (ada, Node's), against a page of the site. Each link is the href,
    or what the browser makes of it (``\\`` as ``/``), and never another URL.
    """
    from selectolax.lexbor import LexborHTMLParser

    page = LexborHTMLParser(_site_markdown().convert(source))
    rendered = [a.attributes["href"] for a in page.css("a[href]")]
    found = [link.url for link in extract_links_from_markdown(source)]
    assert [_browser(url) for url in found] == [_browser(href) for href in rendered]
    for url, href in zip(found, rendered, strict=True):
        assert url in (href, _as_browser_reads(href))


PAGE_BASE = "https://site.example/archkb/patterns/page/"


def _browser(url: str) -> str:
    """The URL a browser requests for ``url`` on a page of the site (ada, the WHATWG URL parser)."""
    from ada_url import URL

    return URL(url, PAGE_BASE).href


@pytest.mark.parametrize(
    "href",
    [
        "..\\other\\page.html",
        "https://e.org/a\\b/c",
        "https:\\\\e.org\\docs",
        "/root\\path?q=a\\b#frag\\x",
        "HTTP://E.org\\Mixed",
    ],
)
def test_a_backslash_is_read_as_a_browser_reads_it(href):
    """A browser reads ``\\`` as ``/`` before the query of an http(s) or relative link: the checker
    asks for the URL the browser does (yarl, the client's parser, against the same page)."""
    from urllib.parse import unquote, urljoin

    from archkb.linkcheck.hosts import client_url

    html = extract_links_from_html(f'<a href="{href}">x</a>')
    (link,) = html.links
    asked = client_url(urljoin(PAGE_BASE, link.url))
    assert unquote(str(asked)) == unquote(_browser(href))  # yarl writes a query's \\ as %5C: the same to servers
    if "\\\\" not in href:  # in Markdown, a doubled backslash is an escaped one
        (markdown,) = extract_links_from_markdown(f"[x]({href})")
        assert markdown.url == link.url


def test_the_escapable_characters_are_the_site_markdowns():
    from archkb.linkcheck.extract import _MARKDOWN_ESCAPABLE

    assert set(_MARKDOWN_ESCAPABLE) == set(_site_markdown().ESCAPED_CHARS)


def test_a_link_after_a_comment_keeps_its_line():
    source = "intro\n<!-- a note\n[old](https://e.org/gone)\n-->\n[x](https://e.org/after)\n"
    assert extract_links_from_markdown(source, name="p.md") == [Link("https://e.org/after", "p.md:5")]


# --- srcset, poster, object data: what the browser loads is checked too ------------------------------------


@pytest.mark.parametrize(
    ("value", "urls"),
    [
        ("a.png", ["a.png"]),
        ("a.png 1x, b.png 2x", ["a.png", "b.png"]),
        (" a.png  480w ,b.png 800w ", ["a.png", "b.png"]),
        ("img,1.png 1x, img,2.png 2x", ["img,1.png", "img,2.png"]),  # a comma inside a URL
        ("a.png, b.png 2x", ["a.png", "b.png"]),  # a trailing comma: no descriptors
        ("a.png (x, y) 1x, b.png", ["a.png", "b.png"]),  # a comma inside parentheses is a descriptor's
        ("", []),
        (" , ", []),
    ],
)
def test_srcset_candidates_are_read_as_browsers_read_them(value, urls):
    from archkb.linkcheck.extract import _srcset_urls

    assert _srcset_urls(value) == urls


def test_the_resources_a_page_loads_are_links_too():
    html = """<!doctype html><html><body>
<img src="https://e.org/a.png" srcset="https://e.org/a-2x.png 2x,
     https://e.org/a-3x.png 3x">
<picture><source srcset="https://e.org/b.webp" type="image/webp"></picture>
<video src="https://e.org/v.mp4" poster="https://e.org/poster.jpg"></video>
<object data="https://e.org/o.pdf"></object>
<img data-src="https://e.org/lazy.png">
</body></html>"""
    page = extract_links_from_html(html, name="p.html")
    assert [(link.url, link.source) for link in page.links] == [
        ("https://e.org/a.png", "p.html:2"),
        ("https://e.org/a-2x.png", "p.html:2"),
        ("https://e.org/a-3x.png", "p.html:3"),
        ("https://e.org/b.webp", "p.html:4"),
        ("https://e.org/v.mp4", "p.html:5"),
        ("https://e.org/poster.jpg", "p.html:5"),
        ("https://e.org/o.pdf", "p.html:6"),
    ]  # data-src is for a script to load, not the browser: not a link


def test_raw_html_in_markdown_gives_every_link_attribute_of_a_tag():
    source = 'Text\n<img src="https://e.org/a.png" srcset="https://e.org/b.png 2x" data-src="https://e.org/lazy.png">\n'
    assert [(link.url, link.source) for link in extract_links_from_markdown(source, name="p.md")] == [
        ("https://e.org/a.png", "p.md:2"),
        ("https://e.org/b.png", "p.md:2"),
    ]


def test_a_line_break_inside_an_href_is_dropped_as_browsers_drop_it():
    """A browser's URL parser removes tabs and line breaks from a URL: a wrapped href still works."""
    html = '<!doctype html><p>x</p>\n<a href="https://e.org/long/\npath">a</a> <a href="../other/\t#part">b</a>'
    page = extract_links_from_html(html, name="p.html")
    assert [(link.url, link.source) for link in page.links] == [
        ("https://e.org/long/path", "p.html:2"),
        ("../other/#part", "p.html:3"),
    ]
    markdown_source = 'Text\n<a href="https://e.org/long/\npath">a</a>\n'
    assert [link.url for link in extract_links_from_markdown(markdown_source)] == ["https://e.org/long/path"]


def test_urls_in_plain_text_are_read_as_gfm_autolinks_end():
    """Standard input is plain text: every absolute http(s) URL, bare or in markup, less what the
    sentence around it adds (GFM's extended autolinks: trailing punctuation, unbalanced brackets)."""
    from archkb.linkcheck.extract import extract_urls_from_text

    text = (
        "Down? https://a.example/x. And (https://b.example/y), [c](https://c.example/z?q=1#f)\n"
        '<a href="https://d.example/">d</a> <https://e.example/wiki/Foo_(bar)> https://f.example/w/Foo_(bar)!\n'
        "`https://g.example/` HTTP://H.example/ https:// nothing; ftp://no.example/ xhttps://no.example/\n"
    )
    found = [(link.url, link.source) for link in extract_urls_from_text(text, name="(stdin)")]
    assert found == [
        ("https://a.example/x", "(stdin):1"),
        ("https://b.example/y", "(stdin):1"),
        ("https://c.example/z?q=1#f", "(stdin):1"),
        ("https://d.example/", "(stdin):2"),
        ("https://e.example/wiki/Foo_(bar)", "(stdin):2"),
        ("https://f.example/w/Foo_(bar)", "(stdin):2"),
        ("https://g.example/", "(stdin):3"),
        ("HTTP://H.example/", "(stdin):3"),
    ]


def test_links_not_found_as_written_cost_a_bounded_search():
    """Each link whose text is not found as written (character references) searched the rest of
    the page: 40,000 of them took 94 s. After the first few, only the next 16 KiB are searched."""
    from archkb.linkcheck import extract

    text = "x" * 100_000 + "needle"
    assert extract._find(text, "needle", 0, True) == 100_000
    assert extract._find(text, "needle", 0, False) == -1  # beyond the window
    assert extract._find(text, "needle", 90_000, False) == 100_000
    page = "".join(f'<a href="&#104;ttps://x.example/{i}">x</a>\n' for i in range(extract._FULL_SEARCHES + 50))
    links = extract_links_from_html(page, name="p").links
    assert len(links) == extract._FULL_SEARCHES + 50 and links[-1].url.endswith(f"/{extract._FULL_SEARCHES + 49}")
