"""The main pages load without console errors and without requests to any host but the local server."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import Visit

PAGES = ["", "PATTERN", "reading-list/", "map/", "link-health/", "paths/"]


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.strip("/") or "home")
def test_page_logs_no_console_error(visit: Visit, sample_pattern: str, path: str) -> None:
    """Loading the page (and letting its scripts settle) logs no console error and no uncaught exception."""
    path = f"patterns/{sample_pattern}/" if path == "PATTERN" else path
    visit.goto(path)
    visit.page.wait_for_timeout(300)  # let late scripts (search worker, palette) run
    assert not visit.watch.console_errors, f"/{path} logged: {visit.watch.console_errors}"
    assert not visit.watch.external_requests, f"/{path} requested: {visit.watch.external_requests}"


def test_reading_list_without_javascript_shows_every_entry(browser, base_url: str) -> None:
    """With JavaScript off the reading list is a plain list: every reference is visible."""
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(base_url + "reading-list/")
        entries = page.locator(".archkb-ref")
        total = entries.count()
        assert total > 0, "the reading list has no .archkb-ref entries"
        hidden = [entries.nth(i).get_attribute("id") for i in range(total) if not entries.nth(i).is_visible()]
        assert not hidden, f"entries hidden without JavaScript: {hidden}"
    finally:
        context.close()


def site_pages(site_dir: Path) -> list[str]:
    """Every HTML page of the built site, as paths relative to the site root (``patterns/x/``)."""
    pages = []
    for html in sorted(site_dir.rglob("*.html")):
        rel = html.relative_to(site_dir).as_posix()
        pages.append(rel[: -len("index.html")] if rel.endswith("index.html") else rel)
    return pages


def test_no_page_of_the_site_logs_a_console_error(visit: Visit, site_dir: Path) -> None:
    """Every built page, opened in turn, logs no console error and requests nothing from other hosts."""
    pages = site_pages(site_dir)
    assert len(pages) > 10, pages
    problems = {}
    for path in pages:
        visit.watch.clear()
        visit.page.goto(visit.base_url + path, wait_until="load")
        visit.page.wait_for_timeout(100)
        if visit.watch.console_errors or visit.watch.external_requests:
            problems[path] = visit.watch.console_errors + visit.watch.external_requests
    assert not problems, "pages with console errors or external requests:\n" + "\n".join(
        f"/{path}: {found}" for path, found in problems.items()
    )
