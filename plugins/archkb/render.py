"""Rendering the catalog into Markdown fragments and generated pages.

Everything here returns Markdown that MkDocs renders like any other page, so the
links it writes are relative ``.md`` links that MkDocs validates, anchors included.
"""

from __future__ import annotations

import html
import posixpath
import re
from typing import Mapping

import yaml

from .catalog import Catalog, PathEntry, PatternEntry, ReferenceEntry
from .model import Reference
from .relations import RELATION_TYPES

__all__ = [
    "PATTERNS_URI", "READING_LIST_URI", "PATHS_URI",
    "pattern_uri", "path_uri", "reference_anchor", "relative",
    "md_escape", "short_authors", "citation_label",
    "render_pattern_page", "render_related", "render_further_reading",
    "render_reading_list", "render_patterns_index", "render_path_page", "render_paths_index",
    "render_relation_vocabulary", "render_template_sections", "FRAGMENT_MARKERS",
]

PATTERNS_URI = "patterns"
"""Site folder of the pattern pages."""
READING_LIST_URI = "reading-list.md"
"""Source URI of the generated reading list."""
PATHS_URI = "paths"
"""Site folder of the reading path pages."""

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")
_CITATION = re.compile(r"\[@([A-Za-z0-9][A-Za-z0-9_-]*)\]")
_ORG_WORDS = frozenset(
    "google cloud microsoft azure amazon aws web services the go authors team openjdk kubernetes "
    "project foundation inc. inc ltd center centre group community partners patterns practices "
    "opentelemetry heroku apache oracle ibm netflix acm ieee usenix cncf".split())


def pattern_uri(slug: str) -> str:
    """Source URI of a pattern page."""
    return f"{PATTERNS_URI}/{slug}.md"


def path_uri(slug: str) -> str:
    """Source URI of a reading path page."""
    return f"{PATHS_URI}/{slug}.md"


def reference_anchor(ref_id: str) -> str:
    """The HTML id of a reference's entry on the reading list."""
    return f"ref-{ref_id}"


def relative(from_uri: str, to_uri: str) -> str:
    """A relative link from one source URI to another (both relative to ``docs/``)."""
    return posixpath.relpath(to_uri, posixpath.dirname(from_uri) or ".")


def md_escape(text: str) -> str:
    """Escape Markdown punctuation so ``text`` renders literally."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def _attr(text: str) -> str:
    return html.escape(text, quote=True)


def _is_person(name: str) -> bool:
    words = name.split()
    return 1 < len(words) <= 4 and not any(w.lower() in _ORG_WORDS for w in words)


def _surname(name: str) -> str:
    return name.split()[-1] if _is_person(name) else name


def short_authors(authors: list[str]) -> str:
    """Authors as cited in running text: "Lewis & Fowler", "Welsh et al."."""
    names = [_surname(a) for a in authors]
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        return f"{names[0]} & {names[1]}"
    return f"{names[0]} et al."


def citation_label(ref: Reference) -> str:
    """The inline label of a citation, e.g. "Lewis & Fowler 2014"."""
    return f"{short_authors(ref.authors)} {ref.year}"


def _front_matter(**fields: object) -> str:
    data = {k: v for k, v in fields.items() if v not in (None, [], "")}
    return "---\n" + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10_000) + "---\n\n"


def _byline(ref: Reference) -> str:
    parts = [md_escape(", ".join(ref.authors))]
    where = ref.venue or ref.publisher
    if where:
        parts.append(f"*{md_escape(where)}*")
    parts.append(str(ref.year))
    parts.append(ref.kind)
    return " · ".join(parts)


def render_related(entry: PatternEntry, catalog: Catalog, *, from_uri: str | None = None) -> str:
    """The "Related patterns" section: relations from both directions, grouped by type."""
    from_uri = from_uri or pattern_uri(entry.slug)
    links = catalog.links.get(entry.slug, [])
    lines = ["## Related patterns", ""]
    if not links:
        lines += ["This pattern has no related patterns yet.", ""]
        return "\n".join(lines)
    current = None
    for link in links:
        if link.type != current:
            current = link.type
            lines += ["", f"### {RELATION_TYPES[link.type].heading}", ""]
        other = catalog.patterns[link.slug]
        text = f"- [{md_escape(other.title)}]({relative(from_uri, pattern_uri(other.slug))})"
        if other.summary:
            text += f": {md_escape(other.summary)}"
        if link.note:
            text += f" *({md_escape(link.note)})*"
        lines.append(text)
    lines.append("")
    return "\n".join(lines)


def render_further_reading(entry: PatternEntry, catalog: Catalog, *, from_uri: str | None = None) -> str:
    """The "Further reading" section: each cited reference with its metadata and link."""
    from_uri = from_uri or pattern_uri(entry.slug)
    refs = catalog.pattern_references(entry.slug)
    lines = ["## Further reading", ""]
    if not refs:
        lines += ["This pattern cites no references yet.", ""]
        return "\n".join(lines)
    to_list = relative(from_uri, READING_LIST_URI)
    for ref_entry in refs:
        ref = ref_entry.data
        lines.append(
            f"- [{md_escape(ref.title)}]({ref.url}): {_byline(ref)}. "
            f"[Reading list entry]({to_list}#{reference_anchor(ref.id)})"
        )
    lines.append("")
    return "\n".join(lines)


_FENCE_LINE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+).+?\1")


def _link_citations(body: str, catalog: Catalog, from_uri: str) -> str:
    """Turn ``[@id]`` into links to the reading list, leaving code untouched."""
    to_list = relative(from_uri, READING_LIST_URI)

    def replace(match: re.Match[str]) -> str:
        ref_entry = catalog.references.get(match.group(1))
        if ref_entry is None:
            return md_escape(match.group(0))
        ref = ref_entry.data
        title = ref.title.replace('"', "'")
        return f'[{md_escape(citation_label(ref))}]({to_list}#{reference_anchor(ref.id)} "{title}")'

    def outside_code_spans(line: str) -> str:
        pieces, last = [], 0
        for code in _CODE_SPAN.finditer(line):
            pieces.append(_CITATION.sub(replace, line[last:code.start()]))
            pieces.append(code.group(0))
            last = code.end()
        pieces.append(_CITATION.sub(replace, line[last:]))
        return "".join(pieces)

    out, fence = [], None
    for line in body.splitlines(keepends=True):
        match = _FENCE_LINE.match(line)
        if match:
            marker = match.group(1)[0]
            fence = marker if fence is None else (None if marker == fence else fence)
            out.append(line)
        elif fence is not None or "[@" not in line:
            out.append(line)
        else:
            out.append(outside_code_spans(line))
    return "".join(out)


def render_pattern_page(entry: PatternEntry, catalog: Catalog) -> str:
    """The full Markdown of a pattern page: summary first, the body, then the generated sections."""
    uri = pattern_uri(entry.slug)
    meta = entry.meta
    out = [_front_matter(title=entry.title, description=entry.summary or None, tags=entry.tags)]
    out.append(f"# {md_escape(entry.title)}\n")
    if entry.is_draft:
        out.append('!!! warning "Draft"\n    This pattern is a draft: it may be incomplete.\n')
    if entry.summary:
        out.append(f"{md_escape(entry.summary)}\n{{: .archkb-summary }}\n")
    if meta and meta.aliases:
        out.append("*Also known as:* " + ", ".join(md_escape(a) for a in meta.aliases) + "\n")
    out.append(_link_citations(entry.body, catalog, uri).strip() + "\n")
    out.append(render_related(entry, catalog, from_uri=uri))
    out.append(render_further_reading(entry, catalog, from_uri=uri))
    return "\n".join(out)


def _reference_block(ref_entry: ReferenceEntry, catalog: Catalog, from_uri: str,
                     link_states: Mapping[str, str] | None = None) -> str:
    ref = ref_entry.data
    attrs = (f'class="archkb-ref" id="{_attr(reference_anchor(ref.id))}" data-kind="{_attr(ref.kind)}" '
             f'data-year="{ref.year}" data-tags="{_attr(" ".join(ref.tags))}" '
             f'data-topic="{_attr(ref_entry.topic)}"')
    lines = [f"<div {attrs} markdown>", "",
             f"**[{md_escape(ref.title)}]({ref.url})**  ", _byline(ref) + "  "]
    if ref.unverified:
        lines.append("*Not yet verified: " + ", ".join(ref.unverified) + ".*  ")
    lines += ["", ref.summary.strip(), ""]
    citing = catalog.cited_by.get(ref.id, [])
    if citing:
        lines.append("Cited by: " + ", ".join(
            f"[{md_escape(catalog.patterns[s].title)}]({relative(from_uri, pattern_uri(s))})" for s in citing))
        lines.append("")
    lines += ["</div>", ""]
    return "\n".join(lines)


def render_reading_list(catalog: Catalog) -> str:
    """The reading-list page: every reference by topic, each with "Cited by" backlinks."""
    uri = READING_LIST_URI
    out = [_front_matter(title="Reading list",
                         description="Every reference of the knowledge base, with the patterns that cite it."),
           "# Reading list\n",
           f"{len(catalog.references)} references in {len(catalog.topics)} topics. Each entry links back "
           "to the patterns that cite it.\n"]
    for topic in catalog.topics.values():
        ids = [i for i in topic.reference_ids if i in catalog.references]
        if not ids:
            continue
        out.append(f"## {md_escape(topic.title)} {{ #topic-{topic.slug} }}\n")
        if topic.description:
            out.append(md_escape(topic.description) + "\n")
        for ref_id in ids:
            out.append(_reference_block(catalog.references[ref_id], catalog, uri))
    return "\n".join(out)


def render_patterns_index(catalog: Catalog) -> str:
    """The patterns index: every pattern, grouped by its first tag."""
    uri = f"{PATTERNS_URI}/index.md"
    groups: dict[str, list[PatternEntry]] = {}
    for entry in catalog.patterns.values():
        groups.setdefault(entry.tags[0] if entry.tags else "other", []).append(entry)
    out = [_front_matter(title="Patterns", description="Every pattern of the catalog, grouped by topic."),
           "# Patterns\n", f"{len(catalog.patterns)} patterns, grouped by their main tag.\n"]
    for group in sorted(groups):
        out.append(f"## {md_escape(group.replace('-', ' ').capitalize())} {{ #group-{group} }}\n")
        for entry in sorted(groups[group], key=lambda e: e.title.lower()):
            line = f"- [{md_escape(entry.title)}]({relative(uri, pattern_uri(entry.slug))})"
            if entry.summary:
                line += f": {md_escape(entry.summary)}"
            if entry.is_draft:
                line += " *(draft)*"
            out.append(line)
        out.append("")
    return "\n".join(out)


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
                target = (f"[{md_escape(ref.title)}]({ref.url}) "
                          f"([reading list]({relative(uri, READING_LIST_URI)}#{reference_anchor(ref.id)}))")
                kind = f"{ref.kind}, {short_authors(ref.authors)} {ref.year}"
        out.append(f"{number}. **{target}** · {kind} · about {step.minutes} min  \n"
                   f"    {md_escape(step.why)}\n")
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


def render_relation_vocabulary() -> str:
    """A table of the relation vocabulary: each type, its inverse and when to use it."""
    lines = ["| Type | Inverse (shown on the other page) | Use it when |", "| --- | --- | --- |"]
    for rel in RELATION_TYPES.values():
        inverse = "itself (symmetric)" if rel.symmetric else f"`{rel.inverse}`"
        lines.append(f"| `{rel.name}` | {inverse} | {md_escape(rel.description)} |")
    return "\n".join(lines) + "\n"


def render_template_sections() -> str:
    """The required sections of a published pattern, as a numbered list."""
    from .model import CONSEQUENCE_SUBSECTIONS, TEMPLATE_SECTIONS

    lines = []
    for number, section in enumerate(TEMPLATE_SECTIONS, start=1):
        extra = ""
        if section == "Consequences":
            extra = " (with " + " and ".join(f"`### {s}`" for s in CONSEQUENCE_SUBSECTIONS) + ")"
        lines.append(f"{number}. `## {section}`{extra}")
    return "\n".join(lines) + "\n"


FRAGMENT_MARKERS = {
    "<!-- archkb:relation-vocabulary -->": render_relation_vocabulary,
    "<!-- archkb:template-sections -->": render_template_sections,
}
"""Markers that hand-written pages can hold; each is replaced by its generated fragment."""
