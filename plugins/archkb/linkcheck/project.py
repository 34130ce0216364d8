"""The link report a site build uses: checked online, or the latest one on disk.

During a build the plugin either checks the project's external links now (when
``link_check.external`` is on) or reuses the latest report that ``archkb
check-links`` left behind, falling back to what the link cache knows, offline.
A contributor's preview therefore never waits on the internet.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from pathlib import Path

from ..catalog.graph import Catalog
from .extract import extract_links_from_markdown
from .internal import is_internal
from .report import Report
from .settings import Settings
from .sources import without_excluded_sources
from .states import Link


def check_urls(links: list[Link], settings: Settings) -> Report:
    """Check links over the network (imports the HTTP client only when it is needed)."""
    from .runner import check_urls as run

    return run(links, settings)


__all__ = ["catalog_links", "latest_link_report", "check_urls"]


def catalog_links(catalog: Catalog, docs_dir: Path | None = None) -> list[Link]:
    """Every external link of the project, with its ``path:line`` source.

    Reference URLs and archived URLs come from the loaded catalog; links in pattern
    bodies and hand-written pages are read from their Markdown.
    """
    links: list[Link] = []
    for entry in catalog.references.values():
        for url in (entry.url, entry.archived_url):
            if url:
                links.append(Link(url, entry.source))
    files: Iterable[Path] = [catalog.root / e.path for e in catalog.patterns.values()]
    if docs_dir is not None and docs_dir.is_dir():
        files = [*files, *sorted(docs_dir.rglob("*.md"))]
    for file in files:
        try:
            name = file.resolve().relative_to(catalog.root).as_posix()
        except ValueError:
            name = str(file)
        try:
            found = extract_links_from_markdown(file, name=name)
        except (OSError, UnicodeDecodeError):
            continue  # the validator reports unreadable files
        links.extend(link for link in found if not is_internal(link.url))
    return links


def latest_link_report(
    catalog: Catalog,
    settings: Settings,
    *,
    online: bool,
    report_path: Path,
    docs_dir: Path | None = None,
) -> Report | None:
    """Return the link report for this build.

    Args:
        catalog: The loaded catalog.
        settings: Link checker settings (cache path included).
        online: Check now, over the network, and save the report to ``report_path``.
        report_path: Where the latest report lives.
        docs_dir: The hand-written pages, whose links are checked too.

    Returns:
        The fresh report when ``online``; otherwise the saved report, or a report
        built offline from the cache, or ``None`` when nothing is known yet.
    """
    links = without_excluded_sources(catalog_links(catalog, docs_dir), settings.exclude_paths)
    if online:
        report = check_urls(links, settings)
        report.save(report_path)
        return report
    saved = Report.load(report_path)
    if saved is not None:
        return saved
    cache = settings.cache_path
    if cache and Path(cache).is_file() and not settings.no_cache:
        return check_urls(links, dataclasses.replace(settings, offline=True))
    return None
