"""Link checking for the knowledge base: fast, polite, cached, exact about what is broken.

Public API (the MkDocs plugin and the ``archkb check-links`` command both use it):

- :func:`check_urls` checks links and returns a :class:`Report`;
- :class:`Settings` holds every option, :class:`Link`/:class:`Result`/:class:`State` are the values;
- :func:`extract_links_from_html` / :func:`extract_links_from_markdown` find links with ``path:line``,
  and :func:`extract_urls_from_text` the http(s) URLs of plain text (``archkb check-links -``);
- :func:`check_site` checks a built site (internal links and anchors offline, external links online or
  from the cache) and :func:`check_project` the project's own links, each in one call;
- :func:`check_internal` checks a built site's own links and anchors offline, and
  :func:`check_markdown_links` Markdown files' links to local files and their headings
  (:func:`markdown_anchors` gives a Markdown file's anchors);
- :func:`dump_links` plans what a check would do with each link, with nothing sent
  (:func:`render_dump` writes it, as ``archkb check-links --dump`` does);
- :func:`render_github` writes a report as GitHub Actions annotations (``--format github``), and
  :func:`render_sarif` as SARIF 2.1.0 for code scanning (``--format sarif``);
- :func:`walk_files` chooses which files of a folder a PATH run reads (no hidden files, nothing
  git ignores);
- :data:`DEFAULT_REPORT_PATH` is where every CLI run leaves its latest JSON report.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Names load on first use, so that importing the package (the site build does, to read
# the latest report) does not import aiohttp; only an actual network check does.
_LAZY = {
    "PageLinks": "extract",
    "extract_links_from_html": "extract",
    "extract_links_from_markdown": "extract",
    "extract_urls_from_text": "extract",
    "ids_from_html": "extract",
    "decode_html": "extract",
    "check_internal": "internal",
    "is_internal": "internal",
    "load_pages": "internal",
    "FORMATS": "report",
    "HostStats": "report",
    "Report": "report",
    "render": "report",
    "DEFAULT_REPORT_PATH": "runner",
    "SettingsError": "runner",
    "check_urls": "runner",
    "check_urls_async": "runner",
    "DEFAULT_CACHE_PATH": "settings",
    "DEFAULT_USER_AGENT": "settings",
    "Settings": "settings",
    "Link": "states",
    "Result": "states",
    "State": "states",
    "InputError": "sources",
    "Planned": "plan",
    "dump_links": "plan",
    "render_dump": "plan",
    "check_project": "build",
    "check_site": "build",
    "render_github": "annotations",
    "render_sarif": "sarif",
    "check_markdown_links": "local",
    "markdown_anchors": "local",
    "walk_files": "walk",
}

if TYPE_CHECKING:  # pragma: no cover - for type checkers and documentation tools
    from .annotations import render_github
    from .build import check_project, check_site
    from .extract import (
        PageLinks,
        decode_html,
        extract_links_from_html,
        extract_links_from_markdown,
        extract_urls_from_text,
        ids_from_html,
    )
    from .internal import check_internal, is_internal, load_pages
    from .local import check_markdown_links, markdown_anchors
    from .plan import Planned, dump_links, render_dump
    from .report import FORMATS, HostStats, Report, render
    from .runner import DEFAULT_REPORT_PATH, SettingsError, check_urls, check_urls_async
    from .sarif import render_sarif
    from .settings import DEFAULT_CACHE_PATH, DEFAULT_USER_AGENT, Settings
    from .sources import InputError
    from .states import Link, Result, State
    from .walk import walk_files


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


__all__ = [
    "DEFAULT_CACHE_PATH",
    "DEFAULT_REPORT_PATH",
    "DEFAULT_USER_AGENT",
    "FORMATS",
    "HostStats",
    "InputError",
    "Link",
    "PageLinks",
    "Planned",
    "Report",
    "Result",
    "Settings",
    "SettingsError",
    "State",
    "check_internal",
    "check_markdown_links",
    "check_project",
    "check_site",
    "check_urls",
    "check_urls_async",
    "extract_links_from_html",
    "extract_links_from_markdown",
    "extract_urls_from_text",
    "ids_from_html",
    "decode_html",
    "dump_links",
    "is_internal",
    "load_pages",
    "markdown_anchors",
    "render",
    "render_dump",
    "render_github",
    "render_sarif",
    "walk_files",
]
