"""Internal links of a built site: pages and anchors checked offline against the rendered HTML."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

from selectolax.lexbor import LexborHTMLParser

from .extract import PageLinks, extract_links_from_html
from .states import Result, State, now_iso
from .urls import fragment_is_checkable, has_scheme

__all__ = ["is_internal", "check_internal", "load_pages", "detect_base_path"]


def is_internal(url: str) -> bool:
    """Return True for links within the site: relative, root-relative or same-page ``#anchor``."""
    return not has_scheme(url) and not url.startswith("//")


def load_pages(files: list[Path], root: Path) -> dict[Path, PageLinks]:
    """Parse HTML files; sources are named relative to ``root`` when possible."""
    pages: dict[Path, PageLinks] = {}
    base = root.resolve()  # once: resolving walks every folder of the path
    for file in files:
        resolved = file.resolve()
        try:
            name = resolved.relative_to(base).as_posix()
        except ValueError:
            name = str(file)
        pages[resolved] = extract_links_from_html(file, name=name)
    return pages


def detect_base_path(root: Path) -> str:
    """Return the path the site is served under (``/archkb/``), read from the home page's
    ``<link rel="canonical">`` (MkDocs writes ``site_url`` there); ``/`` when there is none.
    """
    index = root / "index.html"
    if not index.is_file():
        return "/"
    tree = LexborHTMLParser(index.read_text(encoding="utf-8", errors="replace"))
    for node in tree.css("link[rel~=canonical][href]"):
        path = urlsplit(node.attributes.get("href") or "").path or "/"
        return path if path.endswith("/") else path.rsplit("/", 1)[0] + "/"
    return "/"


def _target_file(page: Path, path: str, root: Path) -> Path | None:
    """Find the file a link path points at (directory URLs resolve to their ``index.html``)."""
    base = root if path.startswith("/") else page.parent
    candidate = Path(os.path.normpath(base / unquote(path).lstrip("/"))) if path else page
    try:
        candidate.relative_to(root)
    except ValueError:
        return None
    options = [candidate]
    if path.endswith("/") or candidate.is_dir():
        options = [candidate / "index.html"]
    elif not candidate.suffix:
        options += [candidate / "index.html", candidate.with_suffix(".html")]
    return next((option for option in options if option.is_file()), None)


def _shown(page: Path, path: str, root: Path) -> str:
    """The site-relative path a link resolves to, for messages."""
    base = root if path.startswith("/") else page.parent
    resolved = Path(os.path.normpath(base / unquote(path).lstrip("/")))
    try:
        shown = resolved.relative_to(root).as_posix()
    except ValueError:
        return f"{path} (outside the site)"
    return shown + "/" if path.endswith("/") and shown != "." else shown


def check_internal(pages: dict[Path, PageLinks], root: Path, base_path: str | None = None) -> list[Result]:
    """Check every internal link of ``pages`` (a built site rooted at ``root``) offline.

    A link is ``broken`` when its page does not exist in the site, or when its ``#fragment`` is not
    an id of the rendered target page; otherwise ``ok``. Each (link as written, target) pair is one
    result carrying all its sources. Root-relative links (``/archkb/x/``, as in MkDocs' 404 page) are
    resolved under ``base_path`` (detected from the home page's canonical link when None); one outside
    it points at another site on the same host and is ``skipped``.
    """
    root = root.resolve()
    if base_path is None:
        base_path = detect_base_path(root)
    ids: dict[Path, set[str]] = {path: page.ids for path, page in pages.items()}
    results: dict[tuple[str, str], Result] = {}
    stamp = now_iso()
    for path, page in pages.items():
        for link in page.links:
            if not is_internal(link.url):
                continue
            parts = urlsplit(link.url)
            fragment = unquote(parts.fragment)
            link_path = parts.path
            if link_path.startswith("/"):
                if not (link_path + "/").startswith(base_path):
                    key = (link.url, "outside")
                    if key not in results:
                        message = f"outside the site's base path {base_path}"
                        results[key] = Result(link.url, State.SKIPPED, sources=[], message=message, checked_at=stamp)
                    _cited(results[key], link.source)
                    continue
                link_path = "/" + link_path[len(base_path) :]
            target = _target_file(path, link_path, root)
            key_target = str(target) if target else f"missing:{parts.path}@{path.parent}"
            key = (link.url, f"{key_target}#{fragment}")
            if key not in results:
                results[key] = _verdict(link.url, target, fragment, path, link_path, root, ids, stamp)
            _cited(results[key], link.source)
    return list(results.values())


def _cited(result: Result, source: str) -> None:
    """Add ``source`` to the places that cite ``result``'s link, once."""
    if source not in result.sources:
        result.sources.append(source)


def _verdict(
    url: str,
    target: Path | None,
    fragment: str,
    page: Path,
    link_path: str,
    root: Path,
    ids: dict[Path, set[str]],
    stamp: str,
) -> Result:
    """An internal link's verdict: ``broken`` when ``target`` is no page of the site, or when its
    fragment is no id of that page (read once, into ``ids``); else ``ok``.
    """
    if target is None:
        message = f"no page at {_shown(page, link_path, root)} in the built site"
        return Result(url, State.BROKEN, sources=[], message=message, checked_at=stamp)
    if fragment and fragment_is_checkable(fragment) and target.suffix in (".html", ".htm"):
        if target not in ids:
            ids[target] = extract_links_from_html(target).ids
        if fragment not in ids[target]:
            shown = target.relative_to(root).as_posix()
            message = f"anchor #{fragment} is not an id on {shown}"
            return Result(url, State.BROKEN, sources=[], message=message, checked_at=stamp)
    return Result(url, State.OK, sources=[], checked_at=stamp)
