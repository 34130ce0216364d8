"""The loaded catalog: patterns, references and reading paths, and the graph between them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from .markdown import is_plain_prose, iter_prose_lines
from .model import PatternMeta, ReadingPath, Reference
from .problems import Problem
from .relations import RELATION_TYPES, inverse_of
from .yamlload import LoadedYaml

__all__ = [
    "iter_prose_lines",
    "is_plain_prose",
    "PatternEntry",
    "ReferenceEntry",
    "Topic",
    "PathEntry",
    "Link",
    "Catalog",
]

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*(?:\{[^}]*\})?\s*$")
_CITATION = re.compile(r"\[@([A-Za-z0-9][A-Za-z0-9_-]*)\]")
_CODE_SPAN = re.compile(r"(`+).+?\1")
_LINE_START_HASH = re.compile(r"^#", re.MULTILINE)


@dataclass
class PatternEntry:
    """One pattern file, parsed as far as it could be.

    Attributes:
        slug: The file name without ``.md``.
        path: The file, relative to the project root.
        meta: The validated front matter, or ``None`` when it is invalid.
        raw: The front matter as loaded (possibly invalid), for best-effort rendering.
        body: The Markdown after the front matter.
        body_line: The file line on which the body starts.
        lines: The front matter's line map.
        problems: Problems found in this file alone.
        unsafe: Whether the file holds what no page may be rendered from (see
            :func:`archkb.safety.scan_text`); its page then shows a notice instead.
    """

    slug: str
    path: str
    meta: PatternMeta | None
    raw: dict[str, Any]
    body: str
    body_line: int
    lines: LoadedYaml
    problems: list[Problem] = field(default_factory=list)
    unsafe: bool = False

    @property
    def title(self) -> str:
        """The title, falling back to the slug when the front matter is invalid."""
        if self.meta:
            return self.meta.title
        title = self.raw.get("title")
        return title.strip() if isinstance(title, str) and title.strip() else self.slug.replace("-", " ").capitalize()

    @property
    def summary(self) -> str:
        """The one-sentence summary, or ``""`` when invalid."""
        if self.meta:
            return self.meta.summary
        summary = self.raw.get("summary")
        return summary.strip() if isinstance(summary, str) else ""

    @property
    def tags(self) -> list[str]:
        """The tags (empty when the front matter is invalid)."""
        return list(self.meta.tags) if self.meta else []

    @property
    def is_draft(self) -> bool:
        """Whether the pattern is marked as a draft."""
        return bool(self.meta and self.meta.status == "draft")

    def line_of(self, loc: tuple[Any, ...]) -> int:
        """The file line of a front-matter location."""
        return self.lines.line_of(loc)

    def headings(self) -> list[tuple[int, int, str]]:
        """Return ``(line, level, text)`` for each ATX heading outside code blocks."""
        out: list[tuple[int, int, str]] = []
        if is_plain_prose(self.body):  # only the lines that open with '#' can be headings
            body, line_number, counted = self.body, self.body_line, 0
            for start in _LINE_START_HASH.finditer(body):
                end = body.find("\n", start.start())
                line = body[start.start() : end if end >= 0 else len(body)]
                heading = _HEADING.match(line)
                if heading:
                    line_number += body.count("\n", counted, start.start())
                    counted = start.start()
                    out.append((line_number, len(heading.group(1)), heading.group(2).strip()))
            return out
        for offset, line, prose in iter_prose_lines(self.body):
            heading = _HEADING.match(line) if prose else None
            if heading:
                out.append((self.body_line + offset, len(heading.group(1)), heading.group(2).strip()))
        return out

    def citations(self) -> list[tuple[int, str]]:
        """Return ``(line, reference id)`` for each inline ``[@id]`` citation outside code."""
        out: list[tuple[int, str]] = []
        if is_plain_prose(self.body):  # no code spans to skip
            if "[@" not in self.body:
                return out
            body, line_number, counted = self.body, self.body_line, 0
            for cite in _CITATION.finditer(body):
                line_number += body.count("\n", counted, cite.start())
                counted = cite.start()
                out.append((line_number, cite.group(1)))
            return out
        for offset, line, prose in iter_prose_lines(self.body):
            if not prose:
                continue
            for cite in _CITATION.finditer(_CODE_SPAN.sub("", line)):
                out.append((self.body_line + offset, cite.group(1)))
        return out


@dataclass
class Topic:
    """A group of references: one ``references/*.yml`` file.

    Attributes:
        slug: The file name without extension.
        path: The file, relative to the project root.
        title: The topic's title.
        description: One sentence on what it covers.
        reference_ids: The ids of its valid entries, in file order.
    """

    slug: str
    path: str
    title: str
    description: str | None
    reference_ids: list[str] = field(default_factory=list)


@dataclass
class ReferenceEntry:
    """One reading-list entry and where it was written.

    Attributes:
        data: The validated reference.
        path: The file, relative to the project root.
        line: The line on which the entry starts.
        topic: The slug of its topic.
    """

    data: Reference
    path: str
    line: int
    topic: str

    @property
    def id(self) -> str:
        """The reference id."""
        return self.data.id

    @property
    def url(self) -> str:
        """The canonical URL."""
        return self.data.url

    @property
    def archived_url(self) -> str | None:
        """An older or archived URL, if any."""
        return self.data.archived_url

    @property
    def source(self) -> str:
        """``path:line`` of the entry."""
        return f"{self.path}:{self.line}"


@dataclass
class PathEntry:
    """A reading path file.

    Attributes:
        slug: The file name without extension.
        path: The file, relative to the project root.
        data: The validated path, or ``None`` when invalid.
        lines: Its line map.
    """

    slug: str
    path: str
    data: ReadingPath | None
    lines: LoadedYaml

    def line_of(self, loc: tuple[Any, ...]) -> int:
        """The file line of a location in the path file."""
        return self.lines.line_of(loc)


@dataclass(frozen=True)
class Link:
    """A relation as seen from one pattern: the other end and the wording for this side.

    Attributes:
        slug: The pattern at the other end.
        type: The relation type from this pattern's point of view.
        note: The note given where the relation was declared.
        declared_here: Whether this side declared the relation.
    """

    slug: str
    type: str
    note: str | None
    declared_here: bool


@dataclass
class Catalog:
    """Everything the knowledge base knows, with the problems found on the way.

    Attributes:
        root: The project root (the folder holding ``mkdocs.yml``).
        patterns: Pattern entries by slug, sorted by slug.
        references: Reference entries by id, in file order.
        topics: Reference topics by slug.
        paths: Reading paths by slug.
        problems: Every problem found, per file and across files.
    """

    root: Path
    patterns: dict[str, PatternEntry] = field(default_factory=dict)
    references: dict[str, ReferenceEntry] = field(default_factory=dict)
    topics: dict[str, Topic] = field(default_factory=dict)
    paths: dict[str, PathEntry] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether no problem was found."""
        return not self.problems

    @cached_property
    def links(self) -> dict[str, list[Link]]:
        """Relations of each pattern, from both directions, deduplicated.

        A relation declared on A as ``uses B`` appears on A as ``uses B`` and on B as
        ``used-by A``. When both sides declare it, it appears once on each.
        """
        result: dict[str, dict[tuple[str, str], Link]] = {slug: {} for slug in self.patterns}
        for slug, entry in self.patterns.items():
            if entry.meta is None:
                continue
            for rel in entry.meta.related:
                if rel.pattern == slug or rel.pattern not in self.patterns:
                    continue
                result[slug].setdefault((rel.pattern, rel.type), Link(rel.pattern, rel.type, rel.note, True))
                inverse = inverse_of(rel.type)
                result[rel.pattern].setdefault((slug, inverse), Link(slug, inverse, rel.note, False))
        order = {name: i for i, name in enumerate(RELATION_TYPES)}
        return {
            slug: sorted(links.values(), key=lambda link: (order[link.type], self.patterns[link.slug].title.lower()))
            for slug, links in result.items()
        }

    @cached_property
    def edges(self) -> list[tuple[str, str, str]]:
        """Each declared relation once, as ``(from, type, to)``, symmetric pairs merged."""
        seen: set[tuple[str, str, str]] = set()
        out = []
        for slug in self.patterns:
            for link in self.links[slug]:
                if not link.declared_here:
                    continue
                edge = (slug, link.type, link.slug)
                mirror = (link.slug, inverse_of(link.type), slug)
                if edge in seen or mirror in seen:
                    continue
                seen.add(edge)
                out.append(edge)
        return out

    @cached_property
    def cited_by(self) -> dict[str, list[str]]:
        """For each reference id, the slugs of the patterns citing it, sorted by title."""
        result: dict[str, list[str]] = {ref_id: [] for ref_id in self.references}
        for slug, entry in self.patterns.items():
            if entry.meta is None:
                continue
            for ref_id in dict.fromkeys(entry.meta.references):
                if ref_id in result:
                    result[ref_id].append(slug)
        for slugs in result.values():
            slugs.sort(key=lambda s: self.patterns[s].title.lower())
        return result

    def pattern_references(self, slug: str) -> list[ReferenceEntry]:
        """The known references a pattern cites, in its front-matter order."""
        entry = self.patterns[slug]
        if entry.meta is None:
            return []
        return [self.references[r] for r in dict.fromkeys(entry.meta.references) if r in self.references]

    def iter_problems(self) -> Iterator[Problem]:
        """Problems sorted by file and line."""
        return iter(sorted(set(self.problems)))
