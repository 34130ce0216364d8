"""The pattern map: the catalog's relation graph laid out (:mod:`.layout`) and drawn as SVG (:mod:`.svg`)."""

from __future__ import annotations

from .layout import (
    EDGE_STYLES,
    Box,
    EdgeStyle,
    LegendItem,
    MapLayout,
    MapNode,
    PlacedGroup,
    PlacedNode,
    canonical_edge,
    find_label_collisions,
    group_title,
    layout_map,
    layout_neighbourhood,
    map_data,
    text_width,
    wrap_label,
)
from .layout import clear_caches as _clear_layout_caches
from .svg import clear_svg_caches, render_svg

__all__ = [
    "EDGE_STYLES",
    "Box",
    "EdgeStyle",
    "LegendItem",
    "MapLayout",
    "MapNode",
    "PlacedGroup",
    "PlacedNode",
    "canonical_edge",
    "find_label_collisions",
    "group_title",
    "layout_map",
    "layout_neighbourhood",
    "map_data",
    "text_width",
    "wrap_label",
    "render_svg",
    "clear_caches",
]


def clear_caches() -> None:
    """Forget the label sizes and escaped texts cached while maps were laid out and drawn."""
    _clear_layout_caches()
    clear_svg_caches()
