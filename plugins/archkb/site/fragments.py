"""Fragments that hand-written pages embed through markers, such as the relation vocabulary.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from ..catalog.relations import RELATION_TYPES
from .text import md_escape

if TYPE_CHECKING:
    from ..catalog.graph import Catalog
    from ..exports.feed import Change
    from ..map.layout import MapLayout
    from .html import HtmlSink

__all__ = ['render_relation_vocabulary', 'render_template_sections', 'FRAGMENT_MARKERS', 'MAP_PREVIEW_MARKER',
           'RECENT_CHANGES_MARKER', 'BOOK_LINK_MARKER', 'render_book_link', 'expand_markers']

def render_relation_vocabulary() -> str:
    """A table of the relation vocabulary: each type, its inverse and when to use it."""
    lines = ["| Type | Inverse (shown on the other page) | Use it when |", "| --- | --- | --- |"]
    for rel in RELATION_TYPES.values():
        inverse = "itself (symmetric)" if rel.symmetric else f"`{rel.inverse}`"
        lines.append(f"| `{rel.name}` | {inverse} | {md_escape(rel.description)} |")
    return "\n".join(lines) + "\n"


def render_template_sections() -> str:
    """The required sections of a published pattern, as a numbered list."""
    from ..catalog.model import CONSEQUENCE_SUBSECTIONS, TEMPLATE_SECTIONS

    lines = []
    for number, section in enumerate(TEMPLATE_SECTIONS, start=1):
        extra = ""
        if section == "Consequences":
            extra = " (with " + " and ".join(f"`### {s}`" for s in CONSEQUENCE_SUBSECTIONS) + ")"
        lines.append(f"{number}. `## {section}`{extra}")
    return "\n".join(lines) + "\n"


def _render_html_policy() -> str:
    from ..safety.htmlpolicy import render_policy

    return render_policy()


FRAGMENT_MARKERS = {
    "<!-- archkb:relation-vocabulary -->": render_relation_vocabulary,
    "<!-- archkb:template-sections -->": render_template_sections,
    "<!-- archkb:html-policy -->": _render_html_policy,
}
"""Markers that hand-written pages can hold; each is replaced by its generated fragment."""


MAP_PREVIEW_MARKER = "<!-- archkb:map-preview -->"
"""Marks where a hand-written page (the home page) shows a preview of the pattern map."""
RECENT_CHANGES_MARKER = "<!-- archkb:recent-changes -->"
"""Marks where a hand-written page lists the latest new and updated patterns."""
BOOK_LINK_MARKER = "<!-- archkb:book-link -->"
"""Marks where a hand-written page offers the EPUB book: a link when the build makes the book,
a short note when it leaves the book out (the plugin's ``book`` option), never a dead link."""


def render_book_link(from_uri: str, book: bool = True) -> str:
    """The home page's line about the EPUB book, linked from ``from_uri`` when the build has the book."""
    from .urls import EPUB_EXPORT_URI, relative

    if book:
        return (f"[Read it as a book]({relative(from_uri, EPUB_EXPORT_URI)}): the whole catalog as an EPUB 3 file "
                "for e-readers, the reading paths' patterns in order, then the others, the reading list as a "
                "bibliography and the map.")
    return ("Read it as a book: the whole catalog as an EPUB 3 file for e-readers. This build leaves the book "
            "out (the plugin's `book` option); the published site has it, and `archkb export epub` makes it.")


def expand_markers(markdown: str, *, src_uri: str, map_source: "Catalog | MapLayout | None",
                   changes: "Sequence[Change]", directory_urls: bool = True,
                   sink: "HtmlSink | None" = None, book: bool = True) -> str:
    """Replace every ``<!-- archkb:... -->`` marker of a hand-written page with its fragment.

    Args:
        markdown: The page's Markdown.
        src_uri: The page's source path, relative to the docs folder.
        map_source: The catalog or its map layout, for the map preview.
        changes: The latest changes, newest first, for the recent-changes list.
        directory_urls: The site's URL style.
        sink: Where the map preview's HTML goes (``None``: in place).
        book: Whether the build makes the EPUB book (see :data:`BOOK_LINK_MARKER`).
    """
    if "<!-- archkb:" not in markdown:
        return markdown
    from ..exports.feed import render_recent_changes
    from .map_page import render_map_preview
    from .urls import FEED_URI, relative

    for marker, render in FRAGMENT_MARKERS.items():
        if marker in markdown:
            markdown = markdown.replace(marker, render())
    if MAP_PREVIEW_MARKER in markdown and map_source is not None:
        markdown = markdown.replace(MAP_PREVIEW_MARKER, render_map_preview(
            map_source, from_uri=src_uri, directory_urls=directory_urls, deferred=sink))
    if BOOK_LINK_MARKER in markdown:
        markdown = markdown.replace(BOOK_LINK_MARKER, render_book_link(src_uri, book))
    if RECENT_CHANGES_MARKER in markdown:
        markdown = markdown.replace(RECENT_CHANGES_MARKER, render_recent_changes(
            changes, from_uri=src_uri, feed_href=relative(src_uri, FEED_URI)))
    return markdown
