"""Instant navigation: links swap the page in place, and everything the site binds works on the new page."""

from __future__ import annotations

from typing import Any

from .conftest import Visit
from .harness import describe_violations, run_axe

KEEP_JS = "() => { window.__archkbSameDocument = true; }"
KEPT_JS = "() => window.__archkbSameDocument === true"
TITLE_JS = "() => (document.querySelector('.md-content h1') || {}).firstChild?.textContent?.trim()"


def follow(visit: Visit, selector: str) -> str:
    """Click the first link matching ``selector``; wait until its page is shown; return its path.

    "Shown" means the address is the link's and the content is no longer the previous page's:
    an instant navigation changes the address and swaps the content as two steps.
    """
    page = visit.page
    link = page.locator(selector).first
    link.wait_for(state="attached")
    target = link.evaluate("(a) => new URL(a.href, location.href).pathname")
    before = page.evaluate("() => document.querySelector('[data-md-component=content]')?.innerHTML.length")
    previous = page.evaluate("() => location.pathname")
    link.click()
    page.wait_for_function(
        "([target, previous, before]) => location.pathname === target && document.readyState === 'complete' && "
        "(target === previous || document.querySelector('[data-md-component=content]')?.innerHTML.length !== before)",
        arg=[target, previous, before],
    )
    return target


def test_links_swap_the_page_in_place(visit: Visit, sample_pattern: str) -> None:
    visit.goto(f"patterns/{sample_pattern}/")
    page = visit.page
    page.evaluate(KEEP_JS)
    first = page.evaluate(TITLE_JS)
    follow(visit, "article li > a[href*='/patterns/']")
    assert page.evaluate(TITLE_JS) != first
    assert page.evaluate(KEPT_JS), "the link loaded a new document: navigation.instant is not working"
    assert visit.url_path().startswith("patterns/") and visit.url_path() != f"patterns/{sample_pattern}/"
    assert not visit.watch.console_errors, visit.watch.console_errors


def test_reading_list_filter_works_after_instant_navigation(visit: Visit, sample_pattern: str) -> None:
    visit.goto(f"patterns/{sample_pattern}/")
    page = visit.page
    page.evaluate(KEEP_JS)
    for _ in range(2):  # there and back, twice: handlers bound once per page, none left over
        follow(visit, "article a[href*='/reading-list/#ref-']")
        page.wait_for_function("() => document.getElementById('archkb-filter')?.getAttribute('data-ready') === 'true'")
        assert page.evaluate(KEPT_JS)
        control = page.locator("#archkb-filter-kind")
        total = page.evaluate("() => document.querySelectorAll('.archkb-ref').length")
        control.select_option("book")
        page.wait_for_function(
            "(n) => Array.from(document.querySelectorAll('.archkb-ref')).filter((el) => !el.hidden).length < n",
            arg=total,
        )
        shown = page.evaluate(
            "() => Array.from(document.querySelectorAll('.archkb-ref'))"
            ".filter((el) => !el.hidden).map((el) => el.dataset.kind)"
        )
        assert shown and set(shown) == {"book"}
        # A facet link in the address still filters (one hash listener, on the page shown now).
        page.evaluate("() => { location.hash = 'filter-kind-paper'; }")
        page.wait_for_function("() => document.getElementById('archkb-filter-kind').value === 'paper'")
        control.select_option("")
        follow(visit, "article .archkb-ref a[href*='/patterns/']")
    assert page.evaluate(KEPT_JS)
    assert not visit.watch.console_errors, visit.watch.console_errors


def test_citation_preview_after_instant_navigation(visit: Visit, sample_pattern: str) -> None:
    visit.goto("reading-list/")
    page = visit.page
    page.evaluate(KEEP_JS)
    follow(visit, f"article .archkb-ref a[href$='/patterns/{sample_pattern}/']")
    assert page.evaluate(KEPT_JS)
    link = page.locator("article a[href*='/reading-list/#ref-'][title]").first.element_handle()
    preview = link.get_attribute("title")
    link.focus()
    tooltip = page.locator(".md-tooltip2--active")
    tooltip.wait_for(state="visible", timeout=5_000)
    assert tooltip.inner_text().strip() == preview
    blocking = [v for v in run_axe(page) if v["impact"] in {"serious", "critical"}]
    assert not blocking, describe_violations(blocking)


def test_map_links_work_after_instant_navigation(visit: Visit) -> None:
    visit.goto("")
    page = visit.page
    page.evaluate(KEEP_JS)
    follow(visit, "article li > a[href$='/map/']")
    assert page.evaluate(KEPT_JS)
    node = page.locator("svg.archkb-map--full a.archkb-node").first
    slug = node.get_attribute("data-slug")
    node.click()
    page.wait_for_function(
        "(slug) => location.pathname.endsWith(`/patterns/${slug}/`) && document.readyState === 'complete'", arg=slug
    )
    page.locator(".md-content article h1").first.wait_for(state="visible")
    assert not visit.watch.console_errors, visit.watch.console_errors


def test_printing_after_instant_navigation_shows_only_external_addresses(visit: Visit, sample_pattern: str) -> None:
    visit.goto("reading-list/")
    page = visit.page
    follow(visit, f"article .archkb-ref a[href$='/patterns/{sample_pattern}/']")
    page.emulate_media(media="print")
    after: list[dict[str, Any]] = page.evaluate(
        "() => Array.from(document.querySelectorAll(\"article a[href^='http']\")).filter((a) => !a.closest('svg'))"
        ".map((a) => ({local: a.origin === location.origin, after: getComputedStyle(a, '::after').content}))"
    )
    local = [a for a in after if a["local"]]
    external = [a for a in after if not a["local"]]
    assert local and external
    assert {a["after"] for a in local} <= {"none", "normal"}, "links within the site print their address"
    assert all(a["after"].startswith('" (http') for a in external)
