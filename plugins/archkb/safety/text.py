"""Content safety at the source: what no contributed file may hold, whatever renders it.

Patterns, references and reading paths arrive through pull requests from strangers.
Two layers keep them safe:

* :func:`scan_text` reads every contributed file's whole text before anything else:
  NUL bytes, invisible control characters, Unicode bidirectional controls (the
  "Trojan Source" trick), the site's own placeholder markers, and marked sections
  (``<![x[``) that make the site engine's HTML parser fail. A file it refuses is
  never rendered.
* The HTML a body renders to is judged against an allow-list by
  :mod:`archkb.safety.htmlpolicy`: that is what the browser gets, so that is what counts.

:func:`scan_markdown` is the older source-level scan of raw HTML and link targets. It
still reads reference summaries (plain text, which should hold no HTML at all), where
its messages are the clearest.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from ..catalog.markdown import blank_code
from ..catalog.problems import Problem
from .chars import BIDI_CONTROLS

__all__ = [
    "FORBIDDEN_TAGS",
    "FORBIDDEN_SCHEMES",
    "RESERVED_MARKERS",
    "BIDI_CONTROLS",
    "scan_markdown",
    "scan_text",
    "strip_reserved",
    "unsafe_url",
]

FORBIDDEN_TAGS = frozenset({"script", "iframe", "object", "embed", "form"})
"""Raw HTML elements refused in contributed pages."""

FORBIDDEN_SCHEMES = ("javascript:", "vbscript:", "data:")
"""Link target schemes refused in contributed pages."""

_URL_ATTRS = frozenset({"href", "src", "action", "formaction", "xlink:href", "poster", "data", "background"})
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
            self.problems.append(Problem(self.path, self._line(), f"raw <{tag}> is not allowed in contributed pages"))
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(
                    Problem(self.path, self._line(), f"event-handler attribute '{name}=' on <{tag}> is not allowed")
                )
            elif name in _URL_ATTRS and value is not None:
                scheme = unsafe_url(value)
                if scheme:
                    self.problems.append(
                        Problem(self.path, self._line(), f"'{scheme}' URL in {name}= on <{tag}> is not allowed")
                    )

    handle_startendtag = handle_starttag


RESERVED_MARKERS = ("archkb-deferred", "archkb-inline", "archkb-search", "<!--archkb", "<!-- archkb:")
"""Text the site's generated pages use as placeholders and markers; contributed text may not hold it."""

# NUL and the other C0 controls but tab, line feed and carriage return; DEL; the C1 controls
# (U+008F and U+0090 among them, which generated Markdown uses for placeholders); bidi controls;
# and a byte-order mark anywhere but at the start.
_REFUSED_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufeff" + "".join(BIDI_CONTROLS) + "]")
_STRIP_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_MARKED_SECTION = re.compile(r"<!\[")


def strip_reserved(text: str) -> str:
    """``text`` without the control characters that generated pages reserve (an output-side guard)."""
    return _STRIP_CHARS.sub("", text) if _STRIP_CHARS.search(text) else text


def _char_message(char: str) -> str:
    code = f"U+{ord(char):04X}"
    if char == "\x00":
        return "the text holds a NUL byte (U+0000); delete it"
    if char in BIDI_CONTROLS:
        return (
            f"the text holds the invisible bidirectional control {code} ({BIDI_CONTROLS[char]}), which "
            "can make text display in another order than it reads; delete it"
        )
    if char == "\ufeff":
        return "the text holds a byte-order mark (U+FEFF) after its start; delete it"
    if char in "\x8f\x90":
        return (
            f"the text holds an invisible control character ({code}) that the site reserves for its own use; delete it"
        )
    return f"the text holds the invisible control character {code}; delete it"


def _marked_section_fails(text: str) -> bool:
    """Whether Python's HTML parser, which MkDocs runs over every page's whole text, fails on ``text``."""
    parser = HTMLParser(convert_charrefs=True)
    try:
        parser.feed(text)
        parser.close()
    except Exception:  # noqa: BLE001 - any failure here would be a traceback in the build
        return True
    return False


def scan_text(text: str, path: str, first_line: int = 1) -> list[Problem]:
    """Refuse what no contributed file may hold, whatever renders it.

    Args:
        text: A contributed file's whole text (after decoding, without a leading BOM).
        path: The file, for the problems' location.
        first_line: The file line on which ``text`` starts.

    Returns:
        One problem per line holding a refused character, per reserved marker, and per
        marked section (``<![``) that would make the site engine's HTML parser fail
        (even inside a code block: MkDocs reads the whole text for anchors).
    """
    problems: list[Problem] = []
    if _REFUSED_CHARS.search(text):
        for number, line in enumerate(text.split("\n")):
            for char in dict.fromkeys(_REFUSED_CHARS.findall(line)):
                problems.append(Problem(path, first_line + number, _char_message(char)))
    if "archkb" in text:
        lowered = text.lower()
        for marker in RESERVED_MARKERS:
            start = lowered.find(marker)
            while start >= 0:
                problems.append(
                    Problem(
                        path,
                        first_line + text.count("\n", 0, start),
                        f"'{marker}' is reserved for the site's own placeholders and markers; reword it",
                    )
                )
                start = lowered.find(marker, start + 1)
    if "<![" in text:
        for match in _MARKED_SECTION.finditer(text):
            piece = text[match.start() : match.start() + 200].split("\n\n", 1)[0]
            if _marked_section_fails(piece):
                shown = piece[:12].split("\n", 1)[0]
                problems.append(
                    Problem(
                        path,
                        first_line + text.count("\n", 0, match.start()),
                        f"'{shown}' makes the site engine's HTML parser fail, even inside code; "
                        "only '<![CDATA[' is safe: remove it or write '&lt;![' instead",
                    )
                )
    return problems


def _reserved_characters(text: str, path: str, first_line: int) -> list[Problem]:
    return [
        Problem(
            path,
            first_line + number,
            "the text holds an invisible control character (U+008F or "
            "U+0090) that the site reserves for its own use; delete it",
        )
        for number, line in enumerate(text.split("\n"))
        if "\x8f" in line or "\x90" in line
    ]


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
    visible = blank_code(text)
    problems: list[Problem] = list(reserved)
    if "<" in visible:
        scanner = _Scanner(path, first_line)
        try:
            scanner.feed(visible)
            scanner.close()
        except Exception:  # noqa: S110,BLE001 - HTMLParser is lenient; never let odd input crash a build
            pass
        problems += scanner.problems
    for regex in (_INLINE_TARGET, _REF_DEFINITION, _AUTOLINK):
        for match in regex.finditer(visible):
            scheme = unsafe_url(match.group(1))
            if scheme:
                line = visible.count("\n", 0, match.start(1)) + first_line
                problems.append(
                    Problem(path, line, f"'{scheme}' link target is not allowed; link to an http(s) page instead")
                )
    return sorted(set(problems))
