"""Drawing the pattern map as SVG, at build time: no JavaScript and no network.

Colours come from CSS classes and ``currentColor``, so the stylesheet can give the map
different colours in the light and the dark theme; dashes differ per relation type, so
the map does not rely on colour alone.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable
from functools import lru_cache

from .layout import _LEGEND_SAMPLE, _PAD_Y, EDGE_STYLES, FONT_SIZE, LINE_HEIGHT, Box, MapLayout, PlacedNode

__all__ = ["render_svg", "clear_svg_caches"]


def _clip(box: Box, toward: tuple[float, float]) -> tuple[float, float]:
    """Where the segment from the box's centre toward a point leaves the box."""
    cx, cy = box.x + box.w / 2, box.y + box.h / 2
    dx, dy = toward[0] - cx, toward[1] - cy
    if dx == 0 and dy == 0:
        return cx, cy
    scale = min((box.w / 2 + 2) / abs(dx) if dx else math.inf, (box.h / 2 + 2) / abs(dy) if dy else math.inf)
    scale = min(scale, 1.0)
    return cx + dx * scale, cy + dy * scale


def _edge_path(a: Box, b: Box, bend: float) -> str:
    ax, ay = a.x + a.w / 2, a.y + a.h / 2
    bx, by = b.x + b.w / 2, b.y + b.h / 2
    dx, dy = bx - ax, by - ay
    dist = math.hypot(dx, dy) or 1.0
    mx, my = (ax + bx) / 2, (ay + by) / 2
    offset = 0.12 * dist + bend
    cx, cy = mx - dy / dist * offset, my + dx / dist * offset
    sx, sy = _clip(a, (cx, cy))
    ex, ey = _clip(b, (cx, cy))
    return f"M{sx:.1f},{sy:.1f} Q{cx:.1f},{cy:.1f} {ex:.1f},{ey:.1f}"


@lru_cache(maxsize=1 << 15)
def _esc(text: str) -> str:
    # Cached: the same titles and summaries recur in many pages' neighbourhood maps.
    return html.escape(text, quote=True)


def render_svg(
    layout: MapLayout,
    *,
    href: Callable[[str], str | None],
    map_id: str,
    title: str,
    description: str = "",
    css_class: str = "archkb-map",
) -> str:
    """Render a layout as an inline SVG document fragment.

    Args:
        layout: The layout to draw.
        href: The link of each pattern's page by slug, relative to the page showing the map;
            ``None`` leaves the node unlinked.
        map_id: A prefix for element ids, unique on the page (two maps can share a page).
        title: The accessible name of the map (its ``<title>``).
        description: A longer description (its ``<desc>``).
        css_class: Extra class of the ``<svg>`` element.

    Returns:
        One ``<svg>`` element on a single logical block, with no blank lines, so
        Markdown passes it through untouched.
    """
    w, h = math.ceil(layout.width), math.ceil(layout.height)
    map_id = _esc(map_id)  # every id and reference below is inside an attribute
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{_esc(css_class)}" id="{map_id}" '
        f'xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="group" '
        f'aria-labelledby="{map_id}-title{" " + map_id + "-desc" if description else ""}" '
        f'font-size="{FONT_SIZE}">',
        f'<title id="{map_id}-title">{_esc(title)}</title>',
    ]
    if description:
        out.append(f'<desc id="{map_id}-desc">{_esc(description)}</desc>')
    out += _arrow_defs(map_id)
    out += _frames(layout)
    out += _edges(layout, map_id)
    out += _group_titles(layout)
    out.append('<g class="archkb-nodes">')
    for placed in layout.nodes.values():
        out.append(_render_node(placed, href(placed.node.slug) if not placed.current else None))
    out.append("</g>")
    if layout.legend:
        out += _legend(layout, map_id)
    out.append("</svg>")
    return "\n".join(out)


def _arrow_defs(map_id: str) -> list[str]:
    """The arrowheads of the relation types drawn with one."""
    out: list[str] = []
    out.append("<defs>")
    for style in EDGE_STYLES.values():
        if style.arrow:
            out.append(
                f'<marker id="{map_id}-arrow-{style.type}" viewBox="0 0 10 10" refX="9" refY="5" '
                f'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
                f'<path d="M0,0 L10,5 L0,10 z" fill="currentColor" '
                f'class="archkb-arrow archkb-rel--{style.type}"/></marker>'
            )
    out.append("</defs>")
    return out


def _frames(layout: MapLayout) -> list[str]:
    """The frames of the framed groups."""
    out: list[str] = []
    out.append('<g class="archkb-groups" aria-hidden="true">')
    for group in layout.groups:
        if group.framed:
            b = group.box
            out.append(
                f'<rect class="archkb-cluster" x="{b.x:.1f}" y="{b.y:.1f}" width="{b.w:.1f}" '
                f'height="{b.h:.1f}" rx="8" fill="none" stroke="currentColor" stroke-opacity="0.25"/>'
            )
    out.append("</g>")
    return out


def _edges(layout: MapLayout, map_id: str) -> list[str]:
    """One path per relation, two between the same pair bent apart, each titled."""
    out: list[str] = []
    out.append('<g class="archkb-edges" aria-hidden="true">')
    pair_count: dict[frozenset[str], int] = {}
    for source, rel_type, target in layout.edges:
        pair = frozenset((source, target))
        k = pair_count.get(pair, 0)
        pair_count[pair] = k + 1
        if rel_type not in EDGE_STYLES:
            continue
        style = EDGE_STYLES[rel_type]
        bend = 22.0 * k * (1 if source < target else -1)
        d = _edge_path(layout.nodes[source].box, layout.nodes[target].box, bend)
        attrs = f'class="archkb-edge archkb-rel--{rel_type}" d="{d}" fill="none" stroke="currentColor"'
        if style.dash:
            attrs += f' stroke-dasharray="{style.dash}"'
        if style.arrow:
            attrs += f' marker-end="url(#{map_id}-arrow-{rel_type})"'
        a_title, b_title = layout.nodes[source].node.title, layout.nodes[target].node.title
        out.append(f"<path {attrs}><title>{_esc(f'{a_title} {style.label} {b_title}')}</title></path>")
    out.append("</g>")
    return out


def _group_titles(layout: MapLayout) -> list[str]:
    """The groups' headings, over the edges."""
    out: list[str] = []
    # Headings go over the edges, with a halo in the background colour so they stay legible.
    out.append('<g class="archkb-group-titles" aria-hidden="true">')
    for group in layout.groups:
        t = group.title_box
        out.append(
            f'<text class="archkb-group-title" x="{t.x:.1f}" y="{t.y + 13:.1f}" font-size="13" '
            f'font-weight="bold" fill="currentColor" stroke="#ffffff" stroke-width="4" '
            f'stroke-linejoin="round" paint-order="stroke">{_esc(group.title)}</text>'
        )
    out.append("</g>")
    return out


def _legend(layout: MapLayout, map_id: str) -> list[str]:
    """The legend: a sample line and the label of each relation type shown."""
    out: list[str] = []
    out.append('<g class="archkb-legend" aria-hidden="true">')
    for item in layout.legend:
        style = item.style
        dash = f' stroke-dasharray="{style.dash}"' if style.dash else ""
        marker = f' marker-end="url(#{map_id}-arrow-{style.type})"' if style.arrow else ""
        out.append(
            f'<path class="archkb-edge archkb-rel--{style.type}" d="M{item.x:.1f},{item.y:.1f} '
            f'h{_LEGEND_SAMPLE - 4}" fill="none" stroke="currentColor"{dash}{marker}/>'
        )
        lb = item.label_box
        out.append(
            f'<text class="archkb-legend-label" x="{lb.x:.1f}" y="{item.y + 4:.1f}" '
            f'fill="currentColor">{_esc(style.label)}</text>'
        )
    out.append("</g>")
    return out


def _render_node(placed: PlacedNode, link: str | None) -> str:
    b, node = placed.box, placed.node
    classes = ["archkb-node"]
    if node.draft:
        classes.append("archkb-node--draft")
    if placed.current:
        classes.append("archkb-node--current")
    cx = b.x + b.w / 2
    first = b.y + _PAD_Y + LINE_HEIGHT - 3.5
    # The lines are joined by a space, so the text content (what assistive technology
    # compares with the accessible name) reads as the whole title.
    tspans = " ".join(
        f'<tspan x="{cx:.1f}" y="{first + i * LINE_HEIGHT:.1f}">{_esc(line)}</tspan>'
        for i, line in enumerate(placed.lines)
    )
    dash = ' stroke-dasharray="4 3"' if node.draft else ""
    shape = (
        f'<rect class="archkb-node-box" x="{b.x:.1f}" y="{b.y:.1f}" width="{b.w:.1f}" height="{b.h:.1f}" '
        f'rx="6" fill="#ffffff" stroke="currentColor"{dash}/>'
        f'<text class="archkb-node-label" text-anchor="middle" fill="currentColor">{tspans}</text>'
    )
    tooltip = f"<title>{_esc(node.title + (': ' + node.summary if node.summary else ''))}</title>"
    label = node.title + (" (draft)" if node.draft else "")
    if link is None:
        return (
            f'<g class="{" ".join(classes)}" data-slug="{_esc(node.slug)}" role="img" '
            f'aria-label="{_esc(label)}">{tooltip}{shape}</g>'
        )
    # xlink:href, not href: Material's instant navigation rewrites every [href] with el.href = el.href,
    # which throws on an SVG link (its href is read-only) and leaves the page half-navigated.
    return (
        f'<a class="{" ".join(classes)}" xlink:href="{_esc(link)}" data-slug="{_esc(node.slug)}" '
        f'aria-label="{_esc(label)}">{tooltip}{shape}</a>'
    )


def clear_svg_caches() -> None:
    """Forget the escaped texts cached while maps were drawn (frees their memory)."""
    _esc.cache_clear()
