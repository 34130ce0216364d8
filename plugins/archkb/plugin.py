"""The MkDocs plugin: thin glue from MkDocs events to the archkb core.

Nothing here holds catalog logic. The plugin loads the catalog (reusing parsed
files across ``mkdocs serve`` rebuilds), reports its problems as warnings so that
``--strict`` counts them, and adds the pattern pages and generated pages to the site.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel

from .catalog import Catalog
from .config import ArchkbConfig
from .loader import ParseCache, load_catalog
from .render import (
    PATHS_URI,
    PATTERNS_URI,
    FRAGMENT_MARKERS,
    READING_LIST_URI,
    path_uri,
    pattern_uri,
    render_path_page,
    render_paths_index,
    render_pattern_page,
    render_patterns_index,
    render_reading_list,
)

__all__ = ["ArchkbPlugin"]

log = get_plugin_logger("archkb")

CSS_URI = "assets/archkb/archkb.css"


class ArchkbPlugin(BasePlugin[ArchkbConfig]):
    """Turns ``patterns/``, ``references/`` and ``paths/`` into a connected catalog."""

    supports_multiple_instances = False

    def __init__(self) -> None:
        self.cache = ParseCache()
        self.catalog: Catalog | None = None
        self.root = Path.cwd()
        self.command = "build"

    def on_startup(self, *, command: str, dirty: bool) -> None:
        """Remember the command; defining this keeps the instance alive across serve rebuilds."""
        self.command = command

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        """Resolve the project root and register the stylesheet."""
        if not self.config.enabled:
            return None
        self.root = Path(config.config_file_path or "mkdocs.yml").resolve().parent
        self.catalog = None
        if CSS_URI not in config.extra_css:
            config.extra_css.append(CSS_URI)
        return config

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files | None:
        """Load and validate the catalog, then add pattern pages and generated pages."""
        if not self.config.enabled:
            return None
        catalog = load_catalog(
            self.root,
            patterns_dir=self.config.patterns_dir,
            references_dir=self.config.references_dir,
            paths_dir=self.config.paths_dir,
            cache=self.cache,
        )
        self.catalog = catalog
        for problem in catalog.iter_problems():
            log.warning(str(problem))

        def add(uri: str, content: str, *, edit_path: str | None = None,
                inclusion: InclusionLevel = InclusionLevel.NOT_IN_NAV) -> None:
            existing = files.get_file_from_path(uri)
            if existing is not None:
                files.remove(existing)
            file = File.generated(config, uri, content=content, inclusion=inclusion)
            if edit_path is not None:
                file.edit_uri = _relative_edit_uri(config, self.root, edit_path)
            files.append(file)

        for slug, entry in catalog.patterns.items():
            add(pattern_uri(slug), render_pattern_page(entry, catalog), edit_path=entry.path)
        for slug, path_entry in catalog.paths.items():
            add(path_uri(slug), render_path_page(path_entry, catalog), edit_path=path_entry.path)
        add(f"{PATTERNS_URI}/index.md", render_patterns_index(catalog), inclusion=InclusionLevel.UNDEFINED)
        add(f"{PATHS_URI}/index.md", render_paths_index(catalog), inclusion=InclusionLevel.UNDEFINED)
        add(READING_LIST_URI, render_reading_list(catalog), inclusion=InclusionLevel.UNDEFINED)
        css = resources.files("archkb").joinpath("assets/archkb.css").read_text(encoding="utf-8")
        files.append(File.generated(config, CSS_URI, content=css))
        return files

    def on_page_markdown(self, markdown: str, *, page: Any, config: MkDocsConfig, files: Files) -> str | None:
        """Replace fragment markers (such as the relation vocabulary) in hand-written pages."""
        if not self.config.enabled or "<!-- archkb:" not in markdown:
            return None
        for marker, render in FRAGMENT_MARKERS.items():
            if marker in markdown:
                markdown = markdown.replace(marker, render())
        return markdown

    def on_serve(self, server: Any, *, config: MkDocsConfig, builder: Any) -> Any:
        """Watch the catalog folders, which live outside ``docs/``."""
        if not self.config.enabled:
            return server
        for folder in (self.config.patterns_dir, self.config.references_dir, self.config.paths_dir):
            path = self.root / folder
            if path.is_dir():
                server.watch(str(path))
        return server


def _relative_edit_uri(config: MkDocsConfig, root: Path, edit_path: str) -> str:
    """An edit URI that points at the real source file, outside ``docs/``.

    MkDocs joins ``edit_uri`` (which points into ``docs/``) with this value.
    """
    docs = Path(config.docs_dir).resolve()
    try:
        depth = len(docs.relative_to(root).parts)
    except ValueError:
        depth = 1
    return "../" * depth + edit_path
