"""Loading the catalog from disk, with a content-hash cache for fast rebuilds.

:func:`load_catalog` reads every pattern, reference file and reading path,
validates each file, then cross-checks them. It never raises on bad input: every
mistake becomes a :class:`~archkb.catalog.problems.Problem`, and every page is still
returned so that a non-strict build loses nothing.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TypeVar

from ..safety.text import scan_markdown, scan_text
from .cache import FingerprintCache
from .graph import Catalog, PathEntry, PatternEntry, ReferenceEntry, Topic
from .model import SLUG_PATTERN, PatternMeta, ReadingPath, Reference, ReferenceFile
from .problems import Problem
from .validate import cross_check, validate_model
from .yamlload import LoadedYaml, YamlError, load_yaml, split_front_matter

__all__ = [
    "ParseCache",
    "load_catalog",
    "find_root",
    "parse_pattern",
    "parse_reference_file",
    "parse_reading_path",
    "decode_source",
]

T = TypeVar("T")
_SLUG = re.compile(SLUG_PATTERN)


class ParseCache(FingerprintCache):
    """Parsed files keyed by path and content hash, shared across rebuilds.

    ``hits`` and ``misses`` count the files served from the cache and parsed in the
    last :func:`load_catalog`.
    """

    def get_or_parse(self, key: str, data: bytes, parse: Callable[[], T]) -> T:
        """Return the cached result for ``key`` if ``data`` is unchanged, else parse."""
        return self.get(key, hashlib.blake2b(data, digest_size=16).hexdigest(), parse)

    def digests(self) -> dict[str, str]:
        """The content digest of every cached file, by its path relative to the root."""
        return {key.split(":", 1)[1]: digest for key, (digest, _) in self.entries.items()}


def find_root(start: Path | str | None = None) -> Path:
    """Return the nearest folder at or above ``start`` that holds ``mkdocs.yml``.

    Falls back to ``start`` itself (or the working directory) when none is found.
    """
    here = Path(start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / "mkdocs.yml").is_file():
            return candidate
    return here


def decode_source(data: bytes, path: str) -> tuple[str, list[Problem]]:
    """Decode UTF-8 bytes (a leading byte-order mark is dropped) and refuse what no file may hold.

    On bad bytes, their line is reported and the text decoded with replacements. The
    text is then read by :func:`archkb.safety.scan_text` (NUL bytes, control and bidi
    characters, the site's reserved markers, marked sections that break the HTML parser).
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text, problems = data.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        text = data.decode("utf-8", errors="replace")
        problems = [
            Problem(
                path,
                line,
                f"the file is not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); save it as UTF-8",
            )
        ]
    return text, problems + scan_text(text, path)


def _slug_problem(path: str, slug: str) -> list[Problem]:
    if _SLUG.match(slug):
        return []
    better = re.sub(r"[^a-z0-9]+", "-", slug.lower()).strip("-") or "name"
    return [
        Problem(path, 1, f"the file name '{slug}' must be lowercase words joined by hyphens; rename it to '{better}'")
    ]


def parse_pattern(path: str, slug: str, data: bytes) -> PatternEntry:
    """Parse and validate one pattern file (no cross-file checks).

    Args:
        path: The file, relative to the project root.
        slug: The file name without ``.md``.
        data: The file's bytes.
    """
    text, problems = decode_source(data, path)
    unsafe = bool(problems)  # what scan_text refuses is never rendered
    problems += _slug_problem(path, slug)
    empty = LoadedYaml(None, {})
    if not text.strip():
        problems.append(
            Problem(
                path,
                1,
                "the file is empty; start it with front matter "
                "('---', title:, summary:, '---') or run 'archkb new pattern'",
            )
        )
        return PatternEntry(slug, path, None, {}, "", 1, empty, problems, unsafe=unsafe)
    try:
        parts = split_front_matter(text)
    except YamlError as exc:
        problems.append(Problem(path, exc.line, exc.message))
        return PatternEntry(slug, path, None, {}, text, 1, empty, problems, unsafe=unsafe)
    if parts.yaml_text is None:
        problems.append(
            Problem(
                path,
                1,
                "the file has no front matter; it must start with a '---' line, then title: and summary:, then '---'",
            )
        )
        return PatternEntry(slug, path, None, {}, parts.body, parts.body_line, empty, problems, unsafe=unsafe)
    try:
        loaded = load_yaml(parts.yaml_text, line_offset=parts.yaml_line - 1)
    except YamlError as exc:
        problems.append(Problem(path, exc.line, exc.message))
        return PatternEntry(slug, path, None, {}, parts.body, parts.body_line, empty, problems, unsafe=unsafe)
    meta, errors = validate_model(PatternMeta, loaded.data, loaded, path, what="front matter")
    problems += errors
    raw = loaded.data if isinstance(loaded.data, dict) else {}
    # The body's HTML is judged once rendered (archkb.htmlpolicy): that is what readers get.
    return PatternEntry(slug, path, meta, raw, parts.body, parts.body_line, loaded, problems, unsafe=unsafe)


@dataclass
class _ReferenceFileResult:
    topic: Topic
    entries: list[ReferenceEntry]
    problems: list[Problem]


def parse_reference_file(path: str, slug: str, data: bytes) -> _ReferenceFileResult:
    """Parse and validate one references file; each entry is validated on its own."""
    text, problems = decode_source(data, path)
    topic = Topic(slug, path, slug.replace("-", " ").capitalize(), None)
    try:
        loaded = load_yaml(text)
    except YamlError as exc:
        problems.append(Problem(path, exc.line, exc.message))
        return _ReferenceFileResult(topic, [], problems)
    head, errors = validate_model(ReferenceFile, loaded.data, loaded, path, what="references file")
    if head is None:
        problems += errors
        raw = loaded.data if isinstance(loaded.data, dict) else {}
        items = raw.get("references") if isinstance(raw.get("references"), list) else []
        if isinstance(raw.get("topic"), str) and raw["topic"].strip():
            topic.title = raw["topic"].strip()
    else:
        topic.title, topic.description = head.topic, head.description
        items = head.references
    entries: list[ReferenceEntry] = []
    for index, item in enumerate(items or []):
        loc = ("references", index)
        ref, errors = validate_model(Reference, item, loaded, path, what="reference entry", loc_prefix=loc)
        if ref is None:
            label = item.get("id") if isinstance(item, dict) else None
            problems += [
                Problem(p.path, p.line, f"{p.message}" + (f" (entry '{label}')" if label else "")) for p in errors
            ]
            continue
        unsafe = scan_markdown(ref.summary, path, 0)
        if unsafe:  # located only when found: most summaries are fine
            first = loaded.line_of(loc + ("summary",))
            problems += [Problem(p.path, p.line + first, p.message) for p in unsafe]
        entries.append(ReferenceEntry(ref, path, loaded.line_of(loc), slug))
    return _ReferenceFileResult(topic, entries, problems)


def parse_reading_path(path: str, slug: str, data: bytes) -> tuple[PathEntry, list[Problem]]:
    """Parse and validate one reading path file."""
    text, problems = decode_source(data, path)
    problems += _slug_problem(path, slug)
    try:
        loaded = load_yaml(text)
    except YamlError as exc:
        problems.append(Problem(path, exc.line, exc.message))
        return PathEntry(slug, path, None, LoadedYaml(None, {})), problems
    reading_path, errors = validate_model(ReadingPath, loaded.data, loaded, path, what="reading path")
    return PathEntry(slug, path, reading_path, loaded), problems + errors


_LOOKALIKES = {".md": (".md", ".markdown", ".mdown", ".mkd", ".mkdn", ".txt"), ".yml": (".yml", ".yaml", ".json")}
"""Extensions (any case) of files that look like catalog files, by the extension the loader reads."""


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root)
    except (ValueError, OSError, RuntimeError):  # outside, unreadable, or a symlink loop
        return False
    return True


def _files(root: Path, folder: Path, suffixes: tuple[str, ...], problems: list[Problem]) -> list[Path]:
    """The catalog files of ``folder``: regular files inside the project with one of ``suffixes``.

    Symbolic links are refused before anything is read, and so is any file whose resolved
    path leaves the project. Files that look like catalog files but would not be read
    (a wrong extension or case, a leading underscore, a sub-folder) are reported, so that
    nothing a contributor wrote is left out without a word. Hidden files are skipped.
    """
    if not folder.exists() and not folder.is_symlink():
        return []
    rel_folder = folder.relative_to(root).as_posix()
    if folder.is_symlink() or not _inside(folder, root):
        problems.append(
            Problem(
                rel_folder,
                1,
                f"the folder '{rel_folder}' is a symbolic link or leaves the "
                "project; the catalog reads only folders inside the project",
            )
        )
        return []
    if not folder.is_dir():
        return []
    lookalikes = _LOOKALIKES.get(suffixes[0], suffixes)
    out: list[Path] = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith("."):
            continue
        judged = _entry(path, path.relative_to(root).as_posix(), rel_folder, suffixes, lookalikes)
        if isinstance(judged, Problem):
            problems.append(judged)
        elif judged is not None:
            out.append(judged)
    return out


def _entry(
    path: Path, rel: str, rel_folder: str, suffixes: tuple[str, ...], lookalikes: tuple[str, ...]
) -> Path | Problem | None:
    """One entry of a catalog folder: the file to read, the problem that says why a file that
    looks like a catalog file is not read, or None for anything else.
    """
    name = path.name
    looks = path.suffix.lower() in lookalikes
    if path.is_symlink():
        if not looks:
            return None
        return Problem(
            rel,
            1,
            "the file is a symbolic link; the catalog reads only regular files inside the project: put the file itself here",
        )
    if path.is_dir():
        if any(child.suffix.lower() in lookalikes for child in path.iterdir()):
            return Problem(rel, 1, f"files in the sub-folder '{rel}' are not read; move them up into '{rel_folder}/'")
        return None
    if not path.is_file() or not looks:
        return None
    # Not a link, in a folder that is not one and lies inside the project: inside too.
    if name.startswith("_"):
        return Problem(
            rel,
            1,
            f"'{name}' is not read: names starting with '_' are skipped; rename "
            f"it to '{name.lstrip('_')}' (use 'status: draft' for unfinished work)",
        )
    if path.suffix in suffixes:
        return path
    return Problem(
        rel,
        1,
        f"'{name}' is not read: only '{suffixes[0]}' files (lower case) are; rename it to '{path.stem}{suffixes[0]}'",
    )


def _read(path: Path, rel: str, problems: list[Problem]) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError as exc:
        problems.append(Problem(rel, 1, f"cannot read the file: {exc.strerror or exc}"))
        return None


def load_catalog(
    root: Path | str | None = None,
    *,
    patterns_dir: str = "patterns",
    references_dir: str = "references",
    paths_dir: str = "paths",
    cache: ParseCache | None = None,
) -> Catalog:
    """Load, validate and cross-check the whole catalog under ``root``.

    Args:
        root: The project folder (default: the nearest folder holding ``mkdocs.yml``).
        patterns_dir: Folder of pattern pages, relative to ``root``.
        references_dir: Folder of reference YAML files, relative to ``root``.
        paths_dir: Folder of reading path YAML files, relative to ``root``.
        cache: A parse cache to reuse across calls (``mkdocs serve`` rebuilds).

    Returns:
        The catalog, whose ``problems`` list every mistake found. Never raises
        because of file contents.
    """
    root = find_root(root) if root is None else Path(root).resolve()
    cache = cache if cache is not None else ParseCache()
    cache.begin()
    catalog = Catalog(root)
    problems = catalog.problems

    for file in _files(root, root / patterns_dir, (".md",), problems):
        rel = file.relative_to(root).as_posix()
        data = _read(file, rel, problems)
        if data is None:
            continue
        entry = cache.get_or_parse(f"pattern:{rel}", data, partial(parse_pattern, rel, file.stem, data))
        catalog.patterns[entry.slug] = entry
        problems.extend(entry.problems)

    urls: dict[str, ReferenceEntry] = {}
    for file in _files(root, root / references_dir, (".yml", ".yaml"), problems):
        rel = file.relative_to(root).as_posix()
        data = _read(file, rel, problems)
        if data is None:
            continue
        result = cache.get_or_parse(f"refs:{rel}", data, partial(parse_reference_file, rel, file.stem, data))
        problems.extend(result.problems)
        topic = Topic(result.topic.slug, rel, result.topic.title, result.topic.description)
        for ref_entry in result.entries:
            first = catalog.references.get(ref_entry.id)
            if first is not None:
                problems.append(
                    Problem(
                        rel,
                        ref_entry.line,
                        f"duplicate reference id '{ref_entry.id}'; it is already defined at {first.source}",
                    )
                )
                continue
            same_url = urls.get(ref_entry.url.rstrip("/"))
            if same_url is not None:
                problems.append(
                    Problem(
                        rel,
                        ref_entry.line,
                        f"reference '{ref_entry.id}' has the same URL as "
                        f"'{same_url.id}' ({same_url.source}); keep one entry",
                    )
                )
            urls.setdefault(ref_entry.url.rstrip("/"), ref_entry)
            catalog.references[ref_entry.id] = ref_entry
            topic.reference_ids.append(ref_entry.id)
        catalog.topics[topic.slug] = topic

    for file in _files(root, root / paths_dir, (".yml", ".yaml"), problems):
        rel = file.relative_to(root).as_posix()
        data = _read(file, rel, problems)
        if data is None:
            continue
        path_entry, path_problems = cache.get_or_parse(
            f"path:{rel}", data, partial(parse_reading_path, rel, file.stem, data)
        )
        catalog.paths[path_entry.slug] = path_entry
        problems.extend(path_problems)

    problems.extend(cross_check(catalog))
    cache.prune()
    return catalog
