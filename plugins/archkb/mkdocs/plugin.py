"""The MkDocs plugin: thin glue from MkDocs events to the archkb core.

Nothing here holds catalog logic. The plugin loads the catalog (reusing parsed
files across ``mkdocs serve`` rebuilds), reports its problems as warnings so that
``--strict`` counts them, and adds the pattern pages and generated pages to the site.
"""

from __future__ import annotations

import gc
import html
from collections.abc import Callable
from html import escape as escape_html
from pathlib import Path
from typing import Any

from markupsafe import Markup
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.toc import AnchorLink
from mkdocs.utils import get_relative_url

from ..catalog.graph import Catalog
from ..catalog.loader import ParseCache, load_catalog
from ..linkcheck.project import latest_link_report
from ..linkcheck.report import Report
from ..linkcheck.settings import Settings
from ..safety.bodies import source_body, violation_problems
from ..safety.chars import printable
from ..safety.htmlpolicy import check_html, sanitize_html
from ..site import clear_caches
from ..site.fragments import MAP_PREVIEW_MARKER, expand_markers
from ..site.generator import GeneratedPage, SiteGenerator, SiteOptions
from ..site.html import SectionHeading
from ..site.incremental import RenderCache
from ..site.spill import SpillFolder
from ..site.urls import CSS_URI, EPUB_EXPORT_URI, FEED_URI, FILTER_CSS_URI, JS_URI, pattern_uri
from .book import BookWorker
from .config import ArchkbConfig
from .deferred import DeferredHtml, section_headings

__all__ = ["ArchkbPlugin"]

log = get_plugin_logger("archkb")

_SPILL_LIMIT = 512 * 1024 * 1024
"""Serve appends re-rendered HTML to the spill store; past this many bytes it starts afresh."""


class ArchkbPlugin(BasePlugin[ArchkbConfig]):
    """Turns ``patterns/``, ``references/`` and ``paths/`` into a connected catalog."""

    supports_multiple_instances = False

    def __init__(self) -> None:
        self.site = SiteGenerator()
        self.catalog: Catalog | None = None
        self.root = Path.cwd()
        self.command = "build"
        self.link_report: Report | None = None
        self.deferred: dict[str, DeferredHtml] = {}
        self.spill: SpillFolder | None = None
        self._headings: tuple[tuple[str, str], dict[str, SectionHeading]] | None = None
        self.generated_pages: set[str] = set()
        self.book: BookWorker | None = None
        self.contributed: dict[str, str] = {}  # page source URI -> the pattern file whose body it renders

    def on_startup(self, *, command: str, dirty: bool) -> None:
        """Remember the command; defining this keeps the instance alive across serve rebuilds."""
        self.command = command

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        """Resolve the project root and register the stylesheet."""
        if not self.config.enabled:
            return None
        gc.unfreeze()  # what the last build froze (serve) may be garbage by now
        if not config.repo_url and config.edit_uri:
            # An edit path needs a repository to join; without one MkDocs warns on every page.
            config.edit_uri = None
        root = Path(config.config_file_path or "mkdocs.yml").resolve().parent
        if root != self.root:
            # MkDocs reuses plugin instances within a process; another project starts afresh.
            self.site = SiteGenerator()
        self.root = root
        self.catalog = None
        for uri in (CSS_URI, FILTER_CSS_URI):
            if uri not in config.extra_css:
                config.extra_css.append(uri)
        if JS_URI not in [str(script) for script in config.extra_javascript]:
            config.extra_javascript.append(JS_URI)
        return config

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files | None:
        """Load and validate the catalog, then add pattern pages and generated pages.

        The cyclic garbage collector is paused meanwhile: the catalog is a million
        small acyclic objects, and full collections over them made loading grow faster
        than the catalog. Afterwards they are frozen out of later collections.
        """
        if not self.config.enabled:
            return None
        gc.disable()
        try:
            return self._add_catalog(files, config)
        finally:
            gc.enable()
            # Freeze without collecting first: in a one-off build the catalog is freed by
            # reference counting (see _add_catalog), and a full collection here found
            # under a thousand cyclic objects at N = 1,000 for 0.03 s of CPU.
            gc.freeze()

    def _add_catalog(self, files: Files, config: MkDocsConfig) -> Files:
        catalog = load_catalog(
            self.root,
            patterns_dir=self.config.patterns_dir,
            references_dir=self.config.references_dir,
            paths_dir=self.config.paths_dir,
            cache=self.site.parse_cache,
        )
        self.catalog = catalog
        for problem in catalog.iter_problems():
            log.warning(str(problem))
        self.link_report = self._link_report(catalog, config)
        serving = self.command == "serve"
        options = SiteOptions(
            directory_urls=config.use_directory_urls,
            site_url=config.site_url,
            title=config.site_name,
            description=config.site_description,
            docs_dir=_docs_folder(config, self.root),
            existing_pages={f.src_uri for f in files.documentation_pages()},
            section_headings=self._section_headings(config),
            book=self.config.book,
            book_in_place=serving,  # a one-off build makes the book beside the pages, in a worker
        )
        if self.spill is None or self.spill.removed or not serving or self.spill.kept > _SPILL_LIMIT:
            # Large generated files and HTML go to disk as they are rendered, not into memory.
            # Only serve's rebuilds reuse rendered pages; a one-off build keeps none.
            self.spill = self.site.spill = SpillFolder()
            self.site.renders = RenderCache(keep=serving)
        self.site.sink = _deferred_sink
        generated = self.site.generate(
            catalog,
            options,
            report=self.link_report,
            report_path=self.root / self.config.link_check.report,
            patterns_dir=self.config.patterns_dir,
        )
        if self.book is not None:
            self.book.cancel()
            self.book = None
        if not serving and self.config.book:
            self.book = BookWorker(self.root, self.root / self.config.link_check.report)
        if not serving:
            # The pages are generated; what is left to do needs the map layout, not the
            # catalog. Letting the catalog go gives its memory to the pages MkDocs builds.
            clear_caches()
            self.catalog = None
            self.site.parse_cache = ParseCache()
        self.deferred = {}
        self.generated_pages = {page.uri for page in generated if page.uri.endswith(".md")}
        self.contributed = {pattern_uri(entry.slug): entry.path for entry in catalog.patterns.values()}
        _refuse_outside_files(files, self.root)
        self._put_generated(files, config, generated)
        return files

    def _put_generated(self, files: Files, config: MkDocsConfig, generated: list[GeneratedPage]) -> None:
        """Add the generated pages to MkDocs' files (each replacing a file of the same path), with
        their edit links, and keep the pages whose HTML is made after MkDocs renders them.
        """
        edit_prefix = _edit_uri_prefix(config, self.root)  # resolved once, not per page
        for page in generated:
            existing = files.get_file_from_path(page.uri)
            if existing is not None:
                files.remove(existing)
            inclusion = InclusionLevel.UNDEFINED if page.listed else InclusionLevel.NOT_IN_NAV
            if page.source is not None:  # large files were written to disk as they were generated
                file = File.generated(config, page.uri, abs_src_path=str(page.source), inclusion=inclusion)
            else:
                file = File.generated(config, page.uri, content=page.content or "", inclusion=inclusion)
            if page.edit_path is not None:
                file.edit_uri = edit_prefix + page.edit_path
            files.append(file)
            if isinstance(page.deferred, DeferredHtml):
                self.deferred[page.uri] = page.deferred

    def _section_headings(self, config: MkDocsConfig) -> dict[str, SectionHeading]:
        """The generated sections' headings, rendered once per configuration."""
        key = (repr(config.markdown_extensions), repr(config.mdx_configs))
        if self._headings is None or self._headings[0] != key:
            try:
                headings = section_headings(config.markdown_extensions, config.mdx_configs)
            except Exception as exc:  # noqa: BLE001 - a fallback exists: Markdown headings
                log.debug(f"generated section headings stay Markdown: {exc}")
                headings = {}
            self._headings = (key, headings)
        return self._headings[1]

    def on_page_markdown(self, markdown: str, *, page: Any, config: MkDocsConfig, files: Files) -> str | None:
        """Replace fragment markers (such as the relation vocabulary) in hand-written pages.

        In a one-off build, a generated page's source text is dropped once MkDocs has
        read it: nothing reads it again, and a large catalog's pages add up.
        """
        if not self.config.enabled:
            return None
        if page.file.src_uri in self.generated_pages:
            _mark_escaped(page.meta)
            if self.command != "serve":
                page.file.content_string = ""
        if "<!-- archkb:" not in markdown:
            return None
        src = page.file.src_uri
        urls = config.use_directory_urls
        sink = None
        if MAP_PREVIEW_MARKER in markdown:
            sink = self.deferred.setdefault(src, DeferredHtml(directory_urls=urls, store=self.spill))
        return expand_markers(
            markdown,
            src_uri=src,
            directory_urls=urls,
            sink=sink,
            changes=self.site.changes,
            map_source=self.catalog if self.catalog is not None else self.site.map_layout,
            book=self.config.book,
        )

    def on_page_content(self, html: str, *, page: Any, config: MkDocsConfig, files: Files) -> str | None:
        """Tell MkDocs about the anchors of the deferred HTML; give search what it should index.

        Only the reading list's entries are searchable, through their plain search
        versions (see :class:`~archkb.mkdocs.deferred.DeferredHtml`). The rest of the generated
        HTML (maps, related patterns, further reading) repeats other pages' titles and
        would only add noise and cost to the search index. Everything goes back in at
        ``on_post_page``.
        """
        if not self.config.enabled:
            return None
        source = self.contributed.get(page.file.src_uri)
        if source is not None:
            html = self._judge(html, source)
        deferred = self.deferred.get(page.file.src_uri)
        if not deferred:
            return html if source is not None else None
        if page.present_anchor_ids is not None:
            page.present_anchor_ids.update(deferred.anchor_ids())
        for heading in deferred.toc:
            _add_to_toc(page.toc, AnchorLink(escape_html(heading.title), heading.anchor, heading.level))
        content = _restore(deferred.restore_for_search, html)
        if self.command != "serve":
            deferred.release_restored()  # this page is converted once; serve converts it again
        return content

    def _judge(self, html_text: str, source: str) -> str:
        """Refuse what the allow-list refuses in a contributed page's HTML, then sanitise it anyway.

        The warnings fail a strict build; the sanitised HTML keeps a plain build inert.
        Locating a refusal reads the source again, which only a refused page costs.
        """
        violations = check_html(html_text)
        if violations:
            body, body_line = source_body(self.root, source)
            for problem in violation_problems(violations, source, body, body_line):
                log.warning(str(problem))
        return sanitize_html(html_text, refused=bool(violations))

    def on_env(self, env: Any, *, config: MkDocsConfig, files: Files) -> Any:
        """Validate the links of the generated HTML, now that every page's anchors are known."""
        if not self.config.enabled:
            return env
        for uri, deferred in self.deferred.items():
            for to_uri, anchor in sorted(set(deferred.links), key=lambda link: (link[0], link[1] or "")):
                target = files.get_file_from_path(to_uri)
                if target is None:
                    log.warning(f"{uri}: generated link to '{to_uri}', which is not a page of the site")
                    continue
                anchors = target.page.present_anchor_ids if target.page is not None else None
                if anchor and anchors is not None and anchor not in anchors:
                    log.warning(f"{uri}: generated link to '{to_uri}#{anchor}', but there is no such anchor")
        return env

    def on_post_page(self, output: str, *, page: Any, config: MkDocsConfig) -> str | None:
        """Restore the remaining deferred HTML, and announce the Atom feed in every page's head."""
        if not self.config.enabled:
            return None
        deferred = self.deferred.get(page.file.src_uri)
        if deferred:
            output = _restore(deferred.restore, output)
            if self.command != "serve":
                deferred.release()
        if self.command != "serve" and page.file.src_uri in self.generated_pages:
            # Written out next; search has indexed it. Nothing later reads a generated
            # page's HTML again, and a thousand of them are a large share of a build's memory.
            page.content = ""
        head_end = output.find("</head>")
        if head_end < 0:
            return output
        href = get_relative_url(FEED_URI, page.url)
        title = html.escape(f"{config.site_name}: new and updated patterns", quote=True)
        link = f'<link rel="alternate" type="application/atom+xml" title="{title}" href="{href}">'
        return output[:head_end] + link + output[head_end:]

    def _link_report(self, catalog: Catalog, config: MkDocsConfig) -> Report | None:
        """Check external links now, or reuse the latest report; log what fails the build."""
        import os

        from ..linkcheck.config import ConfigFileError, apply_table, project_table
        from ..linkcheck.proxy import proxies_from_environment
        from .config import LinkCheckConfig

        options = self.config.link_check
        online = options.external and (self.command != "serve" or options.serve_external)
        proxies, no_proxy = proxies_from_environment(os.environ)  # as `archkb check-links` reads them
        settings = Settings(
            timeout=float(options.timeout),
            concurrency=options.concurrency,
            per_host=options.per_host,
            excludes=list(options.exclude),
            includes=list(options.include),
            allow_private=options.allow_private,
            cache_path=str(self.root / options.cache),
            github_token=os.environ.get("GITHUB_TOKEN", "").strip() or None,
            proxies=proxies,
            no_proxy=no_proxy,
        )
        try:
            # pyproject.toml's [tool.archkb.link_check] first (what `archkb check-links` reads),
            # then this plugin's own link_check options.
            found = project_table(self.root)
            if found is not None:
                settings = apply_table(settings, found[0], found[1])
            defaults = dict(LinkCheckConfig._schema)
            own = {
                key: options[key]
                for key in (
                    "remap",
                    "accept",
                    "headers",
                    "interval",
                    "hosts",
                    "require_https",
                    "suggest",
                    "archive_api",
                    "github_hosts",
                )
                if options[key] != defaults[key].default
            }  # left at its default: pyproject.toml's stands
            settings = apply_table(settings, own, "mkdocs.yml: plugins.archkb.link_check")
        except ConfigFileError as exc:
            raise PluginError(f"archkb: invalid link_check settings: {exc}") from None
        try:
            report = latest_link_report(
                catalog, settings, online=online, report_path=self.root / options.report, docs_dir=Path(config.docs_dir)
            )
        except ValueError as exc:  # SettingsError: the options do not make sense together
            raise PluginError(f"archkb: invalid link_check settings: {exc}") from None
        if online and report is not None:
            for result in report.results:
                if result.state.value in options.fail_on:
                    target = f" -> {result.final_url}" if result.final_url and result.final_url != result.url else ""
                    for source in result.sources or ["?"]:
                        line = f"{source}: {result.state.value} link {result.url}{target}"
                        log.warning(printable(line + (f": {result.message}" if result.message else "")))
        return report

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """Write the machine-readable link report into the built site."""
        if not self.config.enabled:
            return
        report = self.link_report or Report()
        report.save(Path(config.site_dir) / "link-report.json")
        if self.book is not None:
            failure = self.book.finish(Path(config.site_dir) / EPUB_EXPORT_URI)
            self.book = None
            if failure:
                log.warning(f"the EPUB book ({EPUB_EXPORT_URI}) could not be built: {failure}")
        if self.command != "serve" and self.spill is not None:
            self.spill.remove()  # serve keeps it for the next rebuild

    def on_build_error(self, *, error: Exception) -> None:
        """Stop the book's worker when the build fails."""
        if self.book is not None:
            self.book.cancel()
            self.book = None

    def on_shutdown(self) -> None:
        """Remove the folder of generated files."""
        if self.spill is not None:
            self.spill.remove()

    def on_serve(self, server: Any, *, config: MkDocsConfig, builder: Any) -> Any:
        """Watch the catalog folders, which live outside ``docs/``."""
        if not self.config.enabled:
            return server
        for folder in (self.config.patterns_dir, self.config.references_dir, self.config.paths_dir):
            path = self.root / folder
            if path.is_dir():
                server.watch(str(path))
        return server


def _deferred_sink(directory_urls: bool, headings: Any, store: Any) -> DeferredHtml:
    """Each generated page's HTML is deferred: kept out of Markdown conversion, restored when written."""
    return DeferredHtml(directory_urls=directory_urls, headings=headings, store=store)


def _mark_escaped(meta: dict[str, Any]) -> None:
    """Tell the theme that the generated title and description are escaped already.

    Generated front matter writes them HTML-escaped, because templates print them raw;
    as :class:`markupsafe.Markup` the places that escape (``| e``) do not escape twice.
    """
    for key in ("title", "description"):
        value = meta.get(key)
        if isinstance(value, str) and not isinstance(value, Markup):
            meta[key] = Markup(value)  # noqa: S704 - the generator wrote this text escaped already


def _refuse_outside_files(files: Files, root: Path) -> None:
    """Leave out, with a warning, site files that are links to places outside the project."""
    for file in list(files):
        source = file.abs_src_path
        if not source or file.generated_by is not None:
            continue
        path = Path(source)
        if not path.is_symlink():
            continue
        try:
            path.resolve().relative_to(root)
        except (ValueError, OSError, RuntimeError):
            log.warning(f"{file.src_uri}: is a symbolic link to a file outside the project; it is not published")
            files.remove(file)


def _restore(restore: Callable[[str], str], html_text: str) -> str:
    try:
        return restore(html_text)
    except RuntimeError as exc:
        raise PluginError(f"archkb: {exc}") from None


def _add_to_toc(toc: Any, link: AnchorLink) -> None:
    """Append ``link`` to a page's table of contents, under the last entry of a higher level."""
    items = toc.items if hasattr(toc, "items") else toc
    while items and items[-1].level < link.level:
        items = items[-1].children
    items.append(link)


def _docs_folder(config: MkDocsConfig, root: Path) -> str:
    """The docs folder relative to the project root (as link-report sources name it)."""
    try:
        return Path(config.docs_dir).resolve().relative_to(root).as_posix()
    except ValueError:
        return "docs"


def _edit_uri_prefix(config: MkDocsConfig, root: Path) -> str:
    """What leads from ``docs/`` back to the project root, for edit URIs of real source files.

    MkDocs joins ``edit_uri`` (which points into ``docs/``) with ``prefix + source path``.
    """
    docs = Path(config.docs_dir).resolve()
    try:
        depth = len(docs.relative_to(root).parts)
    except ValueError:
        depth = 1
    return "../" * depth
