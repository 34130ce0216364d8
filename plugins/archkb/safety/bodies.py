"""Judging contributed bodies by the HTML they render to, for any site engine.

The site build (the MkDocs plugin) checks each pattern page's HTML as MkDocs produced it;
``archkb validate`` renders each body with the site's Markdown settings first
(:mod:`archkb.mkdocs.markdown`). Either way the allow-list of :mod:`archkb.safety.htmlpolicy`
decides, and each refusal is reported as ``path:line: message``, the line found by
:func:`locate_violation`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from ..catalog.graph import PatternEntry
from ..catalog.problems import Problem
from ..catalog.yamlload import YamlError, split_front_matter
from .htmlpolicy import HtmlViolation, check_html, locate

__all__ = ["check_entry", "locate_violation", "violation_problems", "source_body"]


def locate_violation(violation: HtmlViolation, body: str, body_line: int) -> int:
    """The file line that a violation most likely comes from (the body's first line when unsure)."""
    offset = locate(body, violation.needles)
    return body_line + offset if offset is not None else body_line


def violation_problems(violations: Iterable[HtmlViolation], path: str, body: str, body_line: int) -> list[Problem]:
    """Turn violations found in a body's HTML into located problems, one per line and message."""
    return sorted({Problem(path, locate_violation(v, body, body_line), v.message) for v in violations})


def source_body(root: Path, path: str) -> tuple[str, int]:
    """Read a pattern file's body and the line it starts on (for locating problems after the fact)."""
    try:
        text = (root / path).read_text(encoding="utf-8", errors="replace")
        parts = split_front_matter(text)
    except (OSError, YamlError):
        return "", 1
    return parts.body, parts.body_line


def check_entry(entry: PatternEntry, render: Callable[[str], str]) -> list[Problem]:
    """Judge one pattern body's rendered HTML (bodies refused at the source are not rendered).

    Args:
        entry: The pattern.
        render: Turns the body's Markdown into HTML, as the site does.

    Returns:
        The located problems; a body the renderer fails on is one problem, never an exception.
    """
    if entry.unsafe or not entry.body.strip():
        return []
    try:
        html = render(entry.body)
    except Exception as exc:  # noqa: BLE001 - reported with its location, never a traceback
        return [
            Problem(
                entry.path,
                entry.body_line,
                f"the Markdown renderer fails on this body ({exc.__class__.__name__}: {exc}); simplify the markup",
            )
        ]
    return violation_problems(check_html(html), entry.path, entry.body, entry.body_line)
