"""Rendering contributed Markdown with the site's own settings, outside a build (Python-Markdown).

``archkb validate`` judges each pattern body by the HTML it renders to: this module reads the
Markdown extensions from ``mkdocs.yml`` and renders with Python-Markdown, then hands the HTML to
the engine-independent checks of :mod:`archkb.safety.bodies`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..catalog.graph import Catalog
from ..catalog.problems import Problem
from ..safety.bodies import check_entry

__all__ = ["MarkdownSettings", "site_markdown_settings", "render_body", "check_bodies", "markdown_converter"]


@dataclass(frozen=True)
class MarkdownSettings:
    """A site's Markdown extensions and their settings, as ``mkdocs.yml`` lists them.

    Attributes:
        extensions: Extension names, in order.
        configs: Settings by extension name.
    """

    extensions: tuple[str, ...] = ()
    configs: dict[str, Any] = field(default_factory=dict)


def site_markdown_settings(root: Path | str, config_file: str = "mkdocs.yml") -> MarkdownSettings:
    """Read the Markdown extensions of the site at ``root`` from its ``mkdocs.yml``.

    Settings that name Python objects (``!!python/name:``) cannot be honoured outside
    the site engine; an extension whose settings fail to load is left out, which only
    makes the check stricter (its output is then judged as plain Markdown's).
    """
    from ..site.source_tree import config_value, load_engine_config

    try:
        data = load_engine_config(Path(root) / config_file)
    except (OSError, yaml.YAMLError):
        return MarkdownSettings()
    items = data.get("markdown_extensions")
    names: list[str] = []
    configs: dict[str, Any] = {}
    for item in items or []:
        if isinstance(item, str):
            names.append(item)
        elif isinstance(item, dict):
            for name, options in item.items():
                names.append(str(name))
                if isinstance(options, dict):
                    configs[str(name)] = {key: config_value(value) for key, value in options.items()}
    return MarkdownSettings(tuple(names), configs)


def markdown_converter(settings: MarkdownSettings) -> Any:
    """A Markdown converter with every extension of ``settings`` that loads here."""
    import markdown

    usable = []
    for name in settings.extensions:
        config = {name: settings.configs[name]} if name in settings.configs else {}
        try:
            markdown.Markdown(extensions=[name], extension_configs=config)
        except Exception:  # noqa: S112,BLE001 - not installed, or settings that name Python objects
            continue
        usable.append(name)
    return markdown.Markdown(
        extensions=usable, extension_configs={n: c for n, c in settings.configs.items() if n in usable}
    )


def render_body(body: str, settings: MarkdownSettings, converter: Any = None) -> str:
    """Render a pattern body to HTML as the site would (without the generated sections).

    Args:
        body: The Markdown.
        settings: The site's Markdown settings.
        converter: A converter made for ``settings`` earlier, to reuse.

    Raises:
        Exception: Whatever Python-Markdown raises on input it cannot handle.
    """
    md = converter if converter is not None else markdown_converter(settings)
    try:
        return md.convert(body)
    finally:
        md.reset()


def check_bodies(catalog: Catalog, settings: MarkdownSettings | None = None) -> list[Problem]:
    """Render every pattern body with the site's Markdown settings and judge the HTML.

    Args:
        catalog: A loaded catalog.
        settings: The site's Markdown settings (default: read from the catalog root's ``mkdocs.yml``).

    Returns:
        The located problems; a body the renderer fails on is one problem, never an exception.
    """
    settings = settings if settings is not None else site_markdown_settings(catalog.root)
    converter = markdown_converter(settings)
    problems: list[Problem] = []
    for entry in catalog.patterns.values():
        problems += check_entry(entry, lambda body: render_body(body, settings, converter))
    return problems
