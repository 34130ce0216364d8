"""Print: pattern pages, the reading list and the map print cleanly with the project's print stylesheet."""

from __future__ import annotations

from .conftest import Visit

HIDDEN_WHEN_PRINTED = (".md-header", ".md-sidebar--primary", ".md-sidebar--secondary", ".md-search", ".md-footer")

DISPLAY_JS = "(sel) => Array.from(document.querySelectorAll(sel)).map((el) => getComputedStyle(el).display)"

AFTER_JS = """
(local) => Array.from(document.querySelectorAll("article a[href^='http']"))
  .filter((a) => !a.closest('svg') && (a.origin === location.origin) === local)
  .map((a) => ({href: a.getAttribute('href'), after: getComputedStyle(a, '::after').content}))
"""


def printed(visit: Visit, path: str) -> None:
    visit.goto(path)
    visit.page.emulate_media(media="print")
    # The print stylesheet is the project's own, imported for print media by archkb.css.
    assert visit.page.evaluate(
        "() => Array.from(document.styleSheets).some((s) => Array.from(s.cssRules || []).some("
        "(r) => r.styleSheet && (r.styleSheet.href || '').endsWith('/archkb-print.css')))"
    ), "archkb-print.css is not imported"


def assert_navigation_hidden(visit: Visit) -> None:
    for selector in HIDDEN_WHEN_PRINTED:
        displays = visit.page.evaluate(DISPLAY_JS, selector)
        assert displays, f"the page has no {selector}"
        assert set(displays) == {"none"}, f"{selector} is still shown when printed: {displays}"
    # And nothing of it takes up room: the article starts at the left edge of the page.
    left = visit.page.evaluate("() => document.querySelector('article').getBoundingClientRect().left")
    assert left < 40, f"the article starts {left}px from the left edge: the navigation still takes room"


def assert_urls_shown(visit: Visit) -> list[dict]:
    links = visit.page.evaluate(AFTER_JS, False)
    assert links, "the page has no external links"
    wrong = [link for link in links if link["after"] != f'" ({link["href"]})"']
    assert not wrong, f"external links printed without their URL: {wrong[:3]}"
    # Links to the site itself print as text, also once instant navigation made them absolute.
    local = visit.page.evaluate(AFTER_JS, True)
    assert not [link for link in local if link["after"] not in ("none", "normal")], local[:3]
    return links


def test_pattern_page_prints_without_navigation_and_with_urls(visit: Visit, sample_pattern: str) -> None:
    printed(visit, f"patterns/{sample_pattern}/")
    assert_navigation_hidden(visit)
    assert_urls_shown(visit)
    # Relative links (other patterns, the reading list) print as plain text.
    internal = visit.page.evaluate(
        "() => getComputedStyle(document.querySelector(\"article a[href*='reading-list/#ref-']\"), '::after').content"
    )
    assert internal in ("none", "normal")
    # Screen media again: the URLs are gone.
    visit.page.emulate_media(media="screen")
    assert {link["after"] for link in visit.page.evaluate(AFTER_JS, False)} <= {"none", "normal"}


def test_reading_list_prints_whole_references(visit: Visit) -> None:
    printed(visit, "reading-list/")
    assert_navigation_hidden(visit)
    assert_urls_shown(visit)
    page = visit.page
    assert set(page.evaluate(DISPLAY_JS, "#archkb-filter, #archkb-filter-links")) == {"none"}
    breaks = set(
        page.evaluate(
            "() => Array.from(document.querySelectorAll('.archkb-ref')).map((el) => getComputedStyle(el).breakInside)"
        )
    )
    assert breaks == {"avoid"}, breaks
    # Chromium lays the page out for paper without error.
    assert page.pdf(format="A4")[:5] == b"%PDF-"


def test_map_scales_to_the_page(visit: Visit) -> None:
    printed(visit, "map/")
    assert_navigation_hidden(visit)
    page = visit.page
    page.set_viewport_size({"width": 700, "height": 900})  # about an A4 page's width in CSS pixels
    sizes = page.evaluate("""() => {
      const svg = document.querySelector('svg.archkb-map--full');
      const article = document.querySelector('article');
      return {svg: svg.getBoundingClientRect().width, article: article.getBoundingClientRect().width,
              natural: Number(svg.getAttribute('width'))};
    }""")
    assert sizes["natural"] > sizes["article"], "the map is narrower than the page anyway: nothing to test"
    assert sizes["svg"] <= sizes["article"] + 1, sizes
