"""Links from Markdown files to local files: the file each points at, and the heading it names.

A repository's README links to ``docs/guide.md#install``; when the guide moves or its heading is
renamed, the link rots like any other. ``archkb check-links`` checks such links offline, for the
Markdown files given as PATHs (or found in a PATH folder):

- a relative link (``guide.md``, ``../img/diagram.png``, ``docs/``) is ``ok`` when the file or
  folder exists, relative to the linking file, and ``broken`` when it does not;
- its ``#fragment`` must be an anchor of the target: for a Markdown file, one of its headings'
  anchors as GitHub makes them (github-slugger: ``## Set-up & install`` is ``#set-up--install``)
  or as Python-Markdown's ``toc`` does (MkDocs: ``#set-up-install``), with the suffixes either adds
  to a repeated heading (``-1``, ``_1``), an explicit ``{#id}``, or an ``id``/``name`` in its raw
  HTML, compared without regard to case (GitHub's own page script lowers it); for an HTML file,
  one of its ids. Fragments of other files, and text fragments, are not judged;
- a link that leads out of its file's repository (``../../etc/passwd``) is ``skipped``: a page cannot
  make the check tell which other files exist on the machine;
- a root-relative link (``/docs/x.md``) resolves under ``root_dir`` (``--root-dir``), as GitHub
  resolves it under the repository; without one it is ``skipped``, since where it lands depends on
  where the file is served;
- a Markdown file that an MkDocs project builds into pages (below its ``docs_dir``, or the archkb
  plugin's ``patterns_dir``) is left to the site's build, which knows where each page is served and
  the pages it generates (this project's reading list is not a file on disk); its local links are
  ``skipped`` with that reason. ``mkdocs build --strict`` checks them.
"""

from __future__ import annotations

import html
import os
import re
import unicodedata
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .extract import ids_from_html
from .states import Link, Result, State, now_iso
from .urls import fragment_is_checkable

__all__ = ["markdown_anchors", "check_markdown_links", "github_slug", "toc_slug"]

_MARKDOWN = (".md", ".markdown")
_MAX_READ = 8 * 1024 * 1024  # bytes of a file read for its anchors
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_ATTR_ID = re.compile(r"\s*\{[^}]*#([^\s}]+)[^}]*\}\s*$")
_HTML_ID = re.compile(r"""<[A-Za-z][^>]*?\s(?:id|name)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+))""")
_TAG = re.compile(r"<[^>]*>")
_CODE = re.compile(r"(`+)(.+?)\1")
_IMAGE = re.compile(r"!\[[^\]]*\](?:\([^)]*\)|\[[^\]]*\])")
_LINK = re.compile(r"\[([^\[\]]*)\](?:\([^)]*\)|\[[^\]]*\])?")
_EMPHASIS = re.compile(r"(?<!\w)_+|_+(?!\w)|\*+|~~")
_LIST_MARKER = re.compile(r"^(?:[-*+]|\d+[.)])[ \t]+")


def _inline_text(part: str) -> str:
    """Text outside code spans as its HTML's text content: images give none, links their text."""
    part = _IMAGE.sub("", part)
    while True:
        linked = _LINK.sub(r"\1", part)
        if linked == part:
            break
        part = linked
    return _EMPHASIS.sub("", _TAG.sub("", part))


def _heading_text(raw: str) -> str:
    """A heading's text as its rendered HTML's text content, near enough for its anchor (spaces
    at the ends kept: GitHub turns them into ``-``).
    """
    pieces, end = [], 0
    for code in _CODE.finditer(raw):
        pieces.append(_inline_text(raw[end : code.start()]))
        pieces.append(code.group(2).strip() or code.group(2))
        end = code.end()
    pieces.append(_inline_text(raw[end:]))
    return html.unescape("".join(pieces))


def github_slug(text: str) -> str:
    """A heading's anchor as GitHub makes it (github-slugger): lower case; letters, marks, decimal
    and letter numbers, connector punctuation (``_``), ``-`` and spaces kept, every other character
    dropped; each space a ``-``.
    """
    kept = []
    for char in text.lower():
        category = unicodedata.category(char)
        if char in "- " or category[0] in "LM" or category in ("Nd", "Nl", "Pc"):
            kept.append(char)
    return "".join(kept).replace(" ", "-")


def toc_slug(text: str) -> str:
    """A heading's anchor as Python-Markdown's ``toc`` extension makes it (MkDocs' default)."""
    value = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    value = re.sub(r"[^\w\s-]", "", value).strip().lower()
    return re.sub(r"[-\s]+", "-", value)


def _headings(text: str) -> list[tuple[str, str | None]]:
    """Each heading's text and explicit ``{#id}``, outside code fences and front matter."""
    lines = text.splitlines()
    start = 0
    if lines and lines[0].strip() == "---":  # YAML front matter
        end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
        start = end + 1 if end is not None else 0
    found: list[tuple[str, str | None]] = []
    fence: str | None = None
    previous = ""
    for line in lines[start:]:
        opened = _FENCE.match(line)
        if fence is not None:
            if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence):
                fence = None
            previous = ""
            continue
        if opened:
            fence = opened.group(1)
            previous = ""
            continue
        atx = _ATX.match(line)
        setext = _SETEXT.match(line)
        raw = None
        if atx:
            raw = atx.group(2) or ""
        elif setext and previous.strip() and not _ATX.match(previous) and not previous.startswith("    "):
            raw = _LIST_MARKER.sub("", previous.strip())
        if raw is not None:
            explicit = _ATTR_ID.search(raw)
            if explicit:
                raw = raw[: explicit.start()]
            found.append((_heading_text(raw), explicit.group(1) if explicit else None))
            previous = ""
            continue
        previous = line
    return found


def _unique(slug: str, seen: dict[str, int], sep: str) -> str:
    if slug not in seen:
        seen[slug] = 0
        return slug
    while True:
        seen[slug] += 1
        candidate = f"{slug}{sep}{seen[slug]}"
        if candidate not in seen:
            seen[candidate] = 0
            return candidate


def markdown_anchors(text: str) -> set[str]:
    """Every anchor a Markdown file's readers can link to, lower-cased: each heading's as GitHub and
    as Python-Markdown make it (repeats suffixed), explicit ``{#id}`` ids, and raw HTML ids and names.
    """
    anchors: set[str] = set()
    github: dict[str, int] = {}
    toc: dict[str, int] = {}
    for heading, explicit in _headings(text):
        anchors.add(_unique(github_slug(heading), github, "-"))
        if explicit:
            anchors.add(explicit)
        else:
            anchors.add(_unique(toc_slug(heading) or "_", toc, "_"))
    for match in _HTML_ID.finditer(text):
        anchors.add(next(g for g in match.groups() if g is not None))
    return {a.lower() for a in anchors}


@cache
def _site_folders(folder: Path) -> tuple[Path, ...]:
    """The folders whose Markdown the nearest MkDocs project at or above ``folder`` builds into
    pages: its ``docs_dir``, and the archkb plugin's ``patterns_dir`` when the plugin is on.
    """
    for candidate in (folder, *folder.parents):
        config = candidate / "mkdocs.yml"
        if not config.is_file():
            continue
        try:
            text = config.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ()
        # mkdocs.yml holds tags (!ENV) that a safe loader refuses; these two keys are plain.
        docs = re.search(r"^docs_dir:\s*['\"]?([^'\"#\n]+?)['\"]?\s*(?:#.*)?$", text, re.M)
        found = [candidate / (docs.group(1) if docs else "docs")]
        if re.search(r"^\s*-?\s*archkb\s*:?\s*(?:#.*)?$", text, re.M):
            patterns = re.search(r"^\s+patterns_dir:\s*['\"]?([^'\"#\n]+?)['\"]?\s*(?:#.*)?$", text, re.M)
            found.append(candidate / (patterns.group(1) if patterns else "patterns"))
        return tuple(f.resolve() for f in found)
    return ()


def _built_by_a_site(file: Path) -> bool:
    return any(file == f or f in file.parents for f in _site_folders(file.parent))


@cache
def _repository(folder: Path) -> Path | None:
    """The nearest folder at or above ``folder`` holding ``.git``, or None."""
    return next((c for c in (folder, *folder.parents) if (c / ".git").exists()), None)


def _boundary(file: Path, root: Path | None) -> Path:
    """The folder a Markdown file's links may lead into: its repository, else ``root`` when the file
    is under it, else the file's own folder.
    """
    repository = _repository(file.parent)
    if repository is not None:
        return repository
    if root is not None and (root == file.parent or root in file.parents):
        return root
    return file.parent


def check_markdown_links(
    links: list[tuple[Path, Link]], *, root_dir: Path | None = None, root: Path | None = None
) -> list[Result]:
    """Check local links written in Markdown files, offline (see the module's docstring).

    A link that leads out of its file's repository (the nearest folder holding ``.git``; else
    ``root``, else the file's folder) is ``skipped``: no page can make the check tell which files
    exist elsewhere on the machine, nor read them. Anchors are read from the first 8 MiB of a file.

    Args:
        links: Each link with the Markdown file that holds it.
        root_dir: The folder root-relative links (``/docs/x.md``) resolve under, as GitHub resolves
            them under the repository; when None they are ``skipped``.
        root: The project folder (``--root``), the boundary of files outside any repository.

    Returns:
        One result per link as written and the file it resolves to, carrying all its sources.
    """
    results: dict[tuple[str, str], Result] = {}
    anchors: dict[Path, set[str] | None] = {}
    resolved: dict[Path, Path] = {}  # each file resolved once, not once per link
    stamp = now_iso()
    for given, link in links:
        file = resolved.get(given) or resolved.setdefault(given, given.resolve())
        parts = urlsplit(link.url)
        path, fragment = unquote(parts.path), unquote(parts.fragment)
        target, skipped = _resolve(file, path, root_dir, root)
        if target is None:
            key, state, message = (link.url, skipped), State.SKIPPED, skipped
        else:
            key, state, message = (link.url, f"{target}#{fragment}"), State.OK, ""
        if key in results:
            if link.source not in results[key].sources:
                results[key].sources.append(link.source)
            continue
        if target is not None and not target.exists():
            state, message = State.BROKEN, f"no file or folder at {_shown(target, file)}"
        elif target is not None and target.is_file() and fragment and fragment_is_checkable(fragment):
            if target not in anchors:
                anchors[target] = _anchors_of(target)
            problem = _missing_anchor(target, fragment, anchors[target], file)
            if problem:
                state, message = State.BROKEN, problem
        results[key] = Result(link.url, state, sources=[link.source], message=message, checked_at=stamp)
    return list(results.values())


def _resolve(file: Path, path: str, root_dir: Path | None, root: Path | None) -> tuple[Path | None, str]:
    """The file or folder a link's path leads to from ``file``, or None and why it is not judged."""
    if _built_by_a_site(file):
        return None, "left to the site's build"
    if path.startswith("/"):
        if root_dir is None:
            return None, "root-relative: not judged"
        boundary = root_dir.resolve()
        target = Path(os.path.normpath(boundary / path.lstrip("/")))
    else:
        boundary = _boundary(file, root.resolve() if root is not None else None)
        target = Path(os.path.normpath(file.parent / path)) if path else file
    if target != boundary and boundary not in target.parents:
        return None, "outside the repository: not judged"
    return target, ""


def _missing_anchor(target: Path, fragment: str, known: set[str] | None, file: Path) -> str:
    """Why ``#fragment`` names nothing in ``target`` (whose anchors are ``known``), or ""."""
    if known is None:  # a kind of file whose anchors are not judged
        return ""
    if target.suffix.lower() in _MARKDOWN:
        return "" if fragment.lower() in known else f"no heading or anchor #{fragment} in {_shown(target, file)}"
    return "" if fragment in known else f"anchor #{fragment} is not an id on {_shown(target, file)}"


def _anchors_of(target: Path) -> set[str] | None:
    """The anchors of a Markdown or HTML file (None for another kind, or one that cannot be read)."""
    suffix = target.suffix.lower()
    if suffix not in (*_MARKDOWN, ".html", ".htm"):
        return None
    try:
        with target.open("rb") as handle:
            text = handle.read(_MAX_READ).decode("utf-8", "replace")
    except OSError:
        return None
    return markdown_anchors(text) if suffix in _MARKDOWN else ids_from_html(text)


def _shown(target: Path, file: Path) -> str:
    """``target`` relative to the linking file's folder, as written in a link."""
    return Path(os.path.relpath(target, file.parent)).as_posix()
