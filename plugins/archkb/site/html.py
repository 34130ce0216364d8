"""Placing generated HTML in generated Markdown, for any site engine.

Renderers write bulky parts of a page (maps, lists of relations, reading-list entries) as HTML.
Where that HTML goes is up to an :class:`HtmlSink`: without one it is written in place as raw
HTML blocks, which every Python-Markdown engine passes through (what ``archkb generate`` writes);
the MkDocs adapter's :class:`~archkb.mkdocs.deferred.DeferredHtml` keeps it out of Markdown
conversion instead, for speed.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Protocol

from ..catalog.model import Reference
from .text import escape_html as _esc
from .urls import page_href

if TYPE_CHECKING:
    from ..catalog.graph import PatternEntry

__all__ = ['LinkState', 'HtmlSink', 'SectionHeading', 'GENERATED_SECTIONS', 'place_html', 'section_block', 'link_href']


class HtmlSink(Protocol):
    """Where renderers put a page's generated HTML, and how they link from it.

    :class:`archkb.mkdocs.deferred.DeferredHtml` implements it for MkDocs builds. With no
    sink (``None``), renderers write their HTML in place and link with final relative URLs.
    """

    toc: list["SectionHeading"]

    def href(self, from_uri: str, to_uri: str, anchor: str | None = None) -> str:
        """The final relative URL from one page to another (and anchor), recorded for validation."""

    def defer(self, html_block: str, *, search: str | None = None) -> str:
        """Keep a block of HTML; return the Markdown that stands for it."""

    def inline(self, fragment: str, *, search: str | None = None) -> str:
        """Keep an inline HTML fragment; return the Markdown that stands for it."""

    def section_heading(self, title: str, entry: "PatternEntry") -> "SectionHeading | None":
        """The pre-rendered heading of a generated section, if one may be used on this page."""

LinkState = Callable[[Reference], str]
"""Renders the inline link state of a reference (see :func:`archkb.site.health.render_link_state`)."""


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


GENERATED_SECTIONS = ("Related patterns", "Further reading")
"""The titles of the sections that end every pattern page."""


def place_html(html_block: str, deferred: HtmlSink | None, search: str | None = None) -> str:
    return deferred.defer(html_block, search=search) if deferred is not None else f"\n{html_block}\n"


def section_block(deferred: HtmlSink, heading: SectionHeading, html_block: str, sentence: str = "") -> str:
    """A whole generated section as one deferred block, its heading included.

    The heading's table-of-contents entry is recorded in ``deferred.toc``. Search skips
    the section: it only repeats other pages' titles (and would add two empty entries
    per pattern to the index).
    """
    text = f"<p>{_esc(sentence)}</p>" if sentence else ""
    deferred.toc.append(heading)
    return deferred.defer(f"{heading.html}\n{text}{html_block}")


def link_href(deferred: HtmlSink | None, from_uri: str, to_uri: str, anchor: str | None = None,
          directory_urls: bool = True) -> str:
    if deferred is not None:
        return deferred.href(from_uri, to_uri, anchor)
    return page_href(from_uri, to_uri, directory_urls) + (f"#{anchor}" if anchor else "")
