"""Exporting the catalog as plain data (``archkb export json``)."""

from __future__ import annotations

import json
from typing import Any

from .catalog import Catalog

__all__ = ["catalog_to_dict", "catalog_to_json"]


def catalog_to_dict(catalog: Catalog) -> dict[str, Any]:
    """Return the catalog as a JSON-ready dict.

    Patterns carry their relations as declared in front matter; references carry
    every field that is set. Patterns whose front matter is invalid are left out.
    """
    patterns = []
    for slug, entry in catalog.patterns.items():
        meta = entry.meta
        if meta is None:
            continue
        patterns.append({
            "slug": slug,
            "title": meta.title,
            "summary": meta.summary,
            "tags": list(meta.tags),
            "aliases": list(meta.aliases),
            "status": meta.status,
            "related": [
                {"pattern": r.pattern, "type": r.type, **({"note": r.note} if r.note else {})}
                for r in meta.related
            ],
            "references": list(meta.references),
            "added": meta.added.isoformat() if meta.added else None,
            "updated": meta.updated.isoformat() if meta.updated else None,
        })
    references = []
    for entry in catalog.references.values():
        data = entry.data.model_dump(exclude_none=True)
        if not data.get("unverified"):
            data.pop("unverified", None)
        if not data.get("tags"):
            data.pop("tags", None)
        data["topic"] = entry.topic
        data["cited_by"] = catalog.cited_by.get(entry.id, [])
        references.append(data)
    paths = []
    for slug, path_entry in catalog.paths.items():
        if path_entry.data is None:
            continue
        paths.append({"slug": slug, **path_entry.data.model_dump(exclude_none=True)})
    return {"patterns": patterns, "references": references, "paths": paths}


def catalog_to_json(catalog: Catalog, *, indent: int | None = 2) -> str:
    """Return :func:`catalog_to_dict` as a JSON string."""
    return json.dumps(catalog_to_dict(catalog), indent=indent, ensure_ascii=False) + "\n"
