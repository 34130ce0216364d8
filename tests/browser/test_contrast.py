"""The contrast measurement used by the dark-mode map test, checked on pages with known colours."""

from __future__ import annotations

import pytest

from .conftest import Visit
from .contrast import blend, contrast_ratio, measure_text_contrast, parse_css_colour


def test_contrast_ratio_known_values() -> None:
    """Black on white is 21:1, a colour on itself 1:1, and #767676 on white just passes 4.5:1."""
    assert contrast_ratio((0, 0, 0), (255, 255, 255)) == pytest.approx(21.0)
    assert contrast_ratio((18, 52, 86), (18, 52, 86)) == pytest.approx(1.0)
    assert contrast_ratio((0x76, 0x76, 0x76), (255, 255, 255)) == pytest.approx(4.54, abs=0.01)


def test_parse_and_blend_css_colours() -> None:
    """Computed colours parse with their alpha; half-transparent white over black is mid grey."""
    assert parse_css_colour("rgb(1, 2, 3)") == ((1, 2, 3), 1.0)
    assert parse_css_colour("rgba(255, 255, 255, 0.5)") == ((255, 255, 255), 0.5)
    assert parse_css_colour("none") is None
    assert blend((255, 255, 255), 0.5, (0, 0, 0)) == (127.5, 127.5, 127.5)


SVG_PAGE = """<!doctype html><html><body style="margin:0;background:#ffffff">
<svg id="m" width="400" height="120" viewBox="0 0 400 120" style="font:16px sans-serif">
  <rect x="0" y="0" width="200" height="60" fill="#000000"/>
  <text x="10" y="35" fill="#777777">grey on black</text>
  <text x="210" y="35" fill="#333333">dark on white</text>
  <rect x="0" y="60" width="200" height="60" fill="#000000"/>
  <text x="10" y="95" fill="#333333">dark on black</text>
  <text x="210" y="95" fill="#000000" fill-opacity="0.3">faint on white</text>
</svg></body></html>"""


def test_measure_text_contrast_reads_painted_background(visit: Visit) -> None:
    """Each label's background is what is painted behind it: the black rect or the white page."""
    visit.page.set_content(SVG_PAGE)
    measured = {m.text: m for m in measure_text_contrast(visit.page, "#m")}
    assert set(measured) == {"grey on black", "dark on white", "dark on black", "faint on white"}
    assert measured["grey on black"].background == (0, 0, 0)
    assert measured["grey on black"].ratio == pytest.approx(contrast_ratio((0x77,) * 3, (0, 0, 0)), rel=0.01)
    assert measured["dark on white"].background == (255, 255, 255)
    assert measured["dark on white"].ratio > 12
    assert measured["dark on black"].ratio < 2
    assert measured["faint on white"].ratio < 2.5
