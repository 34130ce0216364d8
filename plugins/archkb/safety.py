"""Content safety: refuse active content in contributed Markdown.

Patterns and references arrive through pull requests from strangers. Raw HTML is
parsed with the standard library's HTML parser (code blocks and code spans are
blanked out first, so examples in code stay allowed), and Markdown link targets are
decoded before their scheme is judged, so ``java&#x09;script:`` does not slip through.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from .problems import Problem

__all__ = ["FORBIDDEN_TAGS", "FORBIDDEN_SCHEMES", "scan_markdown", "unsafe_url"]

FORBIDDEN_TAGS = frozenset({"script", "iframe", "object", "embed", "form"})
"""Raw HTML elements refused in contributed pages."""

FORBIDDEN_SCHEMES = ("javascript:", "vbscript:", "data:")
"""Link target schemes refused in contributed pages."""

_URL_ATTRS = frozenset({"href", "src", "action", "formaction", "xlink:href", "poster", "data", "background"})
_FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+)(?:.+?)\1", re.DOTALL)
_INLINE_TARGET = re.compile(r"\]\(\s*<?([^)\s>]*)")
_REF_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.MULTILINE)
_AUTOLINK = re.compile(r"<([a-zA-Z][a-zA-Z0-9+.-]*:[^\s<>]*)>")
_CONTROL = re.compile(r"[\x00-\x20\x7f]+")


def unsafe_url(target: str) -> str | None:
    """Return the refused scheme if ``target`` uses one, else ``None``.

    Entities and whitespace or control characters are removed first, as browsers do.
    """
    cleaned = _CONTROL.sub("", html.unescape(target)).lower()
    for scheme in FORBIDDEN_SCHEMES:
        if cleaned.startswith(scheme):
            return scheme
    return None


def _blank(match_text: str) -> str:
    return re.sub(r"[^\n]", " ", match_text)


def _strip_code(text: str) -> str:
    """Blank out fenced code blocks and code spans, keeping line numbers."""
    out: list[str] = []
    fence: str | None = None
    for line in text.splitlines(keepends=True):
        match = _FENCE.match(line)
        if fence is None and match:
            fence = match.group(2)[0] * len(match.group(2))
            out.append(_blank(line))
            continue
        if fence is not None:
            if line.strip().startswith(fence) and set(line.strip()) == {fence[0]}:
                fence = None
            out.append(_blank(line))
            continue
        if line.startswith("    ") or line.startswith("\t"):
            # An indented code block only if the previous line is blank: cheap approximation.
            if not out or not out[-1].strip():
                out.append(_blank(line))
                continue
        out.append(line)
    stripped = "".join(out)
    return _CODE_SPAN.sub(lambda m: _blank(m.group(0)), stripped)


class _Scanner(HTMLParser):
    def __init__(self, path: str, first_line: int) -> None:
        super().__init__(convert_charrefs=True)
        self.path = path
        self.first_line = first_line
        self.problems: list[Problem] = []

    def _line(self) -> int:
        return self.getpos()[0] + self.first_line - 1

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in FORBIDDEN_TAGS:
            self.problems.append(Problem(self.path, self._line(),
                                         f"raw <{tag}> is not allowed in contributed pages"))
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(Problem(self.path, self._line(),
                                             f"event-handler attribute '{name}=' on <{tag}> is not allowed"))
            elif name in _URL_ATTRS and value is not None:
                scheme = unsafe_url(value)
                if scheme:
                    self.problems.append(Problem(self.path, self._line(),
                                                 f"'{scheme}' URL in {name}= on <{tag}> is not allowed"))

    handle_startendtag = handle_starttag


def _reserved_characters(text: str, path: str, first_line: int) -> list[Problem]:
    return [Problem(path, first_line + number, "the text holds an invisible control character (U+008F or "
                                               "U+0090) that the site reserves for its own use; delete it")
            for number, line in enumerate(text.split("\n")) if "\x8f" in line or "\x90" in line]


def scan_markdown(text: str, path: str, first_line: int = 1) -> list[Problem]:
    """Find active content in Markdown ``text``.

    Args:
        text: Markdown source (a pattern body, a summary).
        path: The file, for the problems' location.
        first_line: The file line on which ``text`` starts.

    Returns:
        One problem per refused tag, attribute or link target, and per line that holds
        one of the control characters U+008F and U+0090, which the site's
        generated Markdown reserves for its placeholders.
    """
    reserved = _reserved_characters(text, path, first_line) if ("\x8f" in text or "\x90" in text) else []
    if "<" not in text and ":" not in text:
        return reserved
    visible = _strip_code(text)
    problems: list[Problem] = list(reserved)
    if "<" in visible:
        scanner = _Scanner(path, first_line)
        try:
            scanner.feed(visible)
            scanner.close()
        except Exception:  # noqa: BLE001 - HTMLParser is lenient; never let odd input crash a build
            pass
        problems += scanner.problems
    for regex in (_INLINE_TARGET, _REF_DEFINITION, _AUTOLINK):
        for match in regex.finditer(visible):
            scheme = unsafe_url(match.group(1))
            if scheme:
                line = visible.count("\n", 0, match.start(1)) + first_line
                problems.append(Problem(path, line, f"'{scheme}' link target is not allowed; "
                                                    "link to an http(s) page instead"))
    return sorted(set(problems))
