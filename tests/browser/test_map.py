"""The pattern map: every node is a link that opens its pattern, and the dark scheme keeps labels legible."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from archkb.catalog.yamlload import split_front_matter

from .conftest import Visit
from .contrast import measure_text_contrast
from .harness import REPO, set_dark_scheme

MIN_TEXT_CONTRAST = 4.5
"""WCAG AA for normal-size text."""

NODE_TARGETS_JS = """
() => Array.from(document.querySelectorAll('a.archkb-node')).map(
  (a) => a.href && a.href.baseVal !== undefined ? a.href.baseVal : (a.getAttribute('href') || a.getAttribute('xlink:href'))
)
"""

HEADING_TEXT_JS = """
(el) => Array.from(el.childNodes)
  .filter((n) => !(n.classList && n.classList.contains('headerlink')))
  .map((n) => n.textContent).join('').trim()
"""


def pattern_title(slug: str) -> str:
    """The ``title`` in a pattern's front matter."""
    text = (REPO / "patterns" / f"{slug}.md").read_text(encoding="utf-8")
    return yaml.safe_load(split_front_matter(text).yaml_text or "")["title"]


def node_slug(href: str) -> str | None:
    """The pattern slug a map node links to (``../patterns/x/`` -> ``x``), or ``None``."""
    match = re.search(r"patterns/([a-z0-9-]+)/?(?:index\.html)?(?:[#?].*)?$", href or "")
    return match.group(1) if match else None


def test_map_has_a_node_for_every_pattern(visit: Visit, pattern_slugs: list[str]) -> None:
    """The map page shows one linked node per pattern of the catalog."""
    visit.goto("map/")
    targets = visit.page.evaluate(NODE_TARGETS_JS)
    assert targets, "the map page has no a.archkb-node links"
    linked = {node_slug(href) for href in targets}
    missing = sorted(set(pattern_slugs) - linked)
    assert not missing, f"patterns without a node on the map: {missing}"


def test_clicking_a_map_node_opens_its_pattern(visit: Visit, sample_pattern: str) -> None:
    """A click on a node navigates to that pattern's page."""
    visit.goto("map/")
    targets = visit.page.evaluate(NODE_TARGETS_JS)
    index = next((i for i, href in enumerate(targets) if node_slug(href) == sample_pattern), None)
    assert index is not None, f"no map node links to {sample_pattern}: {targets[:5]}..."
    node = visit.page.locator("a.archkb-node").nth(index)
    node.scroll_into_view_if_needed()
    node.click()
    visit.page.wait_for_url(re.compile(rf"/patterns/{re.escape(sample_pattern)}/"))
    assert visit.url_path().startswith(f"patterns/{sample_pattern}/")
    heading = visit.page.locator("article h1").first.evaluate(HEADING_TEXT_JS)
    assert heading == pattern_title(sample_pattern)


def test_dark_scheme_map_labels_are_legible(visit: Visit, tmp_path: Path) -> None:
    """In the slate scheme every text of the map is painted at 4.5:1 or more against what lies behind it."""
    visit.goto("map/")
    set_dark_scheme(visit.page)
    # A map taller than the window is shot in one piece; the sticky header must not paint over it.
    visit.page.add_style_tag(content=".md-header { position: static !important; }")
    visit.page.wait_for_timeout(200)  # palette transition
    maps = visit.page.locator(".md-content svg:has(a.archkb-node)")
    assert maps.count() >= 1, "the map page has no SVG with a.archkb-node links"
    screenshot = tmp_path / "map-dark.png"
    maps.first.screenshot(path=str(screenshot), animations="disabled")
    assert screenshot.stat().st_size > 1000

    assert measure_text_contrast(visit.page, maps.first), "the map has no SVG text labels"
    drawings = visit.page.locator(".md-content svg:has(text)")  # the map and any separate legend
    measured = [m for i in range(drawings.count()) for m in measure_text_contrast(visit.page, drawings.nth(i))]
    weak = [m for m in measured if m.ratio < MIN_TEXT_CONTRAST]
    assert not weak, (
        f"map texts below {MIN_TEXT_CONTRAST}:1 in the dark scheme (screenshot {screenshot}):\n"
        + "\n".join(map(str, weak))
    )
