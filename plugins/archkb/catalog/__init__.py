"""The catalog: what contributors write (patterns, references, reading paths), loaded, validated and linked.

Modules: :mod:`.model` (the data model and JSON Schemas), :mod:`.yamlload` (safe, line-keeping YAML),
:mod:`.loader` (reading the files), :mod:`.validate` (located problems), :mod:`.relations` (the
relation vocabulary), :mod:`.graph` (the loaded catalog and its relations), :mod:`.markdown` (the one
Markdown scanner), :mod:`.problems` and :mod:`.cache`.
"""

from __future__ import annotations

import importlib
from typing import Any

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


def __getattr__(name: str) -> Any:
    """Import a public name's module on first use, so that importing the package costs nothing."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The public names, for completion."""
    return sorted(set(globals()) | set(_EXPORTS))
