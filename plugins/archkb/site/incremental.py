"""Incremental rebuilds: rendered pages reused while nothing they depend on changed.

``mkdocs serve`` rebuilds the whole site after every edit. The parse cache already
skips unchanged files; this module lets the renderer skip unchanged *pages*. Each
generated page is stored with a fingerprint of its inputs:

* a pattern page depends on its own file, on the metadata of every pattern (titles,
  summaries and relations of its neighbours show on it), on the references, and on
  the link report;
* the reading list, the map, the indexes and the exports depend on metadata and
  references only, not on pattern bodies.

Editing a pattern's body therefore re-renders that one page; editing a title or a
relation re-renders what shows it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Hashable

from ..catalog.cache import FingerprintCache
from ..catalog.graph import Catalog
from ..catalog.loader import ParseCache

__all__ = ["Fingerprints", "RenderCache", "fingerprints"]



def _hash(*parts: object) -> str:
    digest = hashlib.blake2b(digest_size=16)
    for part in parts:
        digest.update(repr(part).encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.hexdigest()


@dataclass(frozen=True)
class Fingerprints:
    """Fingerprints of the catalog's parts, for one build.

    Attributes:
        files: Content digest of each parsed file, by its path relative to the root.
        meta: Every pattern's front matter (not bodies).
        references: Every reference file.
        paths: Every reading path file.
        health: The link report the build shows.
    """

    files: dict[str, str] = field(default_factory=dict)
    meta: str = ""
    references: str = ""
    paths: str = ""
    health: str = ""

    def pattern_page(self, path: str) -> str:
        """The fingerprint of one pattern's page."""
        return _hash(self.files.get(path), self.meta, self.references, self.health)


def fingerprints(catalog: Catalog, cache: ParseCache, *, health: Hashable = None) -> Fingerprints:
    """Compute the fingerprints of a loaded catalog.

    Args:
        catalog: The catalog, loaded with ``cache``.
        cache: The parse cache, which knows each file's content digest.
        health: Anything that identifies the link report (e.g. its modification time).
    """
    files = cache.digests()
    meta = _hash(*(
        (slug, entry.meta.model_dump_json() if entry.meta is not None else files.get(entry.path))
        for slug, entry in catalog.patterns.items()
    ))
    references = _hash(*sorted((path, digest) for path, digest in files.items() if path in
                               {topic.path for topic in catalog.topics.values()}))
    paths = _hash(*sorted((e.path, files.get(e.path)) for e in catalog.paths.values()))
    return Fingerprints(files, meta, references, paths, _hash(health))


def report_identity(path: Path) -> tuple[str, int, int] | None:
    """Identify a report file by path, size and modification time (``None`` when missing)."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return (str(path), stat.st_size, stat.st_mtime_ns)


class RenderCache(FingerprintCache):
    """Rendered outputs by key, each kept with the fingerprint of its inputs.

    ``hits`` and ``misses`` count the outputs reused and rendered in the last build.
    """
