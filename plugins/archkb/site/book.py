"""The site's EPUB book (``exports/archkb.epub``), rendered with the generator's caches.

:func:`archkb.exports.epub.catalog_to_epub` makes the book; this module gives it the site's
options and lets ``mkdocs serve`` reuse what an edit did not touch: a chapter is rendered
again only when its pattern's file or the metadata around it changed, and the book is put
together again from its documents; when nothing it shows changed (an edit of a hand-written
page), the whole book is reused.
"""

from __future__ import annotations

import gc
import hashlib
from typing import Callable

from ..catalog.graph import Catalog
from ..exports.epub import BookOptions, book_options_from_config, catalog_to_epub, markdown_settings_key
from ..map.layout import MapLayout
from .dates import CatalogDates
from .health import LinkHealth
from .incremental import Fingerprints, RenderCache

__all__ = ["render_book"]


def _join(*parts: object) -> str:
    """A short digest of ``parts``: the cache keeps one per document, for as long as serve runs."""
    return hashlib.blake2b(repr(parts).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def render_book(catalog: Catalog, *, title: str, description: str | None, site_url: str | None,
                directory_urls: bool, prints: Fingerprints, cache: RenderCache, health: LinkHealth | None,
                dates: CatalogDates, layout: MapLayout | None) -> bytes:
    """The EPUB book of the catalog, as the site publishes it.

    Args:
        catalog: The catalog.
        title: The site's name (the book's title).
        description: The site's description.
        site_url: The site's URL (the book's identifier; links to pages the book lacks).
        directory_urls: The site's URL style.
        prints: The build's fingerprints of the catalog's parts.
        cache: The book's documents from earlier builds (a cache of its own: the site's render
            counts stay those of its pages).
        health: The link report the build shows.
        dates: The catalog's dates.
        layout: The map layout the build drew.
    """
    book = BookOptions(title=title or BookOptions.title, description=description, site_url=site_url,
                       language=book_options_from_config(catalog.root).language, directory_urls=directory_urls)
    around = _join(prints.meta, prints.references, prints.paths, prints.health, dates.fingerprint(), book,
                   markdown_settings_key(catalog.root), sorted(s for s, e in catalog.patterns.items() if e.unsafe))

    def part(name: str, render: Callable[[], bytes]) -> bytes:
        # A chapter depends on its pattern's file and the metadata around it; the other documents on all but bodies.
        slug = name[len("pattern-"):-len(".xhtml")] if name.startswith("pattern-") else None
        own = prints.files.get(catalog.patterns[slug].path) if slug in catalog.patterns else None
        return cache.get(name, _join(around, own), render)

    fingerprint = _join(around, sorted(prints.files.items()))
    cache.begin()
    whole = cache.entries.get(_WHOLE)
    if whole is not None and whole[0] == fingerprint:  # nothing the book shows changed
        cache.hits += 1
        return bytes(whole[1])  # (no pruning: the documents stay for the next change)
    paused = not gc.isenabled()
    if paused:
        # The MkDocs adapter pauses the cyclic collector while pages are generated, then
        # freezes what is left; Python-Markdown leaves cyclic garbage behind each body it
        # converts (75 MiB for 1,000 bodies), which must not be frozen with the catalog.
        gc.enable()
    try:
        return cache.get(_WHOLE, fingerprint, lambda: catalog_to_epub(catalog, book, health=health, dates=dates,
                                                                     layout=layout, cache=part))
    finally:
        if paused:
            gc.collect()
            gc.disable()
        cache.prune()


_WHOLE = "archkb.epub"
"""The cache key of the whole book."""
