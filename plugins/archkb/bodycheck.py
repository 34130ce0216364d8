"""Judging contributed bodies by the HTML they render to, with the site's own Markdown settings.

The site build (the MkDocs plugin) checks each pattern page's HTML as MkDocs produced
it. Outside a build (``archkb validate``), :func:`check_bodies` renders each body with
Python-Markdown and the extensions listed in ``mkdocs.yml``, then applies the same
allow-list (:mod:`archkb.htmlpolicy`). Either way each refusal is reported as
``path:line: message``, the line found by :func:`locate_violation`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import yaml

from .catalog import Catalog, PatternEntry
from .htmlpolicy import HtmlViolation, check_html, locate
from .problems import Problem
from .yamlload import YamlError, split_front_matter

__all__ = ["MarkdownSettings", "site_markdown_settings", "render_body", "check_bodies", "locate_violation",
           "violation_problems", "source_body"]


@dataclass(frozen=True)
class MarkdownSettings:
    """A site's Markdown extensions and their settings, as ``mkdocs.yml`` lists them.

    Attributes:
        extensions: Extension names, in order.
        configs: Settings by extension name.
    """

    extensions: tuple[str, ...] = ()
    configs: dict[str, Any] = field(default_factory=dict)


class _ConfigLoader(yaml.SafeLoader):
    """A safe loader that reads ``mkdocs.yml``'s tags (``!ENV``, ``!!python/name:``) as plain values."""


def _tagged(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        values = loader.construct_sequence(node)
        return values[-1] if values else None  # !ENV [NAME, default]: the default
    return loader.construct_mapping(node)  # type: ignore[arg-type]


_ConfigLoader.add_multi_constructor("!", _tagged)
_ConfigLoader.add_multi_constructor("tag:yaml.org,2002:python/", _tagged)


def site_markdown_settings(root: Path | str, config_file: str = "mkdocs.yml") -> MarkdownSettings:
    """Read the Markdown extensions of the site at ``root`` from its ``mkdocs.yml``.

    Settings that name Python objects (``!!python/name:``) cannot be honoured outside
    the site engine; an extension whose settings fail to load is left out, which only
    makes the check stricter (its output is then judged as plain Markdown's).
    """
    path = Path(root) / config_file
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_ConfigLoader)  # noqa: S506 - safe subclass
    except (OSError, yaml.YAMLError):
        return MarkdownSettings()
    items = data.get("markdown_extensions") if isinstance(data, dict) else None
    names: list[str] = []
    configs: dict[str, Any] = {}
    for item in items or []:
        if isinstance(item, str):
            names.append(item)
        elif isinstance(item, dict):
            for name, options in item.items():
                names.append(str(name))
                if isinstance(options, dict):
                    configs[str(name)] = options
    return MarkdownSettings(tuple(names), configs)


def _markdown(settings: MarkdownSettings) -> Any:
    """A Markdown converter with every extension of ``settings`` that loads here."""
    import markdown

    usable = []
    for name in settings.extensions:
        config = {name: settings.configs[name]} if name in settings.configs else {}
        try:
            markdown.Markdown(extensions=[name], extension_configs=config)
        except Exception:  # noqa: BLE001 - not installed, or settings that name Python objects
            continue
        usable.append(name)
    return markdown.Markdown(extensions=usable,
                             extension_configs={n: c for n, c in settings.configs.items() if n in usable})


def render_body(body: str, settings: MarkdownSettings, converter: Any = None) -> str:
    """Render a pattern body to HTML as the site would (without the generated sections).

    Args:
        body: The Markdown.
        settings: The site's Markdown settings.
        converter: A converter made for ``settings`` earlier, to reuse.

    Raises:
        Exception: Whatever Python-Markdown raises on input it cannot handle.
    """
    md = converter if converter is not None else _markdown(settings)
    try:
        return md.convert(body)
    finally:
        md.reset()


def locate_violation(violation: HtmlViolation, body: str, body_line: int) -> int:
    """The file line that a violation most likely comes from (the body's first line when unsure)."""
    offset = locate(body, violation.needles)
    return body_line + offset if offset is not None else body_line


def violation_problems(violations: Iterable[HtmlViolation], path: str, body: str, body_line: int) -> list[Problem]:
    """Turn violations found in a body's HTML into located problems, one per line and message."""
    return sorted({Problem(path, locate_violation(v, body, body_line), v.message) for v in violations})


def source_body(root: Path, path: str) -> tuple[str, int]:
    """Read a pattern file's body and the line it starts on (for locating problems after the fact)."""
    try:
        text = (root / path).read_text(encoding="utf-8", errors="replace")
        parts = split_front_matter(text)
    except (OSError, YamlError):
        return "", 1
    return parts.body, parts.body_line


def check_bodies(catalog: Catalog, settings: MarkdownSettings | None = None) -> list[Problem]:
    """Render every pattern body with the site's Markdown settings and judge the HTML.

    Args:
        catalog: A loaded catalog.
        settings: The site's Markdown settings (default: read from the catalog root's ``mkdocs.yml``).

    Returns:
        The located problems; a body the renderer fails on is one problem, never an exception.
    """
    settings = settings if settings is not None else site_markdown_settings(catalog.root)
    converter = _markdown(settings)
    problems: list[Problem] = []
    for entry in catalog.patterns.values():
        problems += check_entry(entry, settings, converter)
    return problems


def check_entry(entry: PatternEntry, settings: MarkdownSettings, converter: Any = None) -> list[Problem]:
    """Judge one pattern body's rendered HTML (bodies refused at the source are not rendered)."""
    if entry.unsafe or not entry.body.strip():
        return []
    try:
        html = render_body(entry.body, settings, converter)
    except Exception as exc:  # noqa: BLE001 - reported with its location, never a traceback
        return [Problem(entry.path, entry.body_line, f"the Markdown renderer fails on this body "
                                                     f"({exc.__class__.__name__}: {exc}); simplify the markup")]
    return violation_problems(check_html(html), entry.path, entry.body, entry.body_line)
