"""The reading list: every reference by topic and kind, with filters, exports and cited-by.
"""

from __future__ import annotations

from ..catalog.graph import Catalog, ReferenceEntry
from ..catalog.model import KIND_HEADINGS, Reference
from .dates import RECENT_DAYS, CatalogDates
from .html import HtmlSink, LinkState, link_href as _href, place_html as _place
from .text import byline as _byline, date_label, escape_html as _esc, escape_attr as _attr, front_matter as _front_matter, md_escape
from .urls import BIBTEX_EXPORT_URI, EPUB_EXPORT_URI, EXPORT_JSON_URI, LINK_HEALTH_PAGE_URI, READING_LIST_URI, pattern_uri, reference_anchor, relative

__all__ = ['render_reading_list', 'reading_list_facets', 'render_filter_css', 'UNDATED_FACET', 'RECENT_FACET']

def _reference_block(ref_entry: ReferenceEntry, catalog: Catalog, from_uri: str,
                     link_state: LinkState | None = None, directory_urls: bool = True,
                     deferred: HtmlSink | None = None, dates: CatalogDates | None = None) -> str:
    """One reading-list entry, as HTML (see :class:`HtmlSink`)."""
    ref = ref_entry.data
    attrs = (f'class="archkb-ref" id="{_attr(reference_anchor(ref.id))}" data-kind="{_attr(ref.kind)}" '
             f'data-year="{_attr(_year_facet(ref))}" data-tags="{_attr(" ".join(ref.tags))}" '
             f'data-topic="{_attr(ref_entry.topic)}"')
    if dates is not None and dates.is_recent(ref.id):
        attrs += f' data-added="{RECENT_FACET}"'
    head = [f'<strong><a href="{_attr(ref.url)}">{_esc(ref.title)}</a></strong>', _byline(ref)]
    if link_state is not None:
        head.append(link_state(ref))
    added = dates.references.get(ref.id) if dates is not None else None
    if added is not None:
        head.append(f'<span class="archkb-ref-added">Added to the list <time datetime="{added.isoformat()}">'
                    f"{added.isoformat()}</time></span>")
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


def reading_list_facets(catalog: Catalog, dates: CatalogDates | None = None) -> dict[str, list[tuple[str, str, int]]]:
    """The filter facets of the reading list: ``kind``, ``tag``, ``year`` and, with ``dates``, ``added``.

    Each facet is a list of ``(value, label, count)``: kinds in reading order, tags
    alphabetically, years newest first; ``added`` has the one value ``recent`` (see
    :attr:`archkb.site.dates.CatalogDates.is_recent`), when any reference is recent.
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
    facets = {
        "kind": [(k, KIND_HEADINGS.get(k, k.capitalize()), kinds[k]) for k in sorted(kinds, key=_kind_order)],
        "tag": [(t, t, tags[t]) for t in sorted(tags)],
        "year": [(y, y, years[y]) for y in sorted((y for y in years if y != UNDATED_FACET), reverse=True)]
        + ([(UNDATED_FACET, "No date (living documents)", years[UNDATED_FACET])] if UNDATED_FACET in years else []),
    }
    recent = sum(1 for ref_id in catalog.references if dates is not None and dates.is_recent(ref_id))
    if recent and dates is not None and dates.recent_since is not None:
        facets["added"] = [(RECENT_FACET, f"Recently added (since {dates.recent_since.isoformat()})", recent)]
    return facets


RECENT_FACET = "recent"
"""The value of the "added" filter for references added recently (see :mod:`archkb.site.dates`)."""


UNDATED_FACET = "undated"
"""The year filter's value for living documents, which have no publication year."""


def _year_facet(ref: Reference) -> str:
    return str(ref.year) if ref.year is not None else UNDATED_FACET


_FACET_LABELS = {"kind": ("Kind", "Any kind"), "tag": ("Tag", "Any tag"), "year": ("Year", "Any year"),
                 "added": ("Added", "Any time")}


_FACET_MATCH = {"kind": 'data-kind="{}"', "tag": 'data-tags~="{}"', "year": 'data-year="{}"',
                "added": 'data-added="{}"'}


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
    by = "kind, tag, year or date added" if "added" in facets else "kind, tag or year"
    links = ['<details id="archkb-filter-links" class="archkb-filter-links">',
             f"<summary>Filter by {by}</summary>"]
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


def render_filter_css(catalog: Catalog, dates: CatalogDates | None = None) -> str:
    """CSS that filters the reading list without JavaScript.

    Following a facet link (``#filter-kind-book``) makes its hidden target ``:target``;
    these rules then hide the entries, kind groups and topics that do not match.
    """
    rules = ["/* archkb: reading-list filters that work without JavaScript (generated). */"]
    for facet, values in reading_list_facets(catalog, dates).items():
        for value, _, _ in values:
            match = "[" + _FACET_MATCH[facet].format(value) + "]"
            target = f"#filter-{facet}-{value}:target ~ "
            rules.append(f"{target}.archkb-topic .archkb-ref:not({match}),\n"
                         f"{target}.archkb-topic .archkb-kind-group:not(:has(.archkb-ref{match})),\n"
                         f"{target}.archkb-topic:not(:has(.archkb-ref{match})) {{ display: none; }}")
    return "\n".join(rules) + "\n"


def render_reading_list(catalog: Catalog, *, link_state: LinkState | None = None,
                        directory_urls: bool = True, deferred: HtmlSink | None = None,
                        dates: CatalogDates | None = None, book: bool = True) -> str:
    """The reading-list page: references by topic, then by kind, with filters, exports and backlinks.

    Args:
        catalog: The catalog.
        link_state: Renders each reference's link state (see :mod:`archkb.site.health`).
        directory_urls: The site's ``use_directory_urls``, for the entries' links.
        deferred: Collects the entries' HTML, kept out of Markdown conversion.
        dates: When each reference was added: shown on each entry, and the "recently added" filter.
        book: Whether the site has the EPUB book, which the exports line then offers.
    """
    uri = READING_LIST_URI
    book_link = (f" · [EPUB book]({relative(uri, EPUB_EXPORT_URI)}) (`archkb.epub`: the patterns in reading-path "
                 "order, this list as a bibliography, the map)" if book else "")
    total = len(catalog.references)
    out = [_front_matter(title="Reading list",
                         description="Every reference of the knowledge base, with the patterns that cite it."),
           "# Reading list\n",
           f"{total} references in {len(catalog.topics)} topics, grouped by topic and then by kind. Each "
           "entry links back to the patterns that cite it and shows whether its link still worked at the "
           f"last check ([link health]({relative(uri, LINK_HEALTH_PAGE_URI)})).\n",
           f"Take it with you: [BibTeX]({relative(uri, BIBTEX_EXPORT_URI)}) (`references.bib`) · "
           f"[JSON]({relative(uri, EXPORT_JSON_URI)}) (the whole catalog){book_link}.\n{{: .archkb-exports }}\n"]
    facets = reading_list_facets(catalog, dates)
    if "added" in facets and dates is not None and dates.latest is not None:
        out.append(f"*Recently added* means added to the list in the {RECENT_DAYS} days up to the catalog's "
                   f"latest addition ({dates.latest.isoformat()}): on the date an entry gives as `added`, "
                   "or else on the date of the commit that wrote it.\n")
    out.append(_filter_controls(facets, total))
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
                                                  directory_urls, deferred, dates) for ref_id in by_kind[kind])
            search = "\n".join(_reference_search_entry(catalog.references[ref_id], catalog)
                                for ref_id in by_kind[kind]) if deferred is not None else None
            out.append(_place(entries, deferred, search))
            out.append("</div>\n")
        out.append("</section>\n")
    return "\n".join(out)
