"""Citation previews: focusing a citation shows its reference in a tooltip, accessibly, and without JavaScript it is a plain link."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Visit
from .harness import describe_violations, run_axe

CITATION = "article a[href*='reading-list/#ref-']"
BLOCKING_IMPACTS = {"serious", "critical"}


def first_citation(visit: Visit) -> Any:
    """The first citation link of the page's text (one that carries a preview).

    An element handle, not a locator: the theme takes the ``title`` away while its tooltip shows.
    """
    link = visit.page.locator(f"{CITATION}[title]").first
    assert link.count() == 1, "the pattern page has no citation link with a title"
    return link.element_handle()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_focus_shows_the_preview_and_axe_finds_nothing_serious(
    browser: Any, base_url: str, sample_pattern: str, scheme: str
) -> None:
    visit = Visit(browser, base_url, color_scheme=scheme)
    try:
        check_focus_preview(visit, sample_pattern)
        external = list(visit.watch.external_requests)
    finally:
        visit.close()
    assert not external, f"the page made external requests: {external}"


def check_focus_preview(visit: Visit, sample_pattern: str) -> None:
    visit.goto(f"patterns/{sample_pattern}/")
    page = visit.page
    link = first_citation(visit)
    preview = link.get_attribute("title")
    assert preview and preview.count(" · ") >= 3, f"the preview lacks title, authors, date or link state: {preview!r}"
    assert preview.rsplit(" · ", 1)[-1].startswith("Link "), preview

    # Keyboard focus, as a reader tabbing through the text would give it.
    assert link.evaluate("(a) => a.tabIndex") >= 0
    link.focus()
    assert link.evaluate("(a) => document.activeElement === a")
    tooltip = page.locator(".md-tooltip2--active")
    tooltip.wait_for(state="visible", timeout=5_000)
    assert tooltip.inner_text().strip() == preview
    assert tooltip.get_attribute("role") == "tooltip"
    assert link.get_attribute("title") is None  # no second, native tooltip meanwhile
    # The link names its description while the tooltip shows (Material sets aria-describedby).
    described = link.get_attribute("aria-describedby")
    assert described and page.locator(f"#{described}").inner_text().strip() == preview
    # The page stays where it was: a preview, not a navigation.
    assert visit.url_path() == f"patterns/{sample_pattern}/"

    violations = [v for v in run_axe(page) if v["impact"] in BLOCKING_IMPACTS]
    assert not violations, f"axe-core, with a preview showing:\n{describe_violations(violations)}"

    # Leaving the link hides the preview and gives the title back.
    page.keyboard.press("Tab")
    link.wait_for_element_state("stable")
    page.wait_for_function(
        "([a, id]) => a.getAttribute('title') !== null && !a.hasAttribute('aria-describedby')"
        " && !document.querySelector(`#${id}.md-tooltip2--active`)",
        arg=[link, described],
    )
    assert link.get_attribute("title") == preview
    assert not visit.watch.console_errors, visit.watch.console_errors


def test_hover_shows_the_preview(visit: Visit, sample_pattern: str) -> None:
    visit.goto(f"patterns/{sample_pattern}/")
    link = first_citation(visit)
    preview = link.get_attribute("title")
    link.hover()
    tooltip = visit.page.locator(".md-tooltip2--active")
    tooltip.wait_for(state="visible", timeout=5_000)
    assert tooltip.inner_text().strip() == preview


def test_without_javascript_a_citation_is_a_plain_link(browser: Any, base_url: str, sample_pattern: str) -> None:
    context = browser.new_context(java_script_enabled=False, service_workers="block")
    try:
        page = context.new_page()
        page.goto(f"{base_url}patterns/{sample_pattern}/")
        link = page.locator(f"{CITATION}[title]").first.element_handle()
        preview = link.get_attribute("title")
        assert preview and " · " in preview
        href = link.get_attribute("href")
        link.focus()
        assert link.evaluate("(a) => document.activeElement === a")
        page.keyboard.press("Enter")
        page.wait_for_url(f"**/reading-list/{href.split('reading-list/', 1)[1]}")
        anchor = href.split("#", 1)[1]
        assert page.locator(f"[id='{anchor}']").count() == 1
    finally:
        context.close()
