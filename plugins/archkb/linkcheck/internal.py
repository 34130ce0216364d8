"""Internal links of a built site: pages and anchors checked offline against the rendered HTML."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .extract import PageLinks, extract_links_from_html
from .runner import now_iso
from .states import Result, State
from .urls import fragment_is_checkable, has_scheme

__all__ = ["is_internal", "check_internal", "load_pages"]


def is_internal(url: str) -> bool:
    """Return True for links within the site: relative, root-relative or same-page ``#anchor``."""
    return not has_scheme(url) and not url.startswith("//")


def load_pages(files: list[Path], root: Path) -> dict[Path, PageLinks]:
    """Parse HTML files; sources are named relative to ``root`` when possible."""
    pages: dict[Path, PageLinks] = {}
    for file in files:
        try:
            name = file.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            name = str(file)
        pages[file.resolve()] = extract_links_from_html(file, name=name)
    return pages


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


def check_internal(pages: dict[Path, PageLinks], root: Path) -> list[Result]:
    """Check every internal link of ``pages`` (a built site rooted at ``root``) offline.

    A link is ``broken`` when its page does not exist in the site, or when its ``#fragment`` is not
    an id of the rendered target page; otherwise ``ok``. Each (link as written, target) pair is one
    result carrying all its sources.
    """
    root = root.resolve()
    ids: dict[Path, set[str]] = {path: page.ids for path, page in pages.items()}
    results: dict[tuple[str, str], Result] = {}
    stamp = now_iso()
    for path, page in pages.items():
        for link in page.links:
            if not is_internal(link.url):
                continue
            parts = urlsplit(link.url)
            fragment = unquote(parts.fragment)
            target = _target_file(path, parts.path, root)
            key_target = str(target) if target else f"missing:{parts.path}@{path.parent}"
            key = (link.url, f"{key_target}#{fragment}")
            if key in results:
                if link.source not in results[key].sources:
                    results[key].sources.append(link.source)
                continue
            result = Result(link.url, State.OK, sources=[link.source], checked_at=stamp)
            if target is None:
                result.state = State.BROKEN
                result.message = f"no page at {parts.path or link.url} in the built site"
            elif fragment and fragment_is_checkable(fragment) and target.suffix in (".html", ".htm"):
                if target not in ids:
                    ids[target] = extract_links_from_html(target).ids
                if fragment not in ids[target]:
                    shown = target.relative_to(root).as_posix()
                    result.state = State.BROKEN
                    result.message = f"anchor #{fragment} is not an id on {shown}"
            results[key] = result
    return list(results.values())
