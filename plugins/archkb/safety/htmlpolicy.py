"""What contributed HTML may contain: one allow-list, checked and enforced on the rendered HTML.

Contributed Markdown is judged by what the browser will receive. A pattern body is
rendered with the site's own Markdown settings, and the resulting HTML is parsed with
an HTML5 parser (lexbor, through selectolax): the same algorithm browsers use, so
comments, CDATA, raw-text elements and attributes that ``attr_list`` or ``md_in_html``
add are read as a browser reads them. :func:`check_html` reports everything outside
the allow-list; :func:`sanitize_html` removes it (nh3, the Rust ``ammonia`` sanitiser),
as defence in depth for pages that are built although they were refused.

The allow-list is written down for contributors in ``docs/guide/validation.md``
(generated from this module by :func:`render_policy`).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "ALLOWED_TAGS",
    "GLOBAL_ATTRIBUTES",
    "TAG_ATTRIBUTES",
    "URL_ATTRIBUTES",
    "URL_SCHEMES",
    "HtmlViolation",
    "check_html",
    "sanitize_html",
    "url_scheme",
    "render_policy",
    "locate",
]

ALLOWED_TAGS = frozenset(
    {
        "a",
        "abbr",
        "b",
        "blockquote",
        "br",
        "caption",
        "cite",
        "code",
        "dd",
        "del",
        "details",
        "dfn",
        "div",
        "dl",
        "dt",
        "em",
        "figcaption",
        "figure",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "img",
        "input",
        "ins",
        "kbd",
        "label",
        "li",
        "mark",
        "ol",
        "p",
        "pre",
        "q",
        "s",
        "samp",
        "small",
        "span",
        "strong",
        "sub",
        "summary",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "time",
        "tr",
        "u",
        "ul",
        "var",
        "wbr",
    }
)
"""The elements contributed pages may contain: what Markdown and the site's extensions write,
and plain text-level HTML. Anything else (``script``, ``style``, ``base``, ``meta``, ``link``,
``form``, ``iframe``, ``svg``, ``textarea``, ``noscript`` ...) is refused."""

GLOBAL_ATTRIBUTES = frozenset({"id", "class", "title", "lang"})
"""Attributes allowed on every allowed element (with the id and class rules below)."""

TAG_ATTRIBUTES: dict[str, frozenset[str]] = {
    "a": frozenset({"href", "name"}),
    "img": frozenset({"src", "alt", "width", "height", "loading"}),
    "th": frozenset({"colspan", "rowspan", "style"}),
    "td": frozenset({"colspan", "rowspan", "style"}),
    "ol": frozenset({"start", "reversed", "type"}),
    "li": frozenset({"value"}),
    "input": frozenset({"type", "disabled", "checked"}),
    "details": frozenset({"open"}),
    "time": frozenset({"datetime"}),
    "del": frozenset({"datetime"}),
    "ins": frozenset({"datetime"}),
}
"""Further attributes allowed per element."""

URL_ATTRIBUTES = frozenset({"href", "src"})
"""Attributes holding a URL, whose scheme is judged."""

URL_SCHEMES = frozenset({"http", "https", "mailto"})
"""Schemes allowed in URL attributes; relative URLs (no scheme) are allowed too."""

_TEXT_ALIGN = re.compile(r"^\s*text-align\s*:\s*(?:left|right|center)\s*;?\s*$", re.IGNORECASE)
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
_TAB_OR_NEWLINE = re.compile(r"[\t\n\r]")
_C0_OR_SPACE = "".join(chr(c) for c in range(0x21))
_MATERIAL_CLASSES = frozenset({"md-button", "md-button--primary"})


@dataclass(frozen=True)
class HtmlViolation:
    """One thing in rendered HTML that the allow-list refuses.

    Attributes:
        message: What is wrong and what is allowed instead.
        needles: Source text to look for, most specific first, to find the line it came from.
    """

    message: str
    needles: tuple[str, ...]


def url_scheme(value: str) -> str | None:
    r"""The scheme a browser reads in ``value`` (lowercase), or ``None`` for a relative URL.

    Follows the WHATWG URL parser: leading and trailing C0 controls and spaces are
    stripped and tabs and newlines removed anywhere before the scheme is read, so
    ``" java\\tscript:x"`` has the scheme ``javascript``.
    """
    cleaned = _TAB_OR_NEWLINE.sub("", value.strip(_C0_OR_SPACE))
    match = _SCHEME.match(cleaned)
    return match.group(1).lower() if match else None


def _allowed_elements() -> str:
    return ", ".join(sorted(ALLOWED_TAGS))


_VALUE_RULES = frozenset({"href", "src", "style", "class", "id", "type"})
_ALLOWED_BY_TAG = {tag: GLOBAL_ATTRIBUTES | TAG_ATTRIBUTES.get(tag, frozenset()) for tag in ALLOWED_TAGS}
_FREE_BY_TAG = {tag: allowed - _VALUE_RULES for tag, allowed in _ALLOWED_BY_TAG.items()}
"""Per element, the allowed attributes whose value no rule judges (checked by name alone)."""


def _attribute_problem(tag: str, name: str, value: str) -> str | None:
    """Why attribute ``name="value"`` on ``<tag>`` is refused, or ``None`` if it is allowed."""
    if name.startswith("on"):
        return f"event-handler attribute '{name}=' on <{tag}> is not allowed"
    allowed = _ALLOWED_BY_TAG.get(tag) or GLOBAL_ATTRIBUTES | TAG_ATTRIBUTES.get(tag, frozenset())
    if name not in allowed:
        return f"attribute '{name}=' on <{tag}> is not allowed; allowed on <{tag}>: " + ", ".join(sorted(allowed))
    return _value_problem(tag, name, value)


def _value_problem(tag: str, name: str, value: str) -> str | None:
    """Why the value of an allowed attribute is refused (a URL's scheme, a style, a reserved class
    or id, an input's type), or ``None``.
    """
    if name in URL_ATTRIBUTES:
        scheme = url_scheme(value)
        if scheme is not None and scheme not in URL_SCHEMES:
            return f"'{scheme}:' URL in {name}= on <{tag}> is not allowed; links must be http(s), mailto or relative"
    elif name == "style" and not _TEXT_ALIGN.match(value):
        return f"style=\"{value}\" on <{tag}> is not allowed; only 'text-align' (table alignment) is"
    elif name == "class":
        reserved = [c for c in value.split() if c.startswith("md-") and c not in _MATERIAL_CLASSES]
        if reserved:
            return (
                f"class '{reserved[0]}' on <{tag}> is reserved for the theme's layout; "
                "of the theme's classes only md-button is allowed"
            )
    elif name == "id":
        if (value.startswith("__") and not value.startswith("__codelineno-")) or value.startswith("archkb-"):
            return (
                f"id '{value}' on <{tag}> is reserved for the site's own elements (ids starting "
                "'__' or 'archkb-'); choose another"
            )
    elif tag == "input" and name == "type" and value.lower() != "checkbox":
        return f'<input type="{value}"> is not allowed; only task-list checkboxes are'
    return None


def _attribute_violations(tag: str, attrs: dict[str, str | None]) -> list[HtmlViolation]:
    """The refused attributes of an allowed element, each with the text that finds it in the source."""
    out: list[HtmlViolation] = []
    free = _FREE_BY_TAG[tag]
    for name, value in attrs.items():
        if name in free:
            continue
        problem = _attribute_problem(tag, name, value or "")
        if problem:
            needles = tuple(
                n for n in ((value or "") if len(value or "") >= 3 else "", f"{name}=", name, f"<{tag}") if n
            )
            out.append(HtmlViolation(problem, needles))
    return out


def check_html(html: str) -> list[HtmlViolation]:
    """Check rendered HTML against the allow-list.

    The HTML is parsed as a browser would parse it inside a page's article, followed by
    a marker element: what swallows or escapes from its place (an unclosed comment, an
    element left open, a stray closing tag) is reported too.

    Args:
        html: The HTML that Markdown rendered from contributed text.

    Returns:
        One violation per refused element, attribute or structure, in document order.
    """
    from selectolax.lexbor import LexborHTMLParser

    nonce = secrets.token_hex(8)  # the markers' ids: contributed HTML cannot guess them
    wrap_id, article_id, inner_id, end_id = f"w{nonce}", f"a{nonce}", f"i{nonce}", f"e{nonce}"
    # The markers hold text: text after the content is where a browser reopens formatting
    # elements left open (an <a> reopened around the rest of the page).
    tree = LexborHTMLParser(
        f'<div id="{wrap_id}"><article id="{article_id}">{html}<p id="{inner_id}">.</p>'
        f'</article></div><p id="{end_id}">.</p>'
    )
    ours = {wrap_id, article_id, inner_id, end_id}
    out: list[HtmlViolation] = []
    root = tree.root
    assert root is not None  # a parsed document always has its <html>
    for node in root.traverse(include_text=False):
        tag = node.tag or "-"
        if tag.startswith("-"):  # comments, doctype
            continue
        attrs = node.attributes
        if tag in ("html", "head", "body"):  # implied by the parser; a stray <body onload> merges here
            for name in attrs:
                out.append(
                    HtmlViolation(f"attribute '{name}=' on <{tag}> is not allowed", (f"{name}=", name, f"<{tag}"))
                )
            continue
        if tag in ("div", "article", "p") and attrs.get("id") in ours:
            continue
        if tag not in ALLOWED_TAGS:
            out.append(
                HtmlViolation(
                    f"raw <{tag}> is not allowed in contributed pages; allowed elements: {_allowed_elements()}",
                    (f"<{tag}",),
                )
            )
            continue
        out += _attribute_violations(tag, attrs)
        if tag == "input" and "disabled" not in attrs:
            out.append(HtmlViolation("<input> must be a disabled task-list checkbox", ("<input", "[ ]", "[x]")))
    out += _structure(tree, wrap_id, article_id, inner_id, end_id)
    return out


def _structure(tree: object, wrap_id: str, article_id: str, inner_id: str, end_id: str) -> list[HtmlViolation]:
    """Report HTML that does not stay in its place: a browser would read the rest of the page differently."""
    end = tree.css_first(f"#{end_id}")  # type: ignore[attr-defined]
    if end is None:
        return [
            HtmlViolation(
                "the HTML does not end where it starts: an unclosed comment ('<!--' without "
                "'-->') or raw-text element swallows the rest of the page; close it",
                ("<!--", "<"),
            )
        ]
    wrap = tree.css_first(f"#{wrap_id}")  # type: ignore[attr-defined]
    inner = tree.css_first(f"#{inner_id}")  # type: ignore[attr-defined]
    stray = [
        HtmlViolation(
            "a closing tag closes an element it did not open (such as a stray </div> or "
            "</article>), which breaks the page around it; remove it",
            ("</",),
        )
    ]
    if inner is not None:
        reopened = inner.child
        if reopened is not None and reopened.tag != "-text":
            return [
                HtmlViolation(
                    f"an element is left open: <{reopened.tag}> runs on into the rest of the page; "
                    f"close it with </{reopened.tag}>",
                    (f"<{reopened.tag}",),
                )
            ]
    if inner is not None and inner.parent is not None and inner.parent.attributes.get("id") != article_id:
        ancestor = inner.parent
        while ancestor is not None and ancestor.attributes.get("id") != article_id:
            ancestor = ancestor.parent
        if ancestor is None:
            return stray
        opened = inner.parent.tag
        return [
            HtmlViolation(
                f"an element is left open: <{opened}> runs on into the rest of the page; close it with </{opened}>",
                (f"<{opened}",),
            )
        ]
    previous = end.prev
    while previous is not None and previous.tag == "-text" and not (previous.text_content or "").strip():
        previous = previous.prev
    if (
        end.parent is None
        or end.parent.tag != "body"
        or previous is None
        or wrap is None
        or previous.mem_id != wrap.mem_id
    ):
        return stray
    return []


def locate(source: str, needles: Iterable[str]) -> int | None:
    """The 0-based line of ``source`` where the first needle found occurs (case-insensitive)."""
    lowered = source.lower()
    for needle in needles:
        index = lowered.find(needle.lower())
        if index >= 0:
            return source.count("\n", 0, index)
    return None


def _attribute_filter(tag: str, name: str, value: str) -> str | None:
    return None if _attribute_problem(tag, name, value) else value


_CLEANERS: dict[bool, object] = {}  # built on first use: most commands never sanitise


def sanitize_html(html: str, *, refused: bool = True) -> str:
    """Remove from ``html`` everything the allow-list refuses (comments included).

    Defence in depth: a page whose HTML passed :func:`check_html` comes out with the same
    elements, attributes and text (re-serialised), while a refused page built anyway
    (a non-strict build) becomes inert.

    Args:
        html: The rendered HTML.
        refused: Whether :func:`check_html` refused it. The allow-list of elements,
            attributes, URL schemes and styles is always enforced, natively; the value
            rules of reserved ids and classes (a Python callback for every attribute)
            are applied again only to pages the check refused, whose passing pages
            they cannot change.
    """
    cleaner = _CLEANERS.get(refused)
    if cleaner is None:
        import nh3

        attributes = {tag: set(GLOBAL_ATTRIBUTES | TAG_ATTRIBUTES.get(tag, frozenset())) for tag in ALLOWED_TAGS}
        attributes["input"] -= {"type", "disabled"}  # every input becomes a disabled checkbox, below
        cleaner = _CLEANERS[refused] = nh3.Cleaner(
            tags=set(ALLOWED_TAGS),
            attributes=attributes,
            url_schemes=set(URL_SCHEMES),
            link_rel=None,
            strip_comments=True,
            filter_style_properties={"text-align"},
            attribute_filter=_attribute_filter if refused else None,
            set_tag_attribute_values={"input": {"type": "checkbox", "disabled": ""}},
        )
    return str(cleaner.clean(html))  # type: ignore[attr-defined]  # the cache holds nh3.Cleaner objects


def render_policy() -> str:
    """The allow-list as Markdown, for the validation guide."""
    lines = [
        f"- **Elements:** {', '.join(f'`{t}`' for t in sorted(ALLOWED_TAGS))}.",
        f"- **Attributes on every element:** {', '.join(f'`{a}`' for a in sorted(GLOBAL_ATTRIBUTES))}.",
        "- **Further attributes:** "
        + "; ".join(
            f"`{tag}`: {', '.join(f'`{a}`' for a in sorted(attrs))}" for tag, attrs in sorted(TAG_ATTRIBUTES.items())
        )
        + ".",
        f"- **URLs** (`href`, `src`): relative, or with the scheme {', '.join(f'`{s}:`' for s in sorted(URL_SCHEMES))}.",
        "- **`style`** only as table-cell alignment (`text-align: left|right|center`).",
        "- **`input`** only as a disabled task-list checkbox.",
        "- **Reserved:** ids starting `__` (the theme's) or `archkb-` (the site's); classes starting "
        "`md-` except `md-button`. Event handlers (`on...=`) never.",
        "- **Structure:** the HTML must close what it opens and nothing else: no unclosed comment, "
        "no element left open, no stray closing tag.",
    ]
    return "\n".join(lines) + "\n"
