"""Everything the site generates from the catalog, independent of the site engine.

:class:`SiteGenerator` turns a loaded catalog into a list of :class:`GeneratedPage`
objects (pattern pages, the reading list, the map, indexes, exports, the feed,
assets), reusing rendered pages across rebuilds while their inputs are unchanged.
The MkDocs plugin only adds them to MkDocs' files; another engine could do the same.
"""

from __future__ import annotations

import hashlib
import json
from functools import partial
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Callable, Collection, Mapping

from ..exports.bibtex import catalog_to_bibtex
from ..catalog.graph import Catalog
from ..exports.json import catalog_to_json, write_catalog_json
from ..exports.feed import FEED_URI, Change, git_last_commit_dates, pattern_changes, render_atom
from .health import LinkHealth, render_link_health_page, render_link_state
from .incremental import RenderCache, fingerprints, report_identity
from ..linkcheck.report import Report
from ..catalog.loader import ParseCache
from ..map.layout import MapLayout
from .spill import SPILL_THRESHOLD, SpillFolder
from .urls import CSS_URI, FILTER_CSS_URI, JS_URI, PRINT_CSS_URI, BIBTEX_EXPORT_URI, EPUB_EXPORT_URI, EXPORT_JSON_URI, LINK_HEALTH_PAGE_URI, MAP_URI, PATHS_URI, PATTERNS_URI, READING_LIST_URI, path_uri, pattern_uri
from .html import HtmlSink, SectionHeading
from .map_page import catalog_map_layout, render_map_page
from .reading_list import render_filter_css, render_reading_list
from .path_page import render_path_page
from .indexes import render_paths_index, render_patterns_index
from .pattern_page import render_pattern_page
from .book import render_book
from .citations import citation_preview
from .dates import catalog_dates

__all__ = ["CSS_URI", "FILTER_CSS_URI", "JS_URI", "GeneratedPage", "SiteOptions",
           "SiteGenerator"]



@dataclass
class GeneratedPage:
    """One file the site generates.

    Attributes:
        uri: Its path in the site's source tree, e.g. ``patterns/queue-decoupling.md``.
        content: Markdown for pages, text for assets and exports, bytes for binary files
            (the EPUB book); ``None`` when it was written to :attr:`source` instead.
        edit_path: The real source file contributors edit, relative to the project root.
        listed: Whether the page may appear in the navigation.
        deferred: The page's HTML kept out of Markdown conversion, if any.
        source: The file holding the content, when the generator spills to disk.
    """

    uri: str
    content: str | bytes | None
    edit_path: str | None = None
    listed: bool = False
    deferred: HtmlSink | None = None
    source: Path | None = None


@dataclass
class SiteOptions:
    """What the generated pages depend on besides the catalog.

    Attributes:
        directory_urls: The site's URL style (``patterns/x/`` or ``patterns/x.html``).
        site_url: The site's public URL, for the feed.
        title: The site's name.
        description: The site's description.
        docs_dir: The hand-written pages' folder, relative to the project root.
        existing_pages: Source paths of every page of the site (for the link health page).
        section_headings: The generated sections' headings as the site's Markdown renders
            them (see :func:`archkb.mkdocs.deferred.section_headings`); empty to write them as Markdown.
        book: Make the EPUB book (``exports/archkb.epub``) at all; when false the site has
            no book and the reading list does not offer it.
        book_in_place: Render the EPUB book here; when false, ``exports/archkb.epub`` is an
            empty placeholder that the caller fills (the MkDocs adapter builds the book in a
            worker process beside the pages, see :mod:`archkb.mkdocs.book`).
    """

    directory_urls: bool = True
    site_url: str | None = None
    title: str = ""
    description: str | None = None
    docs_dir: str = "docs"
    existing_pages: Collection[str] = ()
    section_headings: Mapping[str, SectionHeading] = field(default_factory=dict)
    book: bool = True
    book_in_place: bool = True


def _pattern_page(entry: Any, catalog: Catalog, urls: bool, link_state: Callable[[Any], str], dates: Any,
                  preview: Any, deferred: HtmlSink | None) -> str:
    return render_pattern_page(entry, catalog, directory_urls=urls, link_state=link_state, deferred=deferred,
                               dates=dates, preview=preview)


def _join(*parts: object) -> str:
    return repr(parts)


def _hash_report(report: Report) -> str:
    return hashlib.blake2b(json.dumps(report.to_json(), sort_keys=True).encode(), digest_size=16).hexdigest()


@dataclass
class SiteGenerator:
    """Generates the site's pages from the catalog, cached across rebuilds.

    Attributes:
        parse_cache: Parsed files, for :func:`archkb.catalog.loader.load_catalog`.
        renders: Rendered outputs with the fingerprints of their inputs.
        changes: New and updated patterns of the last generation (for the feed).
        map_layout: The catalog's map, as the last generation laid it out (for map previews).
        spill: Where large generated files and deferred HTML are written as soon as they
            are rendered, so that a build does not hold them all in memory; ``None`` keeps
            everything in memory.
        sink: Makes the :class:`~archkb.site.html.HtmlSink` of each page, from the URL style,
            the pre-rendered section headings and the spill folder (the MkDocs adapter's
            deferred HTML); ``None`` writes generated HTML in place, for any engine.
        book: The EPUB book's documents, reused across rebuilds (see :mod:`archkb.site.book`).
    """

    parse_cache: ParseCache = field(default_factory=ParseCache)
    renders: RenderCache = field(default_factory=RenderCache)
    changes: list[Change] = field(default_factory=list)
    spill: SpillFolder | None = None
    map_layout: MapLayout | None = None
    sink: Callable[[bool, Mapping[str, SectionHeading], SpillFolder | None], HtmlSink] | None = None
    book: RenderCache = field(default_factory=RenderCache)

    def generate(self, catalog: Catalog, options: SiteOptions, *, report: Report | None = None,
                 report_path: Path | None = None, patterns_dir: str = "patterns") -> list[GeneratedPage]:
        """Return every generated page and file of the site.

        Args:
            catalog: The catalog, loaded with :attr:`parse_cache`.
            options: What the pages depend on besides the catalog.
            report: The link report this build uses, if any; else ``report_path`` is read.
            report_path: The latest link report on disk.
            patterns_dir: The patterns folder, for git dates in the feed.
        """
        urls = options.directory_urls
        if report is not None:
            health = LinkHealth.from_results([r.to_json() for r in report.results])
            health_id: Any = _hash_report(report)
        else:
            health = LinkHealth.load(report_path) if report_path else LinkHealth()
            health_id = report_identity(report_path) if report_path else None
        headings = dict(options.section_headings)
        prints = fingerprints(catalog, self.parse_cache,
                              health=(health_id, urls, tuple(sorted((h.title, h.html) for h in headings.values()))))
        renders = self.renders
        renders.begin()
        self.book.keep = renders.keep  # the EPUB's documents are kept as long as the pages are

        def link_state(ref: Any) -> str:
            return render_link_state(ref, health)

        def preview(ref: Any) -> str:
            return citation_preview(ref, health)

        dates = catalog_dates(catalog, patterns_dir=patterns_dir)
        needs_git = any(e.meta is not None and not (e.meta.added or e.meta.updated) for e in catalog.patterns.values())
        git_dates = git_last_commit_dates(catalog.root, patterns_dir) if needs_git else {}
        self.changes = pattern_changes(catalog, git_dates=git_dates)

        pages: list[GeneratedPage] = []
        spill = self.spill

        def add(page: GeneratedPage) -> None:
            if spill is not None and page.content is not None and len(page.content) >= SPILL_THRESHOLD:
                page.source, page.content = spill.write(page.uri, page.content), None
            pages.append(page)

        def deferred_page(uri: str, fingerprint: str, render: Callable[[HtmlSink | None], str],
                          **extra: Any) -> None:
            def run() -> tuple[str, HtmlSink | None]:
                deferred = self.sink(urls, headings, spill) if self.sink is not None else None
                markdown = render(deferred)
                if spill is not None and deferred is not None and hasattr(deferred, "spill"):
                    deferred.spill(spill)  # writes what is still buffered
                return markdown, deferred

            markdown, deferred = renders.get(uri, fingerprint, run)
            add(GeneratedPage(uri, markdown, deferred=deferred, **extra))

        for entry in catalog.patterns.values():
            deferred_page(pattern_uri(entry.slug), _join(prints.pattern_page(entry.path), dates.patterns.get(entry.slug)),
                          partial(_pattern_page, entry, catalog, urls, link_state, dates.patterns.get(entry.slug),
                                  preview),
                          edit_path=entry.path)
        for path_entry in catalog.paths.values():
            add(GeneratedPage(path_uri(path_entry.slug), render_path_page(path_entry, catalog),
                                       edit_path=path_entry.path))
        deferred_page(f"{PATTERNS_URI}/index.md", _join(prints.meta, prints.health),
                      lambda d: render_patterns_index(catalog, deferred=d), listed=True)
        add(GeneratedPage(f"{PATHS_URI}/index.md", render_paths_index(catalog), listed=True))
        deferred_page(READING_LIST_URI, _join(prints.meta, prints.references, prints.health, dates.fingerprint(),
                                              options.book),
                      lambda d: render_reading_list(catalog, link_state=link_state, directory_urls=urls, deferred=d,
                                                    dates=dates, book=options.book),
                      listed=True)
        self.map_layout = layout = renders.get("map-layout", prints.meta, lambda: catalog_map_layout(catalog))
        deferred_page(MAP_URI, _join(prints.meta, prints.health),
                      lambda d: render_map_page(catalog, directory_urls=urls, deferred=d, layout=layout), listed=True)
        existing = set(options.existing_pages) | {p.uri for p in pages}
        add(GeneratedPage(LINK_HEALTH_PAGE_URI, renders.get(
            LINK_HEALTH_PAGE_URI, _join(prints.meta, prints.references, prints.health, sorted(existing)),
            lambda: render_link_health_page(catalog, health, existing_pages=existing, docs_dir=options.docs_dir)),
            listed=True))
        export_print = _join(prints.meta, prints.references, prints.paths)

        # Compact JSON: the readers' download, written by the C encoder.
        if spill is not None:  # streamed to disk: the biggest export never sits in memory whole
            pages.append(GeneratedPage(EXPORT_JSON_URI, None, source=renders.get(
                EXPORT_JSON_URI, export_print, lambda: spill.write_with(
                    EXPORT_JSON_URI, lambda out: write_catalog_json(catalog, out, indent=None)))))
        else:
            add(GeneratedPage(EXPORT_JSON_URI, renders.get(EXPORT_JSON_URI, export_print,
                                                           lambda: catalog_to_json(catalog, compact=True))))
        add(GeneratedPage(BIBTEX_EXPORT_URI, renders.get(
            BIBTEX_EXPORT_URI, prints.references, lambda: catalog_to_bibtex(catalog))))
        if options.book and options.book_in_place:
            add(GeneratedPage(EPUB_EXPORT_URI, render_book(
                catalog, title=options.title, description=options.description, site_url=options.site_url,
                directory_urls=urls, prints=prints, cache=self.book, health=health, dates=dates, layout=layout)))
        elif options.book:
            add(GeneratedPage(EPUB_EXPORT_URI, b""))  # a placeholder that links can point at
        add(GeneratedPage(FEED_URI, render_atom(self.changes, site_url=options.site_url, title=options.title,
                                                         subtitle=options.description, directory_urls=urls)))
        add(GeneratedPage(FILTER_CSS_URI, renders.get(
            FILTER_CSS_URI, _join(prints.references, dates.fingerprint()), lambda: render_filter_css(catalog, dates))))
        assets = resources.files("archkb").joinpath("assets")
        for name, uri in (("archkb.css", CSS_URI), ("archkb-print.css", PRINT_CSS_URI), ("archkb-filter.js", JS_URI)):
            add(GeneratedPage(uri, assets.joinpath(name).read_text(encoding="utf-8")))
        renders.prune()
        return pages
