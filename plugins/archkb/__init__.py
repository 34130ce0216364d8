"""archkb: the architecture knowledge base's catalog, its site generator for any engine, and its tools.

The package's folders show its design:

* :mod:`archkb.catalog`: what contributors write, loaded, validated and linked;
* :mod:`archkb.safety`: content safety, judged on the HTML the browser receives;
* :mod:`archkb.site`, :mod:`archkb.map`, :mod:`archkb.exports`: every page and file of the site,
  generated without any site engine;
* :mod:`archkb.mkdocs`: the MkDocs/ProperDocs adapter, the only code that imports MkDocs or Python-Markdown;
* :mod:`archkb.linkcheck`: the link checker;
* :mod:`archkb.cli`: the ``archkb`` command and scaffolding.

Every public name below is importable from ``archkb`` itself; each is imported on first use,
so ``import archkb`` costs nothing.
"""

from __future__ import annotations

from ._lazy import lazy_exports

__version__ = "0.1.0"

_EXPORTS = {
    "Catalog": ".catalog.graph",
    "Link": ".catalog.graph",
    "PathEntry": ".catalog.graph",
    "PatternEntry": ".catalog.graph",
    "ReferenceEntry": ".catalog.graph",
    "Topic": ".catalog.graph",
    "catalog_to_dict": ".exports.json",
    "catalog_to_json": ".exports.json",
    "write_catalog_json": ".exports.json",
    "RenderCache": ".site.incremental",
    "DeferredHtml": ".mkdocs.deferred",
    "SectionHeading": ".site.html",
    "HtmlSink": ".site.html",
    "GeneratedPage": ".site.generator",
    "SiteGenerator": ".site.generator",
    "SiteOptions": ".site.generator",
    "SpillFolder": ".site.spill",
    "ParseCache": ".catalog.loader",
    "find_root": ".catalog.loader",
    "load_catalog": ".catalog.loader",
    "PATTERN_STATUSES": ".catalog.model",
    "REFERENCE_KINDS": ".catalog.model",
    "TEMPLATE_SECTIONS": ".catalog.model",
    "PathStep": ".catalog.model",
    "PatternMeta": ".catalog.model",
    "ReadingPath": ".catalog.model",
    "Reference": ".catalog.model",
    "Relation": ".catalog.model",
    "pattern_schema": ".catalog.model",
    "Problem": ".catalog.problems",
    "format_problems": ".catalog.problems",
    "RELATION_TYPES": ".catalog.relations",
    "RelationType": ".catalog.relations",
    "inverse_of": ".catalog.relations",
    "scan_markdown": ".safety.text",
    "scan_text": ".safety.text",
    "check_html": ".safety.htmlpolicy",
    "sanitize_html": ".safety.htmlpolicy",
    "new_pattern": ".cli.scaffold",
    "slugify": ".cli.scaffold",
    "YamlError": ".catalog.yamlload",
    "load_yaml": ".catalog.yamlload",
    "catalog_to_bibtex": ".exports.bibtex",
    "reference_to_bibtex": ".exports.bibtex",
    "Change": ".exports.feed",
    "pattern_changes": ".exports.feed",
    "render_atom": ".exports.feed",
    "LinkHealth": ".site.health",
    "LinkStatus": ".site.health",
    "render_link_state": ".site.health",
    "find_label_collisions": ".map.layout",
    "layout_map": ".map.layout",
    "layout_neighbourhood": ".map.layout",
    "map_data": ".map.layout",
    "render_svg": ".map.svg",
}
"""Public name -> the module that defines it."""

__all__ = ["__version__", *_EXPORTS]


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
