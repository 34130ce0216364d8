"""The pattern map's layout: clusters, nodes and edges placed from the catalog, with no drawing.

Patterns are grouped into clusters by their first tag, clusters are placed on a grid,
nodes are laid out compactly inside each cluster, and every typed relation becomes an
edge in its drawing direction. The layout is deterministic (same catalog, same map) and
collision-free by construction; :func:`find_label_collisions` checks that claim.
:mod:`archkb.map.svg` draws it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from ..catalog.relations import RELATION_TYPES

__all__ = [
    "MapNode",
    "Box",
    "PlacedNode",
    "PlacedGroup",
    "LegendItem",
    "MapLayout",
    "EdgeStyle",
    "EDGE_STYLES",
    "canonical_edge",
    "wrap_label",
    "text_width",
    "group_title",
    "clear_caches",
    "map_data",
    "layout_map",
    "layout_neighbourhood",
    "find_label_collisions",
]

FONT_SIZE = 12
"""Font size of node labels, in SVG user units (pixels at scale 1)."""


CHAR_WIDTH = 7.2
"""A generous estimate of the average glyph width at :data:`FONT_SIZE` (0.6 em)."""


LINE_HEIGHT = 15
"""Distance between the baselines of a wrapped label."""


WRAP_AT = 22
"""Labels are wrapped at this many characters."""


MAX_WIDTH = 1150
"""The full map aims to be no wider than this (Material's content column with the sidebars hidden)."""


_PAD_X, _PAD_Y = 9, 7
_GAP_X, _GAP_Y = 12, 10
_GROUP_PAD, _GROUP_TITLE = 12, 24
_GROUP_GAP = 34
_LEGEND_SAMPLE, _LEGEND_H = 34, 22


_MARGIN = 8


@dataclass(frozen=True)
class EdgeStyle:
    """How one canonical relation type is drawn.

    Attributes:
        type: The canonical relation type (``uses``, ``refines``, ...).
        label: The wording in the legend.
        arrow: Whether the edge has an arrowhead at its target.
        dash: An SVG ``stroke-dasharray``, or ``None`` for a solid line.
    """

    type: str
    label: str
    arrow: bool
    dash: str | None


EDGE_STYLES: dict[str, EdgeStyle] = {
    name: EdgeStyle(name, rel.map_style.legend, rel.map_style.arrow, rel.map_style.dash)
    for name, rel in RELATION_TYPES.items()
    if rel.map_style is not None
}
"""Drawing style of each canonical relation type, in legend order, from the relation vocabulary."""

_FORWARD = {name: rel.inverse for name, rel in RELATION_TYPES.items() if rel.map_style is None}


def canonical_edge(source: str, rel_type: str, target: str) -> tuple[str, str, str]:
    """Return the edge in its drawing direction: inverse types are flipped to their forward form.

    ``("a", "used-by", "b")`` becomes ``("b", "uses", "a")``.
    """
    if rel_type in _FORWARD:
        return target, _FORWARD[rel_type], source
    return source, rel_type, target


@dataclass(frozen=True)
class MapNode:
    """A pattern as the map sees it.

    Attributes:
        slug: The pattern's slug.
        title: Its title (the node label).
        group: The cluster it belongs to (its first tag).
        summary: Its one-sentence summary (shown as a tooltip).
        draft: Whether the pattern is a draft.
    """

    slug: str
    title: str
    group: str
    summary: str = ""
    draft: bool = False


@dataclass(frozen=True)
class Box:
    """An axis-aligned rectangle that holds text, named for error messages.

    Attributes:
        x: Left edge.
        y: Top edge.
        w: Width.
        h: Height.
        name: What the box labels.
    """

    x: float
    y: float
    w: float
    h: float
    name: str = ""

    def overlaps(self, other: Box) -> bool:
        """Whether the two boxes share any area (touching edges do not count)."""
        return (
            self.x < other.x + other.w
            and other.x < self.x + self.w
            and self.y < other.y + other.h
            and other.y < self.y + self.h
        )


@dataclass
class PlacedNode:
    """A node with its position.

    Attributes:
        node: The pattern.
        lines: The label, wrapped.
        box: The node's rectangle (its label sits inside).
        current: Whether this is the page's own pattern (neighbourhood maps).
    """

    node: MapNode
    lines: list[str]
    box: Box
    current: bool = False


@dataclass
class PlacedGroup:
    """A titled group of nodes: a cluster on the full map, a relation type on a neighbourhood map.

    Attributes:
        title: The heading shown above the group.
        box: The group's frame.
        title_box: The heading's text box.
        framed: Whether to draw the frame.
    """

    title: str
    box: Box
    title_box: Box
    framed: bool = True


@dataclass
class LegendItem:
    """One entry of the legend: a sample stroke and its label.

    Attributes:
        style: The edge style shown.
        x: Left of the sample stroke.
        y: Vertical centre of the item.
        label_box: The label's text box.
    """

    style: EdgeStyle
    x: float
    y: float
    label_box: Box


@dataclass
class MapLayout:
    """A laid-out map, ready to render.

    Attributes:
        width: Width of the drawing.
        height: Height of the drawing.
        nodes: Placed nodes by slug.
        groups: Placed groups (clusters or relation headings).
        edges: Canonical edges ``(source, type, target)`` between placed nodes.
        legend: Legend items.
    """

    width: float
    height: float
    nodes: dict[str, PlacedNode] = field(default_factory=dict)
    groups: list[PlacedGroup] = field(default_factory=list)
    edges: list[tuple[str, str, str]] = field(default_factory=list)
    legend: list[LegendItem] = field(default_factory=list)

    def label_boxes(self) -> list[Box]:
        """Every box that holds text: node labels, group headings and legend labels."""
        boxes = [p.box for p in self.nodes.values()]
        boxes += [g.title_box for g in self.groups]
        boxes += [item.label_box for item in self.legend]
        boxes += [
            Box(item.x, item.y - 5, _LEGEND_SAMPLE, 10, f"legend sample {item.style.type}") for item in self.legend
        ]
        return boxes


def find_label_collisions(boxes: Sequence[Box]) -> list[tuple[Box, Box]]:
    """Return every pair of text boxes that overlap (an empty list means a readable map).

    A sweep over boxes sorted by left edge, so large maps stay fast.
    """
    ordered = sorted(boxes, key=lambda b: (b.x, b.y))
    collisions = []
    for i, box in enumerate(ordered):
        for other in ordered[i + 1 :]:
            if other.x >= box.x + box.w:
                break
            if box.overlaps(other):
                collisions.append((box, other))
    return collisions


def text_width(text: str, size: float = FONT_SIZE) -> float:
    """A generous estimate of how wide ``text`` renders at ``size``."""
    return len(text) * CHAR_WIDTH * size / FONT_SIZE


def wrap_label(text: str, width: int = WRAP_AT) -> list[str]:
    """Wrap a label greedily at word boundaries; a longer word keeps its own line."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if len(candidate) <= width or not current:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines or [""]


def clear_caches() -> None:
    """Forget the label sizes cached while maps were laid out (frees their memory)."""
    _label.cache_clear()


@lru_cache(maxsize=1 << 14)
def _label(title: str) -> tuple[list[str], float, float]:
    """A node's wrapped label and box size, cached: each pattern appears in several
    neighbourhood maps. Callers must not change the returned lines.
    """
    lines = wrap_label(title)
    return (lines, *_node_size(lines))


def _node_size(lines: list[str]) -> tuple[float, float]:
    width = max(text_width(line) for line in lines) + 2 * _PAD_X
    return width, len(lines) * LINE_HEIGHT + 2 * _PAD_Y


def map_data(catalog: object) -> tuple[list[MapNode], list[tuple[str, str, str]]]:
    """Nodes and canonical edges of a :class:`~archkb.catalog.Catalog`.

    Each pattern joins the cluster of its first tag (``other`` when it has none).
    """
    nodes = [
        MapNode(slug, entry.title, entry.tags[0] if entry.tags else "other", entry.summary, entry.is_draft)
        for slug, entry in catalog.patterns.items()  # type: ignore[attr-defined]
    ]
    edges = list(dict.fromkeys(canonical_edge(*edge) for edge in catalog.edges))  # type: ignore[attr-defined]
    return nodes, edges


_ACRONYMS = frozenset(
    ["api", "aws", "bff", "cqrs", "ddd", "gcp", "http", "io", "jvm", "rpc", "sla", "slo", "sre", "ui"]
)


def group_title(group: str) -> str:
    """A tag as a heading: ``api-gateway`` → ``API gateway``."""
    words = group.split("-")
    words = [w.upper() if w in _ACRONYMS else w for w in words]
    if words and words[0] == words[0].lower():
        words[0] = words[0].capitalize()
    return " ".join(words)


def _place_grid(
    items: list[tuple[MapNode, list[str], float, float]], columns: int, left: float, top: float
) -> tuple[list[PlacedNode], float, float]:
    """Place nodes row by row in ``columns`` columns of equal width; return nodes, width, height."""
    if not items:
        return [], 0.0, 0.0
    col_w = max(w for _, _, w, _ in items)
    placed = []
    y = top
    for start in range(0, len(items), columns):
        row = items[start : start + columns]
        row_h = max(h for _, _, _, h in row)
        for index, (node, lines, _w, h) in enumerate(row):
            x = left + index * (col_w + _GAP_X)
            placed.append(PlacedNode(node, lines, Box(x, y + (row_h - h) / 2, col_w, h, node.title)))
        y += row_h + _GAP_Y
    width = min(columns, len(items)) * (col_w + _GAP_X) - _GAP_X
    return placed, width, y - _GAP_Y - top


def _legend(types: Iterable[str], width: float, top: float) -> tuple[list[LegendItem], float]:
    """Lay the legend out in rows no wider than ``width``; return items and the height used."""
    items = []
    x: float = _MARGIN
    y = top + _LEGEND_H / 2
    for name in EDGE_STYLES:
        if name not in types:
            continue
        style = EDGE_STYLES[name]
        item_w = _LEGEND_SAMPLE + 6 + text_width(style.label)
        if x > _MARGIN and x + item_w > width - _MARGIN:
            x, y = _MARGIN, y + _LEGEND_H
        label = Box(
            x + _LEGEND_SAMPLE + 6, y - LINE_HEIGHT / 2, text_width(style.label), LINE_HEIGHT, f"legend {style.label}"
        )
        items.append(LegendItem(style, x, y, label))
        x += item_w + 18
    height = (y + _LEGEND_H / 2 - top) if items else 0.0
    return items, height


def _grid_width(widths: list[float], columns: int) -> float:
    """Width of a grid of clusters of these widths, ``columns`` per row."""
    col_w = [0.0] * columns
    for index, w in enumerate(widths):
        col_w[index % columns] = max(col_w[index % columns], w)
    return sum(col_w) + _GROUP_GAP * (columns - 1)


def _order_groups(groups: dict[str, list[MapNode]], edges: Sequence[tuple[str, str, str]]) -> list[str]:
    """Order clusters so that strongly connected ones sit next to each other (deterministic).

    Greedy: start with the largest cluster, then keep taking the cluster with the most
    edges to those already placed (ties: larger first, then by name). ``other`` goes last.
    """
    group_of = {n.slug: name for name, members in groups.items() for n in members}
    weight: dict[frozenset[str], int] = {}
    for source, _, target in edges:
        a, b = group_of.get(source), group_of.get(target)
        if a and b and a != b:
            weight[frozenset((a, b))] = weight.get(frozenset((a, b)), 0) + 1
    remaining = sorted((g for g in groups if g != "other"), key=lambda g: (-len(groups[g]), g))
    order: list[str] = []
    while remaining:
        best = max(
            remaining,
            key=lambda g: (
                sum(weight.get(frozenset((g, o)), 0) for o in order[-3:]),
                len(groups[g]),
                [-ord(c) for c in g],
            ),
        )
        order.append(best)
        remaining.remove(best)
    return order + (["other"] if "other" in groups else [])


def layout_map(
    nodes: Sequence[MapNode],
    edges: Sequence[tuple[str, str, str]],
    *,
    columns: int | None = None,
    legend_types: Iterable[str] | None = None,
) -> MapLayout:
    """Lay out the whole catalog: clusters by group on a grid, nodes compact within each.

    Args:
        nodes: The patterns.
        edges: Canonical edges; edges naming unknown nodes are dropped.
        columns: Clusters per grid row (default: about the square root of the cluster count, at most 4,
            fewer when that would be wider than :data:`MAX_WIDTH`).
        legend_types: The relation types in the legend (default: those used by ``edges``).

    Returns:
        The layout; its size grows with the catalog, so labels stay at full size.
    """
    groups: dict[str, list[MapNode]] = {}
    for node in sorted(nodes, key=lambda n: (n.title.lower(), n.slug)):
        groups.setdefault(node.group, []).append(node)
    names = _order_groups(groups, edges)

    # Size each cluster on its own first, then fit the grid around the largest ones.
    sized = []
    for name in names:
        members = groups[name]
        inner = 1 if len(members) <= 4 else 2 if len(members) <= 10 else 3
        items = [(n, lines, *_node_size(lines)) for n in members for lines in [wrap_label(n.title)]]
        _, w, h = _place_grid(items, inner, 0, 0)
        title = group_title(name)
        w = max(w, text_width(title, 13))
        sized.append((name, title, items, inner, w + 2 * _GROUP_PAD, h + _GROUP_TITLE + 2 * _GROUP_PAD))
    if columns is None:
        # As square as possible, but no wider than a wide content column when that can be helped.
        columns = max(1, min(4, math.ceil(math.sqrt(len(names)))))
        while columns > 1 and _grid_width([w for *_, w, _ in sized], columns) > MAX_WIDTH - 2 * _MARGIN:
            columns -= 1
    col_w = [0.0] * columns
    rows = math.ceil(len(sized) / columns) if sized else 0
    row_h = [0.0] * rows
    for index, (*_, w, h) in enumerate(sized):
        col_w[index % columns] = max(col_w[index % columns], w)
        row_h[index // columns] = max(row_h[index // columns], h)
    grid_w = sum(col_w) + _GROUP_GAP * (columns - 1)
    types = set(legend_types) if legend_types is not None else {t for _, t, _ in edges}
    legend, legend_h = _legend(types, grid_w + 2 * _MARGIN, _MARGIN)
    top0 = _MARGIN + legend_h + (16 if legend else 0)

    layout = MapLayout(width=grid_w + 2 * _MARGIN, height=0.0, legend=legend)
    for index, (name, title, items, inner, _w, _h) in enumerate(sized):
        col, row = index % columns, index // columns
        left = _MARGIN + sum(col_w[:col]) + _GROUP_GAP * col
        top = top0 + sum(row_h[:row]) + _GROUP_GAP * row
        placed, _, _ = _place_grid(items, inner, left + _GROUP_PAD, top + _GROUP_PAD + _GROUP_TITLE)
        for p in placed:
            layout.nodes[p.node.slug] = p
        frame = Box(left, top, col_w[col], row_h[row], f"cluster {name}")
        title_box = Box(left + _GROUP_PAD, top + _GROUP_PAD - 2, text_width(title, 13), 18, f"cluster title {name}")
        layout.groups.append(PlacedGroup(title, frame, title_box))
    layout.height = top0 + sum(row_h) + _GROUP_GAP * max(0, rows - 1) + _MARGIN
    layout.edges = [e for e in edges if e[0] in layout.nodes and e[2] in layout.nodes and e[0] != e[2]]
    return layout


def layout_neighbourhood(catalog: object, slug: str) -> MapLayout | None:
    """Lay out one pattern and its direct relations, grouped by relation type.

    The pattern sits in the middle; relation groups are shared between a left and a
    right column so the drawing stays short. Returns ``None`` when the pattern has no
    relations.
    """
    links = catalog.links.get(slug, [])  # type: ignore[attr-defined]
    patterns = catalog.patterns  # type: ignore[attr-defined]
    if not links or slug not in patterns:
        return None
    by_type: dict[str, list[Any]] = {}
    for link in links:
        by_type.setdefault(link.type, []).append(link)

    def node_of(s: str) -> MapNode:
        e = patterns[s]
        return MapNode(s, e.title, "", e.summary, e.is_draft)

    sides: list[list[tuple[str, list[Any]]]] = [[], []]
    heights = [0.0, 0.0]
    for rel_type, group_links in by_type.items():
        items = [(node_of(link.slug), *_label(patterns[link.slug].title)) for link in group_links]
        h = _GROUP_TITLE + sum(i[3] for i in items) + _GAP_Y * len(items)
        shorter = 0 if heights[0] <= heights[1] else 1
        sides[shorter].append((rel_type, items))
        heights[shorter] += h + 8
    side_w = [
        max(
            (max(max(i[2] for i in items), text_width(RELATION_TYPES[t].heading, 13)) for t, items in side), default=0.0
        )
        for side in sides
    ]
    centre_lines, cw, ch = _label(patterns[slug].title)
    gap = 70
    used = {canonical_edge(slug, link.type, link.slug)[1] for link in links}
    total_w = side_w[0] + side_w[1] + cw + gap * (int(side_w[0] > 0) + int(side_w[1] > 0)) + 2 * _MARGIN
    legend, legend_h = _legend(used, max(total_w, 320), _MARGIN)
    total_w = max(total_w, 320)
    top0 = _MARGIN + legend_h + 14
    body_h = max(heights[0], heights[1], ch)
    layout = MapLayout(width=total_w, height=top0 + body_h + _MARGIN, legend=legend)

    lefts = [_MARGIN, _MARGIN + side_w[0] + (gap if side_w[0] else 0) + cw + gap]
    centre_x = _MARGIN + side_w[0] + (gap if side_w[0] else 0)
    if not side_w[0]:
        lefts[1] = centre_x + cw + gap
    layout.nodes[slug] = PlacedNode(
        node_of(slug), centre_lines, Box(centre_x, top0 + (body_h - ch) / 2, cw, ch, patterns[slug].title), True
    )
    for side_index, side in enumerate(sides):
        y = top0 + (body_h - heights[side_index]) / 2
        for rel_type, items in side:
            heading = RELATION_TYPES[rel_type].heading
            title_box = Box(lefts[side_index], y, text_width(heading, 13), 18, f"relation heading {rel_type}")
            start = y
            y += _GROUP_TITLE
            for node, lines, _w, h in items:
                if node.slug not in layout.nodes:
                    layout.nodes[node.slug] = PlacedNode(
                        node, lines, Box(lefts[side_index], y, side_w[side_index], h, node.title)
                    )
                    y += h + _GAP_Y
            layout.groups.append(
                PlacedGroup(
                    heading, Box(lefts[side_index], start, side_w[side_index], y - start), title_box, framed=False
                )
            )
            y += 8
    layout.edges = list(dict.fromkeys(canonical_edge(slug, link.type, link.slug) for link in links))
    return layout
