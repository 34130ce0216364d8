"""Site addressing: where every generated page and file lives, and the links between them.

Source URIs are paths relative to the docs folder (``patterns/x.md``); site URLs are what
MkDocs and Zensical make of them (``patterns/x/`` with directory URLs).
"""

from __future__ import annotations

import posixpath
from functools import lru_cache

__all__ = ['PATTERNS_URI', 'READING_LIST_URI', 'PATHS_URI', 'MAP_URI', 'EXPORT_JSON_URI', 'BIBTEX_EXPORT_URI', 'EPUB_EXPORT_URI', 'LINK_HEALTH_PAGE_URI', 'FEED_URI', 'CSS_URI', 'FILTER_CSS_URI', 'JS_URI', 'PRINT_CSS_URI', 'pattern_uri', 'path_uri', 'reference_anchor', 'relative', 'page_url', 'page_href']

FEED_URI = "feed.xml"
"""Site path of the Atom feed of new and updated patterns."""
CSS_URI = "assets/archkb/archkb.css"
"""The site path of the plugin's stylesheet."""
FILTER_CSS_URI = "assets/archkb/reading-list-filters.css"
"""The site path of the generated no-JavaScript reading-list filters."""
JS_URI = "assets/archkb/archkb-filter.js"
"""The site path of the reading-list filter script."""
PRINT_CSS_URI = "assets/archkb/archkb-print.css"
"""The site path of the print stylesheet (imported by the plugin's stylesheet for print media)."""

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


EPUB_EXPORT_URI = "exports/archkb.epub"
"""Site path of the catalog as an EPUB 3 book (the file of ``archkb export epub``)."""


LINK_HEALTH_PAGE_URI = "link-health.md"
"""Source URI of the generated "Link health" page."""


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
