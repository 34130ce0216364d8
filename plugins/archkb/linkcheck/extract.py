"""Finding links (with ``path:line``) and element ids in HTML pages and Markdown files.

HTML is parsed with selectolax (lexbor), a real HTML5 parser; ids therefore come from the rendered
HTML, never from re-slugifying headings. Lexbor does not report source positions, so each link is
located in the raw text by searching forward from the previous link (document order), which gives
exact lines for ordinary markup.
"""

from __future__ import annotations

import bisect
import codecs
import html as htmllib
import re
from dataclasses import dataclass, field
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

from ..catalog.markdown import blank_code, blank_match
from .states import Link

__all__ = [
    "PageLinks",
    "decode_html",
    "ids_from_html",
    "extract_links_from_html",
    "extract_links_from_markdown",
    "extract_urls_from_text",
]

# Which attributes of which tag are links: what a reader follows, and what the browser loads.
_LINK_ATTRS: dict[str, tuple[str, ...]] = {
    "a": ("href",),
    "area": ("href",),
    "link": ("href",),
    "img": ("src", "srcset"),
    "script": ("src",),
    "iframe": ("src",),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "embed": ("src",),
    "object": ("data",),
}


_TAB_OR_LINE_BREAK = re.compile("[\t\n\r]")
#: A scheme the WHATWG URL Standard calls special, where ``\`` is read as ``/``; a link without a
#: scheme is relative to this site's pages, which are http(s).
_SPECIAL_OR_NO_SCHEME = re.compile(r"(?:(?:https?|wss?|ftp|file):|(?![a-zA-Z][a-zA-Z0-9+.-]*:))", re.IGNORECASE)


#: A special scheme's slashes, however many and however written, before its host.
_SPECIAL_SLASHES = re.compile(r"^(https?|wss?|ftp):/+(?!/)", re.IGNORECASE)


def _as_browser_reads(value: str) -> str:
    r"""A link's value as a browser's URL parser takes it: spaces around it stripped, tabs and line
    breaks inside it removed (``https://e.org/a<LF>b`` asks for ``/ab``), and, in an http(s) or
    relative link, a backslash before the query read as a slash (``..\other\page.html`` is
    ``../other/page.html``; ``?a`` keeps its).
    """
    value = _TAB_OR_LINE_BREAK.sub("", value.strip())
    if "\\" in value and _SPECIAL_OR_NO_SCHEME.match(value):
        end = min((i for i in (value.find("?"), value.find("#")) if i >= 0), default=len(value))
        value = value[:end].replace("\\", "/") + value[end:]
        value = _SPECIAL_SLASHES.sub(r"\1://", value, count=1)  # https:\\host, https:/\host: https://host
    return value


def _srcset_urls(value: str) -> list[str]:
    """The URLs of a ``srcset`` attribute, as the HTML standard's parsing reads its candidates.

    ``"a.png 1x, b.png 2x"`` gives ``["a.png", "b.png"]``. A URL may hold commas
    (``img,1.png 1x``); one written with a trailing comma has no descriptors; descriptors end at a
    comma outside parentheses.
    """
    urls: list[str] = []
    i, n = 0, len(value)
    while i < n:
        while i < n and (value[i].isspace() or value[i] == ","):
            i += 1
        start = i
        while i < n and not value[i].isspace():
            i += 1
        url = value[start:i]
        if url.endswith(","):
            url = url.rstrip(",")
        else:
            depth = 0
            while i < n and (value[i] != "," or depth > 0):
                depth += {"(": 1, ")": -1}.get(value[i], 0)
                i += 1
        if url:
            urls.append(url)
    return urls


# <link rel=...> values that are hints or self-references, not links a reader follows.
_SKIP_REL = {"preconnect", "dns-prefetch", "canonical", "preload", "modulepreload", "prefetch"}


@dataclass
class PageLinks:
    """The links of one HTML page and the ids it defines.

    Attributes:
        path: The page's path (or the name given for text).
        links: Every link in document order, with ``path:line`` sources.
        ids: Every ``id`` attribute value and every ``<a name>`` on the page.
        pages: The links a reader follows to another page (``a`` and ``area`` ``href``), a subset of
            ``links``: what a crawl follows.
        base: The ``href`` of the page's first ``<base href>``, stripped (``""`` when it is empty),
            which its relative links resolve against; None without one.
    """

    path: str
    links: list[Link] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    pages: list[Link] = field(default_factory=list)
    base: str | None = None


def _read(path_or_text: str | Path, name: str | None) -> tuple[str, str]:
    """Return (text, display name): a ``Path`` is read; a ``str`` is the text itself, always.

    A ``str`` that named an existing file used to be read as one. Callers pass text that is not
    ours (a page a server sent, a file's contents at a git revision), and a one-line text naming a
    file on this machine (``/home/runner/.ssh/config``) had that file read and its links reported
    and requested.
    """
    if isinstance(path_or_text, Path):
        return path_or_text.read_text(encoding="utf-8", errors="replace"), name or str(path_or_text)
    return str(path_or_text), name or "<text>"


class _Lines:
    """Maps character offsets to 1-based line numbers."""

    def __init__(self, text: str) -> None:
        self._starts = [0] + [m.end() for m in re.finditer(r"\n", text)]

    def line(self, offset: int) -> int:
        return bisect.bisect_right(self._starts, offset)


_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
#: ``<meta charset="...">``, and the ``charset=`` in ``<meta http-equiv="Content-Type" content="...">``.
_META_CHARSET = re.compile(rb"""<meta\s[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
#: Labels a browser reads differently from Python's codec of the same name (the WHATWG Encoding
#: Standard): Latin-1 and ASCII pages are read as windows-1252, and the East Asian legacy names as
#: the Windows supersets of those encodings.
_BROWSER_CODECS = {
    **dict.fromkeys(("iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "us-ascii", "ascii", "cp819"), "cp1252"),
    **dict.fromkeys(("iso-8859-9", "iso8859-9", "latin5"), "cp1254"),
    **dict.fromkeys(("gb2312", "x-gbk", "gb_2312-80"), "gbk"),
    **dict.fromkeys(("shift_jis", "shift-jis", "sjis", "x-sjis", "ms_kanji"), "cp932"),
    **dict.fromkeys(("euc-kr", "ks_c_5601-1987", "korean"), "cp949"),
}


def _codec(label: str | bytes | None) -> str | None:
    """The Python codec a browser would use for an encoding ``label``, or None if it names none."""
    if isinstance(label, bytes):
        label = label.decode("ascii", errors="replace")
    name = (label or "").strip().strip("\"'").lower()
    if not name:
        return None
    name = _BROWSER_CODECS.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_html(body: bytes, charset: str | None = None) -> str:
    """Decode an HTML page's bytes as a browser would choose their encoding.

    A byte-order mark wins; then ``charset``, from the ``Content-Type`` header; then a
    ``<meta charset>`` (or ``http-equiv`` ``Content-Type``) in the first 1,024 bytes; else UTF-8.
    Unknown names are passed over. A ``<meta>`` naming UTF-16 means UTF-8, since a page whose
    ``<meta>`` could be read as ASCII is not UTF-16. Undecodable bytes become U+FFFD.
    """
    for bom, name in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(name, errors="replace")
    codec = _codec(charset)
    if codec is None:
        found = _META_CHARSET.search(body[:1024])
        codec = _codec(found.group(1)) if found else None
        if codec is not None and codec.startswith("utf-16"):
            codec = "utf-8"
    return body.decode(codec or "utf-8", errors="replace")


def ids_from_html(text: str) -> set[str]:
    """Return the ids defined by an HTML document: ``id`` attributes and ``<a name>`` values."""
    tree = LexborHTMLParser(text)
    ids: set[str] = set()
    for node in tree.css("[id]"):
        value = node.attributes.get("id")
        if value:
            ids.add(value)
    for node in tree.css("a[name]"):
        value = node.attributes.get("name")
        if value:
            ids.add(value)
    return ids


#: How far past the previous link a link's text is looked for, once :data:`_FULL_SEARCHES` links of
#: a page were not found at all (written with character references: ``href="&#104;ttp..."``).
_NEAR = 16 * 1024
_FULL_SEARCHES = 32


def _find(text: str, candidate: str, start: int, whole: bool) -> int:
    """Where ``candidate`` is in ``text`` from ``start`` (-1 if not): to the end of the page while
    ``whole``, else within :data:`_NEAR` characters. A page with 40,000 links written so that none
    is found as written took a search of the rest of the page for each (an hour for 5 MiB);
    after the first few, a link not found nearby gets the line where the last one was found.
    """
    if whole:
        return text.find(candidate, start)
    return text.find(candidate, start, start + _NEAR + len(candidate))


class _Locator:
    """Finds where each link of a page is written, in document order: from the end of the last one
    found, as written or escaped as HTML writes it; a link not found there is placed at the cursor.
    """

    __slots__ = ("cursor", "display", "lines", "misses", "text")

    def __init__(self, text: str, display: str) -> None:
        self.text, self.display, self.lines = text, display, _Lines(text)
        self.cursor = 0
        self.misses = 0  # links not found as written: each searched the rest of the page (see _find)

    def add(self, page: PageLinks, to_page: bool, urls: list[str]) -> None:
        """Add the links written as ``urls`` (one attribute's) to ``page``, each with its line;
        to its pages too when ``to_page`` (an ``a`` or ``area``'s).
        """
        for written in urls:
            link = Link(_as_browser_reads(written), f"{self.display}:{self.lines.line(self.offset(written))}")
            page.links.append(link)
            if to_page:
                page.pages.append(link)

    def offset(self, written: str) -> int:
        """Where ``written`` is in the page (the cursor when it cannot be found), moving past it."""
        for candidate in (written, htmllib.escape(written, quote=False), htmllib.escape(written)):
            offset = _find(self.text, candidate, self.cursor, self.misses < _FULL_SEARCHES)
            if offset >= 0:
                self.cursor = offset + len(candidate)
                return offset
        self.misses += 1
        return self.cursor


def extract_links_from_html(path_or_text: str | Path, *, name: str | None = None) -> PageLinks:
    """Extract links and ids from an HTML page.

    Args:
        path_or_text: A ``Path`` to read, or the HTML itself (a ``str`` is never read as a file name).
        name: The name used in sources (defaults to the path, or ``<text>``).

    Returns:
        The page's links (``a``/``area``/``link`` href, ``img``/``script``/``iframe``/media src; resource
        hints and canonical links left out) and its ids.
    """
    text, display = _read(path_or_text, name)
    tree = LexborHTMLParser(text)
    page = PageLinks(path=display)
    where = _Locator(text, display)
    root = tree.root
    if root is None:
        return page
    for node in root.traverse(include_text=False):
        attrs = node.attributes
        value = attrs.get("id")
        if value:
            page.ids.add(value)
        tag = node.tag
        if tag == "base" and page.base is None and "href" in attrs:
            page.base = (attrs["href"] or "").strip()
        if tag == "a" and attrs.get("name"):
            page.ids.add(attrs["name"])  # type: ignore[arg-type]
        if tag == "link" and set((attrs.get("rel") or "").lower().split()) & _SKIP_REL:
            continue
        for attr in _LINK_ATTRS.get(tag or "", ()):
            value = attrs.get(attr)
            if not value or not value.strip():
                continue
            where.add(page, tag in ("a", "area"), _srcset_urls(value) if attr == "srcset" else [value.strip()])
    return page


# --- Markdown -------------------------------------------------------------------------------------

#: A reference definition, as Python-Markdown's ``ReferenceProcessor`` reads one: the whole line
#: (the URL may sit on the next one, and a title in quotes or parentheses may follow), anywhere in a
#: paragraph, in a block quote (``> [id]: url``) or a list item (indented): code is blanked before,
#: so an indented line here is not code. ``[^id]:`` is a footnote's. Groups: the label, the URL
#: (``<url>`` as written).
_REF_DEF = re.compile(
    r"""^(?:[ ]*>)*[ ]*\[(?!\^)([^\[\]]*)\]:[ ]*(?:\n(?:[ ]*>)*[ ]*)?([^\s]+)[ ]*"""
    r"""(?:\n(?:[ ]*>)*[ ]*)?(?:(["']).*\3[ ]*|\(.*\)[ ]*)?$""",
    re.MULTILINE,
)
#: A bracketed label with no bracket inside: ``[text][label]``, ``[label][]`` and ``[label]`` use one.
_LABEL_USE = re.compile(r"\[([^\[\]]*)\]")
#: An autolink: Python-Markdown's for http(s) and ftp(s), spaces and all (``<https://a.b/c d>``
#: links to ``https://a.b/c d``), else any scheme without spaces (``<mailto:me@example.org>``).
_AUTOLINK = re.compile(r"<((?:[Ff]|[Hh][Tt])[Tt][Pp][Ss]?://[^<>]*|[a-zA-Z][a-zA-Z0-9+.-]{1,31}:[^<>\s]+)>")
_HTML_TAG = re.compile(r"<[a-zA-Z][^<>]*>")
#: A link attribute of a raw HTML tag (after a space: ``data-src`` is not ``src``), quoted.
_HTML_LINK_ATTR = re.compile(r"""\s(href|src|srcset|poster)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
#: The characters a backslash escapes in the site's Markdown: Python-Markdown's ``ESCAPED_CHARS``
#: with the site's extensions (``tables`` adds ``|``). Before any other character it stays.
_MARKDOWN_ESCAPABLE = "\\`*_{}[]()>#+-.!|"
_BACKSLASH_ESCAPE = re.compile("\\\\([" + re.escape(_MARKDOWN_ESCAPABLE) + "])")
#: A character reference closed by its semicolon (``&amp;``, ``&#38;``, ``&#x26;``). Without one,
#: Python-Markdown escapes the ampersand, and ``?a=1&copy=2`` stays as written.
_CHARACTER_REFERENCE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


def _as_rendered(url: str, *, escapes: bool = True) -> str:
    r"""The URL a browser requests for a Markdown link destination, as the site renders it.

    Python-Markdown resolves backslash escapes in inline links and autolinks (``a\_b`` is
    ``a_b``) but not in reference definitions (``escapes=False``), and passes character references
    through to the HTML, where the browser decodes them (``?a=1&amp;b=2`` asks for ``?a=1&b=2``).
    """
    if escapes:
        url = _BACKSLASH_ESCAPE.sub(r"\1", url)
    return _CHARACTER_REFERENCE.sub(lambda ref: htmllib.unescape(ref.group(0)), url)


def _escaped(text: str, index: int) -> bool:
    """Return True when the character at ``index`` is backslash-escaped."""
    count = 0
    while index - count - 1 >= 0 and text[index - count - 1] == "\\":
        count += 1
    return count % 2 == 1


def _has_opening_bracket(text: str, close: int) -> bool:
    """Return True when the ``]`` at ``close`` has an unescaped matching ``[`` in its paragraph."""
    if _escaped(text, close):
        return False
    depth = 0
    i = close - 1
    while i >= 0:
        ch = text[i]
        if ch == "\n" and text[i - 1 : i] == "\n":
            return False  # a blank line ends the paragraph
        if ch in "[]" and not _escaped(text, i):
            if ch == "]":
                depth += 1
            elif depth == 0:
                return True
            else:
                depth -= 1
        i -= 1
    return False


def _closing(text: str, i: int, *, titles: bool) -> int | None:  # noqa: C901 - one scanner, a branch per character class
    """The index of the ``)`` that closes a link destination starting at ``i``, or None.

    Nested pairs and escaped characters are skipped. With ``titles``, once a quote opens a title,
    only a ``)`` right after a closing quote (spaces aside) ends the link, as Python-Markdown reads
    ``url "ti)tle"``. A paragraph break, or the end of the text, leaves it unclosed.
    """
    depth = 0
    quote = ""
    last = ""
    j, n = i, len(text)
    while j < n:
        ch = text[j]
        if ch == "\\" and j + 1 < n:
            j += 2
            last = "\\"
            continue
        if ch == "\n" and text.startswith("\n", j + 1):
            return None
        if quote:
            if ch == ")" and last == quote:
                return j
        elif titles and ch in "\"'":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            if depth == 0:
                return j
            depth -= 1
        if ch not in " \t\n":
            last = ch
        j += 1
    return None


def _destination(text: str, start: int) -> tuple[str, int] | None:
    """Parse an inline link destination starting right after ``](``; return (url, offset).

    It ends where Python-Markdown, which renders the site, ends it: at the ``)`` that closes the
    link (nested pairs and escaped characters skipped, and parentheses inside a quoted title), with a
    quoted title split off when one closes right before it (``url "t"``, ``url"t"``). Anything
    else stays in the URL, spaces included: ``[x](a b)`` links to ``a b``, ``[x](u (t))`` to
    ``u (t)``. A paragraph break ends it unclosed: not a link.
    """
    i = start
    n = len(text)
    while i < n and text[i] in " \t":
        i += 1
    if i < n and text[i] == "<":
        end = text.find(">", i)
        if end < 0 or "\n" in text[i:end]:
            return None
        return text[i + 1 : end], i + 1
    # Where the link closes: parentheses inside a quoted title do not count; when no quote closes
    # (an apostrophe in the URL: ``[x](/Conway's_law)``), they all do, as Python-Markdown falls back.
    j = _closing(text, i, titles=True)
    if j is None:
        j = _closing(text, i, titles=False)
    if j is None:
        return None
    title_at = next((k for k in range(i, j) if text[k] in "\"'" and not _escaped(text, k)), -1)
    inner = text[i:j].rstrip()
    if title_at > i and len(inner) > title_at - i + 1 and inner[-1] == text[title_at]:
        inner = text[i:title_at].rstrip()  # a quoted title closes right before the ")"
    return (inner, i) if inner else None


def _label(text: str) -> str:
    """A reference label as Python-Markdown matches it: case and runs of white space do not count."""
    return " ".join(text.split()).lower()


def _used_definitions(body: str, definitions: list[re.Match[str]]) -> list[tuple[int, str]]:
    """The URLs of the reference definitions that the text uses, each at its URL's offset.

    A definition nothing uses is not on the rendered page. A label counts as used wherever it stands
    in brackets outside the definitions (``[text][label]``, ``[label][]``, ``[label]``): a little
    more than Python-Markdown links, never less.
    """
    text = _REF_DEF.sub(blank_match, body)  # a definition's own [label] is not a use
    used = {_label(m.group(1)) for m in _LABEL_USE.finditer(text) if not _escaped(text, m.start())}
    found = []
    for match in definitions:
        if _label(match.group(1)) in used:
            url = match.group(2).lstrip("<").rstrip(">")  # as Python-Markdown takes <url>
            found.append((match.start(2), _as_rendered(url, escapes=False)))
    return found


def extract_links_from_markdown(path_or_text: str | Path, *, name: str | None = None) -> list[Link]:
    """Extract links from Markdown with ``path:line`` sources.

    Finds inline links and images (``[t](url "title")``, nested parentheses allowed), reference
    definitions that the text uses (``[id]: url``), autolinks (``<https://...>``) and ``href``/``src`` in raw HTML.
    Front matter, fenced and indented code blocks, inline code spans and HTML comments are ignored.

    Args:
        path_or_text: A ``Path`` to read, or the Markdown itself (a ``str`` is never read as a file name).
        name: The name used in sources (defaults to the path, or ``<text>``).
    """
    text, display = _read(path_or_text, name)
    body = _HTML_COMMENT.sub(blank_match, blank_code(text))  # a commented-out link is not on the page
    lines = _Lines(body)
    found: list[tuple[int, str]] = []
    for match in re.finditer(r"\]\(", body):
        if not _has_opening_bracket(body, match.start()):
            continue
        parsed = _destination(body, match.end())
        if parsed:
            url, offset = parsed
            found.append((offset, _as_rendered(url)))
    definitions = list(_REF_DEF.finditer(body))
    if definitions:
        found += _used_definitions(body, definitions)
    for match in _AUTOLINK.finditer(body):
        found.append((match.start(1), _as_rendered(match.group(1))))
    for tag in _HTML_TAG.finditer(body):
        for match in _HTML_LINK_ATTR.finditer(tag.group(0)):
            group = 2 if match.group(2) is not None else 3
            value = _as_rendered(match.group(group), escapes=False)  # raw HTML: no Markdown escapes
            for url in _srcset_urls(value) if match.group(1).lower() == "srcset" else [_as_browser_reads(value)]:
                found.append((tag.start() + match.start(group), url))
    found.sort()
    links = [Link(_as_browser_reads(url), f"{display}:{lines.line(offset)}") for offset, url in found if url.strip()]
    return list(dict.fromkeys(links))  # a reference definition written as <url> is also an autolink


# --- Plain text -----------------------------------------------------------------------------------

#: An http(s) URL in plain text: up to white space, a quote, an angle bracket or a backtick, which no
#: URL written in text holds (``href="https://a.b/"`` and ``<https://a.b/>`` give ``https://a.b/``).
_TEXT_URL = re.compile(r"""\b[Hh][Tt][Tt][Pp][Ss]?://[^\s<>"'`]+""")
#: What a sentence puts after a URL, which is not part of it (GFM's extended autolinks drop these).
_TRAILING = "?!.,:;*_~"


def _trimmed(url: str) -> str:
    """``url`` less what the text around it added: trailing punctuation, and closing brackets that
    open nowhere in it (``(see https://a.b/c)`` and ``[x](https://a.b/c)``), as GFM's extended
    autolinks read them (``https://a.b/wiki/Foo_(bar)`` keeps its own).
    """
    while url:
        last = url[-1]
        if last in _TRAILING or (last in ")]}" and url.count(last) > url.count({")": "(", "]": "[", "}": "{"}[last])):
            url = url[:-1]
        else:
            break
    return url


def extract_urls_from_text(text: str, *, name: str) -> list[Link]:
    """Every absolute http(s) URL written in plain ``text`` (standard input, a log, a list), with
    ``name:line`` sources: bare URLs, and those inside Markdown or HTML markup alike, less the
    punctuation and unbalanced brackets that the text around them adds. A URL with nothing after
    ``://`` is not one.
    """
    lines = _Lines(text)
    found = []
    for match in _TEXT_URL.finditer(text):
        url = _trimmed(match.group(0))
        if url.split("://", 1)[1]:
            found.append(Link(url, f"{name}:{lines.line(match.start())}"))
    return found
