"""Pattern pages: the summary, the contributed body with its citations linked, and the generated sections.
"""

from __future__ import annotations

import re
from typing import Callable

from ..catalog.graph import Catalog, PatternEntry
from ..catalog.model import Reference
from ..catalog.markdown import is_plain_prose, iter_prose_lines
from ..catalog.relations import RELATION_TYPES
from .html import HtmlSink, LinkState, link_href as _href, place_html as _place, section_block as _section
from .dates import PatternDates, render_pattern_dates
from .map_page import render_neighbourhood
from .text import byline as _byline, citation_label, escape_html as _esc, escape_attr as _attr, escape_html_cached as _escaped, front_matter as _front_matter, md_escape
from .urls import READING_LIST_URI, pattern_uri, reference_anchor, relative

__all__ = ['render_pattern_page', 'render_related', 'render_further_reading', 'link_citations', 'CitationPreview']

def render_related(entry: PatternEntry, catalog: Catalog, *, from_uri: str | None = None,
                   directory_urls: bool | None = None, deferred: HtmlSink | None = None) -> str:
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
        if heading is not None and deferred is not None:
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
    if heading is not None and deferred is not None:
        return _section(deferred, heading, "\n".join(blocks))
    lines += [_place("\n".join(blocks), deferred), ""]
    return "\n".join(lines)


def render_further_reading(entry: PatternEntry, catalog: Catalog, *, from_uri: str | None = None,
                           link_state: LinkState | None = None, directory_urls: bool = True,
                           deferred: HtmlSink | None = None) -> str:
    """The "Further reading" section: each cited reference with its metadata, link and link state."""
    from_uri = from_uri or pattern_uri(entry.slug)
    refs = catalog.pattern_references(entry.slug)
    heading = deferred.section_heading("Further reading", entry) if deferred is not None else None
    lines = ["## Further reading", ""]
    if not refs:
        if heading is not None and deferred is not None:
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
    if heading is not None and deferred is not None:
        return _section(deferred, heading, "<ul>\n" + "\n".join(items) + "\n</ul>")
    lines += [_place("<ul>\n" + "\n".join(items) + "\n</ul>", deferred), ""]
    return "\n".join(lines)


_CITATION = re.compile(r"\[@([A-Za-z0-9][A-Za-z0-9_-]*)\]")


_CODE_SPAN = re.compile(r"(`+).+?\1")


_TITLE_SYNTAX = re.compile(r"[\\`*_{}\[\]()!|~^]")


def _markdown_title(escaped: str) -> str:
    """An attribute-escaped text as the title of a Markdown link.

    Python-Markdown keeps character references in a link title as written, so the
    escaped text is what the browser decodes; but code spans and backslash escapes are
    read before links, so every character Markdown could take as syntax is written as
    a numeric reference too.
    """
    return _TITLE_SYNTAX.sub(lambda m: f"&#{ord(m.group(0))};", escaped)


CitationPreview = Callable[[Reference], str]
"""The plain-text preview of a reference that a citation link carries as its ``title``
(see :func:`archkb.site.citations.citation_preview`)."""


def link_citations(body: str, catalog: Catalog, from_uri: str, *, directory_urls: bool = True,
                    deferred: HtmlSink | None = None, preview: CitationPreview | None = None) -> str:
    """Turn ``[@id]`` into links to the reading list, leaving code untouched.

    Each link's ``title`` is ``preview(reference)`` (the reference's title without one): the
    browser shows it on hover, and the theme's tooltips on hover and on keyboard focus.

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
        title = _attr(preview(ref)) if preview is not None else _escaped(ref.title)
        if deferred is not None:
            href = deferred.href(from_uri, READING_LIST_URI, anchor)
            # md_escape, not only HTML escaping: written in place (archkb generate), the label
            # sits between inline tags, where Markdown still reads it.
            html_link = f'<a href="{_attr(href)}" title="{title}">{md_escape(citation_label(ref))}</a>'
            if heading:
                return html_link
            return deferred.inline(html_link, search=_escaped(citation_label(ref)))
        return f'[{md_escape(citation_label(ref))}]({to_list}#{anchor} "{_markdown_title(title)}")'

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
                        link_state: LinkState | None = None, deferred: HtmlSink | None = None,
                        dates: PatternDates | None = None, preview: CitationPreview | None = None) -> str:
    """The full Markdown of a pattern page: summary first, the body, then the generated sections.

    Args:
        entry: The pattern.
        catalog: The catalog it belongs to.
        directory_urls: The site's ``use_directory_urls``; when given, "Related patterns"
            opens with a neighbourhood map (its links are computed for that URL style).
        link_state: Renders each reference's link state in "Further reading".
        deferred: Collects the raw HTML (the neighbourhood map) kept out of Markdown.
        dates: When the pattern was added and last updated, shown under the summary.
        preview: The ``title`` of each citation link (see :func:`link_citations`).
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
    when = render_pattern_dates(dates)
    aliases = list(meta.aliases) if meta and meta.aliases else []
    if deferred is not None:
        # The page's opening (summary, dates, aliases) is plain text the renderer knows the HTML
        # of: set aside as one block, it costs Python-Markdown nothing (a raw-HTML paragraph
        # such as the dates would go through its HTML stash, which every heading then pays for).
        # Search indexes the summary and the aliases.
        shown, searched = [], []
        if entry.summary:
            shown.append(f'<p class="archkb-summary">{_esc(entry.summary)}</p>')
            searched.append(f"<p>{_esc(entry.summary)}</p>")
        if when:
            shown.append(when)
        if aliases:
            names = _esc(", ".join(aliases))
            shown.append(f"<p><em>Also known as:</em> {names}</p>")
            searched.append(f"<p>Also known as: {names}</p>")
        if shown:
            out.append(deferred.defer("\n".join(shown), search="\n".join(searched) or None).strip("\n") + "\n")
    else:
        if entry.summary:
            out.append(f"{md_escape(entry.summary)}\n{{: .archkb-summary }}\n")
        if when:
            out.append(when + "\n")
        if aliases:
            out.append("*Also known as:* " + ", ".join(md_escape(a) for a in aliases) + "\n")
    out.append(link_citations(entry.body, catalog, uri, deferred=deferred, preview=preview,
                               directory_urls=True if directory_urls is None else directory_urls).strip() + "\n")
    out.append(render_related(entry, catalog, from_uri=uri, directory_urls=directory_urls, deferred=deferred))
    out.append(render_further_reading(entry, catalog, from_uri=uri, link_state=link_state,
                                      directory_urls=True if directory_urls is None else directory_urls,
                                      deferred=deferred))
    return "\n".join(out)
