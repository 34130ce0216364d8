"""A complete, plugin-free site source: what ``archkb generate`` writes for any site engine.

Zensical reads ``mkdocs.yml`` but runs no MkDocs plugins, and skips the ones it does not
know without a word. So the catalog's pages are generated here instead, by the same
engine-independent core the MkDocs plugin uses, into a folder that any Python-Markdown
engine builds as it is:

* ``DIR/mkdocs.yml``: the project's configuration without the ``archkb`` plugin, with
  ``docs_dir: docs`` and ``site_dir: site``, the generated pages kept out of the nav
  (``not_in_nav``) and every asset listed statically;
* ``DIR/docs/``: the hand-written pages, their ``<!-- archkb:... -->`` markers expanded,
  and every generated page as plain Markdown with raw HTML blocks (no placeholders, no
  deferred HTML), the exports, the feed and the assets;
* the theme's ``custom_dir``, copied beside it.

Nothing is written when the catalog has a problem: the caller validates first.
"""

from __future__ import annotations

import os
import shutil
from urllib.parse import urlsplit
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..catalog.graph import Catalog
from .fragments import expand_markers
from .generator import GeneratedPage, SiteGenerator, SiteOptions
from .html import PlainHtml
from .urls import CSS_URI, FILTER_CSS_URI, JS_URI, PATHS_URI, PATTERNS_URI

__all__ = ["SourceTree", "generate_source_tree", "load_engine_config", "dump_engine_config", "config_value",
           "PLUGIN_NAME"]

PLUGIN_NAME = "archkb"
"""The plugin's name in ``mkdocs.yml``, which the generated configuration leaves out."""


class _Tagged(str):
    """A scalar with a YAML tag the generator does not interpret (``!ENV``, ``!!python/name:``)."""

    tag = ""


class _SequenceTagged(list):  # type: ignore[type-arg]
    """A sequence with a YAML tag (``!ENV [NAME, default]``), kept as written."""

    tag = ""


class _Loader(yaml.SafeLoader):
    """A safe loader that keeps unknown tags as tagged values, never constructing objects."""


def _construct_tagged(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.SequenceNode):
        value: Any = _SequenceTagged(loader.construct_sequence(node))
    else:
        value = _Tagged(loader.construct_scalar(node) if isinstance(node, yaml.ScalarNode) else "")
    value.tag = node.tag
    return value


_Loader.add_multi_constructor("!", _construct_tagged)
_Loader.add_multi_constructor("tag:yaml.org,2002:python/", _construct_tagged)


class _Dumper(yaml.SafeDumper):
    """A safe dumper that writes tagged values back with their tags and never writes aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        """Write every value out in full."""
        return True


_Dumper.add_representer(_Tagged, lambda dumper, value: dumper.represent_scalar(value.tag, str(value)))
_Dumper.add_representer(_SequenceTagged, lambda dumper, value: dumper.represent_sequence(value.tag, list(value)))


def load_engine_config(path: Path) -> dict[str, Any]:
    """Read a site engine's ``mkdocs.yml`` safely, keeping its tags for writing it back."""
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506 - a safe loader subclass
    return data if isinstance(data, dict) else {}


def config_value(value: Any) -> Any:
    """A configuration value as the engine reads it: ``!ENV [NAME, ..., default]`` follows the environment.

    A variable's value is typed as MkDocs types it (``pyyaml_env_tag``): by YAML's implicit
    resolvers, so ``ARCHKB_BOOK=false`` is ``False`` and ``SITE_URL=https://...`` a string.
    """
    if isinstance(value, (_SequenceTagged, _Tagged)) and value.tag == "!ENV":
        names = list(value) if isinstance(value, _SequenceTagged) else [str(value)]
        for name in names[:-1] if len(names) > 1 else names:
            if isinstance(name, str) and name in os.environ:
                return _env_scalar(os.environ[name])
        return names[-1] if len(names) > 1 else None
    return value


def _env_scalar(text: str) -> Any:
    """``text`` typed as a plain YAML scalar, as ``pyyaml_env_tag`` does for MkDocs."""
    loader = yaml.SafeLoader("")
    try:
        tag = loader.resolve(yaml.ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]  # PyYAML's stubs leave it untyped
        return loader.construct_object(yaml.ScalarNode(tag, text))
    finally:
        loader.dispose()


def dump_engine_config(config: dict[str, Any]) -> str:
    """Write a configuration read by :func:`load_engine_config` back as YAML."""
    return yaml.dump(config, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000)


@dataclass
class SourceTree:
    """What :func:`generate_source_tree` wrote.

    Attributes:
        out: The folder.
        config: Its ``mkdocs.yml``.
        pages: Source paths (relative to ``out/docs``) of the generated pages.
        copied: Source paths of the hand-written pages.
    """

    out: Path
    config: Path
    pages: list[str]
    copied: list[str]


def _plugin_name(item: Any) -> str:
    return next(iter(item)) if isinstance(item, dict) else str(item)


def _relative_to_out(value: str, root: Path, out: Path) -> str:
    """A path the project's configuration gives relative to the project, made relative to ``out``."""
    return os.path.relpath(root / value, out)


def _plugin_option(config: dict[str, Any], key: str, default: Any) -> Any:
    """An option of the archkb plugin as ``mkdocs.yml`` sets it (``default`` when unset)."""
    for item in config.get("plugins") or []:
        if _plugin_name(item) == PLUGIN_NAME and isinstance(item, dict):
            options = item.get(PLUGIN_NAME)
            if isinstance(options, dict) and key in options:
                return config_value(options[key])
    return default


def _engine_config(config: dict[str, Any], root: Path, out: Path) -> dict[str, Any]:
    """The project's configuration for a plugin-free build from ``out``."""
    config = dict(config)
    plugins = []
    for item in config.get("plugins") or []:
        name = _plugin_name(item)
        if name == PLUGIN_NAME:
            continue
        if name == "mkdocstrings" and isinstance(item, dict):  # its source paths are the project's
            item = _with_handler_paths(item, root, out)
        plugins.append(item)
    config["plugins"] = plugins
    config["docs_dir"] = "docs"
    config["site_dir"] = "site"
    if not config_value(config.get("repo_url")):
        config.pop("edit_uri", None)  # an edit path needs a repository to join
    for key in ("extra_css", "extra_javascript"):
        listed = [str(v) for v in config.get(key) or []]
        wanted = [CSS_URI, FILTER_CSS_URI] if key == "extra_css" else [JS_URI]
        config[key] = list(config.get(key) or []) + [uri for uri in wanted if uri not in listed]
    hidden = [f"/{PATTERNS_URI}/*.md", f"!/{PATTERNS_URI}/index.md", f"/{PATHS_URI}/*.md", f"!/{PATHS_URI}/index.md"]
    existing = str(config.get("not_in_nav") or "").splitlines()
    config["not_in_nav"] = "\n".join(dict.fromkeys([*existing, *hidden])) + "\n"
    return config


def _with_handler_paths(item: dict[str, Any], root: Path, out: Path) -> dict[str, Any]:
    options = dict(item.get("mkdocstrings") or {})
    handlers = {name: dict(handler or {}) for name, handler in (options.get("handlers") or {}).items()}
    for handler in handlers.values():
        if isinstance(handler.get("paths"), list):
            handler["paths"] = [_relative_to_out(str(p), root, out) for p in handler["paths"]]
    options["handlers"] = handlers
    return {"mkdocstrings": options}


def _write(path: Path, page: GeneratedPage) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if page.source is not None:
        shutil.copyfile(page.source, path)
    elif isinstance(page.content, bytes):  # a binary export (the EPUB book)
        path.write_bytes(page.content)
    else:
        path.write_text(page.content or "", encoding="utf-8")


def generate_source_tree(catalog: Catalog, out: Path | str, *, config_file: str = "mkdocs.yml",
                         report_path: Path | None = None, patterns_dir: str = "patterns") -> SourceTree:
    """Write the whole site source for a plugin-free build into ``out``.

    Args:
        catalog: The loaded, valid catalog (validate it first: this writes what it is given).
        out: The folder to write; its ``docs/`` is replaced, the rest kept.
        config_file: The project's configuration, relative to the catalog root.
        report_path: The latest link report (default: the plugin's default place).
        patterns_dir: The patterns folder, for git dates in the feed.

    Returns:
        What was written.
    """
    root = catalog.root
    out = Path(out).resolve()
    config = load_engine_config(root / config_file)
    docs_src = root / str(config_value(config.get("docs_dir")) or "docs")
    directory_urls = bool(config_value(config.get("use_directory_urls", True)))
    docs = out / "docs"
    if docs.exists():
        shutil.rmtree(docs)
    docs.mkdir(parents=True)

    hand_written = sorted(p for p in docs_src.rglob("*") if p.is_file() and not p.is_symlink())
    existing = {p.relative_to(docs_src).as_posix() for p in hand_written if p.suffix == ".md"}
    site_url = config_value(config.get("site_url"))
    base = urlsplit(site_url).path or "/" if isinstance(site_url, str) else "/"
    sinks: list[PlainHtml] = []

    def sink(urls: bool, headings: object, store: object) -> PlainHtml:
        made = PlainHtml(base, directory_urls=urls)
        sinks.append(made)
        return made

    generator = SiteGenerator(sink=sink)
    book = _plugin_option(config, "book", True) is not False
    generated = generator.generate(catalog, SiteOptions(
        directory_urls=directory_urls, site_url=site_url if isinstance(site_url, str) else None,
        title=str(config_value(config.get("site_name")) or ""), description=config_value(config.get("site_description")),
        docs_dir=docs_src.relative_to(root).as_posix() if docs_src.is_relative_to(root) else "docs",
        existing_pages=existing, book=book),
        report=None,
        report_path=report_path or root / ".cache/archkb/link-report.json", patterns_dir=patterns_dir)
    changes = generator.changes
    generated_uris = {page.uri for page in generated}

    copied = []
    for path in hand_written:
        rel = path.relative_to(docs_src).as_posix()
        if rel in generated_uris:
            continue  # a generated page takes the place of a hand-written one of the same name
        target = docs / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix == ".md":
            text = path.read_text(encoding="utf-8")
            target.write_text(expand_markers(text, src_uri=rel, map_source=generator.map_layout or catalog,
                                             changes=changes, directory_urls=directory_urls,
                                             sink=sink(directory_urls, {}, None), book=book), encoding="utf-8")
            copied.append(rel)
        else:
            shutil.copyfile(path, target)
    for page in generated:
        _write(docs / page.uri, page)
    pages = {*(p.uri for p in generated), *copied}
    missing = sorted({uri for made in sinks for uri, _ in made.links if uri not in pages})
    if missing:  # a bug, not a contribution's mistake: every target is a page the catalog knows
        raise RuntimeError(f"generated links to pages that were not generated: {', '.join(missing)}")

    engine = _engine_config(config, root, out)
    theme = engine.get("theme")
    custom = theme.get("custom_dir") if isinstance(theme, dict) else None
    if isinstance(custom, str) and (root / custom).is_dir():
        target = out / custom
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(root / custom, target)
    config_path = out / "mkdocs.yml"
    config_path.write_text("# Generated by `archkb generate` from the project's mkdocs.yml; do not edit.\n"
                           + dump_engine_config(engine), encoding="utf-8")
    return SourceTree(out, config_path, sorted(p.uri for p in generated if p.uri.endswith(".md")), copied)
