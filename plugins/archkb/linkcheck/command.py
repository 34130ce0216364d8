"""The ``archkb check-links`` command.

Exit codes: 0 when nothing is broken, 2 when broken links were found, 3 for usage or configuration
errors (click's own usage errors included).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from .plan import DUMP_FORMATS
from .report import FORMATS, Report
from .settings import DEFAULT_ARCHIVE_API, DEFAULT_CACHE_PATH, Settings

# Only what the options need is imported here; the checker itself (HTML parser, HTTP client) is
# imported when the command runs, and the catalog (pydantic) only for a run over the project.

__all__ = ["check_links", "EXIT_OK", "EXIT_BROKEN", "EXIT_USAGE"]

EXIT_OK = 0
EXIT_BROKEN = 2
EXIT_USAGE = 3


def find_root(start: Path | None = None) -> Path:
    """The nearest folder at or above ``start`` (or the working directory) holding ``mkdocs.yml``, else
    ``start`` itself: :func:`archkb.catalog.loader.find_root`, without importing the catalog.
    """
    here = Path(start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / "mkdocs.yml").is_file():
            return candidate
    return here


def _prefetch_http_client() -> None:
    """Start importing aiohttp in a daemon thread while the pages are read and parsed.

    Called for a cold run (no cache file, or ``--no-cache``), which will fetch every link: the
    import takes about 75 ms (a fifth of it OpenSSL loading the system's certificates) and comes
    before the first request; overlapped with reading the pages, a cold run over 200 pages starts
    its requests 23 to 30 ms sooner. A run with a cache may find every link in it and then never
    imports aiohttp, so it is not started there (it would take the interpreter from the reading).
    The thread imports aiohttp only, which never imports this package, so it and the main thread
    cannot wait on each other's import locks; the main thread's own ``import aiohttp`` waits for it
    to finish. A daemon thread: an exit never waits for it (see :func:`archkb.cli.commands.run`).
    """
    import importlib
    import threading

    if "aiohttp" not in sys.modules:
        threading.Thread(target=importlib.import_module, args=("aiohttp",), name="import aiohttp", daemon=True).start()


def _statuses(value: str) -> list[int]:
    """``--accept``'s value as statuses: ``403,429`` or ``400-403`` (inclusive), or both."""
    codes: list[int] = []
    for part in (p.strip() for p in value.split(",")):
        if not part:
            continue
        low, _, high = part.partition("-")
        try:
            first, last = int(low), int(high or low)
        except ValueError:
            raise click.BadParameter(f"{part!r} is not a status or a range of them (403, 400-403)") from None
        if not 100 <= first <= last <= 999:
            raise click.BadParameter(f"{part!r}: statuses run from 100 to 999, the lower first")
        codes += range(first, last + 1)
    return codes


def _header(value: str) -> tuple[str, str]:
    """``--header``'s ``'Name: value'`` as a pair."""
    name, colon, text = value.partition(":")
    if not colon or not name.strip() or any(c in name.strip() for c in " \r\n") or "\n" in text or "\r" in text:
        # The value may be a secret (an Authorization header): the message never shows it.
        if not colon:
            raise click.BadParameter("a header with no colon is not 'Name: value' on one line (its text is not shown)")
        raise click.BadParameter(f"the header {name.strip()!r} is not 'Name: value' on one line")
    return name.strip(), text.strip()


class ConfigError(click.ClickException):
    """A configuration or input error: printed without a traceback, exit code 3."""

    exit_code = EXIT_USAGE


def _dump(inputs, settings, fmt: str, output: Path | None) -> None:
    """``--dump``: write the plan of every link (:func:`.plan.dump_links`) and exit 0."""
    from collections import Counter

    from .internal import is_internal
    from .plan import ACTIONS, dump_links, render_dump

    internal = [
        link for _root, pages in inputs.sites for page in pages.values() for link in page.links if is_internal(link.url)
    ] + [link for _file, link in inputs.local]
    planned = dump_links(
        inputs.external, internal, rewrites=settings.rewrites, excludes=settings.excludes, includes=settings.includes
    )
    _write(render_dump(planned, fmt), output)
    if fmt != "text" or output is not None:
        counts = Counter(p.action for p in planned)
        summary = ", ".join(f"{counts[a]} {a}" for a in ACTIONS if counts[a]) or "none"
        click.echo(f"{len(planned)} links: {summary}; nothing sent", err=True)
    sys.exit(EXIT_OK)


def _write(text: str, output: Path | None) -> None:
    """Write ``text`` to ``output``, or to standard output when it is None."""
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{output}: cannot write the output ({exc})") from exc


def _inputs(
    paths,
    root: Path,
    settings,
    changed_base: str | None,
    *,
    hidden: bool,
    use_ignore: bool,
    dump: bool,
    recursive: bool = False,
    max_pages: int = 1000,
    robots: bool = True,
):
    """What the run checks: the links a change adds (``--changed``), the PATHs (files, folders and
    pages given as URLs, crawled with ``--recursive``), or the project's own links.
    """
    from .sources import STDIN, collect_changed, collect_pages, collect_paths, collect_project, collect_text

    urls = [p for p in paths if isinstance(p, str)]
    if recursive and not urls:
        raise ConfigError("--recursive follows pages given as URLs; give one (https://example.org/docs/)")
    if dump and urls:
        raise ConfigError("--dump sends nothing, so it cannot read a page given as a URL; give a file or folder")
    if changed_base is not None:
        if paths:
            raise ConfigError("--changed compares the project with a git revision; it takes no PATHs")
        return collect_changed(root, changed_base, exclude_paths=settings.exclude_paths)
    if not paths:
        return collect_project(root, exclude_paths=settings.exclude_paths)
    files = [p for p in paths if isinstance(p, Path)]
    inputs = collect_paths(files, root, exclude_paths=settings.exclude_paths, hidden=hidden, use_ignore=use_ignore)
    if STDIN in paths:
        inputs.external += collect_text(sys.stdin.buffer.read())
    if urls:
        pages = collect_pages(urls, settings, recursive=recursive, max_pages=max_pages, robots=robots)
        inputs.external += pages.external
        inputs.results += pages.results
        inputs.warnings += pages.warnings
        inputs.known, inputs.deadline = pages.known, pages.deadline
    return inputs


def _add_offline_verdicts(report, inputs, root_dir: Path | None, root: Path) -> None:
    """Add what is judged without the network: built sites' own links, Markdown's links to local
    files, and the pages given as URLs that could not be read.
    """
    from .internal import check_internal

    report.results.extend(inputs.results)
    report.warnings[:0] = inputs.warnings
    for site_root, pages in inputs.sites:
        report.results.extend(check_internal(pages, site_root))
    if inputs.local:
        from .local import check_markdown_links

        report.results.extend(check_markdown_links(inputs.local, root_dir=root_dir, root=root))
    report.sort()


def _rendered(report, fmt: str, root: Path, host_stats: bool) -> str:
    """The report in ``fmt``; with ``--host-stats``, the hosts' table as its last section (Markdown)
    or on standard error (the other formats stay as the programs that read them expect).
    """
    from .report import render, render_host_stats

    if fmt == "github":
        return _github(report, root, host_stats)
    if fmt == "sarif":
        from archkb import __version__

        from .sarif import render_sarif

        text = render_sarif(report, locate=_locator(root), version=__version__)
    else:
        text = render(report, fmt)
    if host_stats:
        if fmt == "markdown":  # a section of the report (the step summary, the link-health issue's run)
            text += "\n" + render_host_stats(report.hosts, "markdown")
        else:
            click.echo(render_host_stats(report.hosts), err=True, nl=False)
    return text


def _github(report, root: Path, host_stats: bool) -> str:
    """``--format github``: the workflow commands, with each source's file named as the repository
    (``$GITHUB_WORKSPACE``, else the working folder) names it; and the Markdown report appended to
    the job summary (``$GITHUB_STEP_SUMMARY``) when the step has one.
    """
    from .annotations import render_github, step_summary
    from .report import render, render_host_stats

    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        markdown = render(report, "markdown")
        if host_stats:
            markdown += "\n" + render_host_stats(report.hosts, "markdown")
        try:
            with open(summary, "a", encoding="utf-8") as handle:
                handle.write(step_summary(markdown))
        except OSError as exc:
            click.echo(f"warning: cannot write the job summary {summary}: {exc}", err=True)
    elif host_stats:
        click.echo(render_host_stats(report.hosts), err=True, nl=False)
    return render_github(report, locate=_locator(root))


def _locator(root: Path):
    """How a source (``path:line``, relative to ``root``) is named in a repository's terms, for
    ``--format github`` and ``sarif``: relative to ``$GITHUB_WORKSPACE``, else the working folder.
    A page given as a URL, standard input and a given input itself have no file.
    """
    from .annotations import source_location
    from .sources import INPUT_SOURCE, STDIN_SOURCE

    workspace = Path(os.environ.get("GITHUB_WORKSPACE") or Path.cwd()).resolve()

    def locate(source: str) -> tuple[str, int | None] | None:
        where = source_location(source)
        if where is None or "://" in where[0] or where[0] in (INPUT_SOURCE, STDIN_SOURCE):
            return None  # a page given as a URL, or standard input: no file in the repository
        try:
            return (root / where[0]).resolve().relative_to(workspace).as_posix(), where[1]
        except (ValueError, OSError):
            return where  # outside the repository: shown on the run, not on a file

    return locate


class _Command(click.Command):
    """A click command whose usage errors exit with 3 instead of click's 2 (2 means broken links)."""

    def make_context(self, info_name, args, parent=None, **extra):
        """Parse arguments; a usage error gets exit code 3."""
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.UsageError as exc:
            exc.exit_code = EXIT_USAGE  # type: ignore[misc]  # click reads it from the instance
            raise


class _Input(click.ParamType):
    """A PATH argument: an existing file or folder, an http(s) URL of a page, or ``-``."""

    name = "path"

    def convert(self, value, param, ctx):
        """An http(s) URL stays a string, ``-`` is standard input; anything else must be an existing path."""
        from .sources import STDIN

        if value == "-" or value is STDIN:
            return STDIN
        if isinstance(value, str) and value.lower().startswith(("http://", "https://")):
            return value
        return click.Path(exists=True, path_type=Path).convert(value, param, ctx)


def _listed_inputs(stream, name: str) -> list[Path | str]:
    """``--files-from``: the inputs a file (or standard input) lists, one a line, as PATH arguments
    are read; blank lines and lines that start with ``#`` are passed over, and white space around
    an input is not part of it. Paths are relative to the working directory.

    Raises:
        ConfigError: naming the file and line of an input that is no http(s) URL and does not exist.
    """
    from ..safety.chars import printable

    inputs: list[Path | str] = []
    try:
        lines = list(stream)
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{_undecodable_line(name)}: the list of inputs is not UTF-8 ({exc.reason})") from exc
    except OSError as exc:
        raise ConfigError(f"{name}: cannot read the list of inputs ({exc})") from exc
    for number, line in enumerate(lines, 1):
        entry = line.strip()
        if not entry or entry.startswith("#"):
            continue
        if entry.lower().startswith(("http://", "https://")):
            inputs.append(entry)
            continue
        path = Path(entry)
        try:
            found = path.exists()
        except OSError as exc:  # a name too long for the file system, say
            raise ConfigError(f"{name}:{number}: '{printable(entry)}' cannot be used ({exc.strerror or exc})") from exc
        if not found:
            shown = printable(entry)
            raise ConfigError(f"{name}:{number}: '{shown}' does not exist (give a file, a folder or an http(s) URL)")
        inputs.append(path)
    return inputs


def _undecodable_line(name: str) -> str:
    """``FILE:LINE`` of the first byte of file ``name`` that is not UTF-8 (``name`` alone for
    standard input, which cannot be read again to find it).
    """
    try:
        Path(name).read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        line = exc.object.count(b"\n", 0, exc.start) + 1
        return f"{name}:{line}"
    except OSError:
        pass
    return name


def _with_listed(paths: tuple[Path | str, ...], files_from) -> tuple[tuple[Path | str, ...], str | None]:
    """``paths`` and the inputs ``--files-from`` lists (``paths`` alone without it), and the note to
    print before exiting 0 when there are none at all (nothing changed, say: not a check of the
    whole project instead), once the settings have been checked.
    """
    if files_from is None:
        return paths, None
    from .sources import STDIN

    if files_from.name == "<stdin>" and STDIN in paths:
        raise ConfigError("standard input is read once: give '-' as a PATH or as --files-from's FILE, not both")
    shown_name = "standard input" if files_from.name == "<stdin>" else files_from.name
    listed = _listed_inputs(files_from, shown_name)
    if not listed and not paths:
        return (), f"{shown_name}: no inputs listed; nothing checked"
    return (*paths, *listed), None


def _configured(
    settings: Settings, ctx: click.Context, root: Path, remaps: tuple[str, ...], config_file: Path | None
) -> Settings:
    """``settings`` with the remaps given and the config file's table (``--config FILE``, else
    ROOT's pyproject.toml) applied, except for the options given on the command line, which win.
    """
    from .config import ConfigFileError, apply_table, load_table, parse_remap, project_table

    options = (
        "per_host",
        "concurrency",
        "timeout",
        "retries",
        "max_redirects",
        "suggest",
        "require_https",
        "archive_api",
        "interval",
    )
    try:
        settings = settings.replace(rewrites=[parse_remap(text) for text in remaps])
        found = load_table(config_file) if config_file else project_table(root)
        if found is None:
            return settings
        given = {name for name in options if ctx.get_parameter_source(name) is not click.core.ParameterSource.DEFAULT}
        return apply_table(settings, found[0], found[1], skip=frozenset(given))
    except ConfigFileError as exc:
        raise ConfigError(str(exc)) from exc


def _report(report: Report, fmt: str, output: Path | None, root: Path, host_stats: bool, *, save: bool) -> None:
    """Say the warnings, write the report, save the project's link health when ``save``, say the
    summary when the report went elsewhere, and exit with the code the verdicts give.
    """
    from .runner import DEFAULT_REPORT_PATH
    from .states import STATE_INFO

    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    _write(_rendered(report, fmt, root, host_stats), output)
    if save:
        try:
            report.save(root / DEFAULT_REPORT_PATH)
        except OSError as exc:
            click.echo(f"warning: cannot write {root / DEFAULT_REPORT_PATH}: {exc}", err=True)
    if fmt != "text" or output is not None:
        click.echo(_summary_line(report), err=True)
    sys.exit(EXIT_BROKEN if any(STATE_INFO[r.state].exit_broken for r in report.results) else EXIT_OK)


def _summary_line(report: Report) -> str:
    """The one line said on standard error when the report goes elsewhere: counts and traffic."""
    counts = ", ".join(f"{n} {state}" for state, n in report.summary.items() if n)
    sent = int(report.stats.get("requests", 0))
    peak = int(report.stats.get("peak_per_host", 0))
    traffic = f"; {sent} requests, at most {peak} in flight per host" if sent else ""
    return f"{len(report.results)} links: {counts or 'none'}{traffic}"


@click.command("check-links", cls=_Command)
@click.argument("paths", nargs=-1, type=_Input())
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Project folder (default: the nearest folder holding mkdocs.yml, else the working "
    "directory); the cache and the report live under it.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="Output format; github: workflow-command annotations (and the job summary), sarif: SARIF 2.1.0 "
    "for code scanning.",
)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the output to FILE.")
@click.option(
    "--cache",
    "cache_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help=f"Cache file [default: ROOT/{DEFAULT_CACHE_PATH}].",
)
@click.option("--no-cache", is_flag=True, help="Neither read nor write the cache.")
@click.option(
    "--max-age",
    type=click.FloatRange(min=0),
    default=7.0,
    show_default=True,
    help="Days a cached verdict stays fresh (+/-20% jitter).",
)
@click.option(
    "--concurrency", type=click.IntRange(min=1), default=128, show_default=True, help="Requests in flight in total."
)
@click.option(
    "--per-host", type=click.IntRange(min=1), default=4, show_default=True, help="Requests in flight per host."
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=10.0,
    show_default=True,
    help="Seconds per attempt.",
)
@click.option(
    "--retries",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="Extra attempts after 408/429/5xx, timeouts and resets.",
)
@click.option(
    "--max-redirects",
    type=click.IntRange(min=0),
    default=10,
    show_default=True,
    help="Redirect hops followed before a link is an error.",
)
@click.option(
    "--root-dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Resolve root-relative links (/docs/x.md) in Markdown PATHs under this folder, as GitHub "
    "resolves them under the repository [default: not judged].",
)
@click.option(
    "--budget",
    type=click.FloatRange(min=0, min_open=True),
    default=600.0,
    show_default=True,
    help="Seconds the whole network phase may take: fetching the pages given as URLs and checking every "
    "link, together.",
)
@click.option(
    "--recursive",
    is_flag=True,
    help="For pages given as URLs: also check the pages they lead to under their folder on their "
    "host (https://example.org/docs/ and below), in the order found, each fetched once.",
)
@click.option(
    "--ignore-robots",
    is_flag=True,
    help="With --recursive: also read the pages that the host's robots.txt keeps crawlers out of "
    "(by default they are checked, not read).",
)
@click.option(
    "--max-pages",
    type=click.IntRange(min=1),
    default=1000,
    show_default=True,
    help="With --recursive, or a sitemap given as a URL: fetch at most this many pages.",
)
@click.option("--offline", is_flag=True, help="No network: internal links plus what the cache knows.")
@click.option(
    "--changed",
    "changed_base",
    metavar="REV",
    help="Check only the external links that the working tree adds to git revision REV (what "
    "'archkb changed-links --base REV' lists), reported where the project writes them.",
)
@click.option(
    "--dump",
    is_flag=True,
    help="List every link found and what a check would do with it (after excludes, includes and remaps), "
    "then stop: nothing is sent and the cache is not read. --format text or json.",
)
@click.option("--allow-private", is_flag=True, help="Also check private, loopback, link-local and metadata addresses.")
@click.option(
    "--allow-host",
    "allow_hosts",
    multiple=True,
    metavar="HOST",
    help="Exempt HOST from the private-address policy (repeatable).",
)
@click.option("--exclude", multiple=True, metavar="REGEX", help="Skip URLs matching REGEX (repeatable).")
@click.option(
    "--include",
    multiple=True,
    metavar="REGEX",
    help="Check only URLs matching REGEX, excluded or not; skip the rest (repeatable).",
)
@click.option(
    "--files-from",
    type=click.File("r", encoding="utf-8"),
    metavar="FILE",
    help="Also check the inputs FILE lists, one a line, as PATHs are given ('-': standard input; blank "
    "lines and lines starting with # are passed over); a list with none checks nothing.",
)
@click.option(
    "--exclude-path",
    "exclude_paths",
    multiple=True,
    metavar="REGEX",
    help="Do not read files or folders whose path (as the report shows it; a folder's ends in /) "
    "matches REGEX (repeatable). Files named as PATHs are always read.",
)
@click.option("--hidden", is_flag=True, help="Also read hidden files and folders below a PATH folder.")
@click.option(
    "--no-ignore", is_flag=True, help="Also read what git ignores below a PATH folder (.gitignore and the like)."
)
@click.option(
    "--accept",
    "accepted",
    multiple=True,
    metavar="STATUSES",
    callback=lambda ctx, param, values: [code for value in values for code in _statuses(value)],
    help="Also count these HTTP statuses as ok: codes and ranges, comma-separated (403,429 or 400-403; repeatable).",
)
@click.option(
    "--header",
    "headers",
    multiple=True,
    metavar="'NAME: VALUE'",
    callback=lambda ctx, param, values: dict(_header(value) for value in values),
    help="Send this request header to every host (repeatable).",
)
@click.option(
    "--user-agent", metavar="TEXT", help="The User-Agent to send [default: archkb's own, naming it a link checker]."
)
@click.option("--no-fragments", is_flag=True, help="Do not check #fragments of external pages.")
@click.option(
    "--host-stats",
    is_flag=True,
    help="Also show what each host was asked and how it answered (requests, times, answers by "
    "status class, timeouts, pauses): a section of a --format markdown report, else on standard error.",
)
@click.option(
    "--interval",
    type=click.FloatRange(min=0),
    default=0.0,
    show_default=True,
    help="Seconds at least between two requests to one host.",
)
@click.option(
    "--remap",
    "remaps",
    multiple=True,
    metavar="'REGEX REPLACEMENT'",
    help="Check URLs matching REGEX with it replaced (re.sub) instead; the cache is keyed by the result (repeatable).",
)
@click.option(
    "--require-https",
    is_flag=True,
    help="For each http:// link that works, also ask its https:// form; where that works too, report the "
    "link as redirected to it (a host's require_https = false in the config exempts it).",
)
@click.option(
    "--suggest",
    is_flag=True,
    help="Ask the Wayback Machine's availability API about each broken link (and nothing "
    "else) and report the closest archived snapshot.",
)
@click.option(
    "--archive-api",
    metavar="URL",
    default=DEFAULT_ARCHIVE_API,
    show_default=True,
    help="The availability API --suggest asks.",
)
@click.option(
    "--proxy",
    metavar="URL",
    help="Send http and https links through this HTTP proxy (http://[user:password@]host:port) "
    "[default: the https_proxy, http_proxy and all_proxy environment variables; no_proxy names "
    "the hosts reached directly].",
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Read link-check settings from FILE (a pyproject.toml with [tool.archkb.link_check], "
    "or the same keys at the top level) [default: ROOT/pyproject.toml].",
)
@click.pass_context
def check_links(
    ctx: click.Context,
    paths: tuple[Path | str, ...],
    root: Path | None,
    fmt: str,
    output: Path | None,
    cache_path: Path | None,
    no_cache: bool,
    max_age: float,
    concurrency: int,
    per_host: int,
    timeout: float,
    retries: int,
    max_redirects: int,
    root_dir: Path | None,
    budget: float,
    recursive: bool,
    ignore_robots: bool,
    max_pages: int,
    offline: bool,
    changed_base: str | None,
    dump: bool,
    allow_private: bool,
    allow_hosts: tuple[str, ...],
    exclude: tuple[str, ...],
    include: tuple[str, ...],
    files_from,
    exclude_paths: tuple[str, ...],
    hidden: bool,
    no_ignore: bool,
    accepted: list[int],
    headers: dict[str, str],
    user_agent: str | None,
    no_fragments: bool,
    host_stats: bool,
    interval: float,
    remaps: tuple[str, ...],
    require_https: bool,
    suggest: bool,
    archive_api: str,
    proxy: str | None,
    config_file: Path | None,
) -> None:
    """Check links: every reference URL and the links in patterns and docs, or PATHs.

    PATH is a folder, HTML files or Markdown files, or the http(s) URL of a page (or of a sitemap,
    for the pages it lists), whose links are checked (each page fetched once, through the same
    address policy), or - for standard input, every http(s) URL in whose text is checked. A folder's HTML is read as
    a built site (internal links and anchors are checked too, offline) and its Markdown as Markdown
    (links to local files and their headings are checked too, offline); hidden files and what git
    ignores there are left out. Per-host settings (accepted statuses, headers, concurrency, interval), excludes
    and remaps are read from [tool.archkb.link_check] in pyproject.toml, or --config FILE; options
    given here win. A GITHUB_TOKEN in the environment is sent to github.com and api.github.com only;
    the proxy environment variables are honoured (see --proxy). Exit codes: 0 nothing broken, 2
    broken links found, 3 usage or configuration error.
    """
    from .proxy import proxies_from_environment, with_scheme
    from .runner import SettingsError, check_urls
    from .sources import InputError

    paths, nothing_listed = _with_listed(paths, files_from)
    root = find_root(root)
    proxies, no_proxy = proxies_from_environment(os.environ)
    if proxy is not None:
        proxies = dict.fromkeys(("http", "https"), with_scheme(proxy))
    settings = Settings(
        timeout=timeout,
        retries=retries,
        max_redirects=max_redirects,
        concurrency=concurrency,
        per_host=per_host,
        run_budget=budget,
        cache_path=str(cache_path or root / DEFAULT_CACHE_PATH),
        no_cache=no_cache,
        max_age_days=max_age,
        offline=offline,
        allow_private=allow_private,
        allow_hosts=list(allow_hosts),
        excludes=list(exclude),
        check_fragments=not no_fragments,
        interval=interval,
        suggest=suggest,
        require_https=require_https,
        archive_api=archive_api,
        github_token=os.environ.get("GITHUB_TOKEN", "").strip() or None,
        proxies=proxies,
        no_proxy=no_proxy,
    )
    if dump and fmt not in DUMP_FORMATS:
        raise ConfigError(f"--dump writes {' or '.join(DUMP_FORMATS)}; --format {fmt} is for a check's report")
    if not offline and not dump and (no_cache or not Path(settings.cache_path or "").is_file()):
        _prefetch_http_client()  # cold: every link will be fetched (a warm run may need no client)
    settings = _configured(settings, ctx, root, remaps, config_file)
    # Given here, they win over the config file's: lists are added to, a header of the same name replaced.
    settings = settings.replace(
        includes=[*settings.includes, *include],
        exclude_paths=[*settings.exclude_paths, *exclude_paths],
        accept=[*settings.accept, *(code for code in accepted if code not in settings.accept)],
        headers={**settings.headers, **headers},
        user_agent=user_agent or settings.user_agent,
    )
    problems = settings.validate()
    if problems:
        raise ConfigError("; ".join(problems))
    if nothing_listed is not None:  # the settings are checked even then: a CI job with an empty diff sees a bad config
        click.echo(nothing_listed, err=True)
        sys.exit(EXIT_OK)
    try:
        inputs = _inputs(
            paths,
            root,
            settings,
            changed_base,
            hidden=hidden,
            use_ignore=not no_ignore,
            dump=dump,
            recursive=recursive,
            max_pages=max_pages,
            robots=not ignore_robots,
        )
        if dump:
            _dump(inputs, settings, fmt, output)
        report = check_urls(inputs.external, settings, progress=True, known=inputs.known, deadline=inputs.deadline)
    except (InputError, SettingsError) as exc:
        raise ConfigError(str(exc)) from exc
    _add_offline_verdicts(report, inputs, root_dir, root)

    # Only an online check of the whole project updates the link health that readers see;
    # checking some other site or file, the links a change adds, or an offline run that knows
    # only what the cache knows, must not overwrite it.
    _report(report, fmt, output, root, host_stats, save=not paths and not offline and changed_base is None)
