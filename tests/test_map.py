"""The pattern map: layout without label collisions, typed edges, links and accessible names."""

from __future__ import annotations

import random
import xml.etree.ElementTree as ET

import pytest

from archkb import load_catalog
from archkb.map.layout import (
    EDGE_STYLES,
    MAX_WIDTH,
    Box,
    MapNode,
    canonical_edge,
    find_label_collisions,
    layout_map,
    layout_neighbourhood,
    map_data,
    wrap_label,
)
from archkb.map.svg import render_svg
from archkb.site.urls import page_href
from conftest import pattern_text

SVG = "{http://www.w3.org/2000/svg}"
WORDS = [
    "event",
    "sourcing",
    "saga",
    "outbox",
    "gateway",
    "cache",
    "sidecar",
    "ambassador",
    "bulkhead",
    "breaker",
    "queue",
    "partition",
    "replica",
    "shard",
    "leader",
    "election",
    "backpressure",
    "throttling",
    "retry",
    "hedging",
    "canary",
    "blue",
    "green",
]


def synthetic(n: int, *, seed: int = 7) -> tuple[list[MapNode], list[tuple[str, str, str]]]:
    """``n`` patterns in about n/5 clusters, long and short titles, a few relations each."""
    rng = random.Random(seed)
    groups = [f"group-{i}" for i in range(max(1, n // 5))]
    nodes = []
    for i in range(n):
        words = rng.sample(WORDS, rng.randint(1, 6))
        title = " ".join(words).capitalize() + f" {i}"
        nodes.append(MapNode(f"p{i}", title, rng.choice(groups), f"Summary {i}."))
    types = list(EDGE_STYLES)
    edges = []
    for i in range(n):
        for _ in range(rng.randint(1, 3)):
            j = rng.randrange(n)
            if j != i:
                edges.append((f"p{i}", rng.choice(types), f"p{j}"))
    return nodes, edges


@pytest.mark.parametrize("count", [40, 60])
def test_no_label_collisions_at_scale(count):
    nodes, edges = synthetic(count)
    layout = layout_map(nodes, edges)
    assert len(layout.nodes) == count
    boxes = layout.label_boxes()
    assert len(boxes) > count  # nodes, cluster titles and legend labels are all checked
    assert find_label_collisions(boxes) == []
    # Labels stay at full size: the map grows downwards instead of overflowing the content column.
    assert layout.width <= MAX_WIDTH
    # Every box lies inside the drawing.
    for box in boxes:
        assert box.x >= 0 and box.y >= 0
        assert box.x + box.w <= layout.width + 0.01 and box.y + box.h <= layout.height + 0.01, box


@pytest.mark.parametrize("count", [40, 60])
def test_labels_fit_inside_their_nodes(count):
    nodes, edges = synthetic(count, seed=count)
    layout = layout_map(nodes, edges)
    # Measured with a real font's metrics (DejaVu Sans, a wide sans-serif, from matplotlib) rather
    # than with the layout's own per-character estimate: the labels must fit as drawn.
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextPath

    font = FontProperties(family="DejaVu Sans")
    for placed in layout.nodes.values():
        assert " ".join(placed.lines) == placed.node.title
        for line in placed.lines:
            drawn = TextPath((0, 0), line, size=12, prop=font).get_extents()
            assert drawn.width <= placed.box.w - 2 * 8, (line, drawn.width, placed.box.w)  # inside its padding
        assert placed.box.h >= len(placed.lines) * 12 * 1.2  # lines at least 1.2 em apart


def test_collision_check_finds_overlaps():
    a, b, c = Box(0, 0, 10, 10, "a"), Box(5, 5, 10, 10, "b"), Box(10, 0, 5, 6, "c")
    collisions = find_label_collisions([a, b, c])
    assert {(x.name, y.name) for x, y in collisions} == {("a", "b"), ("b", "c")}
    assert find_label_collisions([a, c]) == []  # touching edges do not collide


def test_layout_is_deterministic_and_clusters_by_group():
    nodes, edges = synthetic(40)
    first = render_svg(layout_map(nodes, edges), href=lambda s: f"{s}/", map_id="m", title="Map")
    second = render_svg(layout_map(list(reversed(nodes)), edges), href=lambda s: f"{s}/", map_id="m", title="Map")
    assert first == second
    layout = layout_map(nodes, edges)
    frames = {g.box.name: g.box for g in layout.groups}
    for placed in layout.nodes.values():
        frame = frames[f"cluster {placed.node.group}"]
        b = placed.box
        assert frame.x <= b.x and b.x + b.w <= frame.x + frame.w
        assert frame.y <= b.y and b.y + b.h <= frame.y + frame.h


def test_svg_nodes_are_labelled_links_and_edges_are_typed():
    nodes, edges = synthetic(40)
    layout = layout_map(nodes, edges)
    svg = render_svg(
        layout, href=lambda s: f"../patterns/{s}/", map_id="full", title="Pattern map", description="All patterns."
    )
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "group" and root.get("aria-labelledby") == "full-title full-desc"
    assert root.find(f"{SVG}title").text == "Pattern map"
    links = root.findall(f".//{SVG}a")
    assert len(links) == 40
    by_slug = {n.slug: n for n in nodes}
    for link in links:
        assert link.get("class") == "archkb-node"
        slug = link.get("data-slug")
        assert link.get("{http://www.w3.org/1999/xlink}href") == f"../patterns/{slug}/"
        assert link.get("aria-label") == by_slug[slug].title
    paths = [
        p
        for p in root.iter(f"{SVG}path")
        if "archkb-edge" in (p.get("class") or "") and p.find(f"{SVG}title") is not None
    ]
    drawn = {(p.get("class").split("archkb-rel--")[1]) for p in paths}
    assert len(paths) == len(layout.edges)
    assert drawn == {t for _, t, _ in layout.edges}
    legend = root.find(f".//{SVG}g[@class='archkb-legend']")
    labels = {t.text for t in legend.iter(f"{SVG}text")}
    assert labels == {EDGE_STYLES[t].label for t in drawn}
    # Arrowheads exist for the directed types, and each id is prefixed by the map id.
    marker_ids = {m.get("id") for m in root.iter(f"{SVG}marker")}
    assert marker_ids == {f"full-arrow-{t}" for t, s in EDGE_STYLES.items() if s.arrow}


def test_titles_are_escaped():
    nodes = [MapNode("a", 'Q&A <fast> "path"', "g"), MapNode("b", "B", "g")]
    svg = render_svg(layout_map(nodes, [("a", "uses", "b")]), href=lambda s: f"{s}?x=1&y=2", map_id="m", title="T & T")
    root = ET.fromstring(svg)  # well-formed XML despite the special characters
    assert root.find(f".//{SVG}a[@data-slug='a']").get("aria-label") == 'Q&A <fast> "path"'
    assert root.find(f".//{SVG}a[@data-slug='a']").get("{http://www.w3.org/1999/xlink}href") == "a?x=1&y=2"


def test_the_map_id_is_escaped_in_every_attribute_it_lands_in():
    """The id prefix is made from a slug, which validation holds to lowercase words; the SVG
    escapes it all the same, in the ids, aria-labelledby and every marker reference."""
    nodes = [MapNode("a", "A", "g"), MapNode("b", "B", "g")]
    hostile = 'm" onload="alert(1)'
    svg = render_svg(
        layout_map(nodes, [("a", "uses", "b")]), href=lambda s: f"{s}/", map_id=hostile, title="T", description="D"
    )
    root = ET.fromstring(svg)  # still well-formed: no attribute was closed early
    assert "onload" not in root.attrib and root.get("id") == hostile
    assert root.get("aria-labelledby") == f"{hostile}-title {hostile}-desc"
    assert root.find(f"{SVG}title").get("id") == f"{hostile}-title"
    markers = [el.get("marker-end") for el in root.iter() if el.get("marker-end")]
    assert markers and all(m.startswith(f"url(#{hostile}-arrow-") for m in markers)
    assert not [el for el in root.iter() if any(name.startswith("on") for name in el.attrib)]


def test_canonical_edges_flip_inverse_types():
    assert canonical_edge("a", "used-by", "b") == ("b", "uses", "a")
    assert canonical_edge("a", "refined-by", "b") == ("b", "refines", "a")
    assert canonical_edge("a", "follows-from", "b") == ("b", "leads-to", "a")
    assert canonical_edge("a", "complements", "b") == ("a", "complements", "b")


def test_wrap_label():
    assert wrap_label("Short") == ["Short"]
    assert wrap_label("Decompose by business capability") == ["Decompose by business", "capability"]
    assert wrap_label("Supercalifragilisticexpialidocious word") == ["Supercalifragilisticexpialidocious", "word"]


def test_page_href_matches_mkdocs_urls():
    assert page_href("map.md", "patterns/a.md") == "../patterns/a/"
    assert page_href("index.md", "patterns/a.md") == "patterns/a/"
    assert page_href("patterns/a.md", "map.md") == "../../map/"
    assert page_href("patterns/a.md", "patterns/b.md") == "../b/"
    assert page_href("patterns/a.md", "index.md") == "../../"
    assert page_href("map.md", "patterns/a.md", directory_urls=False) == "patterns/a.html"
    assert page_href("patterns/a.md", "map.md", directory_urls=False) == "../map.html"


@pytest.fixture
def catalog(site):
    return load_catalog(site.root)


def test_map_data_from_catalog(catalog):
    nodes, edges = map_data(catalog)
    assert {n.slug for n in nodes} == {"alpha", "beta", "gamma"}
    assert set(edges) == {
        ("alpha", "uses", "beta"),
        ("alpha", "alternative-to", "gamma"),
        ("gamma", "leads-to", "beta"),
    }


def test_neighbourhood_shows_direct_relations_only(site):
    site.write(
        "patterns/delta.md",
        pattern_text(
            "Delta",
            related="""
        - pattern: gamma
          type: refines
        """,
        ),
    )
    catalog = load_catalog(site.root)
    layout = layout_neighbourhood(catalog, "beta")
    assert set(layout.nodes) == {"beta", "alpha", "gamma"}  # delta is two hops away
    assert layout.nodes["beta"].current
    assert {g.title for g in layout.groups} == {"Used by", "Follows from"}
    assert set(layout.edges) == {("alpha", "uses", "beta"), ("gamma", "leads-to", "beta")}
    assert find_label_collisions(layout.label_boxes()) == []
    svg = render_svg(layout, href=lambda s: f"../{s}/", map_id="n", title="Around beta")
    root = ET.fromstring(svg)
    # The page's own pattern is not a link to itself.
    assert {a.get("data-slug") for a in root.iter(f"{SVG}a")} == {"alpha", "gamma"}
    assert root.find(f".//{SVG}g[@data-slug='beta']").get("aria-label") == "Beta"


def test_neighbourhood_of_a_lone_pattern_is_none(site):
    site.write("patterns/lone.md", pattern_text("Lone"))
    assert layout_neighbourhood(load_catalog(site.root), "lone") is None


def test_neighbourhood_with_many_relations_stays_readable(site):
    related = "\n".join(
        f"- pattern: n{i}\n  type: {t}"
        for i, t in enumerate(
            [
                "uses",
                "used-by",
                "refines",
                "complements",
                "leads-to",
                "alternative-to",
                "conflicts-with",
                "follows-from",
                "uses",
                "complements",
                "uses",
                "used-by",
            ]
        )
    )
    site.write("patterns/hub.md", pattern_text("Hub of a rather long pattern title", related=related))
    for i in range(12):
        site.write(f"patterns/n{i}.md", pattern_text(f"Neighbour number {i} with a long name"))
    layout = layout_neighbourhood(load_catalog(site.root), "hub")
    assert len(layout.nodes) == 13
    assert find_label_collisions(layout.label_boxes()) == []


def test_cluster_titles_read_as_headings():
    nodes = [MapNode("a", "A", "api-gateway"), MapNode("b", "B", "resilience"), MapNode("c", "C", "sre-practice")]
    titles = {g.title for g in layout_map(nodes, []).groups}
    assert titles == {"API gateway", "Resilience", "SRE practice"}
