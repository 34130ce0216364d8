"""Measure the contrast of text as the browser paints it (WCAG 2 contrast ratio).

The text colour comes from the computed style (``fill`` for SVG text, ``color`` for HTML), blended with
its opacity over the background; the background is read from a screenshot: the most common pixel colour
in the text's box, which is what lies behind the glyphs whatever element painted it (an SVG shape, a
page background, a gradient's dominant tone). Pixels are decoded by Chromium itself (a canvas), so no
image library is needed.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from typing import Any

RGB = tuple[float, float, float]

_COLOUR = re.compile(r"rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:\s*[,/]\s*([\d.]+%?))?\s*\)")


def parse_css_colour(value: str) -> tuple[RGB, float] | None:
    """Parse a computed CSS colour (``rgb(r, g, b)`` or ``rgba(r, g, b, a)``) into RGB and alpha.

    Returns:
        ``((r, g, b), alpha)`` with channels 0-255 and alpha 0-1, or ``None`` for ``none``, ``url(...)``
        and other values that are not a plain colour.
    """
    match = _COLOUR.search(value or "")
    if not match:
        return None
    r, g, b, a = match.groups()
    if a is None:
        alpha = 1.0
    elif a.endswith("%"):
        alpha = float(a[:-1]) / 100
    else:
        alpha = float(a)
    return (float(r), float(g), float(b)), alpha


def blend(foreground: RGB, alpha: float, background: RGB) -> RGB:
    """Composite ``foreground`` with opacity ``alpha`` over an opaque ``background``."""
    return tuple(f * alpha + b * (1 - alpha) for f, b in zip(foreground, background, strict=False))  # type: ignore[return-value]


def relative_luminance(colour: RGB) -> float:
    """WCAG 2 relative luminance of an sRGB colour with channels 0-255."""

    def linear(channel: float) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: RGB, b: RGB) -> float:
    """WCAG 2 contrast ratio between two opaque colours (1 to 21)."""
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


@dataclass(frozen=True)
class TextContrast:
    """One painted text and its measured contrast."""

    text: str
    foreground: RGB
    background: RGB
    ratio: float

    def __str__(self) -> str:
        """``'label': 2.10 (fg #aabbcc on bg #112233)``."""

        def hexa(c: RGB) -> str:
            return "#" + "".join(f"{round(x):02x}" for x in c)

        return f"{self.text!r}: {self.ratio:.2f} (fg {hexa(self.foreground)} on bg {hexa(self.background)})"


_TEXT_BOXES_JS = """
(root) => {
  const origin = root.getBoundingClientRect();
  const out = [];
  for (const el of root.querySelectorAll('text, tspan, foreignObject *')) {
    if (el.tagName.toLowerCase() === 'text' && el.querySelector('tspan')) continue;  // measure the tspans
    const text = (el.textContent || '').trim();
    if (!text || el.children.length && el.tagName.toLowerCase() !== 'text') continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none') continue;
    const box = el.getBoundingClientRect();
    if (box.width < 1 || box.height < 1) continue;
    let opacity = 1;
    for (let node = el; node && node !== root.parentElement; node = node.parentElement) {
      opacity *= parseFloat(getComputedStyle(node).opacity || '1');
    }
    const isSvg = el instanceof SVGElement;
    out.push({
      text,
      colour: isSvg ? style.fill : style.color,
      alpha: (isSvg ? parseFloat(style.fillOpacity || '1') : 1) * opacity,
      x: box.left - origin.left, y: box.top - origin.top, width: box.width, height: box.height,
    });
  }
  return out;
}
"""

_MODE_COLOURS_JS = """
async ([png, boxes]) => {
  const img = new Image();
  img.src = 'data:image/png;base64,' + png;
  await img.decode();
  const canvas = document.createElement('canvas');
  canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
  const ctx = canvas.getContext('2d', {willReadFrequently: true});
  ctx.drawImage(img, 0, 0);
  return boxes.map(({x, y, width, height}) => {
    const x0 = Math.max(0, Math.floor(x)), y0 = Math.max(0, Math.floor(y));
    const w = Math.max(1, Math.min(canvas.width - x0, Math.ceil(width)));
    const h = Math.max(1, Math.min(canvas.height - y0, Math.ceil(height)));
    const data = ctx.getImageData(x0, y0, w, h).data;
    const counts = new Map();
    let best = null, bestCount = 0;
    for (let i = 0; i < data.length; i += 4) {
      const key = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
      const n = (counts.get(key) || 0) + 1;
      counts.set(key, n);
      if (n > bestCount) { best = key; bestCount = n; }
    }
    return [(best >> 16) & 255, (best >> 8) & 255, best & 255];
  });
}
"""


def measure_text_contrast(page: Any, root: Any) -> list[TextContrast]:
    """Measure every text inside one element (e.g. the map's ``svg``).

    Args:
        page: A Playwright ``Page`` showing the element.
        root: A Playwright ``Locator`` (or a CSS selector) of the element holding the texts; its first match
            is measured.

    Returns:
        One :class:`TextContrast` per visible text (SVG ``text``/``tspan`` or HTML in ``foreignObject``).
    """
    root = (page.locator(root) if isinstance(root, str) else root).first
    root.scroll_into_view_if_needed()
    boxes = root.evaluate(_TEXT_BOXES_JS)
    if not boxes:
        return []
    png = base64.b64encode(root.screenshot(animations="disabled", scale="css")).decode("ascii")
    backgrounds = page.evaluate(_MODE_COLOURS_JS, [png, boxes])
    results = []
    for box, background in zip(boxes, backgrounds, strict=False):
        bg: RGB = tuple(float(c) for c in background)  # type: ignore[assignment]
        parsed = parse_css_colour(box["colour"])
        if parsed is None:
            continue  # text painted with a pattern or gradient: not measurable this way
        colour, alpha = parsed
        fg = blend(colour, alpha * box["alpha"], bg)
        results.append(TextContrast(box["text"], fg, bg, contrast_ratio(fg, bg)))
    return results
