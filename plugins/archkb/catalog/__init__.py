"""The catalog: what contributors write (patterns, references, reading paths), loaded, validated and linked.

Modules: :mod:`.model` (the data model and JSON Schemas), :mod:`.yamlload` (safe, line-keeping YAML),
:mod:`.loader` (reading the files), :mod:`.validate` (located problems), :mod:`.relations` (the
relation vocabulary), :mod:`.graph` (the loaded catalog and its relations), :mod:`.markdown` (the one
Markdown scanner), :mod:`.problems` and :mod:`.cache`.
"""

from __future__ import annotations

from .._lazy import lazy_exports

_EXPORTS = {
    "Catalog": ".graph",
    "Link": ".graph",
    "PathEntry": ".graph",
    "PatternEntry": ".graph",
    "ReferenceEntry": ".graph",
    "Topic": ".graph",
    "iter_prose_lines": ".markdown",
    "is_plain_prose": ".markdown",
    "blank_code": ".markdown",
    "load_catalog": ".loader",
    "find_root": ".loader",
    "ParseCache": ".loader",
    "Problem": ".problems",
}
"""Public name -> the module that defines it (imported on first use)."""

__all__ = sorted(_EXPORTS)


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
