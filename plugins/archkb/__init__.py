"""archkb: the architecture knowledge base's catalog, validator, renderer and tools.

The core modules never import MkDocs; :mod:`archkb.plugin` is the thin glue that
runs them inside a MkDocs (or ProperDocs) build.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .catalog import Catalog, Link, PathEntry, PatternEntry, ReferenceEntry, Topic
from .export import catalog_to_dict, catalog_to_json, write_catalog_json
from .incremental import RenderCache
from .render import DeferredHtml, SectionHeading
from .site import GeneratedPage, SiteGenerator, SiteOptions
from .spill import SpillFolder
from .loader import ParseCache, find_root, load_catalog
from .model import (
    PATTERN_STATUSES,
    REFERENCE_KINDS,
    TEMPLATE_SECTIONS,
    PathStep,
    PatternMeta,
    ReadingPath,
    Reference,
    Relation,
    pattern_schema,
)
from .problems import Problem, format_problems
from .relations import RELATION_TYPES, RelationType, inverse_of
from .safety import scan_markdown
from .scaffold import new_pattern, slugify
from .yamlload import YamlError, load_yaml
from .bibtex import catalog_to_bibtex, reference_to_bibtex
from .feed import Change, pattern_changes, render_atom
from .health import LinkHealth, LinkStatus, render_link_state
from .mapsvg import find_label_collisions, layout_map, layout_neighbourhood, map_data, render_svg

__all__ = [
    "__version__",
    "Catalog", "Link", "PathEntry", "PatternEntry", "ReferenceEntry", "Topic",
    "catalog_to_dict", "catalog_to_json", "write_catalog_json",
    "RenderCache", "DeferredHtml", "SectionHeading", "GeneratedPage", "SiteGenerator", "SiteOptions", "SpillFolder",
    "ParseCache", "find_root", "load_catalog",
    "PATTERN_STATUSES", "REFERENCE_KINDS", "TEMPLATE_SECTIONS",
    "PathStep", "PatternMeta", "ReadingPath", "Reference", "Relation", "pattern_schema",
    "Problem", "format_problems",
    "RELATION_TYPES", "RelationType", "inverse_of",
    "scan_markdown",
    "new_pattern", "slugify",
    "YamlError", "load_yaml",
    "catalog_to_bibtex", "reference_to_bibtex",
    "Change", "pattern_changes", "render_atom",
    "LinkHealth", "LinkStatus", "render_link_state",
    "find_label_collisions", "layout_map", "layout_neighbourhood", "map_data", "render_svg",
]
