"""Scaffolding new contributions: pattern pages from the template, reference entries validated as added."""

from __future__ import annotations

import datetime as dt
import json
import re
import textwrap
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..catalog.graph import Catalog
from ..catalog.loader import load_catalog
from ..catalog.model import SLUG_PATTERN, TEMPLATE_SECTIONS, Reference, ReferenceFile
from ..catalog.problems import Problem
from ..catalog.validate import validate_model
from ..catalog.yamlload import LoadedYaml, YamlError, load_yaml
from ..safety.text import scan_markdown

__all__ = [
    "slugify",
    "pattern_template",
    "new_pattern",
    "ScaffoldError",
    "REFERENCE_FIELD_ORDER",
    "ReferenceRejected",
    "AddedReference",
    "reference_id",
    "render_reference_entry",
    "add_reference",
]


class ScaffoldError(Exception):
    """A scaffold that cannot be written (bad title, file exists)."""


def slugify(title: str) -> str:
    """Turn a title into a slug: ``"Some Title!"`` gives ``some-title``."""
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


_GUIDANCE = {
    "Context": "Where does this problem come up? Describe the situation and the system around it.",
    "Problem": "State the problem in one or two sentences, as a question if that helps.",
    "Forces": "- A force in tension with another.\n- Another force.",
    "Solution": "Describe the solution, specifically enough that a team could apply it.",
    "Consequences": "### Benefits\n\n- What gets better.\n\n### Liabilities\n\n- What it costs, what gets harder.",
    "When not to use it": "Name the situations where this pattern does more harm than good.",
    "Known uses": "- A system that uses it, with its source cited inline as `[@reference-id]`.",
}


def pattern_template(title: str, *, today: dt.date | None = None) -> str:
    """Return the Markdown of a new draft pattern called ``title``."""
    today = today or dt.date.today()
    safe_title = title.replace('"', "'").strip()
    head = (
        "---\n"
        f'title: "{safe_title}"\n'
        f'summary: "One sentence on what {safe_title} does and when to use it."\n'
        "tags: []\n"
        "related: []\n"
        "references: []\n"
        "status: draft\n"
        f"added: {today.isoformat()}\n"
        "---\n"
    )
    body = "".join(f"\n## {section}\n\n{_GUIDANCE[section]}\n" for section in TEMPLATE_SECTIONS)
    return head + body


def new_pattern(root: Path | str, title: str, *, patterns_dir: str = "patterns") -> Path:
    """Write ``patterns/<slug>.md`` from the template, marked as a draft.

    Raises:
        ScaffoldError: When the title has no usable characters or the file exists.
    """
    slug = slugify(title)
    if not slug:
        raise ScaffoldError(f"the title {title!r} has no letters or digits to make a file name from")
    folder = Path(root) / patterns_dir
    path = folder / f"{slug}.md"
    if path.exists():
        raise ScaffoldError(f"{path.relative_to(root).as_posix()} already exists; pick another title or edit that file")
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(pattern_template(title), encoding="utf-8")
    return path


# --- references -------------------------------------------------------------------------------

REFERENCE_FIELD_ORDER = (
    "id",
    "title",
    "authors",
    "year",
    "accessed",
    "kind",
    "publisher",
    "venue",
    "url",
    "archived_url",
    "doi",
    "isbn",
    "summary",
    "tags",
    "unverified",
    "note",
)
"""The order in which a new reference entry's fields are written."""

_FOLD_FIELDS = ("summary", "note")
_WRAP = 96


class ReferenceRejected(ScaffoldError):
    """A reference entry that was not written, with every reason.

    Attributes:
        problems: One readable line per problem (``path:line: message`` or a field message).
    """

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass
class AddedReference:
    """What :func:`add_reference` wrote.

    Attributes:
        path: The references file, relative to the project root (POSIX separators).
        id: The id of the new entry.
        line: The line of the new entry's ``- id:`` in the file.
        created: Whether the file was created.
        other_problems: Problems the catalog already had elsewhere (not caused by the entry).
    """

    path: str
    id: str
    line: int
    created: bool
    other_problems: list[Problem] = field(default_factory=list)


def reference_id(authors: list[str], year: int | str | None, title: str, *, words: int = 4) -> str:
    """Suggest an id in the catalog's form, ``<first-author-surname>-<year>-<short-title>``.

    Args:
        authors: The authors in citation order (the first one's last word is used).
        year: The year of publication.
        title: The title; its first few significant words are used.
        words: How many title words to keep.
    """
    first = slugify(authors[0].split()[-1]) if authors and authors[0].split() else ""
    stop = {"a", "an", "the", "of", "and", "or", "to", "in", "on", "for", "with"}
    title_words = [w for w in slugify(title.split(":")[0]).split("-") if w and w not in stop][:words]
    return "-".join(part for part in (first, str(year or ""), "-".join(title_words)) if part)


def _scalar(value: str) -> str:
    """A single-line YAML scalar for ``value`` (plain when safe, else double-quoted)."""
    dumped = yaml.safe_dump(value, default_flow_style=False, width=10**6, allow_unicode=True)
    dumped = dumped.removesuffix("\n...\n").rstrip("\n")
    if "\n" in dumped:
        return json.dumps(value, ensure_ascii=False)
    return dumped


def _folded(value: str, indent: str) -> str | None:
    """``value`` as a folded block scalar (``>-``), or ``None`` when it would not round-trip."""
    if "\n" in value or "  " in value or len(value) + len(indent) < _WRAP:
        return None
    indent += "  "
    lines = textwrap.wrap(value, width=_WRAP - len(indent), break_long_words=False, break_on_hyphens=False)
    return ">-\n" + "\n".join(indent + line for line in lines)


def render_reference_entry(fields: dict[str, Any], *, indent: str = "  ") -> str:
    """Render one reference entry as a YAML list item, in the catalog's house style.

    Lists are written in flow style (``[a, b]``), long summaries as folded blocks.
    The result is checked to load back to exactly ``fields``.

    Args:
        fields: The entry's fields (see :class:`~archkb.catalog.model.Reference`).
        indent: The indentation of the list item's dash.
    """
    inner = indent + "  "
    ordered = [k for k in REFERENCE_FIELD_ORDER if k in fields] + [k for k in fields if k not in REFERENCE_FIELD_ORDER]
    lines = []
    for number, key in enumerate(ordered):
        value = fields[key]
        if isinstance(value, list):
            text = yaml.safe_dump(value, default_flow_style=True, width=10**6, allow_unicode=True).strip()
        elif isinstance(value, bool) or not isinstance(value, str):
            text = str(value).lower() if isinstance(value, bool) else str(value)
        else:
            text = (_folded(value, inner) if key in _FOLD_FIELDS else None) or _scalar(value)
        lines.append(f"{indent}- {key}: {text}" if number == 0 else f"{inner}{key}: {text}")
    snippet = "\n".join(lines) + "\n"
    try:
        loaded = load_yaml(snippet).data
    except YamlError:  # pragma: no cover - a safety net for exotic text
        loaded = None
    if loaded != [fields]:  # pragma: no cover - a safety net for exotic text
        flat = [f"{indent}- " if n == 0 else inner for n in range(len(ordered))]
        snippet = (
            "\n".join(
                f"{prefix}{key}: {json.dumps(fields[key], ensure_ascii=False)}"
                for prefix, key in zip(flat, ordered, strict=False)
            )
            + "\n"
        )
    return snippet


def _clean_fields(fields: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in fields.items():
        if isinstance(value, str):
            value = value.strip()
        elif isinstance(value, (list, tuple)):
            value = [v.strip() if isinstance(v, str) else v for v in value]
            value = [v for v in value if v not in ("", None)]
        if value in (None, "", []):
            continue
        out[key] = value
    return out


def _entry_indent(text: str, loaded: LoadedYaml, count: int) -> str:
    """The indentation of the existing entries' dashes (two spaces when there are none)."""
    if count:
        line = text.splitlines()[loaded.line_of(("references", 0)) - 1]
        match = re.match(r"^(\s*)-", line)
        if match:
            return match.group(1)
    return "  "


def add_reference(
    root: Path | str,
    file: Path | str,
    fields: dict[str, Any],
    *,
    topic: str | None = None,
    references_dir: str = "references",
) -> AddedReference:
    """Validate a new reference entry, then append it to a references file.

    Nothing is written unless the entry is valid on its own (the
    :class:`~archkb.catalog.model.Reference` model), its id and URL are new to the
    catalog, and the file still loads to its old entries plus the new one. The
    file's existing text is kept byte for byte. After writing, the whole catalog
    is validated again; if that finds a problem the entry caused, the file is
    restored and the entry rejected.

    Args:
        root: The project folder.
        file: The references file, relative to ``root`` (``references/<topic>.yml``).
            A bare name such as ``scaling`` means ``references/scaling.yml``.
        fields: The entry's fields; an empty ``id`` is derived from authors, year and title.
        topic: The topic title when the file is created (default: from its name).
        references_dir: The folder of reference files, relative to ``root``.

    Returns:
        Where the entry was written.

    Raises:
        ReferenceRejected: With every problem found; nothing is written.
    """
    root = Path(root).resolve()
    target = _reference_target(root, Path(file), references_dir)
    rel = target.relative_to(root).as_posix()
    entry = _clean_fields(dict(fields))
    if not entry.get("id") and entry.get("title"):
        entry["id"] = reference_id(list(entry.get("authors") or []), entry.get("year"), entry["title"])
    entry = {k: entry[k] for k in REFERENCE_FIELD_ORDER if k in entry} | {
        k: v for k, v in entry.items() if k not in REFERENCE_FIELD_ORDER
    }

    ref = _valid_entry(entry, rel)
    before = load_catalog(root, references_dir=references_dir)
    clash = _clashes(ref, before, rel)
    if clash:
        raise ReferenceRejected(clash)

    created = not target.exists()
    old_text = "" if created else _read_text(target, rel)
    new_text, line = _append_entry(old_text, entry, rel, topic or target.stem.replace("-", " ").capitalize())
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(new_text, encoding="utf-8")

    after = load_catalog(root, references_dir=references_dir)
    caused = sorted(set(after.problems) - set(before.problems))
    if caused or ref.id not in after.references:
        if created:
            target.unlink()
        else:
            target.write_text(old_text, encoding="utf-8")
        raise ReferenceRejected(
            [str(p) for p in caused] or [f"{rel}: the new entry did not load back; the file was restored"]
        )
    return AddedReference(rel, ref.id, line, created, sorted(set(after.problems)))


def _valid_entry(entry: dict[str, Any], rel: str) -> Reference:
    """The entry as a :class:`Reference`, its summary's Markdown checked too; else ReferenceRejected."""
    ref, errors = validate_model(Reference, entry, LoadedYaml(None, {}), rel, what="reference entry")
    if ref is None:
        raise ReferenceRejected([f"{rel}: new entry: {p.message}" for p in errors])
    errors += [Problem(rel, 1, f"summary: {problem.message}") for problem in scan_markdown(ref.summary, rel, 1)]
    if errors:
        raise ReferenceRejected([f"{rel}: new entry: {p.message}" for p in errors])
    return ref


def _clashes(ref: Reference, catalog: Catalog, rel: str) -> list[str]:
    """The new entry's id or URL where the catalog already has it."""
    clash = []
    existing = catalog.references.get(ref.id)
    if existing is not None:
        clash.append(f"{rel}: new entry: the id '{ref.id}' is already used at {existing.source}; choose another (--id)")
    clash += [
        f"{rel}: new entry: the URL is already the reference '{other.id}' ({other.source}); cite that id instead"
        for other in catalog.references.values()
        if other.url.rstrip("/") == ref.url.rstrip("/")
    ]
    return clash


def _reference_target(root: Path, file: Path, references_dir: str) -> Path:
    folder = (root / references_dir).resolve()
    if not file.suffix and len(file.parts) == 1:
        file = Path(references_dir) / f"{file.name}.yml"
    target = (file if file.is_absolute() else root / file).resolve()
    if target.parent != folder or target.suffix not in (".yml", ".yaml"):
        raise ReferenceRejected(
            [
                f"{file.as_posix()}: references live in {references_dir}/<topic>.yml; "
                f"pass --file {references_dir}/<topic>.yml"
            ]
        )
    if not re.fullmatch(SLUG_PATTERN, target.stem):
        raise ReferenceRejected(
            [
                f"{file.as_posix()}: the file name must be lowercase words joined by "
                f"hyphens, such as {references_dir}/{slugify(target.stem) or 'topic'}.yml"
            ]
        )
    return target


def _read_text(target: Path, rel: str) -> str:
    try:
        return target.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ReferenceRejected([f"{rel}: the file is not valid UTF-8 ({exc.reason}); fix it first"]) from None
    except OSError as exc:
        raise ReferenceRejected([f"{rel}: cannot read the file: {exc.strerror or exc}"]) from None


def _append_entry(old_text: str, entry: dict[str, Any], rel: str, topic: str) -> tuple[str, int]:
    """Return the file's new text with ``entry`` appended, and the entry's line."""
    if not old_text.strip():
        head = f"topic: {_scalar(topic)}\nreferences:\n"
        text = head + render_reference_entry(entry)
        return text, 3
    try:
        loaded = load_yaml(old_text)
    except YamlError as exc:
        raise ReferenceRejected([f"{rel}:{exc.line}: {exc.message}; fix the file first"]) from None
    data = loaded.data
    header, errors = validate_model(ReferenceFile, data, loaded, rel, what="references file")
    if header is None:
        raise ReferenceRejected([f"{p}; fix the file first" for p in errors])
    old_refs = list(header.references)
    text = old_text if old_text.endswith("\n") else old_text + "\n"
    if "references" not in data:
        text += "references:\n"
    elif not old_refs:
        empty = re.compile(r"^references:[ \t]*(\[\s*\])?[ \t]*(#.*)?$", re.M)
        if not empty.search(text):
            raise ReferenceRejected(
                [
                    f"{rel}:{loaded.line_of(('references',))}: cannot append to "
                    "'references' as written; make it 'references:' followed by entries"
                ]
            )
        text = empty.sub("references:", text, count=1)
    indent = _entry_indent(old_text, loaded, len(old_refs))
    separator = "\n" if old_refs and not text.endswith("\n\n") else ""
    line = text.count("\n") + 1 + len(separator)
    text = text + separator + render_reference_entry(entry, indent=indent)
    try:
        check = load_yaml(text).data
    except YamlError:
        check = None
    expected = dict(data) | {"references": old_refs + [entry]}
    if check != expected:
        raise ReferenceRejected(
            [
                f"{rel}: appending at the end of the file would not add to 'references' "
                "(is another key after it?); move 'references:' to the end of the file"
            ]
        )
    return text, line
