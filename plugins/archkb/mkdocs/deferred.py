"""Deferred HTML: the MkDocs-only speed-up that keeps bulky generated HTML out of Markdown conversion."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

from ..site.html import GENERATED_SECTIONS, SectionHeading
from ..site.urls import page_href

if TYPE_CHECKING:
    from ..catalog.graph import PatternEntry

__all__ = ["BlockStore", "PLACEHOLDER_OPEN", "PLACEHOLDER_CLOSE", "DeferredHtml", "section_headings"]


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
    _MARKED = re.compile(
        r"<!--archkb-(?:inline-(\d+)-->.*?<!--/archkb-inline-->"
        r"|search-(\d+)-->.*?<!--/archkb-search-->|deferred-(\d+)-->)",
        re.DOTALL,
    )
    _ID = re.compile(r'id="([^"]+)"')  # a literal prefix: 10x faster than one opening with \s

    _FLUSH_AT = 1 << 20
    """Blocks bound for a store are written in batches of about this many bytes."""

    def __init__(
        self,
        *,
        directory_urls: bool = True,
        headings: Mapping[str, SectionHeading] | None = None,
        store: BlockStore | None = None,
    ) -> None:
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
        return [
            (uri, anchor or None) for uri, _, anchor in (line.partition("#") for line in self._links_text.split("\n"))
        ]

    def _pack(self) -> None:
        """Pack the links and ids into one string each: a set and a list of tuples per page
        weigh several times their text, for a thousand pages until the end of a build.
        """
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
        self.ids.update(
            m.group(1) for m in self._ID.finditer(html_block) if m.start() and html_block[m.start() - 1].isspace()
        )  # not data-id="..."
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
        """Move the blocks into ``store`` (such as :class:`archkb.site.spill.SpillFolder`) until they are restored.

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
            raise RuntimeError(
                f"the generated HTML set aside for this page is gone ({exc.strerror}); rebuild the site"
            ) from None

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
        text cannot hold: see :func:`archkb.safety.scan_text`) is dropped, never a crash.
        """
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
                lambda m: self._block(int(m.group(1))) if int(m.group(1)) < self._count() else "", html_text
            )
        return html_text

    def section_heading(self, title: str, entry: PatternEntry) -> SectionHeading | None:
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


_HEADING_HTML = re.compile(r'<h([1-6]) id="([^"]+)"[^>]*>.*?</h\1>', re.DOTALL)


def section_headings(
    extensions: list[Any],
    extension_configs: Mapping[str, Any] | None = None,
    titles: tuple[str, ...] = GENERATED_SECTIONS,
) -> dict[str, SectionHeading]:
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
    return {
        title: SectionHeading(title, m.group(0), m.group(2), int(m.group(1)))
        for title, m in zip(titles, found, strict=False)
    }
