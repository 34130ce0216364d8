"""The one Markdown scanner: which lines and spans of contributed Markdown are prose, and which are code.

The catalog reads headings and citations from prose only, the link extractor reads links
from prose only, and the source-level safety scan reads reference summaries the same way,
so all three share these functions. Nothing here imports a Markdown engine: it is a
line-level reading of CommonMark's code rules (fences, indented blocks, code spans).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

__all__ = ["is_plain_prose", "iter_prose_lines", "blank_code", "blank_match"]

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


_NOT_PLAIN = "`~\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


def is_plain_prose(text: str) -> bool:
    r"""Whether ``text`` has no code (no backticks or tildes) and no line breaks but ``\\n``.

    Every line of such text is prose, and its lines are exactly its ``\\n``-separated
    parts, so callers may search it as a whole instead of line by line.
    """
    # One substring test per character: each is a fast scan, unlike a character-class regex.
    return not any(char in text for char in _NOT_PLAIN)


def iter_prose_lines(text: str, *, keepends: bool = False) -> Iterator[tuple[int, str, bool]]:
    """Yield ``(index, line, is_prose)`` for each line of Markdown ``text``.

    ``is_prose`` is false for fenced code blocks, fence lines included, so callers can
    skip or pass through code while reading headings, citations and links.
    """
    fence: str | None = None
    for index, line in enumerate(text.splitlines(keepends=keepends)):
        match = _FENCE.match(line)
        if match:
            marker = match.group(1)[0]
            fence = marker if fence is None else (None if marker == fence else fence)
            yield index, line, False
        else:
            yield index, line, fence is None


_CODE_SPAN = re.compile(r"(`+)(.+?)(?<!`)\1(?!`)", re.S)
_LIST_ITEM = re.compile(r"^ {0,3}(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)")


def blank_match(match: re.Match[str]) -> str:
    """A regex match's text as spaces, its line breaks kept: a ``re.sub`` replacement that hides a
    region from the scanners without moving any later line.
    """
    return re.sub(r"[^\n]", " ", match.group(0))


def _front_matter_lines(lines: list[str]) -> int:
    """How many of ``lines`` are front matter (``---`` to ``---`` or ``...``); all when unclosed."""
    if not lines or lines[0].strip() != "---":
        return 0
    for index, line in enumerate(lines[1:], start=1):
        if line.strip() in ("---", "..."):
            return index + 1
    return len(lines)


def blank_code(text: str) -> str:
    """Replace code (fenced and indented blocks, inline spans) and front matter with blanks.

    Line structure is kept, so offsets still map to the right line numbers. An indented line counts
    as code only after a blank line and outside a list (list items indent their continuation).
    """
    lines = text.split("\n")
    body_start = _front_matter_lines(lines)
    out: list[str] = [""] * body_start
    fence: str | None = None
    in_list = False
    in_indented = False
    previous_blank = True
    for line in lines[body_start:]:
        match = _FENCE.match(line)
        if fence is not None:
            if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
                fence = None
            out.append("")
            continue
        if match:
            fence = match.group(1)
            out.append("")
            previous_blank = False
            continue
        blank = not line.strip()
        indented = line.startswith(("    ", "\t"))
        if indented and not blank and not in_list and (previous_blank or in_indented):
            in_indented = True
            out.append("")
            continue
        if not blank:
            in_indented = False
            if _LIST_ITEM.match(line):
                in_list = True
            elif not indented and previous_blank:
                in_list = False
        previous_blank = blank
        out.append(line)
    body = "\n".join(out)
    return _CODE_SPAN.sub(blank_match, body)
