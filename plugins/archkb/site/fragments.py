"""Fragments that hand-written pages embed through markers, such as the relation vocabulary.
"""

from __future__ import annotations

from ..catalog.relations import RELATION_TYPES
from .text import md_escape

__all__ = ['render_relation_vocabulary', 'render_template_sections', 'FRAGMENT_MARKERS']

def render_relation_vocabulary() -> str:
    """A table of the relation vocabulary: each type, its inverse and when to use it."""
    lines = ["| Type | Inverse (shown on the other page) | Use it when |", "| --- | --- | --- |"]
    for rel in RELATION_TYPES.values():
        inverse = "itself (symmetric)" if rel.symmetric else f"`{rel.inverse}`"
        lines.append(f"| `{rel.name}` | {inverse} | {md_escape(rel.description)} |")
    return "\n".join(lines) + "\n"


def render_template_sections() -> str:
    """The required sections of a published pattern, as a numbered list."""
    from ..catalog.model import CONSEQUENCE_SUBSECTIONS, TEMPLATE_SECTIONS

    lines = []
    for number, section in enumerate(TEMPLATE_SECTIONS, start=1):
        extra = ""
        if section == "Consequences":
            extra = " (with " + " and ".join(f"`### {s}`" for s in CONSEQUENCE_SUBSECTIONS) + ")"
        lines.append(f"{number}. `## {section}`{extra}")
    return "\n".join(lines) + "\n"


def _render_html_policy() -> str:
    from ..safety.htmlpolicy import render_policy

    return render_policy()


FRAGMENT_MARKERS = {
    "<!-- archkb:relation-vocabulary -->": render_relation_vocabulary,
    "<!-- archkb:template-sections -->": render_template_sections,
    "<!-- archkb:html-policy -->": _render_html_policy,
}
"""Markers that hand-written pages can hold; each is replaced by its generated fragment."""
