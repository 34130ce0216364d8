"""The main pages load without console errors and without requests to any host but the local server."""

from __future__ import annotations

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
