"""Exporting the catalog as plain data (``archkb export json``)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any, TextIO

from ..catalog.graph import Catalog

__all__ = ["catalog_to_dict", "catalog_to_json", "write_catalog_json"]


def _patterns(catalog: Catalog) -> Iterator[dict[str, Any]]:
    for slug, entry in catalog.patterns.items():
        meta = entry.meta
        if meta is None:
            continue
        yield {
            "slug": slug,
            "title": meta.title,
            "summary": meta.summary,
            "tags": list(meta.tags),
            "aliases": list(meta.aliases),
            "status": meta.status,
            "related": [
                {"pattern": r.pattern, "type": r.type, **({"note": r.note} if r.note else {})} for r in meta.related
            ],
            "references": list(meta.references),
            "added": meta.added.isoformat() if meta.added else None,
            "updated": meta.updated.isoformat() if meta.updated else None,
        }


def _references(catalog: Catalog) -> Iterator[dict[str, Any]]:
    for entry in catalog.references.values():
        data = entry.data.model_dump(mode="json", exclude_none=True)
        if not data.get("unverified"):
            data.pop("unverified", None)
        if not data.get("tags"):
            data.pop("tags", None)
        data["topic"] = entry.topic
        data["cited_by"] = catalog.cited_by.get(entry.id, [])
        yield data


def _paths(catalog: Catalog) -> Iterator[dict[str, Any]]:
    for slug, path_entry in catalog.paths.items():
        if path_entry.data is None:
            continue
        yield {"slug": slug, **path_entry.data.model_dump(exclude_none=True)}


def _sections(catalog: Catalog) -> tuple[tuple[str, Iterator[dict[str, Any]]], ...]:
    return (("patterns", _patterns(catalog)), ("references", _references(catalog)), ("paths", _paths(catalog)))


def catalog_to_dict(catalog: Catalog) -> dict[str, Any]:
    """Return the catalog as a JSON-ready dict.

    Patterns carry their relations as declared in front matter; references carry
    every field that is set. Patterns whose front matter is invalid are left out.
    """
    return {name: list(items) for name, items in _sections(catalog)}


def write_catalog_json(catalog: Catalog, out: TextIO, *, indent: int | None = 2, batch: int = 256) -> None:
    """Write :func:`catalog_to_json` to ``out`` a batch of entries at a time.

    The output is the same text, but neither the whole dict nor the whole string is
    ever held in memory: a catalog of thousands of references exports in the memory
    of ``batch`` entries.

    Args:
        catalog: The catalog.
        out: Where to write.
        indent: ``2`` for the indented text of :func:`catalog_to_json`; ``None`` for
            compact JSON (written by the standard library's C encoder, several times
            faster, and smaller to download).
        batch: Entries encoded at a time.
    """
    if indent is None:
        out.write("{")
        for index, (name, items) in enumerate(_sections(catalog)):
            out.write(f"{',' if index else ''}{json.dumps(name)}:[")
            for number, chunk in enumerate(_batches(items, batch)):
                out.write(("," if number else "") + json.dumps(chunk, ensure_ascii=False, separators=(",", ":"))[1:-1])
            out.write("]")
        out.write("}\n")
        return
    if indent != 2:
        raise ValueError("write_catalog_json indents by 2 or not at all")
    out.write("{")
    for index, (name, items) in enumerate(_sections(catalog)):
        out.write(f"{',' if index else ''}\n  {json.dumps(name)}: [")
        written = False
        for chunk in _batches(items, batch):
            # '[\n  {...},\n  {...}\n]' -> the entries, indented one level deeper
            text = json.dumps(chunk, indent=2, ensure_ascii=False)[1:-2].replace("\n", "\n  ")
            out.write(("," if written else "") + text)
            written = True
        out.write("\n  ]" if written else "]")
    out.write("\n}\n")


def _batches(items: Iterator[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def catalog_to_json(catalog: Catalog, *, indent: int | None = 2, compact: bool = False) -> str:
    """Return :func:`catalog_to_dict` as a JSON string.

    Args:
        catalog: The catalog.
        indent: Indentation, two spaces unless this says otherwise.
        compact: No indentation or spaces at all: the site's ``exports/catalog.json``.
    """
    if compact or indent == 2:
        buffer = io.StringIO()
        write_catalog_json(catalog, buffer, indent=None if compact else 2)
        return buffer.getvalue()
    return json.dumps(catalog_to_dict(catalog), indent=indent, ensure_ascii=False) + "\n"
