"""Find active content in a built site, the way a browser would meet it.

Every page is parsed with an HTML5 parser (lexbor). What can run script or change the
whole page is collected as a *signature*: scripts, styles, links, metas, bases, frames,
forms, SVG animations, event-handler attributes and script URLs. A clean build of the same
kind of site gives the signatures the theme itself writes; anything else is live content
that a contribution put there.
"""

from __future__ import annotations

import posixpath
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

from archkb.safety.htmlpolicy import url_scheme

_WATCHED = (
    "script",
    "style",
    "link",
    "meta",
    "base",
    "iframe",
    "frame",
    "object",
    "embed",
    "form",
    "textarea",
    "noscript",
    "svg",
    "math",
    "animate",
    "set",
    "button",
    "input",
    "template",
)
_URL_ATTRIBUTES = ("href", "src", "action", "formaction", "data", "xlink:href", "poster", "srcdoc", "background")
_SAFE_SCHEMES = {None, "http", "https", "mailto"}


_KEY_VALUES = ("src", "href", "rel", "type", "http-equiv", "charset", "name", "class", "property")


def _signature(node) -> tuple:
    """What identifies a watched element across pages: its attribute names and key values.

    URLs count by file name (pages differ in their relative paths); text-like values
    (a description, a size) do not count, except in a ``<meta http-equiv>``.
    """
    attrs = []
    for name, value in sorted(node.attributes.items()):
        value = value or ""
        if name in ("src", "href"):
            value = posixpath.basename(value.split("?")[0])
        elif name == "content" and "http-equiv" in node.attributes:
            pass
        elif name not in _KEY_VALUES:
            value = "*"
        attrs.append((name, value))
    text = ""
    if node.tag == "script" and not node.attributes.get("src"):
        text = (node.text(deep=True) or "").strip()[:24]
    return (node.tag, tuple(attrs), text)


def live_content(html: str, allowed: set[tuple] | None = None) -> list[str]:
    """Describe each piece of active content in one page that ``allowed`` does not list."""
    tree = LexborHTMLParser(html)
    found: list[str] = []
    for node in tree.root.traverse(include_text=False):
        if node.tag.startswith("-"):
            continue
        for name, value in node.attributes.items():
            if name.startswith("on"):
                found.append(f"<{node.tag} {name}=...>")
            elif name in _URL_ATTRIBUTES and url_scheme(value or "") not in _SAFE_SCHEMES:
                found.append(f"<{node.tag} {name}={value!r}>")
            elif name == "style" and node.tag not in ("th", "td") and _in_content(node):
                found.append(f"<{node.tag} style={value!r}>")
        if node.tag == "input" and node.attributes.get("type") == "checkbox" and "disabled" in node.attributes:
            continue  # a task list's checkbox: inert
        if node.tag in _WATCHED and (allowed is None or _signature(node) not in allowed):
            found.append(f"<{node.tag}> {_signature(node)}")
    return found


def _in_content(node) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.tag == "article":
            return True
        parent = parent.parent
    return False


def signatures(site_dir: Path) -> set[tuple]:
    """Every watched element's signature in a (clean) built site."""
    out: set[tuple] = set()
    for page in site_dir.rglob("*.html"):
        tree = LexborHTMLParser(page.read_text(encoding="utf-8"))
        for node in tree.root.traverse(include_text=False):
            if node.tag in _WATCHED:
                out.add(_signature(node))
    return out


def live_pages(site_dir: Path, allowed: set[tuple]) -> dict[str, list[str]]:
    """Pages of a built site with active content that ``allowed`` (a clean build's) does not list."""
    out = {}
    for page in sorted(site_dir.rglob("*.html")):
        found = live_content(page.read_text(encoding="utf-8"), allowed)
        if found:
            out[page.relative_to(site_dir).as_posix()] = found
    return out
