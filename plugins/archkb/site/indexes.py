"""The index pages: every pattern grouped by its main tag, and every reading path.
"""

from __future__ import annotations

from ..catalog.graph import Catalog, PatternEntry
from .html import HtmlSink, link_href as _href, place_html as _place
from .text import escape_attr as _attr, escape_html_cached as _escaped, front_matter as _front_matter, md_escape
from .urls import PATHS_URI, PATTERNS_URI, path_uri, pattern_uri, relative

__all__ = ['render_patterns_index', 'render_paths_index']

def render_patterns_index(catalog: Catalog, *, deferred: HtmlSink | None = None) -> str:
    """The patterns index: every pattern, grouped by its first tag.

    Each group's list is one HTML block: with ``deferred``, kept out of Markdown
    conversion and out of the search index (each pattern's own page is what search
    should find). The group headings stay Markdown, for the table of contents.
    """
    uri = f"{PATTERNS_URI}/index.md"
    groups: dict[str, list[PatternEntry]] = {}
    for entry in catalog.patterns.values():
        groups.setdefault(entry.tags[0] if entry.tags else "other", []).append(entry)
    out = [_front_matter(title="Patterns", description="Every pattern of the catalog, grouped by topic."),
           "# Patterns\n", f"{len(catalog.patterns)} patterns, grouped by their main tag.\n"]
    for group in sorted(groups):
        out.append(f"## {md_escape(group.replace('-', ' ').capitalize())} {{ #group-{group} }}\n")
        items = []
        for entry in sorted(groups[group], key=lambda e: e.title.lower()):
            item = f'<li><a href="{_attr(_href(deferred, uri, pattern_uri(entry.slug)))}">{_escaped(entry.title)}</a>'
            if entry.summary:
                item += f": {_escaped(entry.summary)}"
            if entry.is_draft:
                item += " <em>(draft)</em>"
            items.append(item + "</li>")
        out.append(_place("<ul>\n" + "\n".join(items) + "\n</ul>", deferred))
        out.append("")
    return "\n".join(out)


def render_paths_index(catalog: Catalog) -> str:
    """The index of reading paths."""
    uri = f"{PATHS_URI}/index.md"
    out = [_front_matter(title="Reading paths", description="Curated, ordered ways into the catalog."),
           "# Reading paths\n", "Curated, ordered ways into the catalog. Each step says why to read it "
           "at that point and roughly how long it takes.\n"]
    for path_entry in catalog.paths.values():
        data = path_entry.data
        title = data.title if data else path_entry.slug
        line = f"- [{md_escape(title)}]({relative(uri, path_uri(path_entry.slug))})"
        if data:
            line += f": {md_escape(data.summary)} ({len(data.steps)} steps, about " \
                    f"{sum(s.minutes for s in data.steps)} min)"
        out.append(line)
    out.append("")
    return "\n".join(out)
