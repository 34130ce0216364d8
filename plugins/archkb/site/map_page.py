"""The pattern map page, the map preview and each pattern's neighbourhood map.
"""

from __future__ import annotations

from .html import HtmlSink, place_html as _place, link_href as _href
from .text import escape_html as _esc, escape_attr as _attr, escape_html_cached as _escaped, md_escape, front_matter as _front_matter
from .urls import MAP_URI, pattern_uri
from ..catalog.graph import Catalog, PatternEntry
from ..map.layout import MapLayout, group_title, layout_map, layout_neighbourhood, map_data
from ..map.svg import render_svg

__all__ = ['render_neighbourhood', 'catalog_map_layout', 'render_map_page', 'render_map_preview', 'map_text_groups']

def render_neighbourhood(entry: PatternEntry, catalog: Catalog, *, from_uri: str | None = None,
                         directory_urls: bool = True, deferred: HtmlSink | None = None) -> str:
    """A figure with the small map of a pattern's direct relations (empty when it has none)."""
    from_uri = from_uri or pattern_uri(entry.slug)
    layout = layout_neighbourhood(catalog, entry.slug)
    if layout is None:
        return ""
    svg = render_svg(layout, href=lambda slug: _href(deferred, from_uri, pattern_uri(slug), None, directory_urls),
                     map_id=f"archkb-map-{entry.slug}", title=f"Patterns related to {entry.title}",
                     description=f"{entry.title} and the {len(layout.nodes) - 1} patterns it is directly "
                                 "related to, grouped by relation type.",
                     css_class="archkb-map archkb-map--neighbourhood")
    full = _href(deferred, from_uri, MAP_URI, None, directory_urls)
    return (f'<figure class="archkb-figure archkb-figure--neighbourhood">\n{svg}\n'
            f'<figcaption>The neighbourhood of {_escaped(entry.title)}. '
            f'<a href="{_attr(full)}">Open the full pattern map</a>.</figcaption>\n</figure>\n')


def catalog_map_layout(catalog: Catalog) -> MapLayout:
    """The laid-out map of the whole catalog, as the map page and the map preview draw it."""
    nodes, edges = map_data(catalog)
    return layout_map(nodes, edges)


def _full_map_svg(layout: MapLayout, from_uri: str, directory_urls: bool, map_id: str, css_class: str,
                  deferred: HtmlSink | None = None) -> str:
    return render_svg(layout, href=lambda slug: _href(deferred, from_uri, pattern_uri(slug), None, directory_urls),
                      map_id=map_id, title="Pattern map",
                      description=f"All {len(layout.nodes)} patterns of the catalog, clustered by main tag, "
                                  f"with their {len(layout.edges)} typed relations.",
                      css_class=css_class)


def render_map_page(catalog: Catalog, *, directory_urls: bool = True,
                    deferred: HtmlSink | None = None, layout: MapLayout | None = None) -> str:
    """The "Pattern map" page: every pattern and relation as an inline SVG, plus a text version.

    ``layout`` is the catalog's :func:`catalog_map_layout`, when the caller has it already.
    """
    uri = MAP_URI
    nodes, edges = map_data(catalog)
    svg = _full_map_svg(layout or layout_map(nodes, edges), uri, directory_urls, "archkb-map-full",
                        "archkb-map archkb-map--full", deferred)
    out = [_front_matter(title="Pattern map",
                         description="Every pattern of the catalog and every typed relation between them.",
                         hide=["navigation", "toc"]),
           "# Pattern map\n",
           f"All {len(nodes)} patterns and their {len(edges)} typed relations, drawn from the catalog at "
           "build time. Patterns are clustered by their main tag; the legend shows how each relation type "
           "is drawn. Select a pattern to open its page.\n",
           _place('<figure class="archkb-figure archkb-figure--full">\n'
                  '<div class="archkb-map-scroll" tabindex="0" role="region" '
                  'aria-label="Pattern map, scrolls sideways">\n'
                  f"{svg}\n</div>\n<figcaption>The pattern map. A dashed frame marks a draft.</figcaption>\n"
                  "</figure>", deferred),
           "## Text version\n",
           "The same map as a list: each pattern with the relations declared on it.\n"]
    for group, entries, outgoing in map_text_groups(catalog, edges):
        out.append(f"### {md_escape(group_title(group))} {{ #map-{group} }}\n")
        items = []
        for entry in entries:
            href = _href(deferred, uri, pattern_uri(entry.slug), None, directory_urls)
            item = f'<li><a href="{_attr(href)}">{_esc(entry.title)}</a>'
            rels = outgoing.get(entry.slug, [])
            if rels:
                item += ": " + "; ".join(
                    f'{rel_type.replace("-", " ")} <a href="'
                    f'{_attr(_href(deferred, uri, pattern_uri(t), None, directory_urls))}">'
                    f"{_esc(catalog.patterns[t].title)}</a>" for rel_type, t in rels)
            items.append(item + "</li>")
        out.append(_place("<ul>\n" + "\n".join(items) + "\n</ul>", deferred))
    return "\n".join(out)


def map_text_groups(
    catalog: Catalog, edges: list[tuple[str, str, str]]
) -> list[tuple[str, list[PatternEntry], dict[str, list[tuple[str, str]]]]]:
    """The map's text version: each group (main tag, "other" last) with its patterns by title, and
    each pattern's declared relations as ``(type, target)`` (the same for every group)."""
    groups: dict[str, list[PatternEntry]] = {}
    for entry in catalog.patterns.values():
        groups.setdefault(entry.tags[0] if entry.tags else "other", []).append(entry)
    outgoing: dict[str, list[tuple[str, str]]] = {}
    for source, rel_type, target in edges:
        outgoing.setdefault(source, []).append((rel_type, target))
    return [(group, sorted(groups[group], key=lambda e: e.title.lower()), outgoing)
            for group in sorted(groups, key=lambda g: (g == "other", g))]


def render_map_preview(catalog: Catalog | MapLayout, *, from_uri: str, directory_urls: bool = True,
                       deferred: HtmlSink | None = None) -> str:
    """A preview of the pattern map for another page (the home page), linking to the full map.

    Args:
        catalog: The catalog, or its :func:`catalog_map_layout` (all a preview needs).
        from_uri: The page the preview goes on.
        directory_urls: The site's URL style.
        deferred: Where to keep the SVG out of Markdown conversion.
    """
    layout = catalog if isinstance(catalog, MapLayout) else catalog_map_layout(catalog)
    if not layout.nodes:
        return ""
    svg = _full_map_svg(layout, from_uri, directory_urls, "archkb-map-preview", "archkb-map archkb-map--preview",
                        deferred)
    full = _href(deferred, from_uri, MAP_URI, None, directory_urls)
    return _place(f'<figure class="archkb-figure archkb-figure--preview">\n{svg}\n'
                  f'<figcaption><a href="{_attr(full)}">Open the full pattern map</a>, with a text version.'
                  "</figcaption>\n</figure>", deferred)
