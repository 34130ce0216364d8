"""Collecting the links to check from the command's inputs: a site folder, files, or the project."""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from .extract import PageLinks, extract_links_from_markdown
from .internal import is_internal, load_pages
from .states import Link, Result, State, now_iso, split_source
from .urls import split_fragment
from .walk import walk_files

if TYPE_CHECKING:  # pragma: no cover
    from .client import Outcome
    from .settings import Settings

__all__ = [
    "Inputs",
    "InputError",
    "collect_changed",
    "collect_pages",
    "collect_paths",
    "collect_project",
    "collect_text",
    "STDIN",
    "without_excluded_sources",
]

_HTML = {".html", ".htm"}
_MARKDOWN = {".md", ".markdown"}


class InputError(ValueError):
    """An input cannot be used (wrong kind of file, no project, unreadable catalog)."""


class _StandardInput:
    """The ``-`` PATH: standard input, read as plain text (:func:`collect_text`)."""

    def __repr__(self) -> str:
        return "STDIN"


STDIN = _StandardInput()
"""The PATH ``-`` stands for: standard input."""

STDIN_SOURCE = "(stdin)"
"""How a link read from standard input names where it was written (``(stdin):3``): no file."""


def collect_text(data: bytes, name: str = STDIN_SOURCE) -> list[Link]:
    """The absolute http(s) URLs written in ``data`` (UTF-8; what is not becomes U+FFFD), each
    cited as ``name:line`` (:func:`.extract.extract_urls_from_text`).
    """
    from .extract import extract_urls_from_text

    return extract_urls_from_text(data.decode("utf-8", errors="replace"), name=name)


@dataclass
class Inputs:
    """What one run checks.

    Attributes:
        external: Links for the network checker.
        sites: Parsed HTML pages per site root, for the offline internal check.
        local: Relative links in the Markdown files given as PATHs, each with its file, for the
            offline check of local files and headings (:mod:`.local`).
        results: Verdicts known before any check: pages given as URLs that could not be read.
        warnings: What the report should say about the inputs (a page read only in part).
        known: The pages fetched to read their links (:func:`collect_pages`), by URL, for the
            check to judge links to them without asking again.
        deadline: When the run's budget ends (a ``time.monotonic()`` value), once fetching pages
            has begun it (:func:`collect_pages`): the check that follows has only what is left of
            it. None: no network yet; the check starts the budget.
    """

    external: list[Link] = field(default_factory=list)
    sites: list[tuple[Path, dict[Path, PageLinks]]] = field(default_factory=list)
    local: list[tuple[Path, Link]] = field(default_factory=list)
    results: list[Result] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    known: dict[str, Outcome] = field(default_factory=dict)
    deadline: float | None = None


def _display(path: Path, base: Path) -> str:
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return str(path)


def _add_markdown(inputs: Inputs, files: list[Path], base: Path, *, local: bool) -> None:
    for file in files:
        with _reading(file):
            links = extract_links_from_markdown(file, name=_display(file, base))
        for link in links:
            if not is_internal(link.url):
                inputs.external.append(link)
            elif local:
                inputs.local.append((file, link))


def _add_html(inputs: Inputs, files: list[Path], root: Path, base: Path) -> None:
    with _reading():
        pages = load_pages(files, base)
    for page in pages.values():
        inputs.external.extend(link for link in page.links if not is_internal(link.url))
    inputs.sites.append((root, pages))


@contextlib.contextmanager
def _reading(file: Path | None = None) -> Iterator[None]:
    """Turn a file that cannot be read into InputError, named as given (each file is opened once,
    to be read: not once more beforehand to see whether it can be).
    """
    try:
        yield
    except OSError as exc:
        name = file if file is not None else exc.filename
        raise InputError(f"{name}: cannot read it ({exc.strerror or exc})") from exc


def collect_paths(
    paths: list[Path],
    base: Path,
    *,
    exclude_paths: Iterable[str] = (),
    hidden: bool = False,
    use_ignore: bool = True,
) -> Inputs:
    """Collect links from PATH arguments: folders, HTML files or Markdown files.

    A folder's HTML files are read as a built site (internal links and anchors are then checked
    between its pages) and its Markdown files as Markdown; which files of it are read is
    :func:`.walk.walk_files`' choice (hidden files, what git ignores and ``exclude_paths`` are left
    out). A file that is named is always read.

    Raises:
        InputError: for a file that is neither HTML nor Markdown, or a folder with neither.
    """
    inputs = Inputs()
    loose_html: dict[Path, list[Path]] = {}
    for path in paths:
        if path.is_dir():
            files = walk_files(
                path,
                suffixes=_HTML | _MARKDOWN,
                display=lambda p: _display(p, base),
                exclude_paths=exclude_paths,
                hidden=hidden,
                use_ignore=use_ignore,
            )
            html = [p for p in files if p.suffix.lower() in _HTML]
            markdown = [p for p in files if p.suffix.lower() in _MARKDOWN]
            if not files:
                raise InputError(
                    f"{path}: no HTML or Markdown files in this folder (hidden files, what git ignores "
                    "and --exclude-path are left out; --hidden and --no-ignore read them)"
                )
            if html:
                _add_html(inputs, html, path.resolve(), base)
            _add_markdown(inputs, markdown, base, local=True)
        elif path.suffix.lower() in _HTML:
            loose_html.setdefault(path.resolve().parent, []).append(path)
        elif path.suffix.lower() in _MARKDOWN:
            _add_markdown(inputs, [path], base, local=True)
        else:
            raise InputError(f"{path}: not an HTML (.html) or Markdown (.md) file")
    for root, files in loose_html.items():
        _add_html(inputs, files, root, base)
    return inputs


def without_excluded_sources(links: list[Link], exclude_paths: Iterable[str]) -> list[Link]:
    """``links`` less those written in a file that an ``exclude_paths`` expression matches."""
    patterns = [re.compile(p) for p in exclude_paths]
    if not patterns:
        return links
    return [link for link in links if not any(p.search(split_source(link.source)[0]) for p in patterns)]


def collect_project(root: Path, *, exclude_paths: Iterable[str] = ()) -> Inputs:
    """Collect the project's own links: every reference URL (and archived URL), plus links in
    ``patterns/*.md`` and ``docs/**/*.md``, less those in files that ``exclude_paths`` match.

    Raises:
        InputError: when ``root`` is not a project or its catalog cannot be loaded.
    """
    if not (root / "mkdocs.yml").is_file():
        raise InputError(f"{root}: no mkdocs.yml here; run in the project folder, use --root, or give PATHs")
    try:
        from archkb.catalog.loader import load_catalog
    except ImportError as exc:  # pragma: no cover - the loader ships with the package
        raise InputError(f"cannot load the catalog: {exc}") from exc
    try:
        catalog = load_catalog(root)
    except Exception as exc:
        raise InputError(f"{root}: cannot load the catalog: {exc}") from exc
    inputs = Inputs()
    for entry in getattr(catalog, "references", {}).values():
        source = f"{entry.path}:{entry.line}"
        for url in (getattr(entry, "url", None), getattr(entry, "archived_url", None)):
            if url:
                inputs.external.append(Link(str(url), source))
    files = sorted((root / "patterns").glob("*.md")) + sorted((root / "docs").rglob("*.md"))
    _add_markdown(inputs, files, root, local=False)  # the build checks these pages' own links
    inputs.external = without_excluded_sources(inputs.external, exclude_paths)
    return inputs


def collect_changed(root: Path, base: str, *, exclude_paths: Iterable[str] = ()) -> Inputs:
    """Collect the external links that the working tree adds to git revision ``base``
    (:func:`.changed.changed_urls`), each with every place the working tree writes it.

    Raises:
        InputError: when ``root`` is not a project, or git cannot compare it with ``base``.
    """
    if not (root / "mkdocs.yml").is_file():
        raise InputError(f"{root}: no mkdocs.yml here; run in the project folder, or use --root")
    from .changed import ChangedLinksError, changed_urls

    try:
        changed = changed_urls(root, base)
    except ChangedLinksError as exc:
        raise InputError(f"--changed {base}: {exc}") from exc
    links = [Link(c.url, source) for c in changed for source in c.sources]
    return Inputs(external=without_excluded_sources(links, exclude_paths))


#: The source named for a page given as a URL that cannot be read.
INPUT_SOURCE = "(input)"


def _sent_path(url: str) -> str | None:
    """The path the HTTP client will send for ``url``: dot segments removed, percent-encoded ones
    too (``/docs/%2e%2e/secret`` asks for ``/secret``); None when it will not send it at all.
    """
    from .hosts import client_url

    try:
        return client_url(url).raw_path or "/"
    except ValueError:
        return None


def _scope(url: str) -> tuple[str, str, str]:
    """What a crawl from ``url`` stays within: its scheme, host and port, and its folder."""
    parts = urlsplit(url)
    path = _sent_path(url) or parts.path
    folder = path[: path.rfind("/") + 1] or "/"
    return parts.scheme.lower(), parts.netloc.lower(), folder


def _within(url: str, scopes: list[tuple[str, str, str]]) -> bool:
    """Whether ``url`` is under one of the crawl's folders, judged by the path that will be sent
    (:func:`_sent_path`): the path as written would let a page climb out of the folder.
    """
    parts = urlsplit(url)
    here = (parts.scheme.lower(), parts.netloc.lower())
    path = _sent_path(url)
    return path is not None and any(
        here == (scheme, netloc) and path.startswith(folder) for scheme, netloc, folder in scopes
    )


def _read_page(url: str, outcome: Outcome) -> tuple[list[Link], list[Link]]:
    """A fetched page's links and the links a reader follows from it (``a``, ``area``), each resolved
    against its final address and its ``<base href>``. The page's text is let go: a crawl of 1,000
    pages keeps their ids, not their text.
    """
    from .credentials import redact_credentials, strip_credentials
    from .extract import extract_links_from_html

    base = outcome.final_url or strip_credentials(url)
    page = extract_links_from_html(outcome.page or "", name=redact_credentials(url))  # parsed once
    if page.base and urljoin(base, page.base).lower().startswith(("http://", "https://")):
        # A base that is no http(s) URL (javascript:, data:) is passed over: the links resolve
        # against the page's own address and are checked, not skipped as not absolute.
        base = urljoin(base, page.base)
    outcome.page = None
    resolve = lambda link: Link(urljoin(base, link.url), link.source)  # noqa: E731
    return [resolve(link) for link in page.links], [resolve(link) for link in page.pages]


_SITEMAP = re.compile(r"<(?:[\w.-]+:)?(?:urlset|sitemapindex)\b")
# Linear: "[^<]*" cannot backtrack into the "<" that must follow (a lazy "\s*([^<]*?)\s*" took cubic
# time on a <loc> followed by white space and no closing tag: a minute for 4,000 spaces).
_LOC = re.compile(r"<(?:[\w.-]+:)?loc>([^<]*)</(?:[\w.-]+:)?loc>")


def _sitemap_links(url: str, outcome: Outcome) -> list[Link] | None:
    """The pages a sitemap (or a sitemap index) lists, with ``URL:line`` sources; None when the XML
    is no sitemap. Only addresses on the sitemap's own scheme and host count, as the sitemaps
    protocol has it; entities are the five of XML, and none is expanded past them.
    """
    import html

    from .credentials import redact_credentials, strip_credentials

    text = outcome.page or ""
    if not _SITEMAP.search(text[:4096]):
        return None
    home = urlsplit(outcome.final_url or strip_credentials(url))
    name = redact_credentials(url)
    found = []
    line, counted = 1, 0  # lines are counted once, in order: a sitemap may list 50,000 pages
    for match in _LOC.finditer(text):
        line, counted = line + text.count("\n", counted, match.start()), match.start()
        loc = html.unescape(match.group(1).strip())
        parts = urlsplit(loc)
        if (parts.scheme.lower(), parts.netloc.lower()) == (home.scheme.lower(), home.netloc.lower()):
            found.append(Link(loc, f"{name}:{line}"))
    return found


def _unread(url: str, outcome: Outcome, stamp: str) -> Result:
    """The result for a page given as a URL whose links cannot be read."""
    from .credentials import redact_credentials

    state, message = outcome.state, outcome.message
    if state in (State.OK, State.REDIRECTED):  # it answered, with something else than HTML
        state, message = State.ERROR, "not an HTML page: its links cannot be read"
    return Result(redact_credentials(url), state, outcome.status, outcome.final_url, [INPUT_SOURCE], message, stamp)


class _Reader:
    """What a run reads of each page it fetches for its inputs (the ``follow`` of
    :func:`.runner.fetch_pages`): the page's links, kept in ``read``, and, in a crawl, the pages to
    fetch next (see :func:`collect_pages`).
    """

    def __init__(self, urls: list[str], settings: Settings, recursive: bool) -> None:
        self.given = {split_fragment(u)[0] for u in urls}
        self.read: dict[str, list[Link]] = {}  # fetched URL -> its links, resolved
        self.scopes: list[tuple[str, str, str]] = []  # each given page's folder, where it ended up
        self.settings = settings
        self.recursive = recursive
        self.excludes = [re.compile(p) for p in settings.excludes]
        self.includes = [re.compile(p) for p in settings.includes]

    def __call__(self, url: str, outcome: Outcome) -> list[str]:
        from .credentials import strip_credentials

        if url in self.given:
            self.scopes.append(_scope(outcome.final_url or strip_credentials(url)))
        elif outcome.final_url and not _within(outcome.final_url, self.scopes):
            outcome.page = None  # redirected out of the crawl's folder: checked, not read
            self.read[url] = []
            return []
        if outcome.page is None:
            return []
        if not outcome.html:  # XML: a sitemap's pages are read as given pages are
            listed = _sitemap_links(url, outcome)
            outcome.page = None
            if listed is None:
                return []
            self.read[url] = listed
            return [link.url for link in listed]
        self.read[url], pages = _read_page(url, outcome)
        return self._following(pages) if self.recursive else []

    def _following(self, pages: list[Link]) -> list[str]:
        """The pages a crawl fetches next: those the run's excludes and includes allow, under a given
        page's folder.
        """
        from .plan import plan_link

        s = self.settings
        planned = (plan_link(p.url.split("#", 1)[0], [], s.rewrites, self.excludes, self.includes) for p in pages)
        return [target for target, verdict in planned if verdict is None and _within(target, self.scopes)]


def collect_pages(
    urls: list[str], settings: Settings, *, recursive: bool = False, max_pages: int = 1000, robots: bool = True
) -> Inputs:
    """Collect the links of pages given as URLs: each page is fetched once (:func:`.runner.fetch_pages`,
    through the private-address policy), and every link on it is resolved against the page's final
    address (and its ``<base href>``), as a browser resolves it, with ``URL:line`` sources.

    With ``recursive``, the pages they lead to are fetched too, in the order found, as long as they lie
    under a given page's folder on its host, where its redirects ended (``https://example.org/docs``
    that redirects to ``/docs/``: ``/docs/`` and below), and the run's excludes and includes allow
    them (a page that redirects out of the folder is checked, not read), and (with ``robots``)
    their host's ``robots.txt`` lets this checker read them, up to
    ``max_pages`` pages in all. A page that ``robots.txt`` keeps out is still a link, checked as any
    other, and a warning says how many were. ``Inputs.known`` holds every fetched page, so that a
    link to one is judged from it and not asked for again.

    A sitemap (or a sitemap index) given as a URL stands for the pages it lists on its own host: each
    is read as a given page is (up to ``max_pages`` pages in all), and is cited by the sitemap's
    line. A given page that does not answer, or is not HTML (nor a sitemap), is a result of its own
    (``broken``, ``error``...); a crawled one is the verdict of the links to it.

    Raises:
        InputError: when the settings do not allow fetching (offline, or a refused policy).
    """
    from .credentials import redact_credentials
    from .runner import SettingsError, fetch_pages

    reader = _Reader(urls, settings, recursive)
    deadline = time.monotonic() + settings.run_budget  # one budget for the pages and the check after them
    try:
        kept_out: list[str] = []
        late: list[str] = []
        outcomes = fetch_pages(
            urls,
            settings,
            follow=reader,
            max_pages=max_pages,
            robots=recursive and robots,
            kept_out=kept_out,
            late=late,
            deadline=deadline,
        )
    except SettingsError as exc:
        raise InputError(str(exc)) from exc
    inputs = Inputs(known=outcomes, deadline=deadline)
    if kept_out:
        first = redact_credentials(kept_out[0])
        inputs.warnings.append(
            f"robots.txt keeps crawlers out of {len(kept_out)} of the pages found ({first} first): "
            "they were checked, not read (--ignore-robots reads them)"
        )
    stamp = now_iso()
    if late:
        inputs.warnings.append(
            f"the run budget ({settings.run_budget:g} s, --budget) ended before {len(late)} of the pages "
            f"were read ({redact_credentials(late[0])} first): their own links were not checked"
        )
        for url in late:
            if url in reader.given:  # a page given: a result of its own, as one that did not answer
                message = "not read: the run budget ended first"
                inputs.results.append(
                    Result(redact_credentials(url), State.ERROR, None, None, [INPUT_SOURCE], message, stamp)
                )
    for url, outcome in outcomes.items():
        if url in reader.read:
            inputs.external += reader.read[url]
            if not outcome.complete:
                mib = settings.max_body_bytes // (1024 * 1024)
                inputs.warnings.append(f"{redact_credentials(url)}: only its first {mib} MiB were read for links")
        elif url in reader.given:
            inputs.results.append(_unread(url, outcome, stamp))
    return inputs
