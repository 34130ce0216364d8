"""Reading path pages: ordered steps, each with why to read it and how long it takes.
"""

from __future__ import annotations

from ..catalog.graph import Catalog, PathEntry
from .text import citation_label, escape_html as _esc, escape_attr as _attr, front_matter as _front_matter, md_escape
from .urls import READING_LIST_URI, path_uri, pattern_uri, reference_anchor, relative

__all__ = ['render_path_page']

def render_path_page(path_entry: PathEntry, catalog: Catalog) -> str:
    """A reading path page: ordered steps, each with why and how long."""
    uri = path_uri(path_entry.slug)
    data = path_entry.data
    if data is None:
        return _front_matter(title=path_entry.slug) + f"# {md_escape(path_entry.slug)}\n\n" \
            "This reading path has errors; see the build log.\n"
    total = sum(step.minutes for step in data.steps)
    out = [_front_matter(title=data.title, description=data.summary), f"# {md_escape(data.title)}\n",
           f"{md_escape(data.summary)}\n{{: .archkb-summary }}\n",
           f"{len(data.steps)} steps, about {total} minutes of reading in all.\n"]
    for number, step in enumerate(data.steps, start=1):
        if step.pattern is not None:
            entry = catalog.patterns.get(step.pattern)
            title = entry.title if entry else step.pattern
            target = f"[{md_escape(title)}]({relative(uri, pattern_uri(step.pattern))})" if entry \
                else md_escape(title)
            kind = "pattern"
        else:
            ref_entry = catalog.references.get(step.reference or "")
            if ref_entry is None:
                target, kind = md_escape(step.reference or ""), "reference"
            else:
                ref = ref_entry.data
                # Inline HTML in Markdown: the text between the tags is still Markdown.
                target = (f'<a href="{_attr(ref.url)}">{md_escape(ref.title)}</a> '
                          f"([reading list]({relative(uri, READING_LIST_URI)}#{reference_anchor(ref.id)}))")
                kind = md_escape(f"{ref.kind}, {citation_label(ref)}")
        out.append(f"{number}. **{target}** · {kind} · about {step.minutes} min  \n"
                   f"    {md_escape(step.why)}\n")
    return "\n".join(out)
