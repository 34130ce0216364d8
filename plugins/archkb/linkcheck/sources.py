"""Collecting the links to check from the command's inputs: a site folder, files, or the project."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .extract import PageLinks, extract_links_from_markdown
from .internal import is_internal, load_pages
from .states import Link

__all__ = ["Inputs", "InputError", "collect_paths", "collect_project"]

_HTML = {".html", ".htm"}
_MARKDOWN = {".md", ".markdown"}


class InputError(ValueError):
    """An input cannot be used (wrong kind of file, no project, unreadable catalog)."""


@dataclass
class Inputs:
    """What one run checks.

    Attributes:
        external: Links for the network checker (Markdown relative links are left to the build).
        sites: Parsed HTML pages per site root, for the offline internal check.
    """

    external: list[Link] = field(default_factory=list)
    sites: list[tuple[Path, dict[Path, PageLinks]]] = field(default_factory=list)


def _display(path: Path, base: Path) -> str:
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return str(path)


def _add_markdown(inputs: Inputs, files: list[Path], base: Path) -> None:
    for file in _readable(files):
        for link in extract_links_from_markdown(file, name=_display(file, base)):
            if not is_internal(link.url):
                inputs.external.append(link)


def _add_html(inputs: Inputs, files: list[Path], root: Path, base: Path) -> None:
    pages = load_pages(_readable(files), base)
    for page in pages.values():
        inputs.external.extend(link for link in page.links if not is_internal(link.url))
    inputs.sites.append((root, pages))


def _readable(files: list[Path]) -> list[Path]:
    """Raise InputError for the first file that cannot be read."""
    for file in files:
        try:
            with file.open("rb"):
                pass
        except OSError as exc:
            raise InputError(f"{file}: cannot read it ({exc.strerror or exc})") from exc
    return files


def collect_paths(paths: list[Path], base: Path) -> Inputs:
    """Collect links from PATH arguments: site folders, HTML files or Markdown files.

    A folder is a built site when it holds HTML (internal links and anchors are then checked
    between its pages), else its Markdown files are read.

    Raises:
        InputError: for a file that is neither HTML nor Markdown, or a folder with neither.
    """
    inputs = Inputs()
    loose_html: dict[Path, list[Path]] = {}
    for path in paths:
        if path.is_dir():
            html = sorted(p for p in path.rglob("*") if p.suffix.lower() in _HTML and p.is_file())
            if html:
                _add_html(inputs, html, path.resolve(), base)
                continue
            markdown = sorted(p for p in path.rglob("*") if p.suffix.lower() in _MARKDOWN and p.is_file())
            if not markdown:
                raise InputError(f"{path}: no HTML or Markdown files in this folder")
            _add_markdown(inputs, markdown, base)
        elif path.suffix.lower() in _HTML:
            loose_html.setdefault(path.resolve().parent, []).append(path)
        elif path.suffix.lower() in _MARKDOWN:
            _add_markdown(inputs, [path], base)
        else:
            raise InputError(f"{path}: not an HTML (.html) or Markdown (.md) file")
    for root, files in loose_html.items():
        _add_html(inputs, files, root, base)
    return inputs


def collect_project(root: Path) -> Inputs:
    """Collect the project's own links: every reference URL (and archived URL), plus links in
    ``patterns/*.md`` and ``docs/**/*.md``.

    Raises:
        InputError: when ``root`` is not a project or its catalog cannot be loaded.
    """
    if not (root / "mkdocs.yml").is_file():
        raise InputError(f"{root}: no mkdocs.yml here; run in the project folder, use --root, or give PATHs")
    try:
        from archkb.catalog.loader import load_catalog
    except ImportError as exc:  # pragma: no cover - the loader ships with the package
        raise InputError(f"cannot load the catalog: {exc}") from exc
    try:
        catalog = load_catalog(root)
    except Exception as exc:
        raise InputError(f"{root}: cannot load the catalog: {exc}") from exc
    inputs = Inputs()
    for entry in getattr(catalog, "references", {}).values():
        source = f"{entry.path}:{entry.line}"
        for url in (getattr(entry, "url", None), getattr(entry, "archived_url", None)):
            if url:
                inputs.external.append(Link(str(url), source))
    files = sorted((root / "patterns").glob("*.md")) + sorted((root / "docs").rglob("*.md"))
    _add_markdown(inputs, files, root)
    return inputs
