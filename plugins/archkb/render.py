"""Rendering the catalog into Markdown fragments and generated pages.

Everything here returns Markdown that MkDocs renders like any other page, so the
links it writes are relative ``.md`` links that MkDocs validates, anchors included.
"""

from __future__ import annotations

import html
import json
import posixpath
import re
from functools import lru_cache
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Protocol


from .catalog import Catalog, PathEntry, PatternEntry, ReferenceEntry, is_plain_prose, iter_prose_lines
from .model import Reference
from .mapsvg import MapLayout, group_title, layout_map, layout_neighbourhood, map_data, render_svg
from .mapsvg import clear_caches as clear_map_caches
from .relations import RELATION_TYPES
from .safety import strip_reserved

LinkState = Callable[[Reference], str]
"""Renders the inline link state of a reference (see :func:`archkb.health.render_link_state`)."""

__all__ = [
    "PATTERNS_URI", "READING_LIST_URI", "PATHS_URI",
    "pattern_uri", "path_uri", "reference_anchor", "relative",
    "md_escape", "short_authors", "citation_label", "year_label", "date_label", "UNDATED_LABEL", "UNDATED_FACET",
    "render_pattern_page", "render_related", "render_further_reading",
    "render_reading_list", "render_patterns_index", "render_path_page", "render_paths_index",
    "render_relation_vocabulary", "render_template_sections", "FRAGMENT_MARKERS",
    "MAP_URI", "EXPORT_JSON_URI", "KIND_HEADINGS", "LinkState", "page_url", "page_href",
    "DeferredHtml", "SectionHeading", "clear_caches", "section_headings", "GENERATED_SECTIONS", "PLACEHOLDER_OPEN", "PLACEHOLDER_CLOSE", "BlockStore", "render_map_page", "render_map_preview", "catalog_map_layout", "render_neighbourhood", "render_filter_css", "reading_list_facets",
]

PATTERNS_URI = "patterns"
"""Site folder of the pattern pages."""
READING_LIST_URI = "reading-list.md"
"""Source URI of the generated reading list."""
PATHS_URI = "paths"
"""Site folder of the reading path pages."""
MAP_URI = "map.md"
"""Source URI of the generated pattern map page."""
EXPORT_JSON_URI = "exports/catalog.json"
"""Site path of the JSON export (the data of ``archkb export json``, as compact JSON)."""
BIBTEX_EXPORT_URI = "exports/references.bib"
"""Site path of the BibTeX export."""
LINK_HEALTH_PAGE_URI = "link-health.md"
"""Source URI of the generated "Link health" page."""

KIND_HEADINGS: dict[str, str] = {
    "book": "Books", "paper": "Papers", "article": "Articles", "whitepaper": "White papers",
    "talk": "Talks", "video": "Videos", "podcast": "Podcasts", "interview": "Interviews",
    "blog": "Blog posts", "docs": "Documentation", "spec": "Specifications", "website": "Websites",
}
"""Reference kinds in reading-list order, with their group headings."""

# The ASCII characters that Markdown or one of the site's extensions read as syntax anywhere
# in a line, and those that open a block at the start of one (lists, quotes, definitions...).
_MD_SPECIAL = re.compile(r"[\\`*_{}\[\]<>()#!|~&^]")
_MD_LINE_START = re.compile(r"^(?:[-+=:>%]|\d+(?=[.)]))")
_LINE_BREAKS = re.compile(r"\s*[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]\s*")
_CITATION = re.compile(r"\[@([A-Za-z0-9][A-Za-z0-9_-]*)\]")
_ORG_WORDS = frozenset(
    "google cloud microsoft azure amazon aws web services the go authors team openjdk kubernetes "
    "project foundation inc. inc ltd center centre group community partners patterns practices "
    "opentelemetry heroku apache oracle ibm netflix acm ieee usenix cncf".split())


def pattern_uri(slug: str) -> str:
    """Source URI of a pattern page."""
    return f"{PATTERNS_URI}/{slug}.md"


def path_uri(slug: str) -> str:
    """Source URI of a reading path page."""
    return f"{PATHS_URI}/{slug}.md"


def reference_anchor(ref_id: str) -> str:
    """The HTML id of a reference's entry on the reading list."""
    return f"ref-{ref_id}"


def relative(from_uri: str, to_uri: str) -> str:
    """A relative link from one source URI to another (both relative to ``docs/``)."""
    return posixpath.relpath(to_uri, posixpath.dirname(from_uri) or ".")


def page_url(src_uri: str, directory_urls: bool = True) -> str:
    """The site URL (relative to the site root) of the page built from ``src_uri``, as MkDocs computes it.

    ``patterns/x.md`` gives ``patterns/x/`` with directory URLs and ``patterns/x.html`` without;
    ``index.md`` gives ``""`` (or ``index.html``).
    """
    stem, _, _ = src_uri.rpartition(".")
    folder, _, name = stem.rpartition("/")
    prefix = f"{folder}/" if folder else ""
    if name in ("index", "README"):
        return prefix if directory_urls else f"{prefix}index.html"
    return f"{prefix}{name}/" if directory_urls else f"{prefix}{name}.html"


@lru_cache(maxsize=1 << 16)
def page_href(from_uri: str, to_uri: str, directory_urls: bool = True) -> str:
    """A relative link between two built pages, for raw HTML that MkDocs does not rewrite.

    Computed from the URL segments alone (no file system calls), and cached: a build
    asks for the same few targets from every page.
    """
    base = page_url(from_uri, directory_urls).split("/")[:-1]
    target = page_url(to_uri, directory_urls).split("/")
    common = 0
    while common < len(base) and common < len(target) - 1 and base[common] == target[common]:
        common += 1
    return ("../" * (len(base) - common) + "/".join(target[common:])) or "./"


class BlockStore(Protocol):
    """Where :meth:`DeferredHtml.spill` sets blocks aside: append bytes, read a range back."""

    def keep(self, data: bytes) -> int:
        """Append ``data``; return its offset."""

    def fetch(self, offset: int, size: int) -> bytes:
        """Return ``size`` bytes from ``offset``."""


PLACEHOLDER_OPEN = "\x8f"
"""Opens a placeholder for deferred HTML in generated Markdown (an unused control character)."""
PLACEHOLDER_CLOSE = "\x90"
"""Closes a placeholder for deferred HTML in generated Markdown (an unused control character)."""


@dataclass(frozen=True)
class SectionHeading:
    """A generated section's heading, as the site's Markdown would render it.

    Pattern pages end with generated sections ("Related patterns", "Further reading").
    Their headings can go into the deferred HTML with the rest of the section, instead
    of through Python-Markdown (where every heading costs a table-of-contents pass),
    when the plugin knows what ``## Title`` turns into on this site: it converts the
    titles once per build with the site's own Markdown settings.

    Attributes:
        title: The heading's text, e.g. ``"Related patterns"``.
        html: The heading element, e.g. ``<h2 id="related-patterns">Related patterns…</h2>``.
        anchor: Its ``id``.
        level: Its level (2 for ``<h2>``).
    """

    title: str
    html: str
    anchor: str
    level: int


class DeferredHtml:
    """Raw HTML kept out of Markdown conversion, for the bulky generated parts of a page.

    Python-Markdown re-parses raw HTML slowly, and a reading list of thousands of
    references or a map of hundreds of patterns is mostly HTML already. The renderer
    puts a placeholder in the Markdown instead, and the plugin swaps the HTML back in
    when the page is written (``on_post_page``), after search indexing.

    Placeholders are plain text between two unused control characters (``U+008F`` and
    ``U+0090``), not HTML comments: Python-Markdown passes such text through untouched,
    while every raw HTML comment would go through its HTML stash and make each heading
    of the page cost more. Both characters fit Python's one-byte string storage, so
    pages stay compact in memory. Contributors' text may not contain them (see
    :func:`archkb.safety.scan_markdown`).

    A block that readers should find through search carries a *search version*: the
    same words in plain paragraphs, without links, badges or data attributes.
    :meth:`restore_for_search` puts that version in for the search index to read
    (``on_page_content``), between markers that :meth:`restore` later swaps for the
    full block. Blocks without one (maps, related patterns, further reading repeat
    other pages' titles) stay out of the index.

    Links inside deferred HTML are written as final relative URLs, to pages the catalog
    knows exist; the anchors they carry are reported back to MkDocs so links to them
    are validated.
    """

    # Literal prefixes keep these fast: a pattern that could start anywhere would be
    # tried at every position of every page.
    _PLACEHOLDER = re.compile("<p>\x8farchkb-deferred-(\\d+)\x90</p>")
    _BARE_PLACEHOLDER = re.compile("\x8farchkb-deferred-(\\d+)\x90")
    _INLINE = re.compile("\x8farchkb-inline-(\\d+)\x90")
    _MARKED = re.compile(r"<!--archkb-(?:inline-(\d+)-->.*?<!--/archkb-inline-->"
                         r"|search-(\d+)-->.*?<!--/archkb-search-->|deferred-(\d+)-->)", re.DOTALL)
    _ID = re.compile(r'id="([^"]+)"')  # a literal prefix: 10x faster than one opening with \s

    _FLUSH_AT = 1 << 20
    """Blocks bound for a store are written in batches of about this many bytes."""

    def __init__(self, *, directory_urls: bool = True, headings: Mapping[str, SectionHeading] | None = None,
                 store: BlockStore | None = None) -> None:
        self.headings: Mapping[str, SectionHeading] = headings or {}
        self.toc: list[SectionHeading] = []
        self.blocks: list[str] = []
        self.searchable: dict[int, str] = {}
        self.fragments: list[str] = []
        self.fragment_search: list[str | None] = []
        self.directory_urls = directory_urls
        self._links: list[tuple[str, str | None]] = []
        self._links_text: str | None = None  # the links, packed once the page is generated
        self.ids: set[str] = set()
        self._ids_text: str | None = None  # the ids, packed likewise
        self._store: BlockStore | None = store
        self._spans: list[tuple[int, int]] = []
        self._search_spans: dict[int, tuple[int, int]] = {}
        self._pending = bytearray()
        self._queued: list[tuple[bool, int, int, int]] = []  # (search version?, block, start, size)

    @property
    def links(self) -> list[tuple[str, str | None]]:
        """The links of the deferred HTML, as ``(page source path, anchor or None)``."""
        if self._links_text is None:
            return self._links
        if not self._links_text:
            return []
        return [(uri, anchor or None) for uri, _, anchor in
                (line.partition("#") for line in self._links_text.split("\n"))]

    def _pack(self) -> None:
        """Pack the links and ids into one string each: a set and a list of tuples per page
        weigh several times their text, for a thousand pages until the end of a build."""
        links = self.links
        self._links_text = "\n".join(f"{uri}#{anchor or ''}" for uri, anchor in dict.fromkeys(links))
        self._links = []
        if self.ids or self._ids_text is not None:
            self._ids_text = "\n".join(sorted(self.anchor_ids()))
            self.ids = set()

    def __bool__(self) -> bool:
        return bool(self.blocks) or bool(self._spans) or bool(self.fragments)

    def href(self, from_uri: str, to_uri: str, anchor: str | None = None) -> str:
        """Return the final relative URL of a page (and anchor), and record it for validation."""
        if self._links_text is not None:  # more links after packing (serve re-renders): unpack first
            self._links, self._links_text = self.links, None
        self._links.append((to_uri, anchor))
        return page_href(from_uri, to_uri, self.directory_urls) + (f"#{anchor}" if anchor else "")

    def defer(self, html_block: str, *, search: str | None = None) -> str:
        """Keep ``html_block`` aside and return the Markdown placeholder that stands for it.

        Args:
            html_block: The HTML.
            search: Its search version, if search should index it (plain HTML paragraphs).
        """
        if self._ids_text is not None:
            self.ids, self._ids_text = self.anchor_ids(), None
        self.ids.update(m.group(1) for m in self._ID.finditer(html_block)
                        if m.start() and html_block[m.start() - 1].isspace())  # not data-id="..."
        if self._store is None:
            index = len(self.blocks)
            self.blocks.append(html_block)
            if search is not None:
                self.searchable[index] = search
        else:  # straight to the store: a page's HTML never piles up in memory
            index = len(self._spans)
            self._spans.append((0, 0))
            self._queue(False, index, html_block)
            if search is not None:
                self._queue(True, index, search)
        return f"\n\n{PLACEHOLDER_OPEN}archkb-deferred-{index}{PLACEHOLDER_CLOSE}\n\n"

    def _queue(self, search: bool, index: int, text: str) -> None:
        data = text.encode("utf-8")
        self._queued.append((search, index, len(self._pending), len(data)))
        self._pending += data
        if len(self._pending) >= self._FLUSH_AT:
            self._flush()

    def _flush(self) -> None:
        if not self._queued:
            return
        assert self._store is not None
        base = self._store.keep(bytes(self._pending))
        for search, index, start, size in self._queued:
            if search:
                self._search_spans[index] = (base + start, size)
            else:
                self._spans[index] = (base + start, size)
        self._pending, self._queued = bytearray(), []

    def inline(self, fragment: str, *, search: str | None = None) -> str:
        """Keep a short inline ``fragment`` (a citation link) aside; return its inline placeholder.

        Unlike blocks, fragments are part of the page's text. :meth:`restore_for_search`
        puts in ``search`` (the fragment's text as HTML, such as a citation's label)
        between markers that :meth:`restore` swaps for the fragment, or the fragment
        itself when there is no search version.
        """
        self.fragments.append(fragment)
        self.fragment_search.append(search)
        return f"{PLACEHOLDER_OPEN}archkb-inline-{len(self.fragments) - 1}{PLACEHOLDER_CLOSE}"

    def _inline_for_search(self, match: re.Match[str]) -> str:
        index = int(match.group(1))
        if index >= len(self.fragments):
            return ""
        search = self.fragment_search[index]
        if search is None:
            return self.fragments[index]
        return f"<!--archkb-inline-{index}-->{search}<!--/archkb-inline-->"

    def spill(self, store: BlockStore) -> None:
        """Move the blocks into ``store`` (such as :class:`archkb.spill.SpillFolder`) until they are restored.

        A large catalog's deferred HTML (a neighbourhood map on every pattern page)
        would otherwise sit in memory from the moment pages are generated until each
        is written, which is most of a build. The recorded links are de-duplicated at
        the same time.
        """
        if self._store is None:
            if not self.blocks:
                return
            self._store = store
            blocks, searchable = self.blocks, self.searchable
            self.blocks, self.searchable = [], {}
            for index, block in enumerate(blocks):
                self._spans.append((0, 0))
                self._queue(False, index, block)
                if index in searchable:
                    self._queue(True, index, searchable[index])
        elif store is not self._store:
            raise ValueError("this page's HTML already went to another store")
        self._flush()
        self._pack()

    def _fetch(self, span: tuple[int, int]) -> str:
        assert self._store is not None
        try:
            return self._store.fetch(*span).decode("utf-8")
        except OSError as exc:
            raise RuntimeError(f"the generated HTML set aside for this page is gone ({exc.strerror}); "
                               "rebuild the site") from None

    def _block(self, index: int) -> str:
        if self._store is None:
            return self.blocks[index]
        self._flush()
        return self._fetch(self._spans[index])

    def restore_for_search(self, html_text: str) -> str:
        """Put the inline fragments, and the search version of each searchable block, into the converted page.

        Search versions go between markers that :meth:`restore` swaps for the full blocks;
        the placeholders of blocks without one become HTML comments, which search skips.
        """
        if self.fragments:
            html_text = self._INLINE.sub(self._inline_for_search, html_text)
        if PLACEHOLDER_OPEN not in html_text:
            return html_text
        if self._store is None:
            versions = self.searchable
        else:
            self._flush()
            versions = {index: self._fetch(span) for index, span in self._search_spans.items()}

        def put(match: re.Match[str]) -> str:
            index = int(match.group(1))
            if index >= self._count():
                return ""
            if index not in versions:  # a comment, which search skips
                return f"<!--archkb-deferred-{index}-->"
            return f"<!--archkb-search-{index}-->{versions[index]}<!--/archkb-search-->"

        return self._blocks_sub(put, html_text)

    def _blocks_sub(self, put: Callable[[re.Match[str]], str], html_text: str) -> str:
        html_text = self._PLACEHOLDER.sub(put, html_text)
        if PLACEHOLDER_OPEN in html_text:  # not wrapped in a paragraph (in a tight list, say)
            html_text = self._BARE_PLACEHOLDER.sub(put, html_text)
        return html_text

    def _unmark(self, match: re.Match[str]) -> str:
        inline, search, hidden = match.groups()
        if inline is not None:
            return self._fragment(match)
        index = int(search if search is not None else hidden)
        return self._block(index) if index < self._count() else ""

    def _count(self) -> int:
        return len(self.blocks) if self._store is None else len(self._spans)

    def _fragment(self, match: re.Match[str]) -> str:
        """The fragment a marker stands for; a marker this page never made (which contributed
        text cannot hold: see :func:`archkb.safety.scan_text`) is dropped, never a crash."""
        index = int(match.group(1))
        return self.fragments[index] if index < len(self.fragments) else ""

    def restore(self, html_text: str) -> str:
        """Put every deferred block back into the page, in place of its placeholder or search version."""
        placeholders = PLACEHOLDER_OPEN in html_text
        if not placeholders and "<!--archkb-" not in html_text:
            return html_text
        if placeholders and self.fragments:
            html_text = self._INLINE.sub(self._fragment, html_text)
        html_text = self._MARKED.sub(self._unmark, html_text)  # one pass for all three kinds of marker
        if placeholders:  # restore_for_search did not run on this page
            html_text = self._blocks_sub(
                lambda m: self._block(int(m.group(1))) if int(m.group(1)) < self._count() else "", html_text)
        return html_text

    def section_heading(self, title: str, entry: "PatternEntry") -> SectionHeading | None:
        """The pre-rendered heading for a generated section of ``entry``'s page, if one may be used.

        ``None`` (write a Markdown heading instead) when the plugin gave none for
        ``title``, or when the pattern's own title or text mentions it: a heading of the
        body could then share its anchor, which Python-Markdown would make unique.
        """
        heading = self.headings.get(title)
        if heading is None:
            return None
        wanted = title.casefold()
        if wanted in entry.title.casefold() or wanted in entry.body.casefold():
            return None
        return heading

    def release_restored(self) -> None:
        """Forget the anchor ids, once handed to MkDocs, of a page converted only once (a one-off build)."""
        self.ids, self._ids_text = set(), None

    def release(self) -> None:
        """Forget everything but the recorded links, once the page is written (a one-off build)."""
        self.release_restored()
        self.fragments, self.fragment_search = [], []

    def anchor_ids(self) -> set[str]:
        """The ``id`` attributes of the deferred blocks."""
        if self._ids_text is not None:
            return set(self._ids_text.split("\n")) if self._ids_text else set()
        return self.ids


def _place(html_block: str, deferred: DeferredHtml | None, search: str | None = None) -> str:
    return deferred.defer(html_block, search=search) if deferred is not None else f"\n{html_block}\n"


GENERATED_SECTIONS = ("Related patterns", "Further reading")
"""The titles of the sections that end every pattern page."""

_HEADING_HTML = re.compile(r'<h([1-6]) id="([^"]+)"[^>]*>.*?</h\1>', re.DOTALL)


def section_headings(extensions: list[Any], extension_configs: Mapping[str, Any] | None = None,
                     titles: tuple[str, ...] = GENERATED_SECTIONS) -> dict[str, SectionHeading]:
    """Render the generated sections' headings once, with a site's own Markdown settings.

    Args:
        extensions: The site's Markdown extensions (MkDocs' ``markdown_extensions``).
        extension_configs: Their settings (MkDocs' ``mdx_configs``).
        titles: The section titles.

    Returns:
        Each title's heading, or an empty mapping when the settings do not give every
        title its own ``id`` (pattern pages then keep Markdown headings).
    """
    import markdown

    md = markdown.Markdown(extensions=list(extensions), extension_configs=dict(extension_configs or {}))
    converted = md.convert("\n\n".join(f"## {title}" for title in titles))
    found = list(_HEADING_HTML.finditer(converted))
    if len(found) != len(titles) or len({m.group(2) for m in found}) != len(titles):
        return {}
    return {title: SectionHeading(title, m.group(0), m.group(2), int(m.group(1))) for title, m in zip(titles, found)}


def _section(deferred: DeferredHtml, heading: SectionHeading, html_block: str, sentence: str = "") -> str:
    """A whole generated section as one deferred block, its heading included.

    The heading's table-of-contents entry is recorded in ``deferred.toc``. Search skips
    the section: it only repeats other pages' titles (and would add two empty entries
    per pattern to the index).
    """
    text = f"<p>{_esc(sentence)}</p>" if sentence else ""
    deferred.toc.append(heading)
    return deferred.defer(f"{heading.html}\n{text}{html_block}")


def _href(deferred: DeferredHtml | None, from_uri: str, to_uri: str, anchor: str | None = None,
          directory_urls: bool = True) -> str:
    if deferred is not None:
        return deferred.href(from_uri, to_uri, anchor)
    return page_href(from_uri, to_uri, directory_urls) + (f"#{anchor}" if anchor else "")


def _esc(text: str, quote: bool = True) -> str:
    """``text`` escaped for HTML text and attribute values, without the control characters pages reserve."""
    return html.escape(strip_reserved(text), quote)


@lru_cache(maxsize=1 << 15)
def _escaped(text: str) -> str:
    """:func:`_esc`, cached for the titles and summaries that recur across many pages."""
    return _esc(text)


def clear_caches() -> None:
    """Forget the URLs and escaped texts cached while pages were rendered (frees their memory)."""
    page_href.cache_clear()
    _escaped.cache_clear()
    clear_map_caches()


def md_escape(text: str) -> str:
    """``text`` as Markdown that renders it literally, on one line.

    Every character that Markdown or an extension could read as syntax is written as a
    numeric character reference, which no Markdown rule matches and every browser shows
    as the character: ``Pub & Sub <T>`` stays text, ``{: onclick=x }`` is no attribute
    list. Line breaks become spaces, and the control characters that generated pages
    reserve are dropped.
    """
    text = strip_reserved(text)
    if "\n" in text or "\r" in text or _LINE_BREAKS.search(text):
        text = _LINE_BREAKS.sub(" ", text)
    text = _MD_SPECIAL.sub(_reference, text)
    if text[:1] in _BLOCK_OPENERS:
        text = _MD_LINE_START.sub(lambda m: "".join(f"&#{ord(c)};" for c in m.group(0)), text, count=1)
    return text


_BLOCK_OPENERS = frozenset("-+=:>%0123456789")


def _reference(match: re.Match[str]) -> str:
    return f"&#{ord(match.group(0))};"


def _attr(text: str) -> str:
    return _esc(text, quote=True)


def _is_person(name: str) -> bool:
    words = name.split()
    return 1 < len(words) <= 4 and not any(w.lower() in _ORG_WORDS for w in words)


def _surname(name: str) -> str:
    return name.split()[-1] if _is_person(name) else name


def short_authors(authors: list[str]) -> str:
    """Authors as cited in running text: "Lewis & Fowler", "Welsh et al."."""
    names = [_surname(a) for a in authors]
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        return f"{names[0]} & {names[1]}"
    return f"{names[0]} et al."


UNDATED_LABEL = "n.d."
"""How a citation dates a living document that has no publication year ("no date")."""


def year_label(ref: Reference) -> str:
    """The year a reference is cited with: its publication year, or "n.d." for a living document."""
    return str(ref.year) if ref.year is not None else UNDATED_LABEL


def date_label(ref: Reference) -> str:
    """The date shown in a byline: the publication year, or "accessed YYYY-MM-DD" without one."""
    if ref.year is not None:
        return str(ref.year)
    return f"accessed {ref.accessed.isoformat()}" if ref.accessed else UNDATED_LABEL


def citation_label(ref: Reference) -> str:
    """The inline label of a citation, e.g. "Lewis & Fowler 2014", or "Google n.d." without a year."""
    return f"{short_authors(ref.authors)} {year_label(ref)}"


# Characters that JSON leaves raw but YAML refuses in a document or reads as line breaks.
_YAML_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")


_HTML_META = ("title", "description")
"""Front-matter fields that reach the page's HTML through the theme's templates: written escaped."""


def _front_matter(**fields: object) -> str:
    """YAML front matter written as JSON values (double-quoted strings, flow lists).

    JSON is YAML, and the C encoder writes it far faster than a YAML dumper; what YAML
    would refuse or fold is written as an escape.
    """
    lines = ["---"]
    for key, value in fields.items():
        if value in (None, [], ""):
            continue
        if key in _HTML_META and isinstance(value, str):
            # Site engines write these into templates unescaped (MkDocs' Jinja runs with
            # autoescape off): the <title>, the <h1>, <meta name="description" content="...">.
            value = _esc(value)
        text = json.dumps(value, ensure_ascii=False)
        if _YAML_UNSAFE.search(text):
            text = _YAML_UNSAFE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)
        lines.append(f"{key}: {text}")
    return "\n".join(lines) + "\n---\n\n"


def render_related(entry: PatternEntry, catalog: Catalog, *, from_uri: str | None = None,
                   directory_urls: bool | None = None, deferred: DeferredHtml | None = None) -> str:
    """The "Related patterns" section: relations from both directions, grouped by type.

    The section heading stays Markdown (it belongs in the table of contents); the rest is
    one HTML block, kept out of Markdown conversion when ``deferred`` is given, with its
    links recorded there for validation. With ``directory_urls`` set (the site's
    ``use_directory_urls``), the section opens with a small map of the neighbourhood.
    """
    from_uri = from_uri or pattern_uri(entry.slug)
    urls = True if directory_urls is None else directory_urls
    links = catalog.links.get(entry.slug, [])
    heading = deferred.section_heading("Related patterns", entry) if deferred is not None else None
    lines = ["## Related patterns", ""]
    blocks: list[str] = []
    if links and directory_urls is not None:
        figure = render_neighbourhood(entry, catalog, from_uri=from_uri, directory_urls=urls, deferred=deferred)
        if figure:
            blocks.append(figure)
    if not links:
        if heading is not None:
            return _section(deferred, heading, "", "This pattern has no related patterns yet.")
        lines += ["This pattern has no related patterns yet.", ""]
        return "\n".join(lines)
    groups: dict[str, list[str]] = {}
    for link in links:
        other = catalog.patterns[link.slug]
        item = (f'<li><a href="{_attr(_href(deferred, from_uri, pattern_uri(other.slug), None, urls))}">'
                f"{_escaped(other.title)}</a>")
        if other.summary:
            item += f": {_escaped(other.summary)}"
        if link.note:
            item += f" <em>({_esc(link.note)})</em>"
        groups.setdefault(link.type, []).append(item + "</li>")
    # One HTML block for every group: each Markdown heading costs a table-of-contents
    # entry and a conversion pass, and the relation types read fine as sub-headings.
    blocks += [f'<h3 id="rel-{rel_type}">{_esc(RELATION_TYPES[rel_type].heading)}</h3>\n'
               f"<ul>\n" + "\n".join(items) + "\n</ul>" for rel_type, items in groups.items()]
    if heading is not None:
        return _section(deferred, heading, "\n".join(blocks))
    lines += [_place("\n".join(blocks), deferred), ""]
    return "\n".join(lines)


def render_further_reading(entry: PatternEntry, catalog: Catalog, *, from_uri: str | None = None,
                           link_state: LinkState | None = None, directory_urls: bool = True,
                           deferred: DeferredHtml | None = None) -> str:
    """The "Further reading" section: each cited reference with its metadata, link and link state."""
    from_uri = from_uri or pattern_uri(entry.slug)
    refs = catalog.pattern_references(entry.slug)
    heading = deferred.section_heading("Further reading", entry) if deferred is not None else None
    lines = ["## Further reading", ""]
    if not refs:
        if heading is not None:
            return _section(deferred, heading, "", "This pattern cites no references yet.")
        lines += ["This pattern cites no references yet.", ""]
        return "\n".join(lines)
    items = []
    for ref_entry in refs:
        ref = ref_entry.data
        state = f" {link_state(ref)}" if link_state is not None else ""
        entry_href = _href(deferred, from_uri, READING_LIST_URI, reference_anchor(ref.id), directory_urls)
        items.append(f'<li><a href="{_attr(ref.url)}">{_escaped(ref.title)}</a>: {_byline(ref)}. '
                     f'<a href="{_attr(entry_href)}">Reading list entry</a>{state}</li>')
    if heading is not None:
        return _section(deferred, heading, "<ul>\n" + "\n".join(items) + "\n</ul>")
    lines += [_place("<ul>\n" + "\n".join(items) + "\n</ul>", deferred), ""]
    return "\n".join(lines)


_CODE_SPAN = re.compile(r"(`+).+?\1")


def _link_citations(body: str, catalog: Catalog, from_uri: str, *, directory_urls: bool = True,
                    deferred: DeferredHtml | None = None) -> str:
    """Turn ``[@id]`` into links to the reading list, leaving code untouched.

    With ``deferred``, a citation becomes an inline HTML link whose target is recorded
    there for validation, set aside behind an inline placeholder that Python-Markdown
    passes through as text (much faster than raw HTML). In a heading the link stays
    in place, so that its label reaches the table of contents. Without ``deferred``,
    a Markdown link that MkDocs resolves and validates itself.
    """
    to_list = relative(from_uri, READING_LIST_URI)

    def link(match: re.Match[str], heading: bool) -> str:
        ref_entry = catalog.references.get(match.group(1))
        if ref_entry is None:
            return md_escape(match.group(0))
        ref = ref_entry.data
        anchor = reference_anchor(ref.id)
        if deferred is not None:
            href = deferred.href(from_uri, READING_LIST_URI, anchor)
            html_link = f'<a href="{_attr(href)}" title="{_escaped(ref.title)}">{_escaped(citation_label(ref))}</a>'
            if heading:
                return html_link
            return deferred.inline(html_link, search=_escaped(citation_label(ref)))
        return f"[{md_escape(citation_label(ref))}]({to_list}#{anchor})"

    def outside_code_spans(line: str) -> str:
        heading = line.lstrip(" ").startswith("#")

        def cite(start: int, end: int) -> str:
            return _CITATION.sub(lambda m: link(m, heading), line[start:end])

        pieces, last = [], 0
        for code in _CODE_SPAN.finditer(line):
            pieces.append(cite(last, code.start()))
            pieces.append(code.group(0))
            last = code.end()
        pieces.append(cite(last, len(line)))
        return "".join(pieces)

    if "[@" not in body:
        return body
    if is_plain_prose(body):  # no code to skip: one pass over the whole body
        def cite_in_body(match: re.Match[str]) -> str:
            line_start = body.rfind("\n", 0, match.start()) + 1
            return link(match, body[line_start:match.start()].lstrip(" ").startswith("#"))

        return _CITATION.sub(cite_in_body, body)
    return "".join(outside_code_spans(line) if prose and "[@" in line else line
                   for _, line, prose in iter_prose_lines(body, keepends=True))


def render_pattern_page(entry: PatternEntry, catalog: Catalog, *, directory_urls: bool | None = None,
                        link_state: LinkState | None = None, deferred: DeferredHtml | None = None) -> str:
    """The full Markdown of a pattern page: summary first, the body, then the generated sections.

    Args:
        entry: The pattern.
        catalog: The catalog it belongs to.
        directory_urls: The site's ``use_directory_urls``; when given, "Related patterns"
            opens with a neighbourhood map (its links are computed for that URL style).
        link_state: Renders each reference's link state in "Further reading".
        deferred: Collects the raw HTML (the neighbourhood map) kept out of Markdown.
    """
    uri = pattern_uri(entry.slug)
    meta = entry.meta
    # No "# Title": the theme writes the page title as the <h1> of a page whose content
    # has none, which spares Python-Markdown and search a heading on every pattern page.
    out = [_front_matter(title=entry.title, description=entry.summary or None, tags=entry.tags)]
    if entry.is_draft:
        out.append('!!! warning "Draft"\n    This pattern is a draft: it may be incomplete.\n')
    if entry.unsafe:
        # The source holds what no page may be rendered from; the build log says what.
        out.append('!!! failure "Not published"\n    This pattern\'s source holds text that the site refuses '
                   "to publish (control characters, reserved markers or markup that breaks the site's HTML "
                   "parser). See the build log or `archkb validate`.\n")
        return "\n".join(out)
    if entry.summary:
        out.append(f"{md_escape(entry.summary)}\n{{: .archkb-summary }}\n")
    if meta and meta.aliases:
        out.append("*Also known as:* " + ", ".join(md_escape(a) for a in meta.aliases) + "\n")
    out.append(_link_citations(entry.body, catalog, uri, deferred=deferred,
                               directory_urls=True if directory_urls is None else directory_urls).strip() + "\n")
    out.append(render_related(entry, catalog, from_uri=uri, directory_urls=directory_urls, deferred=deferred))
    out.append(render_further_reading(entry, catalog, from_uri=uri, link_state=link_state,
                                      directory_urls=True if directory_urls is None else directory_urls,
                                      deferred=deferred))
    return "\n".join(out)


def _byline(ref: Reference) -> str:
    parts = [_esc(", ".join(ref.authors))]
    where = ref.venue or ref.publisher
    if where:
        parts.append(f"<em>{_esc(where)}</em>")
    parts += [_esc(date_label(ref)), _esc(ref.kind)]
    return " · ".join(parts)


def _reference_block(ref_entry: ReferenceEntry, catalog: Catalog, from_uri: str,
                     link_state: LinkState | None = None, directory_urls: bool = True,
                     deferred: DeferredHtml | None = None) -> str:
    """One reading-list entry, as HTML (see :class:`DeferredHtml`)."""
    ref = ref_entry.data
    attrs = (f'class="archkb-ref" id="{_attr(reference_anchor(ref.id))}" data-kind="{_attr(ref.kind)}" '
             f'data-year="{_attr(_year_facet(ref))}" data-tags="{_attr(" ".join(ref.tags))}" '
             f'data-topic="{_attr(ref_entry.topic)}"')
    head = [f'<strong><a href="{_attr(ref.url)}">{_esc(ref.title)}</a></strong>', _byline(ref)]
    if link_state is not None:
        head.append(link_state(ref))
    if ref.unverified:
        head.append("<em>Not yet verified: " + _esc(", ".join(ref.unverified)) + ".</em>")
    if ref.tags:
        head.append('<span class="archkb-ref-tags">Tags: ' + _esc(", ".join(ref.tags)) + "</span>")
    parts = [f"<div {attrs}>", "<p>" + "<br>\n".join(head) + "</p>",
             f"<p>{_esc(ref.summary.strip())}</p>"]
    citing = catalog.cited_by.get(ref.id, [])
    if citing:
        parts.append("<p>Cited by: " + ", ".join(
            f'<a href="{_attr(_href(deferred, from_uri, pattern_uri(s), None, directory_urls))}">'
            f"{_esc(catalog.patterns[s].title)}</a>" for s in citing) + "</p>")
    parts.append("</div>")
    return "\n".join(parts)


def _reference_search_entry(ref_entry: ReferenceEntry, catalog: Catalog) -> str:
    """One reading-list entry as search indexes it: its words in one paragraph, no markup."""
    ref = ref_entry.data
    text = f"{_esc(ref.title)} · {_esc(', '.join(ref.authors))}"
    where = ref.venue or ref.publisher
    if where:
        text += f" · {_esc(where)}"
    text += f" · {_esc(date_label(ref))} · {_esc(ref.kind)}. {_esc(ref.summary.strip())}"
    if ref.tags:
        text += " Tags: " + _esc(", ".join(ref.tags)) + "."
    citing = catalog.cited_by.get(ref.id, [])
    if citing:
        text += " Cited by: " + _esc(", ".join(catalog.patterns[s].title for s in citing)) + "."
    return f"<p>{text}</p>"


def _kind_order(kind: str) -> int:
    order = list(KIND_HEADINGS)
    return order.index(kind) if kind in order else len(order)


def reading_list_facets(catalog: Catalog) -> dict[str, list[tuple[str, str, int]]]:
    """The filter facets of the reading list: ``kind``, ``tag`` and ``year``.

    Each facet is a list of ``(value, label, count)``: kinds in reading order, tags
    alphabetically, years newest first.
    """
    kinds: dict[str, int] = {}
    tags: dict[str, int] = {}
    years: dict[str, int] = {}
    for ref_entry in catalog.references.values():
        ref = ref_entry.data
        kinds[ref.kind] = kinds.get(ref.kind, 0) + 1
        year = _year_facet(ref)
        years[year] = years.get(year, 0) + 1
        for tag in dict.fromkeys(ref.tags):
            tags[tag] = tags.get(tag, 0) + 1
    return {
        "kind": [(k, KIND_HEADINGS.get(k, k.capitalize()), kinds[k]) for k in sorted(kinds, key=_kind_order)],
        "tag": [(t, t, tags[t]) for t in sorted(tags)],
        "year": [(y, y, years[y]) for y in sorted((y for y in years if y != UNDATED_FACET), reverse=True)]
        + ([(UNDATED_FACET, "No date (living documents)", years[UNDATED_FACET])] if UNDATED_FACET in years else []),
    }


UNDATED_FACET = "undated"
"""The year filter's value for living documents, which have no publication year."""


def _year_facet(ref: Reference) -> str:
    return str(ref.year) if ref.year is not None else UNDATED_FACET


_FACET_LABELS = {"kind": ("Kind", "Any kind"), "tag": ("Tag", "Any tag"), "year": ("Year", "Any year")}
_FACET_MATCH = {"kind": 'data-kind="{}"', "tag": 'data-tags~="{}"', "year": 'data-year="{}"'}


def _filter_controls(facets: dict[str, list[tuple[str, str, int]]], total: int) -> str:
    """The filter: ``<select>`` controls for JavaScript, anchored facet links without it."""
    form = ['<form id="archkb-filter" class="archkb-filter" hidden aria-label="Filter the reading list">']
    for facet, values in facets.items():
        label, anything = _FACET_LABELS[facet]
        options = "".join(f'<option value="{_attr(v)}">{_esc(text)} ({n})</option>' for v, text, n in values)
        form.append(f'<label for="archkb-filter-{facet}">{label}</label>'
                    f'<select id="archkb-filter-{facet}" name="{facet}">'
                    f'<option value="">{anything}</option>{options}</select>')
    form.append('<button type="reset" id="archkb-filter-reset" class="md-button">Show all</button>')
    form.append(f'<p id="archkb-filter-status" class="archkb-filter-status" role="status" aria-live="polite">'
                f'Showing all {total} references.</p>')
    form.append("</form>")
    links = ['<details id="archkb-filter-links" class="archkb-filter-links">',
             "<summary>Filter by kind, tag or year</summary>"]
    for facet, values in facets.items():
        label, _ = _FACET_LABELS[facet]
        items = " ".join(f'<a href="#filter-{facet}-{_attr(v)}">{_esc(text)}&nbsp;({n})</a>'
                         for v, text, n in values)
        links.append(f'<p><strong>{label}:</strong> {items}</p>')
    links.append('<p><a href="#archkb-filter-links">Show all references</a></p>')
    links.append("</details>")
    targets = [f'<div id="filter-{facet}-{_attr(v)}" class="archkb-filter-target" hidden></div>'
               for facet, values in facets.items() for v, _, _ in values]
    return "\n".join(form + links + targets) + "\n"


def render_filter_css(catalog: Catalog) -> str:
    """CSS that filters the reading list without JavaScript.

    Following a facet link (``#filter-kind-book``) makes its hidden target ``:target``;
    these rules then hide the entries, kind groups and topics that do not match.
    """
    rules = ["/* archkb: reading-list filters that work without JavaScript (generated). */"]
    for facet, values in reading_list_facets(catalog).items():
        for value, _, _ in values:
            match = "[" + _FACET_MATCH[facet].format(value) + "]"
            target = f"#filter-{facet}-{value}:target ~ "
            rules.append(f"{target}.archkb-topic .archkb-ref:not({match}),\n"
                         f"{target}.archkb-topic .archkb-kind-group:not(:has(.archkb-ref{match})),\n"
                         f"{target}.archkb-topic:not(:has(.archkb-ref{match})) {{ display: none; }}")
    return "\n".join(rules) + "\n"


def render_reading_list(catalog: Catalog, *, link_state: LinkState | None = None,
                        directory_urls: bool = True, deferred: DeferredHtml | None = None) -> str:
    """The reading-list page: references by topic, then by kind, with filters, exports and backlinks.

    Args:
        catalog: The catalog.
        link_state: Renders each reference's link state (see :mod:`archkb.health`).
        directory_urls: The site's ``use_directory_urls``, for the entries' links.
        deferred: Collects the entries' HTML, kept out of Markdown conversion.
    """
    uri = READING_LIST_URI
    total = len(catalog.references)
    out = [_front_matter(title="Reading list",
                         description="Every reference of the knowledge base, with the patterns that cite it."),
           "# Reading list\n",
           f"{total} references in {len(catalog.topics)} topics, grouped by topic and then by kind. Each "
           "entry links back to the patterns that cite it and shows whether its link still worked at the "
           f"last check ([link health]({relative(uri, LINK_HEALTH_PAGE_URI)})).\n",
           f"Take it with you: [BibTeX]({relative(uri, BIBTEX_EXPORT_URI)}) (`references.bib`) · "
           f"[JSON]({relative(uri, EXPORT_JSON_URI)}) (the whole catalog).\n{{: .archkb-exports }}\n",
           _filter_controls(reading_list_facets(catalog), total)]
    for topic in catalog.topics.values():
        ids = [i for i in topic.reference_ids if i in catalog.references]
        if not ids:
            continue
        out.append(f'<section class="archkb-topic" data-topic="{_attr(topic.slug)}" markdown>\n')
        out.append(f"## {md_escape(topic.title)} {{ #topic-{topic.slug} }}\n")
        if topic.description:
            out.append(md_escape(topic.description) + "\n")
        by_kind: dict[str, list[str]] = {}
        for ref_id in ids:
            by_kind.setdefault(catalog.references[ref_id].data.kind, []).append(ref_id)
        for kind in sorted(by_kind, key=_kind_order):
            heading = KIND_HEADINGS.get(kind, kind.capitalize())
            out.append(f'<div class="archkb-kind-group" data-kind="{_attr(kind)}" markdown>\n')
            out.append(f"### {heading} {{ #topic-{topic.slug}-{kind} }}\n")
            entries = "\n".join(_reference_block(catalog.references[ref_id], catalog, uri, link_state,
                                                  directory_urls, deferred) for ref_id in by_kind[kind])
            search = "\n".join(_reference_search_entry(catalog.references[ref_id], catalog)
                                for ref_id in by_kind[kind]) if deferred is not None else None
            out.append(_place(entries, deferred, search))
            out.append("</div>\n")
        out.append("</section>\n")
    return "\n".join(out)


def render_patterns_index(catalog: Catalog, *, deferred: DeferredHtml | None = None) -> str:
    """The patterns index: every pattern, grouped by its first tag.

    Each group's list is one HTML block: with ``deferred``, kept out of Markdown
    conversion and out of the search index (each pattern's own page is what search
    should find). The group headings stay Markdown, for the table of contents.
    """
    uri = f"{PATTERNS_URI}/index.md"
    groups: dict[str, list[PatternEntry]] = {}
    for entry in catalog.patterns.values():
        groups.setdefault(entry.tags[0] if entry.tags else "other", []).append(entry)
    out = [_front_matter(title="Patterns", description="Every pattern of the catalog, grouped by topic."),
           "# Patterns\n", f"{len(catalog.patterns)} patterns, grouped by their main tag.\n"]
    for group in sorted(groups):
        out.append(f"## {md_escape(group.replace('-', ' ').capitalize())} {{ #group-{group} }}\n")
        items = []
        for entry in sorted(groups[group], key=lambda e: e.title.lower()):
            item = f'<li><a href="{_attr(_href(deferred, uri, pattern_uri(entry.slug)))}">{_escaped(entry.title)}</a>'
            if entry.summary:
                item += f": {_escaped(entry.summary)}"
            if entry.is_draft:
                item += " <em>(draft)</em>"
            items.append(item + "</li>")
        out.append(_place("<ul>\n" + "\n".join(items) + "\n</ul>", deferred))
        out.append("")
    return "\n".join(out)


def render_path_page(path_entry: PathEntry, catalog: Catalog) -> str:
    """A reading path page: ordered steps, each with why and how long."""
    uri = path_uri(path_entry.slug)
    data = path_entry.data
    if data is None:
        return _front_matter(title=path_entry.slug) + f"# {md_escape(path_entry.slug)}\n\n" \
            "This reading path has errors; see the build log.\n"
    total = sum(step.minutes for step in data.steps)
    out = [_front_matter(title=data.title, description=data.summary), f"# {md_escape(data.title)}\n",
           f"{md_escape(data.summary)}\n{{: .archkb-summary }}\n",
           f"{len(data.steps)} steps, about {total} minutes of reading in all.\n"]
    for number, step in enumerate(data.steps, start=1):
        if step.pattern is not None:
            entry = catalog.patterns.get(step.pattern)
            title = entry.title if entry else step.pattern
            target = f"[{md_escape(title)}]({relative(uri, pattern_uri(step.pattern))})" if entry \
                else md_escape(title)
            kind = "pattern"
        else:
            ref_entry = catalog.references.get(step.reference or "")
            if ref_entry is None:
                target, kind = md_escape(step.reference or ""), "reference"
            else:
                ref = ref_entry.data
                # Inline HTML in Markdown: the text between the tags is still Markdown.
                target = (f'<a href="{_attr(ref.url)}">{md_escape(ref.title)}</a> '
                          f"([reading list]({relative(uri, READING_LIST_URI)}#{reference_anchor(ref.id)}))")
                kind = md_escape(f"{ref.kind}, {citation_label(ref)}")
        out.append(f"{number}. **{target}** · {kind} · about {step.minutes} min  \n"
                   f"    {md_escape(step.why)}\n")
    return "\n".join(out)


def render_paths_index(catalog: Catalog) -> str:
    """The index of reading paths."""
    uri = f"{PATHS_URI}/index.md"
    out = [_front_matter(title="Reading paths", description="Curated, ordered ways into the catalog."),
           "# Reading paths\n", "Curated, ordered ways into the catalog. Each step says why to read it "
           "at that point and roughly how long it takes.\n"]
    for path_entry in catalog.paths.values():
        data = path_entry.data
        title = data.title if data else path_entry.slug
        line = f"- [{md_escape(title)}]({relative(uri, path_uri(path_entry.slug))})"
        if data:
            line += f": {md_escape(data.summary)} ({len(data.steps)} steps, about " \
                    f"{sum(s.minutes for s in data.steps)} min)"
        out.append(line)
    out.append("")
    return "\n".join(out)


def render_relation_vocabulary() -> str:
    """A table of the relation vocabulary: each type, its inverse and when to use it."""
    lines = ["| Type | Inverse (shown on the other page) | Use it when |", "| --- | --- | --- |"]
    for rel in RELATION_TYPES.values():
        inverse = "itself (symmetric)" if rel.symmetric else f"`{rel.inverse}`"
        lines.append(f"| `{rel.name}` | {inverse} | {md_escape(rel.description)} |")
    return "\n".join(lines) + "\n"


def render_template_sections() -> str:
    """The required sections of a published pattern, as a numbered list."""
    from .model import CONSEQUENCE_SUBSECTIONS, TEMPLATE_SECTIONS

    lines = []
    for number, section in enumerate(TEMPLATE_SECTIONS, start=1):
        extra = ""
        if section == "Consequences":
            extra = " (with " + " and ".join(f"`### {s}`" for s in CONSEQUENCE_SUBSECTIONS) + ")"
        lines.append(f"{number}. `## {section}`{extra}")
    return "\n".join(lines) + "\n"


def render_neighbourhood(entry: PatternEntry, catalog: Catalog, *, from_uri: str | None = None,
                         directory_urls: bool = True, deferred: DeferredHtml | None = None) -> str:
    """A figure with the small map of a pattern's direct relations (empty when it has none)."""
    from_uri = from_uri or pattern_uri(entry.slug)
    layout = layout_neighbourhood(catalog, entry.slug)
    if layout is None:
        return ""
    svg = render_svg(layout, href=lambda slug: _href(deferred, from_uri, pattern_uri(slug), None, directory_urls),
                     map_id=f"archkb-map-{entry.slug}", title=f"Patterns related to {entry.title}",
                     description=f"{entry.title} and the {len(layout.nodes) - 1} patterns it is directly "
                                 "related to, grouped by relation type.",
                     css_class="archkb-map archkb-map--neighbourhood")
    full = _href(deferred, from_uri, MAP_URI, None, directory_urls)
    return (f'<figure class="archkb-figure archkb-figure--neighbourhood">\n{svg}\n'
            f'<figcaption>The neighbourhood of {_escaped(entry.title)}. '
            f'<a href="{_attr(full)}">Open the full pattern map</a>.</figcaption>\n</figure>\n')


def catalog_map_layout(catalog: Catalog) -> MapLayout:
    """The laid-out map of the whole catalog, as the map page and the map preview draw it."""
    nodes, edges = map_data(catalog)
    return layout_map(nodes, edges)


def _full_map_svg(layout: MapLayout, from_uri: str, directory_urls: bool, map_id: str, css_class: str,
                  deferred: DeferredHtml | None = None) -> str:
    return render_svg(layout, href=lambda slug: _href(deferred, from_uri, pattern_uri(slug), None, directory_urls),
                      map_id=map_id, title="Pattern map",
                      description=f"All {len(layout.nodes)} patterns of the catalog, clustered by main tag, "
                                  f"with their {len(layout.edges)} typed relations.",
                      css_class=css_class)


def render_map_page(catalog: Catalog, *, directory_urls: bool = True,
                    deferred: DeferredHtml | None = None, layout: MapLayout | None = None) -> str:
    """The "Pattern map" page: every pattern and relation as an inline SVG, plus a text version.

    ``layout`` is the catalog's :func:`catalog_map_layout`, when the caller has it already.
    """
    uri = MAP_URI
    nodes, edges = map_data(catalog)
    svg = _full_map_svg(layout or layout_map(nodes, edges), uri, directory_urls, "archkb-map-full",
                        "archkb-map archkb-map--full", deferred)
    out = [_front_matter(title="Pattern map",
                         description="Every pattern of the catalog and every typed relation between them.",
                         hide=["navigation", "toc"]),
           "# Pattern map\n",
           f"All {len(nodes)} patterns and their {len(edges)} typed relations, drawn from the catalog at "
           "build time. Patterns are clustered by their main tag; the legend shows how each relation type "
           "is drawn. Select a pattern to open its page.\n",
           _place('<figure class="archkb-figure archkb-figure--full">\n'
                  '<div class="archkb-map-scroll" tabindex="0" role="region" '
                  'aria-label="Pattern map, scrolls sideways">\n'
                  f"{svg}\n</div>\n<figcaption>The pattern map. A dashed frame marks a draft.</figcaption>\n"
                  "</figure>", deferred),
           "## Text version\n",
           "The same map as a list: each pattern with the relations declared on it.\n"]
    groups: dict[str, list[PatternEntry]] = {}
    for entry in catalog.patterns.values():
        groups.setdefault(entry.tags[0] if entry.tags else "other", []).append(entry)
    outgoing: dict[str, list[tuple[str, str]]] = {}
    for source, rel_type, target in edges:
        outgoing.setdefault(source, []).append((rel_type, target))
    for group in sorted(groups, key=lambda g: (g == "other", g)):
        out.append(f"### {md_escape(group_title(group))} {{ #map-{group} }}\n")
        items = []
        for entry in sorted(groups[group], key=lambda e: e.title.lower()):
            href = _href(deferred, uri, pattern_uri(entry.slug), None, directory_urls)
            item = f'<li><a href="{_attr(href)}">{_esc(entry.title)}</a>'
            rels = outgoing.get(entry.slug, [])
            if rels:
                item += ": " + "; ".join(
                    f'{rel_type.replace("-", " ")} <a href="'
                    f'{_attr(_href(deferred, uri, pattern_uri(t), None, directory_urls))}">'
                    f"{_esc(catalog.patterns[t].title)}</a>" for rel_type, t in rels)
            items.append(item + "</li>")
        out.append(_place("<ul>\n" + "\n".join(items) + "\n</ul>", deferred))
    return "\n".join(out)


def render_map_preview(catalog: Catalog | MapLayout, *, from_uri: str, directory_urls: bool = True,
                       deferred: DeferredHtml | None = None) -> str:
    """A preview of the pattern map for another page (the home page), linking to the full map.

    Args:
        catalog: The catalog, or its :func:`catalog_map_layout` (all a preview needs).
        from_uri: The page the preview goes on.
        directory_urls: The site's URL style.
        deferred: Where to keep the SVG out of Markdown conversion.
    """
    layout = catalog if isinstance(catalog, MapLayout) else catalog_map_layout(catalog)
    if not layout.nodes:
        return ""
    svg = _full_map_svg(layout, from_uri, directory_urls, "archkb-map-preview", "archkb-map archkb-map--preview",
                        deferred)
    full = _href(deferred, from_uri, MAP_URI, None, directory_urls)
    return _place(f'<figure class="archkb-figure archkb-figure--preview">\n{svg}\n'
                  f'<figcaption><a href="{_attr(full)}">Open the full pattern map</a>, with a text version.'
                  "</figcaption>\n</figure>", deferred)


def _render_html_policy() -> str:
    from .htmlpolicy import render_policy

    return render_policy()


FRAGMENT_MARKERS = {
    "<!-- archkb:relation-vocabulary -->": render_relation_vocabulary,
    "<!-- archkb:template-sections -->": render_template_sections,
    "<!-- archkb:html-policy -->": _render_html_policy,
}
"""Markers that hand-written pages can hold; each is replaced by its generated fragment."""
