"""The catalog as an EPUB 3 book (``exports/archkb.epub``, ``archkb export epub``).

Contents, in reading order: a title page and the table of contents; each reading path,
followed by its patterns in path order (a pattern already placed by an earlier path is
linked, not repeated); the patterns no path covers; the reading list as a bibliography
(a document per topic, so that none is large for an e-reader), each entry with the
patterns that cite it; the pattern map as an SVG image with a text
version. Each pattern has its summary, dates, body and the site's generated sections
(related patterns by relation type, further reading with link states). Relations,
citations, cited-by and path steps link inside the book; external links stay absolute,
and links to pages of the site that the book does not hold point at the site when its
URL is known (and are plain text otherwise).

Every document is built as HTML with each field escaped, then parsed with an HTML5
parser (lexbor) and written out as XML by :func:`xhtml`, which escapes every text and
attribute again for XML, drops what XML cannot hold and keeps ids XML names: what a
reading system receives is well-formed XHTML whatever a field contains. Contributed
bodies are rendered with the site's Markdown settings and sanitised with the site's
allow-list first, as on the site.

The book is deterministic: the same catalog (and history, for dates git supplies) gives
the same bytes. Its identifier is derived from the site's URL (or its name), its
``dcterms:modified`` and every zip entry's time from the catalog's latest date, and the
zip entries are written in sorted order after the uncompressed ``mimetype``, with fixed
permissions and compression settings.

Why not ebooklib: it re-parses every document with lxml's HTML parser and writes its
own serialisation (so what it writes is not what was escaped and checked), stamps each
zip entry with the current time with no option to fix it (determinism would mean
rewriting its zip anyway), and is AGPL-3.0 while this package is MIT. The OPF, the
navigation document and the zip are about a hundred lines here.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import posixpath
import re
import uuid
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..catalog.graph import Catalog, PatternEntry
from ..catalog.relations import RELATION_TYPES
from ..safety.text import strip_reserved
from ..site.citations import citation_preview
from ..site.dates import CatalogDates, render_pattern_dates
from ..site.health import LinkHealth, render_link_state
from ..site.map_page import map_text_groups
from ..site.text import byline, citation_label
from ..site.urls import MAP_URI, READING_LIST_URI, page_url, path_uri, pattern_uri

if TYPE_CHECKING:
    from ..map.layout import MapLayout

__all__ = [
    "EPUB_MEDIA_TYPE",
    "BookOptions",
    "BookCache",
    "catalog_to_epub",
    "write_epub",
    "xhtml",
    "book_order",
    "pattern_file",
    "path_file",
    "bibliography_file",
    "markdown_settings_key",
    "book_options_from_config",
]

EPUB_MEDIA_TYPE = "application/epub+zip"
"""The EPUB media type (the ``mimetype`` entry, and what a web server should send)."""

_XML_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_NCNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9._-]*$")
_VOID = frozenset(
    ["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"]
)
_XHTML_NS = "http://www.w3.org/1999/xhtml"
_EPOCH = dt.date(1980, 1, 1)  # the earliest time a zip entry can carry
_TITLE_FILE, _NAV_FILE, _BIBLIOGRAPHY_FILE, _MAP_FILE = "title.xhtml", "nav.xhtml", "bibliography.xhtml", "map.xhtml"
_OTHERS_FILE, _CSS_FILE, _SVG_FILE = "more-patterns.xhtml", "book.css", "map.svg"


@dataclass(frozen=True)
class BookOptions:
    """What the book needs besides the catalog.

    Attributes:
        title: The book's title (the site's name).
        description: One or two sentences about it.
        site_url: The site's public URL: the book's identifier comes from it, and links to
            site pages that are not in the book point there.
        language: The book's language (BCP 47).
        directory_urls: The site's URL style, for links to its pages.
    """

    title: str = "Architecture Knowledge Base"
    description: str | None = None
    site_url: str | None = None
    language: str = "en"
    directory_urls: bool = True


def _clean(text: str) -> str:
    text = strip_reserved(text)
    return _XML_INVALID.sub("", text) if _XML_INVALID.search(text) else text


def _x(text: str) -> str:
    """``text`` escaped for XML text and attribute values."""
    return html.escape(_clean(text), quote=True)


def _e(text: str) -> str:
    """``text`` escaped for the HTML this module builds (parsed and re-serialised by :func:`xhtml`)."""
    return html.escape(text, quote=True)


# ---------------------------------------------------------------------------------------------
# HTML in, XHTML out


def xhtml(fragment: str, *, resolve: Callable[[str], str | None] = lambda href: href) -> str:
    """An HTML fragment as well-formed XHTML for an EPUB content document.

    The fragment is parsed as a browser parses a body (lexbor), then written as XML:
    text and attribute values escaped, characters XML cannot hold dropped, void elements
    closed, boolean attributes given values, ids that are not XML names renamed (and the
    page's ``#fragment`` links with them), repeated ids dropped, obsolete ``<a name>``
    dropped, comments left out. Each ``href`` and ``src`` goes through ``resolve``,
    which returns the link to write or ``None`` to drop it (a link then becomes its text,
    an image its ``alt`` text). A remote image becomes a link to it, named by its ``alt``
    text: EPUB reading systems need not load remote resources.
    """
    from selectolax.lexbor import LexborHTMLParser

    body = LexborHTMLParser(f"<!DOCTYPE html><html><body>{fragment}</body></html>").body
    if body is None:
        return ""
    writer = _XhtmlWriter(resolve)
    for node in body.traverse(include_text=False):
        value = node.attributes.get("id") if node.tag and not node.tag.startswith("-") else None
        if value and not _NCNAME.match(value):
            writer.renamed[value] = "id-" + re.sub(r"[^A-Za-z0-9._-]", lambda m: f"_{ord(m.group(0)):x}_", value)
    writer.walk(body)
    return "".join(writer.out)


_DROP = [("", "")]
"""What :meth:`_XhtmlWriter.attributes` returns for an element to leave out (keeping its text)."""


class _XhtmlWriter:
    """Writes a parsed HTML tree as XHTML (see :func:`xhtml`).

    A class rather than nested functions: recursive closures are reference cycles, and
    the site build runs with the cyclic garbage collector paused.
    """

    def __init__(self, resolve: Callable[[str], str | None]) -> None:
        self.resolve = resolve
        self.renamed: dict[str, str] = {}
        self.seen: set[str] = set()
        self.out: list[str] = []

    def attributes(self, node: Any) -> list[tuple[str, str]]:
        pairs = []
        for name, value in node.attributes.items():
            if not _attribute_name_ok(name):
                continue  # not an attribute an XHTML document may carry as written
            if node.tag == "a" and name == "name":
                continue
            value = name if value is None else value
            if name == "id":
                value = self.renamed.get(value, value)
                if value in self.seen:
                    continue
                self.seen.add(value)
            if name in ("href", "src"):
                if value.startswith("#"):
                    value = "#" + self.renamed.get(value[1:], value[1:])
                else:
                    resolved = self.resolve(value)
                    if resolved is None:
                        return _DROP  # the link or image goes; its text stays
                    value = resolved
            pairs.append((name, value))
        return pairs

    def walk(self, parent: Any) -> None:
        out = self.out
        for node in parent.iter(include_text=True):
            tag = node.tag
            if tag == "-text":
                out.append(_x(node.text(deep=False)))
                continue
            if not tag or tag.startswith("-") or tag in ("script", "style", "template"):
                continue
            attrs = self.attributes(node)
            src = dict(attrs).get("src", "") if tag == "img" and attrs is not _DROP else ""
            if _REMOTE.match(src):
                # A remote image (reading systems need not load them) is a link to where it lives.
                out.append(f'<a href="{_x(src)}">{_x(node.attributes.get("alt") or "image")}</a>')
                continue
            if tag == "a" and not any(name in ("href", "id") for name, _ in attrs):
                attrs = _DROP  # a link that leads nowhere (its URL was refused): its text
            if attrs is _DROP:
                if tag == "img":
                    out.append(_x(node.attributes.get("alt") or ""))
                else:
                    self.walk(node)
                continue
            opening = tag + "".join(f' {name}="{_x(value)}"' for name, value in attrs)
            if tag in _VOID:
                out.append(f"<{opening}/>")
                continue
            out.append(f"<{opening}>")
            self.walk(node)
            out.append(f"</{tag}>")


_ATTRIBUTE_NAME = re.compile(r"[a-z_][a-z0-9_.-]*")


@lru_cache(maxsize=512)
def _attribute_name_ok(name: str) -> bool:
    """Whether an HTML attribute name is also one XHTML takes as written (no namespace prefix)."""
    return _ATTRIBUTE_NAME.fullmatch(name) is not None and not name.startswith("xmlns")


def _document(title: str, body: str, *, language: str, epub_type: str | None = None) -> bytes:
    """A complete XHTML content document around an XHTML ``body``."""
    section = f' epub:type="{epub_type}"' if epub_type else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html>\n'
        f'<html xmlns="{_XHTML_NS}" xmlns:epub="http://www.idpf.org/2007/ops" lang="{_x(language)}" '
        f'xml:lang="{_x(language)}">\n<head>\n<meta charset="UTF-8"/>\n<title>{_x(title)}</title>\n'
        f'<link rel="stylesheet" type="text/css" href="{_CSS_FILE}"/>\n</head>\n'
        f"<body{section}>\n{body}\n</body>\n</html>\n"
    ).encode()


# ---------------------------------------------------------------------------------------------
# What goes where


def pattern_file(slug: str) -> str:
    """The book file of a pattern."""
    return f"pattern-{slug}.xhtml"


def path_file(slug: str) -> str:
    """The book file of a reading path."""
    return f"path-{slug}.xhtml"


def bibliography_file(topic: str) -> str:
    """The book file of one topic of the bibliography (a book file each keeps them small for e-readers)."""
    return f"bibliography-{topic}.xhtml"


def book_order(catalog: Catalog) -> tuple[list[tuple[str, list[str]]], list[str]]:
    """The reading order: each reading path with the patterns it places, then the patterns left.

    Returns:
        ``[(path slug, [pattern slugs placed after it, in path order])]`` for the paths
        with valid data, and the patterns no path placed, by title.
    """
    book = _book_patterns(catalog)
    placed: set[str] = set()
    paths: list[tuple[str, list[str]]] = []
    for slug, path_entry in catalog.paths.items():
        if path_entry.data is None:
            continue
        mine = []
        for step in path_entry.data.steps:
            if step.pattern in book and step.pattern not in placed:
                placed.add(step.pattern)
                mine.append(step.pattern)
        paths.append((slug, mine))
    rest = sorted((s for s in book if s not in placed), key=lambda s: (catalog.patterns[s].title.lower(), s))
    return paths, rest


def _book_patterns(catalog: Catalog) -> set[str]:
    """The patterns the book holds: valid front matter, and nothing the site refuses to publish."""
    return {slug for slug, entry in catalog.patterns.items() if entry.meta is not None and not entry.unsafe}


_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_REMOTE = re.compile(r"^https?:", re.IGNORECASE)


class _Links:
    """Resolves the links of the site's Markdown and HTML to places in the book."""

    def __init__(self, catalog: Catalog, options: BookOptions) -> None:
        self.catalog = catalog
        self.patterns = _book_patterns(catalog)
        self.paths = {slug for slug, p in catalog.paths.items() if p.data is not None}
        self.options = options
        self.topics = [t for t in catalog.topics.values() if any(i in catalog.references for i in t.reference_ids)]
        self.files = (
            {pattern_file(s) for s in self.patterns}
            | {path_file(s) for s in self.paths}
            | {bibliography_file(t.slug) for t in self.topics}
            | {_TITLE_FILE, _NAV_FILE, _BIBLIOGRAPHY_FILE, _MAP_FILE, _OTHERS_FILE, _SVG_FILE}
        )

    def source(self, from_uri: str) -> Callable[[str], str | None]:
        """A resolver for links written in the page whose site source is ``from_uri``."""

        def resolve(href: str) -> str | None:
            scheme = _SCHEME.match(href)
            if scheme:
                return href if scheme.group(1).lower() in ("http", "https", "mailto") else None
            if href.startswith("//"):
                return None
            target, _, fragment = href.partition("#")
            if target in self.files:  # written for the book already
                return href
            uri = posixpath.normpath(posixpath.join(posixpath.dirname(from_uri), target)) if target else from_uri
            if uri == READING_LIST_URI and fragment:
                return self.reading_list_anchor(fragment)
            book = self.book_file(uri)
            if book is not None:
                return book + (f"#{fragment}" if fragment else "")
            if self.options.site_url and uri.endswith(".md") and not uri.startswith("../"):
                base = self.options.site_url.rstrip("/") + "/"
                return base + page_url(uri, self.options.directory_urls) + (f"#{fragment}" if fragment else "")
            return None

        return resolve

    def reference(self, ref_id: str) -> str:
        """The link to a reference's entry in the bibliography."""
        return f"{bibliography_file(self.catalog.references[ref_id].topic)}#ref-{ref_id}"

    def reading_list_anchor(self, fragment: str) -> str:
        """Where a reading-list anchor (an entry, a topic or a kind group) is in the book."""
        if fragment.startswith("ref-") and fragment[4:] in self.catalog.references:
            return self.reference(fragment[4:])
        for topic in self.topics:
            if fragment == f"topic-{topic.slug}" or fragment.startswith(f"topic-{topic.slug}-"):
                return bibliography_file(topic.slug)
        return _BIBLIOGRAPHY_FILE

    def book_file(self, uri: str) -> str | None:
        """The book file holding the site page ``uri`` (``patterns/x.md``), if the book has it."""
        if uri == READING_LIST_URI:
            return _BIBLIOGRAPHY_FILE
        if uri == MAP_URI:
            return _MAP_FILE
        folder, _, name = uri.rpartition("/")
        slug = name[:-3] if name.endswith(".md") else None
        if folder == "patterns" and slug in self.patterns:
            return pattern_file(slug)
        if folder == "paths" and slug in self.paths:
            return path_file(slug)
        return None

    def pattern(self, slug: str, text: str) -> str:
        """``text`` (escaped HTML) linked to a pattern's chapter, or plain when the book lacks it."""
        return f'<a href="{pattern_file(slug)}">{text}</a>' if slug in self.patterns else text


# ---------------------------------------------------------------------------------------------
# The documents


def _pattern_body(entry: PatternEntry, catalog: Catalog, converter: Any, preview: Callable[[Any], str]) -> str:
    """A pattern's contributed body as sanitised HTML, its citations linked with their previews."""
    from ..safety.htmlpolicy import sanitize_html
    from ..site.pattern_page import link_citations

    body = link_citations(entry.body, catalog, pattern_uri(entry.slug), preview=preview)
    try:
        rendered = converter.convert(body)
    finally:
        converter.reset()
    return sanitize_html(rendered)


def _related(entry: PatternEntry, catalog: Catalog, links: _Links) -> str:
    out = ['<section class="related"><h2 id="archkb-related">Related patterns</h2>']
    groups: dict[str, list[str]] = {}
    for link in catalog.links.get(entry.slug, []):
        other = catalog.patterns[link.slug]
        item = "<li>" + links.pattern(other.slug, _e(other.title))
        if other.summary:
            item += f": {_e(other.summary)}"
        if link.note:
            item += f" <em>({_e(link.note)})</em>"
        groups.setdefault(link.type, []).append(item + "</li>")
    if not groups:
        out.append("<p>This pattern has no related patterns yet.</p>")
    for rel_type, items in groups.items():
        out.append(f'<h3 id="rel-{rel_type}">{_e(RELATION_TYPES[rel_type].heading)}</h3><ul>{"".join(items)}</ul>')
    return "".join(out) + "</section>"


def _further_reading(entry: PatternEntry, catalog: Catalog, links: _Links, health: LinkHealth | None) -> str:
    out = ['<section class="further-reading"><h2 id="archkb-further-reading">Further reading</h2>']
    refs = catalog.pattern_references(entry.slug)
    if not refs:
        out.append("<p>This pattern cites no references yet.</p>")
    else:
        items = []
        for ref_entry in refs:
            ref = ref_entry.data
            items.append(
                f'<li><a href="{_e(ref.url)}">{_e(ref.title)}</a>: {byline(ref)}. '
                f'<a href="{links.reference(ref.id)}">Bibliography entry</a> '
                f"{render_link_state(ref, health)}</li>"
            )
        out.append("<ul>" + "".join(items) + "</ul>")
    return "".join(out) + "</section>"


def _pattern_document(
    entry: PatternEntry,
    catalog: Catalog,
    links: _Links,
    converter: Any,
    health: LinkHealth | None,
    dates: CatalogDates,
    options: BookOptions,
) -> bytes:
    preview = lambda ref: citation_preview(ref, health)  # noqa: E731
    meta = entry.meta
    parts = [f"<h1>{_e(entry.title)}</h1>"]
    if entry.summary:
        parts.append(f'<p class="summary">{_e(entry.summary)}</p>')
    parts.append(render_pattern_dates(dates.patterns.get(entry.slug)))
    if entry.is_draft:
        parts.append('<p class="note"><strong>Draft:</strong> this pattern may be incomplete.</p>')
    if meta is not None and meta.aliases:
        parts.append("<p><em>Also known as:</em> " + _e(", ".join(meta.aliases)) + "</p>")
    if entry.tags:
        parts.append('<p class="tags">Tags: ' + _e(", ".join(entry.tags)) + "</p>")
    page = "".join(parts) + _pattern_body(entry, catalog, converter, preview)
    page += _related(entry, catalog, links) + _further_reading(entry, catalog, links, health)
    return _document(
        entry.title,
        xhtml(page, resolve=links.source(pattern_uri(entry.slug))),
        language=options.language,
        epub_type="chapter",
    )


def _path_document(slug: str, catalog: Catalog, links: _Links, options: BookOptions) -> bytes:
    data = catalog.paths[slug].data
    assert data is not None
    total = sum(step.minutes for step in data.steps)
    parts = [
        f"<h1>{_e(data.title)}</h1>",
        f'<p class="summary">{_e(data.summary)}</p>',
        f"<p>A reading path: {len(data.steps)} steps, about {total} minutes of reading in all.</p><ol>",
    ]
    for step in data.steps:
        if step.pattern is not None:
            entry = catalog.patterns.get(step.pattern)
            title = entry.title if entry else step.pattern
            target = f"<strong>{links.pattern(step.pattern, _e(title))}</strong> · pattern"
        else:
            ref_entry = catalog.references.get(step.reference or "")
            if ref_entry is None:
                target = f"<strong>{_e(step.reference or '')}</strong> · reference"
            else:
                ref = ref_entry.data
                target = (
                    f'<strong><a href="{links.reference(ref.id)}">{_e(ref.title)}</a></strong> · '
                    f"{_e(ref.kind)}, {_e(citation_label(ref))}"
                )
        parts.append(f"<li><p>{target} · about {step.minutes} min</p><p>{_e(step.why)}</p></li>")
    parts.append("</ol>")
    return _document(
        data.title,
        xhtml("".join(parts), resolve=links.source(path_uri(slug))),
        language=options.language,
        epub_type="part",
    )


def _others_document(rest: list[str], catalog: Catalog, links: _Links, options: BookOptions) -> bytes:
    items = "".join(
        f"<li>{links.pattern(s, _e(catalog.patterns[s].title))}: {_e(catalog.patterns[s].summary)}</li>" for s in rest
    )
    body = (
        f"<h1>More patterns</h1><p>The {len(rest)} patterns that no reading path covers, by title.</p><ul>{items}</ul>"
    )
    return _document("More patterns", xhtml(body), language=options.language, epub_type="part")


def _bibliography_document(catalog: Catalog, links: _Links, options: BookOptions) -> bytes:
    """The bibliography's opening: what it holds, and its topics."""
    items = "".join(
        f'<li><a href="{bibliography_file(t.slug)}">{_e(t.title)}</a> '
        f"({sum(1 for i in t.reference_ids if i in catalog.references)})</li>"
        for t in links.topics
    )
    body = (
        f"<h1>Bibliography</h1><p>The reading list: {len(catalog.references)} references in "
        f"{len(links.topics)} topics. Each entry names the patterns that cite it and the state of its link "
        f"at the last check.</p><ul>{items}</ul>"
    )
    return _document("Bibliography", xhtml(body), language=options.language, epub_type="bibliography")


def _topic_document(
    topic: Any, catalog: Catalog, links: _Links, health: LinkHealth | None, options: BookOptions
) -> bytes:
    """One topic of the bibliography: its references, each with its link state and the patterns citing it."""
    parts = [f'<h1 id="topic-{topic.slug}">{_e(topic.title)}</h1>']
    if topic.description:
        parts.append(f"<p>{_e(topic.description)}</p>")
    for ref_id in (i for i in topic.reference_ids if i in catalog.references):
        ref = catalog.references[ref_id].data
        entry = [
            f'<div class="ref" id="ref-{ref.id}">',
            f'<p><strong><a href="{_e(ref.url)}">{_e(ref.title)}</a></strong><br/>{byline(ref)}<br/>'
            f"{render_link_state(ref, health)}</p>",
            f"<p>{_e(ref.summary.strip())}</p>",
        ]
        citing = catalog.cited_by.get(ref.id, [])
        if citing:
            entry.append(
                "<p>Cited by: " + ", ".join(links.pattern(s, _e(catalog.patterns[s].title)) for s in citing) + "</p>"
            )
        parts.append("".join(entry) + "</div>")
    body = xhtml("".join(parts), resolve=links.source(READING_LIST_URI))
    # epub:type is not HTML: the parser keeps it as an attribute named "epub:type", which
    # xhtml() leaves out, so the entries' semantics are added back here, on known markup.
    body = body.replace('<div class="ref" id="ref-', '<div class="ref" epub:type="biblioentry" id="ref-')
    return _document(f"Bibliography: {topic.title}", body, language=options.language, epub_type="bibliography")


_MAP_STYLE = (
    "svg{color:#1f2328;font-family:sans-serif}.archkb-node-box{fill:#fff;stroke:#1f2328}"
    ".archkb-group-title{stroke:none}"  # its halo needs SVG 2's paint-order, which the image leaves out
    ".archkb-node--draft .archkb-node-box{stroke-dasharray:4 3}.archkb-cluster{stroke:#8c959f}"
    ".archkb-rel--uses{stroke:#1f4fbf}.archkb-rel--refines{stroke:#6a2ea6}.archkb-rel--leads-to{stroke:#0b6e4f}"
    ".archkb-rel--alternative-to{stroke:#9a5b00}.archkb-rel--conflicts-with{stroke:#b3261e}"
    ".archkb-rel--complements{stroke:#4b5563}.archkb-arrow{stroke:none}.archkb-arrow.archkb-rel--uses{fill:#1f4fbf}"
    ".archkb-arrow.archkb-rel--refines{fill:#6a2ea6}.archkb-arrow.archkb-rel--leads-to{fill:#0b6e4f}"
)
"""The map's colours in a standalone SVG (on the site they come from the site's stylesheet)."""


def _map_svg(layout: MapLayout) -> bytes:
    from ..map.svg import render_svg

    svg = render_svg(
        layout,
        href=lambda slug: None,
        map_id="map",
        title="Pattern map",
        description=f"All {len(layout.nodes)} patterns of the catalog, clustered by main tag, "
        f"with their {len(layout.edges)} typed relations.",
        css_class="archkb-map",
    )
    # A standalone image: colours in its own style sheet, and nothing the SVG 1.1 schema of
    # EPUB reading systems does not know (ARIA roles, data attributes, SVG 2 paint-order).
    svg = svg.replace("<defs>", f'<defs><style type="text/css">{_MAP_STYLE}</style>', 1)
    svg = re.sub(r' (?:role|aria-labelledby|aria-label|data-slug|paint-order)="[^"]*"', "", svg)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + _clean(svg) + "\n").encode("utf-8")


def _map_document(catalog: Catalog, links: _Links, layout: MapLayout, options: BookOptions) -> bytes:
    from ..map.layout import group_title, map_data

    nodes, edges = map_data(catalog)
    parts = [
        "<h1>Pattern map</h1>",
        f"<p>All {len(nodes)} patterns and their {len(edges)} typed relations. Patterns are clustered by "
        "their main tag; the legend shows how each relation type is drawn; a dashed frame marks a draft.</p>",
        f'<figure class="map"><img src="{_SVG_FILE}" alt="The pattern map: {len(nodes)} patterns and '
        f'{len(edges)} typed relations, clustered by main tag. The text version follows."/>'
        "<figcaption>The pattern map.</figcaption></figure>",
        '<h2 id="text-version">Text version</h2><p>Each pattern with the relations declared on it.</p>',
    ]
    for group, entries, outgoing in map_text_groups(catalog, list(edges)):
        parts.append(f'<h3 id="map-{group}">{_e(group_title(group))}</h3><ul>')
        for entry in entries:
            item = "<li>" + links.pattern(entry.slug, _e(entry.title))
            rels = outgoing.get(entry.slug, [])
            if rels:
                item += ": " + "; ".join(
                    f"{_e(rel_type.replace('-', ' '))} {links.pattern(t, _e(catalog.patterns[t].title))}"
                    for rel_type, t in rels
                )
            parts.append(item + "</li>")
        parts.append("</ul>")
    return _document("Pattern map", xhtml("".join(parts), resolve=links.source(MAP_URI)), language=options.language)


def _title_document(catalog: Catalog, options: BookOptions, edition: dt.date | None) -> bytes:
    parts = [f"<h1>{_e(options.title)}</h1>"]
    if options.description:
        parts.append(f'<p class="summary">{_e(options.description)}</p>')
    parts.append(
        f"<p>{len(_book_patterns(catalog))} patterns, {len(catalog.references)} references and "
        f"{sum(1 for p in catalog.paths.values() if p.data)} reading paths"
        + (f", as of {edition.isoformat()}" if edition else "")
        + ".</p>"
    )
    parts.append(
        "<p>The reading paths come first, each followed by its patterns in reading order; then the "
        "patterns no path covers, the bibliography and the pattern map. Links between patterns, "
        "citations and the bibliography's cited-by lists lead to places in this book; links to "
        "sources lead to the web.</p>"
    )
    if options.site_url:
        parts.append(
            f'<p>Online, with search and link checks: <a href="{_e(options.site_url)}">{_e(options.site_url)}</a>.</p>'
        )
    return _document(options.title, xhtml("".join(parts)), language=options.language, epub_type="titlepage")


_BOOK_CSS = """\
body { font-family: serif; line-height: 1.45; margin: 0 0.5em; }
h1, h2, h3 { font-family: sans-serif; line-height: 1.2; page-break-after: avoid; break-after: avoid; }
.summary { font-size: 1.1em; border-left: 0.2em solid #3f51b5; padding-left: 0.6em; }
.archkb-dates, .tags, .archkb-link-state, .note { font-size: 0.85em; }
.ref, li { page-break-inside: avoid; break-inside: avoid; }
.ref { margin: 1em 0; padding-left: 0.6em; border-left: 0.12em solid #ccc; }
.ref p { margin: 0.3em 0; }
figure.map { margin: 1em 0; }
figure.map img { max-width: 100%; height: auto; }
nav ol { list-style: none; padding-left: 1em; }
"""


def _nav_document(
    catalog: Catalog,
    paths: list[tuple[str, list[str]]],
    rest: list[str],
    options: BookOptions,
    topic_list: Iterable[Any] = (),
) -> bytes:
    def pattern_items(slugs: Iterable[str]) -> str:
        return "".join(f'<li><a href="{pattern_file(s)}">{_x(catalog.patterns[s].title)}</a></li>' for s in slugs)

    toc = [f'<li><a href="{_TITLE_FILE}">{_x(options.title)}</a></li>']
    for slug, placed in paths:
        data = catalog.paths[slug].data
        assert data is not None
        nested = f"<ol>{pattern_items(placed)}</ol>" if placed else ""
        toc.append(f'<li><a href="{path_file(slug)}">{_x(data.title)}</a>{nested}</li>')
    if rest:
        toc.append(f'<li><a href="{_OTHERS_FILE}">More patterns</a><ol>{pattern_items(rest)}</ol></li>')
    topics = "".join(f'<li><a href="{bibliography_file(t.slug)}">{_x(t.title)}</a></li>' for t in topic_list)
    toc.append(f'<li><a href="{_BIBLIOGRAPHY_FILE}">Bibliography</a>{f"<ol>{topics}</ol>" if topics else ""}</li>')
    toc.append(f'<li><a href="{_MAP_FILE}">Pattern map</a></li>')
    first = path_file(paths[0][0]) if paths else (pattern_file(rest[0]) if rest else _BIBLIOGRAPHY_FILE)
    body = (
        f'<nav epub:type="toc" id="toc"><h1>Contents</h1><ol>{"".join(toc)}</ol></nav>\n'
        f'<nav epub:type="landmarks" id="landmarks" hidden="hidden"><h2>Landmarks</h2><ol>'
        f'<li><a epub:type="toc" href="{_NAV_FILE}#toc">Contents</a></li>'
        f'<li><a epub:type="bodymatter" href="{first}">Start of content</a></li>'
        f'<li><a epub:type="bibliography" href="{_BIBLIOGRAPHY_FILE}">Bibliography</a></li></ol></nav>'
    )
    return _document("Contents", body, language=options.language)


# ---------------------------------------------------------------------------------------------
# Package and zip


def _edition(dates: CatalogDates, catalog: Catalog) -> dt.date | None:
    """The catalog's latest date: of a pattern's change, a reference's addition or reading."""
    days = [d for p in dates.patterns.values() for d in (p.added, p.updated) if d]
    days += list(dates.references.values())
    days += [r.data.accessed for r in catalog.references.values() if r.data.accessed]
    return max(days) if days else None


def _package(
    options: BookOptions, edition: dt.date | None, manifest: list[tuple[str, str, str, str]], spine: list[str]
) -> bytes:
    """The OPF package document: metadata, manifest (sorted by id) and spine."""
    key = options.site_url or f"urn:archkb:{options.title}"
    identifier = f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, key)}"
    modified = dt.datetime.combine(edition or _EPOCH, dt.time(), dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    meta = [
        f'<dc:identifier id="pub-id">{_x(identifier)}</dc:identifier>',
        f"<dc:title>{_x(options.title)}</dc:title>",
        f"<dc:language>{_x(options.language)}</dc:language>",
        f"<dc:creator>{_x(options.title + ' contributors')}</dc:creator>",
        f'<meta property="dcterms:modified">{modified}</meta>',
    ]
    if edition:
        meta.append(f"<dc:date>{edition.isoformat()}</dc:date>")
    if options.description:
        meta.append(f"<dc:description>{_x(options.description)}</dc:description>")
    if options.site_url:
        meta.append(f"<dc:source>{_x(options.site_url)}</dc:source>")
    items = "".join(
        f'<item id="{item_id}" href="{href}" media-type="{media}"{f" properties={chr(34)}{props}{chr(34)}" if props else ""}/>\n'
        for item_id, href, media, props in sorted(manifest)
    )
    refs = "".join(f'<itemref idref="{item_id}"/>\n' for item_id in spine)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="pub-id" '
        f'xml:lang="{_x(options.language)}">\n'
        f'<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">\n' + "\n".join(meta) + "\n</metadata>\n"
        f"<manifest>\n{items}</manifest>\n<spine>\n{refs}</spine>\n</package>\n"
    ).encode("utf-8")


_CONTAINER = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">\n'
    b'<rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>'
    b"</rootfiles>\n</container>\n"
)


def _zip(files: dict[str, bytes | Callable[[], bytes]], when: dt.date) -> bytes:
    """The EPUB container: ``mimetype`` first and stored, then every file in name order, all dated ``when``.

    A file given as a function is rendered when its turn comes and compressed at once,
    so the book's documents never sit in memory all together.
    """
    stamp = (max(when, _EPOCH).year, max(when, _EPOCH).month, max(when, _EPOCH).day, 0, 0, 0)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:

        def put(name: str, data: bytes, method: int) -> None:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = method
            info.create_system = 3  # Unix, wherever the book is built
            info.external_attr = 0o100644 << 16
            archive.writestr(info, data, compresslevel=9 if method == zipfile.ZIP_DEFLATED else None)

        put("mimetype", EPUB_MEDIA_TYPE.encode("ascii"), zipfile.ZIP_STORED)
        for name in sorted(files):
            data = files[name]
            put(name, data if isinstance(data, bytes) else data(), zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def markdown_settings_key(root: str | Path) -> str:
    """What the chapters' Markdown rendering depends on besides the catalog: the site's Markdown settings."""
    from ..mkdocs.markdown import site_markdown_settings

    settings = site_markdown_settings(root)
    return repr((settings.extensions, sorted(settings.configs.items(), key=lambda kv: kv[0])))


def _book_converter(root: Path) -> Any:
    """Python-Markdown with the site's extensions, without the headings' permalinks."""
    from ..mkdocs.markdown import MarkdownSettings, markdown_converter, site_markdown_settings

    settings = site_markdown_settings(root)
    configs = dict(settings.configs)
    if "toc" in settings.extensions:
        configs["toc"] = {**configs.get("toc", {}), "permalink": False}
    return markdown_converter(MarkdownSettings(settings.extensions, configs))


BookCache = Callable[[str, Callable[[], bytes]], bytes]
"""Reuses the book's documents across builds: called with a file name (``pattern-<slug>.xhtml``,
``bibliography.xhtml``...) and the function that renders it; returns its bytes. The caller
knows what each depends on (see :class:`archkb.site.generator.SiteGenerator`)."""


def catalog_to_epub(
    catalog: Catalog,
    options: BookOptions | None = None,
    *,
    health: LinkHealth | None = None,
    dates: CatalogDates | None = None,
    layout: MapLayout | None = None,
    converter: Any = None,
    cache: BookCache | None = None,
) -> bytes:
    """The catalog as an EPUB 3 book, as bytes (see the module's description).

    Args:
        catalog: The loaded catalog.
        options: Title, description, site URL and language.
        health: The latest link report, for the link states (default: none known).
        dates: The catalog's dates (default: from the files and git, see :func:`archkb.site.dates.catalog_dates`).
        layout: The catalog's map layout, when the caller has it already.
        converter: A Python-Markdown converter for the bodies (default: the site's settings from
            ``mkdocs.yml``, made when a body is first rendered).
        cache: Reuses documents rendered by an earlier build (``mkdocs serve``).
    """
    from ..site.dates import catalog_dates
    from ..site.map_page import catalog_map_layout

    options = options or BookOptions()
    dates = dates if dates is not None else catalog_dates(catalog)
    made: list[Any] = [converter]

    def markdown() -> Any:
        if made[0] is None:
            made[0] = _book_converter(Path(catalog.root))
        return made[0]

    layout = layout if layout is not None else catalog_map_layout(catalog)
    links = _Links(catalog, options)
    paths, rest = book_order(catalog)
    edition = _edition(dates, catalog)

    book = _Contents(cache)
    add = book.add

    def chapter(slug: str) -> Callable[[], bytes]:
        return lambda: _pattern_document(catalog.patterns[slug], catalog, links, markdown(), health, dates, options)

    add(_TITLE_FILE, _title_document(catalog, options, edition), item_id="title")
    add(_NAV_FILE, _nav_document(catalog, paths, rest, options, links.topics), item_id="nav", props="nav")
    for slug, placed in paths:
        add(path_file(slug), _path_document(slug, catalog, links, options), item_id=f"path-{slug}")
        for pattern in placed:
            add(pattern_file(pattern), chapter(pattern), item_id=f"pattern-{pattern}")
    if rest:
        add(_OTHERS_FILE, _others_document(rest, catalog, links, options), item_id="more-patterns")
        for pattern in rest:
            add(pattern_file(pattern), chapter(pattern), item_id=f"pattern-{pattern}")
    add(_BIBLIOGRAPHY_FILE, _bibliography_document(catalog, links, options), item_id="bibliography")
    for topic in links.topics:
        add(
            bibliography_file(topic.slug),
            partial(_topic_document, topic, catalog, links, health, options),
            item_id=f"bibliography-{topic.slug}",
        )
    add(_MAP_FILE, lambda: _map_document(catalog, links, layout, options), item_id="map")
    add(_SVG_FILE, lambda: _map_svg(layout), item_id="map-image", media="image/svg+xml")
    add(_CSS_FILE, _BOOK_CSS.encode("utf-8"), item_id="css", media="text/css")
    book.files["OEBPS/content.opf"] = _package(options, edition, book.manifest, book.spine)
    book.files["META-INF/container.xml"] = _CONTAINER
    return _zip(book.files, edition or _EPOCH)


class _Contents:
    """The book's files as they are added (each document rendered when the book is zipped, through
    ``cache`` when there is one), its manifest and its spine.
    """

    def __init__(self, cache: BookCache | None) -> None:
        self.cache = cache
        self.files: dict[str, bytes | Callable[[], bytes]] = {}
        self.manifest: list[tuple[str, str, str, str]] = []
        self.spine: list[str] = []

    def add(
        self,
        name: str,
        data: bytes | Callable[[], bytes],
        *,
        item_id: str,
        media: str = "application/xhtml+xml",
        props: str = "",
        linear: bool = True,
    ) -> None:
        """Add the file ``OEBPS/<name>`` to the manifest, and to the spine when it is a linear document."""
        self.files[f"OEBPS/{name}"] = data if isinstance(data, bytes) else partial(self._rendered, name, data)
        self.manifest.append((item_id, name, media, props))
        if linear and media == "application/xhtml+xml":
            self.spine.append(item_id)

    def _rendered(self, name: str, render: Callable[[], bytes]) -> bytes:
        return self.cache(name, render) if self.cache is not None else render()


def book_options_from_config(root: str | Path, config_file: str = "mkdocs.yml") -> BookOptions:
    """The book's title, description, site URL, language and URL style, from the site's ``mkdocs.yml``.

    Read leniently: a missing or unreadable file, or a missing key, leaves the default.
    """
    from ..site.source_tree import config_value, load_engine_config

    try:
        data: dict[str, Any] = load_engine_config(Path(root) / config_file)
    except Exception:  # noqa: BLE001 - an unreadable mkdocs.yml leaves the defaults; the build reports it
        data = {}
    data = {key: config_value(value) for key, value in data.items()}
    theme_value = data.get("theme")
    theme: dict[str, Any] = theme_value if isinstance(theme_value, dict) else {}

    def text(value: Any, default: str | None) -> str | None:
        return value.strip() if isinstance(value, str) and value.strip() else default

    return BookOptions(
        title=text(data.get("site_name"), BookOptions.title) or BookOptions.title,
        description=text(data.get("site_description"), None),
        site_url=text(data.get("site_url"), None),
        language=text(theme.get("language"), "en") or "en",
        directory_urls=data.get("use_directory_urls") is not False,
    )


def write_epub(catalog: Catalog, path: str | Path, options: BookOptions | None = None, **kwargs: Any) -> Path:
    """Write :func:`catalog_to_epub` to ``path``; return it."""
    target = Path(path)
    target.write_bytes(catalog_to_epub(catalog, options, **kwargs))
    return target
