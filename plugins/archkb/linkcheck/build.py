"""One-call checks for the site build and other tools: a built site, or the project's own links."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .internal import check_internal, is_internal, load_pages
from .report import Report
from .runner import check_urls
from .settings import Settings
from .sources import collect_project

if TYPE_CHECKING:  # pragma: no cover
    from aiohttp.abc import AbstractResolver

__all__ = ["check_site", "check_project"]


def check_site(
    site_dir: str | Path,
    settings: Settings,
    *,
    external: bool = True,
    base_path: str | None = None,
    progress: bool = False,
    resolver: AbstractResolver | None = None,
) -> Report:
    """Check a built site: internal links and anchors (offline, from the rendered HTML) and its
    external links.

    Args:
        site_dir: The built site folder (MkDocs' ``site_dir``).
        settings: Options; with ``external=False`` the run is made offline whatever they say.
        external: Check external links over the network. When False they get the cache's verdict
            if it has one, else ``skipped`` (so ``mkdocs serve`` never waits on the internet).
        base_path: The path the site is served under; detected from the canonical link when None.
        progress: Show a progress display on a terminal.
        resolver: Replace the system resolver (tests).

    Returns:
        One report; sources are ``path:line`` relative to ``site_dir``.

    Raises:
        SettingsError: when the settings are invalid.
    """
    root = Path(site_dir).resolve()
    files = sorted(p for p in root.rglob("*") if p.suffix.lower() in (".html", ".htm") and p.is_file())
    pages = load_pages(files, root)
    links = [link for page in pages.values() for link in page.links if not is_internal(link.url)]
    run_settings = settings if external else settings.replace(offline=True)
    report = check_urls(links, run_settings, progress=progress, resolver=resolver)
    report.results.extend(check_internal(pages, root, base_path))
    report.sort()
    return report


def check_project(
    root: str | Path,
    settings: Settings,
    *,
    progress: bool = False,
    resolver: AbstractResolver | None = None,
) -> Report:
    """Check the project's own links: every reference URL (and archived URL), plus the links in
    ``patterns/*.md`` and ``docs/**/*.md``; what ``archkb check-links`` does with no PATH.

    Raises:
        InputError: when ``root`` is not a project.
        SettingsError: when the settings are invalid.
    """
    inputs = collect_project(Path(root).resolve())
    return check_urls(inputs.external, settings, progress=progress, resolver=resolver)
