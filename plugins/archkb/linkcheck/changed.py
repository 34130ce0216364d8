"""External links that a change adds, compared with a git base.

Pull requests should not wait on every link of the catalog, only on the links
they add or change. :func:`changed_urls` lists the external URLs found in the
working tree's (or a head revision's) ``references/*.yml``, ``patterns/*.md``
and ``docs/**/*.md`` that the base revision's versions of those files do not
hold. ``archkb changed-links --base REF`` prints them, and ``archkb check-links
--changed REF`` (what CI runs on a pull request) checks them where they are written.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ..catalog.yamlload import YamlError, load_yaml

__all__ = [
    "ChangedLinksError",
    "ChangedUrl",
    "WATCHED_GLOBS",
    "urls_in_file",
    "urls_at",
    "changed_urls",
    "format_changed",
]

WATCHED_GLOBS = ("references/*.yml", "references/*.yaml", "patterns/*.md", "docs/**/*.md")
"""The project files whose external links are checked, relative to the project root."""

_URL = re.compile(r"https?://[^\s<>\"'`\]\[)(]+(?:\([^\s<>\"'`()]*\)[^\s<>\"'`\]\[)(]*)*", re.IGNORECASE)
_TRAILING = ".,;:!?*_~'\""


class ChangedLinksError(Exception):
    """The comparison cannot be made: not a git repository, or an unknown revision."""


@dataclass
class ChangedUrl:
    """One external URL that the change adds.

    Attributes:
        url: The URL as written.
        sources: Every place it is written in the new version, as ``path:line``.
    """

    url: str
    sources: list[str] = field(default_factory=list)


def _watched(path: str) -> bool:
    """Whether a file (relative to the project root) is one of :data:`WATCHED_GLOBS`."""
    parts = PurePosixPath(path).parts
    suffix = PurePosixPath(path).suffix
    if len(parts) == 2 and parts[0] == "references":
        return suffix in (".yml", ".yaml")
    if len(parts) == 2 and parts[0] == "patterns":
        return suffix == ".md"
    return len(parts) >= 2 and parts[0] == "docs" and suffix == ".md"


def _is_external(url: str) -> bool:
    return url.lower().startswith(("http://", "https://"))


def _markdown_urls(path: str, text: str) -> list[tuple[str, str]]:
    from .extract import extract_links_from_markdown

    return [(link.url, link.source) for link in extract_links_from_markdown(text, name=path) if _is_external(link.url)]


def _regex_urls(path: str, text: str) -> list[tuple[str, str]]:
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        for match in _URL.finditer(line):
            found.append((match.group(0).rstrip(_TRAILING), f"{path}:{number}"))
    return found


def _yaml_urls(path: str, text: str) -> list[tuple[str, str]]:
    """The ``url`` and ``archived_url`` of each reference entry (any URL when the file is broken)."""
    try:
        loaded = load_yaml(text)
    except YamlError:
        return _regex_urls(path, text)
    data = loaded.data
    entries = data.get("references") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        return _regex_urls(path, text)
    found = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            continue
        for key in ("url", "archived_url"):
            value = entry.get(key)
            if isinstance(value, str) and _is_external(value.strip()):
                line = loaded.line_of(("references", index, key))
                found.append((value.strip(), f"{path}:{line}"))
    return found


def urls_in_file(path: str, text: str) -> list[tuple[str, str]]:
    """Return ``(url, "path:line")`` for each external link in one project file.

    Args:
        path: The file, relative to the project root (POSIX separators).
        text: The file's text.
    """
    if path.endswith((".yml", ".yaml")):
        return _yaml_urls(path, text)
    return _markdown_urls(path, text)


def _git(root: Path, *args: str) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, check=False, timeout=120)  # noqa: S607,S603 - git, with fixed arguments
    except FileNotFoundError:
        raise ChangedLinksError("git is not installed") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ChangedLinksError(f"git {' '.join(args)}: {message[-1] if message else 'failed'}")
    return done.stdout


def _resolve(root: Path, rev: str) -> str:
    try:
        return _git(root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}").decode().strip()
    except ChangedLinksError:
        raise ChangedLinksError(
            f"unknown git revision '{rev}' in {root}; fetch it first (in CI: actions/checkout with fetch-depth: 0)"
        ) from None


def _prefix(root: Path) -> str:
    """The project root's path inside its git repository ('' at the top)."""
    return _git(root, "rev-parse", "--show-prefix").decode("utf-8", "surrogateescape").strip()


def urls_at(root: Path | str, rev: str | None = None) -> dict[str, list[str]]:
    """Return every external URL of the watched files, with its sources.

    Args:
        root: The project folder (inside a git repository when ``rev`` is given).
        rev: A git revision; ``None`` reads the working tree.

    Returns:
        A mapping from URL to its ``path:line`` sources.

    Raises:
        ChangedLinksError: When ``rev`` cannot be read.
    """
    root = Path(root).resolve()
    files: dict[str, str] = {}
    if rev is None:
        for pattern in WATCHED_GLOBS:
            for file in sorted(root.glob(pattern)):
                if file.is_file():
                    files[file.relative_to(root).as_posix()] = file.read_text(encoding="utf-8", errors="replace")
    else:
        commit = _resolve(root, rev)
        prefix = _prefix(root)
        listing = _git(
            root, "ls-tree", "-r", "-z", "--full-name", "--name-only", commit, "--", "references", "patterns", "docs"
        )
        # A name that is not UTF-8 is kept as its bytes (surrogate escapes, as the working tree's
        # names are read), shown escaped, and given back to git as it was.
        for full in filter(None, listing.decode("utf-8", "surrogateescape").split("\0")):
            if not full.startswith(prefix):
                continue
            rel = full[len(prefix) :]
            if _watched(rel):
                files[rel] = _git(root, "show", f"{commit}:{full}").decode("utf-8", "replace")
    found: dict[str, list[str]] = {}
    for rel, text in sorted(files.items()):
        for url, source in urls_in_file(rel, text):
            found.setdefault(url, []).append(source)
    return found


def changed_urls(root: Path | str, base: str, head: str | None = None) -> list[ChangedUrl]:
    """List the external URLs that ``head`` (default: the working tree) adds to ``base``.

    A URL counts as added when no watched file of ``base`` holds it, so a link
    moved from one page to another is not checked again, while a corrected URL is.

    Args:
        root: The project folder, inside a git repository.
        base: The git revision to compare with (a branch, tag or commit).
        head: The git revision of the change; ``None`` reads the working tree.

    Raises:
        ChangedLinksError: When a revision cannot be read.
    """
    old = urls_at(root, base)
    new = urls_at(root, head)
    return [ChangedUrl(url, sources) for url, sources in sorted(new.items()) if url not in old]


def format_changed(changed: list[ChangedUrl], fmt: str = "lines") -> str:
    """Format added URLs.

    A URL that carries credentials (``https://user:password@host/``) is written with its userinfo
    replaced by ``***``: this output lands in CI logs, step summaries and artifacts, and
    ``archkb check-links`` reports such a link without ever sending its credentials anyway.

    Args:
        changed: The added URLs.
        fmt: ``lines`` (one URL per line, control characters shown as escapes), ``markdown`` (a list
            of autolinks that ``archkb check-links FILE.md`` reads, unsafe characters
            percent-encoded) or ``json``.
    """
    from ..safety.chars import printable
    from .credentials import redact_credentials
    from .report import markdown_code, markdown_url, without_runner_commands

    if fmt == "json":
        import json

        listed = [{"url": redact_credentials(c.url), "sources": c.sources} for c in changed]
        return without_runner_commands(json.dumps(listed, indent=2) + "\n", "json")
    if fmt == "markdown":
        lines = ["# Links added by this change", ""]
        # What a pull request wrote is not Markdown here: a URL stays one autolink, a file name text.
        lines += [
            f"- {markdown_url(redact_credentials(c.url))} ({markdown_code(', '.join(c.sources))})" for c in changed
        ]
        return without_runner_commands("\n".join(lines) + "\n", "markdown")
    # One URL a line, and no escape sequence in one reaches a terminal (nor a runner command a CI log).
    return without_runner_commands("".join(f"{printable(redact_credentials(c.url))}\n" for c in changed), "lines")
