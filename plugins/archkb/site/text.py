"""Text for generated pages: every field escaped for the context it lands in, and how references are cited.
"""

from __future__ import annotations

import html
import json
import re
from functools import lru_cache

from ..catalog.model import Reference
from ..safety.text import strip_reserved

__all__ = ['md_escape', 'md_attr', 'escape_html', 'escape_attr', 'escape_html_cached', 'is_person', 'short_authors', 'UNDATED_LABEL', 'year_label', 'date_label', 'citation_label', 'front_matter', 'byline', 'clear_text_caches']

# The ASCII characters that Markdown or one of the site's extensions read as syntax anywhere
# in a line, and those that open a block at the start of one (lists, quotes, definitions...).
_MD_SYNTAX = r"\\`*_{}\[\]<>()#!|~&^"
_MD_SPECIAL = re.compile(f"[{_MD_SYNTAX}]")


_MD_LINE_START = re.compile(r"^(?:[-+=:>%]|\d+(?=[.)]))")


_LINE_BREAKS = re.compile(r"\s*[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]\s*")


def md_escape(text: str) -> str:
    """``text`` as Markdown that renders it literally, on one line.

    Every character that Markdown or an extension could read as syntax is written as a
    numeric character reference, which no Markdown rule matches and every browser shows
    as the character: ``Pub & Sub <T>`` stays text, ``{: onclick=x }`` is no attribute
    list. Line breaks become spaces, and the control characters that generated pages
    reserve are dropped.
    """
    text = strip_reserved(text)
    if "\n" in text or "\r" in text or _LINE_BREAKS.search(text):
        text = _LINE_BREAKS.sub(" ", text)
    text = _MD_SPECIAL.sub(_reference, text)
    if text[:1] in _BLOCK_OPENERS:
        text = _MD_LINE_START.sub(lambda m: "".join(f"&#{ord(c)};" for c in m.group(0)), text, count=1)
    return text


_BLOCK_OPENERS = frozenset("-+=:>%0123456789")

# In an attribute: what Markdown or an extension reads as syntax (as in text), and the quotes.
_ATTR_SPECIAL = re.compile(f"[{_MD_SYNTAX}\"']")
_ATTR_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def md_attr(value: str) -> str:
    """``value`` as the value of a double-quoted HTML attribute in a Markdown line.

    Markdown's inline rules (code spans, links, emphasis, escapes, attribute lists...) run over
    the text of an inline tag too, so ``href="x/[a](y/onmouseover=alert(1)//)"`` would have a link
    made inside it, whose quotes end the attribute. Written as numeric character references,
    which the browser decodes before it reads the attribute and no Markdown rule matches, the
    value reaches the browser as it was. Control characters are percent-encoded, as a browser's
    URL parser would.
    """
    value = _ATTR_CONTROL.sub(lambda m: f"%{ord(m.group(0)):02X}", strip_reserved(value))
    return _ATTR_SPECIAL.sub(_reference, value)


def _reference(match: re.Match[str]) -> str:
    return f"&#{ord(match.group(0))};"


def escape_html(text: str, quote: bool = True) -> str:
    """``text`` escaped for HTML text and attribute values, without the control characters pages reserve."""
    return html.escape(strip_reserved(text), quote)


@lru_cache(maxsize=1 << 15)
def escape_html_cached(text: str) -> str:
    """:func:`escape_html`, cached for the titles and summaries that recur across many pages."""
    return escape_html(text)


def escape_attr(text: str) -> str:
    """``text`` escaped for an HTML attribute value (quotes included)."""
    return escape_html(text, quote=True)


_ORG_WORDS = frozenset(
    "google cloud microsoft azure amazon aws web services the go authors team openjdk kubernetes "
    "project foundation inc. inc ltd center centre group community partners patterns practices "
    "opentelemetry heroku apache oracle ibm netflix acm ieee usenix cncf".split())


def is_person(name: str) -> bool:
    """Whether an author name reads as a person's (two to four words, no organisation word)."""
    words = name.split()
    return 1 < len(words) <= 4 and not any(w.lower() in _ORG_WORDS for w in words)


def _surname(name: str) -> str:
    return name.split()[-1] if is_person(name) else name


def short_authors(authors: list[str]) -> str:
    """Authors as cited in running text: "Lewis & Fowler", "Welsh et al."."""
    names = [_surname(a) for a in authors]
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        return f"{names[0]} & {names[1]}"
    return f"{names[0]} et al."


UNDATED_LABEL = "n.d."
"""How a citation dates a living document that has no publication year ("no date")."""


def year_label(ref: Reference) -> str:
    """The year a reference is cited with: its publication year, or "n.d." for a living document."""
    return str(ref.year) if ref.year is not None else UNDATED_LABEL


def date_label(ref: Reference) -> str:
    """The date shown in a byline: the publication year, or "accessed YYYY-MM-DD" without one."""
    if ref.year is not None:
        return str(ref.year)
    return f"accessed {ref.accessed.isoformat()}" if ref.accessed else UNDATED_LABEL


def citation_label(ref: Reference) -> str:
    """The inline label of a citation, e.g. "Lewis & Fowler 2014", or "Google n.d." without a year."""
    return f"{short_authors(ref.authors)} {year_label(ref)}"


# Characters that JSON leaves raw but YAML refuses in a document or reads as line breaks.
_YAML_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")


_HTML_META = ("title", "description")
"""Front-matter fields that reach the page's HTML through the theme's templates: written escaped."""


def front_matter(**fields: object) -> str:
    """YAML front matter written as JSON values (double-quoted strings, flow lists).

    JSON is YAML, and the C encoder writes it far faster than a YAML dumper; what YAML
    would refuse or fold is written as an escape.
    """
    lines = ["---"]
    for key, value in fields.items():
        if value in (None, [], ""):
            continue
        if key in _HTML_META and isinstance(value, str):
            # Site engines write these into templates unescaped (MkDocs' Jinja runs with
            # autoescape off): the <title>, the <h1>, <meta name="description" content="...">.
            value = escape_html(value)
        text = json.dumps(value, ensure_ascii=False)
        if _YAML_UNSAFE.search(text):
            text = _YAML_UNSAFE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)
        lines.append(f"{key}: {text}")
    return "\n".join(lines) + "\n---\n\n"


def byline(ref: Reference) -> str:
    """A reference's authors, venue or publisher, date and kind, as escaped HTML."""
    parts = [escape_html(", ".join(ref.authors))]
    where = ref.venue or ref.publisher
    if where:
        parts.append(f"<em>{escape_html(where)}</em>")
    parts += [escape_html(date_label(ref)), escape_html(ref.kind)]
    return " · ".join(parts)


def clear_text_caches() -> None:
    """Forget the escaped texts cached while pages were rendered (frees their memory)."""
    escape_html_cached.cache_clear()
