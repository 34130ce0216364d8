"""The ``archkb`` command: the catalog's core without a site build."""

from __future__ import annotations

import atexit
import datetime as dt
import importlib
import json
import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from .. import __version__

# Nothing heavy is imported here: ``archkb check-links site/`` must not pay for pydantic and the
# catalog model. Each command imports what it needs when it runs; ``check-links`` lives in its own
# module, imported only when that command is looked up (run, or listed by ``--help``).

__all__ = ["main", "run"]

_root_option = click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Project folder (default: the nearest folder above the working directory holding mkdocs.yml).",
)
_output_option = click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write to this file instead of standard output.",
)


class _LazyCommands(dict):
    """The commands of a group, where a value may be ``"module:attribute"``: imported on first lookup."""

    def _load(self, name: str, value: Any) -> click.Command:
        if isinstance(value, str):
            module, _, attribute = value.partition(":")
            value = getattr(importlib.import_module(module), attribute)
            dict.__setitem__(self, name, value)
        return value

    def __getitem__(self, name: str) -> click.Command:
        return self._load(name, dict.__getitem__(self, name))

    def get(self, name: str, default: Any = None) -> Any:
        return self[name] if name in self else default  # noqa: SIM401 - this is dict.get itself, loading lazy entries

    def values(self):
        return [self[name] for name in self]

    def items(self):
        return [(name, self[name]) for name in self]


class _LazyGroup(click.Group):
    """A click group whose commands can be named by import path and are imported when used."""

    def __init__(self, *args: Any, lazy: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commands = _LazyCommands(self.commands)
        for name, target in (lazy or {}).items():
            self.commands[name] = target


class _LazyChoice(click.Choice):
    """A :class:`click.Choice` whose choices are computed on first use (they live in a heavy module)."""

    def __init__(self, load: Callable[[], tuple[str, ...]], case_sensitive: bool = True) -> None:
        self._load = load
        self._choices: tuple[str, ...] | None = None
        self.case_sensitive = case_sensitive

    @property
    def choices(self) -> tuple[str, ...]:
        if self._choices is None:
            self._choices = tuple(self._load())
        return self._choices

    @choices.setter
    def choices(self, value: tuple[str, ...]) -> None:
        self._choices = tuple(value)


def _reference_kinds() -> tuple[str, ...]:
    from ..catalog.model import REFERENCE_KINDS

    return REFERENCE_KINDS


@click.group(
    cls=_LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
    lazy={"check-links": "archkb.linkcheck.command:check_links"},
)
@click.version_option(__version__, prog_name="archkb")
def main() -> None:
    """Validate, check, export and scaffold the architecture knowledge base."""


def run(argv: list[str] | None = None) -> None:
    """The ``archkb`` console script: run :func:`main`, then leave without the interpreter's teardown.

    Freeing every module and object at exit takes 10 to 20 ms after a link check (aiohttp and its
    dependencies are a large graph), which is a tenth of a small run. By the time a command returns,
    its files are written and closed, so the exit handlers are run, the standard streams flushed,
    and the process ends at once, as mypy does. While a thread that is not a daemon is still
    running, or while a profiler, debugger or coverage tool is installed (it writes its results
    after the script returns), the exit is the ordinary one. Tests call :func:`main` (through
    click's runner), which never ends the process.
    """
    try:
        main.main(args=argv, prog_name="archkb")
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if not isinstance(exc.code, int | None):
            print(exc.code, file=sys.stderr)
    watched = sys.gettrace() is not None or sys.getprofile() is not None
    if watched or any(t.is_alive() and not t.daemon for t in threading.enumerate() if t is not threading.main_thread()):
        sys.exit(code)
    atexit._run_exitfuncs()  # what the normal exit would run first (logging's flush among them)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe or stream: nothing more can be said on it
            if code == 0:
                code = 1
    os._exit(code)


def _validated_catalog(root: Path | None) -> Any:
    """The catalog at ``root``, with every problem ``archkb validate`` reports: the loader's, and
    those of the bodies as the site renders them (the HTML allow-list).
    """
    from ..catalog.loader import find_root, load_catalog
    from ..mkdocs.markdown import check_bodies

    catalog = load_catalog(find_root(root))
    catalog.problems.extend(check_bodies(catalog))
    return catalog


@main.command()
@_root_option
def validate(root: Path | None) -> None:
    """Check every pattern, reference and reading path.

    Pattern bodies are rendered with the site's Markdown settings (from mkdocs.yml) and
    their HTML judged against the allow-list, as the site build does. Prints one
    `path:line: message` line per problem and exits 1 when there is any.
    """
    from ..catalog.problems import format_problems

    catalog = _validated_catalog(root)
    summary = (
        f"{len(catalog.patterns)} patterns, {len(catalog.references)} references, {len(catalog.paths)} reading paths"
    )
    if catalog.problems:
        click.echo(format_problems(catalog.problems))
        count = len(set(catalog.problems))
        click.echo(f"{summary}: {count} problem{'s' if count != 1 else ''}", err=True)
        sys.exit(1)
    click.echo(f"{summary}: no problems", err=True)


@main.command()
@_root_option
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The folder to write [default: generated/ in the project].",
)
def generate(root: Path | None, out: Path | None) -> None:
    """Write a complete, plugin-free site source for any engine (Zensical, or MkDocs without archkb).

    Validates the catalog first, exactly as `archkb validate` does: on any problem it prints
    the same `path:line: message` lines, exits 1 and writes nothing. Otherwise it writes
    OUT/mkdocs.yml and OUT/docs/ with every page the plugin generates, as plain Markdown;
    build it with `zensical build --strict -f OUT/mkdocs.yml` (the site goes to OUT/site/).
    """
    from ..catalog.problems import format_problems
    from ..site.source_tree import generate_source_tree

    catalog = _validated_catalog(root)
    project = catalog.root
    if catalog.problems:
        click.echo(format_problems(catalog.problems))
        count = len(set(catalog.problems))
        click.echo(f"{count} problem{'s' if count != 1 else ''}: nothing was written", err=True)
        sys.exit(1)
    tree = generate_source_tree(catalog, out if out is not None else project / "generated")
    click.echo(f"{tree.config}: {len(tree.pages)} generated and {len(tree.copied)} hand-written pages", err=True)
    click.echo(f"build it with: zensical build --strict -f {tree.config}", err=True)


@main.group()
def export() -> None:
    """Export the catalog as data."""


@export.command("json")
@_root_option
@_output_option
@click.option(
    "--compact", is_flag=True, help="No indentation or spaces: the file the site publishes as exports/catalog.json."
)
def export_json(root: Path | None, output: Path | None, compact: bool) -> None:
    """Print the catalog as JSON: patterns, references and reading paths."""
    from ..catalog.loader import find_root, load_catalog
    from ..exports.json import catalog_to_json

    catalog = load_catalog(find_root(root))
    text = catalog_to_json(catalog, compact=compact)
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)
    if catalog.problems:
        click.echo(f"note: the catalog has {len(set(catalog.problems))} problems; run 'archkb validate'", err=True)


@export.command("epub")
@_root_option
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("archkb.epub"),
    show_default=True,
    help="The book file to write.",
)
@click.option(
    "--report",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The link report whose link states the book shows [default: .cache/archkb/link-report.json "
    "under the project, when it exists].",
)
def export_epub(root: Path | None, output: Path, report: Path | None) -> None:
    """Write the catalog as an EPUB 3 book: the site's exports/archkb.epub.

    Reading paths with their patterns in path order, then the other patterns, the
    reading list as a bibliography and the pattern map; title, description and site
    URL come from mkdocs.yml. The same catalog always gives the same bytes.
    """
    from ..catalog.loader import find_root, load_catalog
    from ..exports.epub import book_options_from_config, write_epub
    from ..site.health import LinkHealth

    project = find_root(root)
    catalog = load_catalog(project)
    report_path = report if report is not None else project / ".cache/archkb/link-report.json"
    health = LinkHealth.load(report_path) if report is not None or report_path.is_file() else None
    path = write_epub(catalog, output, book_options_from_config(project), health=health)
    click.echo(
        f"{path}: {len(catalog.patterns)} patterns, {len(catalog.references)} references, {path.stat().st_size} bytes",
        err=True,
    )
    if catalog.problems:
        click.echo(f"note: the catalog has {len(set(catalog.problems))} problems; run 'archkb validate'", err=True)


def _schema(name: str) -> Callable[[], dict]:
    """The function of :mod:`archkb.catalog.model` called ``name``, imported when called."""

    def schema() -> dict:
        from ..catalog import model

        return getattr(model, name)()

    schema.__name__ = schema.__qualname__ = name
    return schema


SCHEMAS = {
    "pattern": _schema("pattern_schema"),
    "references": _schema("reference_file_schema"),
    "path": _schema("reading_path_schema"),
}
"""The JSON Schemas ``archkb schema --kind`` prints, by kind."""


@main.command()
@click.option(
    "--kind",
    type=click.Choice(tuple(SCHEMAS)),
    default="pattern",
    show_default=True,
    help="pattern: front matter of patterns/*.md; references: references/*.yml; path: paths/*.yml.",
)
@_output_option
def schema(kind: str, output: Path | None) -> None:
    """Print the JSON Schema of pattern front matter, a references file or a reading path."""
    text = json.dumps(SCHEMAS[kind](), indent=2) + "\n"
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


@main.group()
def new() -> None:
    """Scaffold new contributions."""


@new.command("pattern")
@click.argument("title")
@_root_option
def new_pattern_command(title: str, root: Path | None) -> None:
    """Write patterns/<slug>.md for TITLE from the template, marked as a draft."""
    from ..catalog.loader import find_root
    from .scaffold import ScaffoldError, new_pattern

    project = find_root(root)
    try:
        path = new_pattern(project, title)
    except ScaffoldError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(path.relative_to(project).as_posix())


_REQUIRED_PROMPTS = (
    ("title", "Title"),
    ("authors", "Authors (separated by ';')"),
    ("year", "Year"),
    ("kind", "Kind"),
    ("url", "URL"),
    ("summary", "Summary (a few sentences, your own words)"),
)


@new.command("reference")
@click.option(
    "--file",
    "file",
    required=True,
    metavar="references/<topic>.yml",
    help="The references file to append to (created when missing).",
)
@click.option(
    "--id", "ref_id", default=None, help="Unique id, <first-author-surname>-<year>-<short-title> [default: derived]."
)
@click.option("--title", default=None, help="The work's title.")
@click.option("--author", "authors", multiple=True, help="An author, in citation order (repeatable).")
@click.option("--year", type=int, default=None, help="Year of publication, or of the edition cited.")
@click.option(
    "--accessed", default=None, metavar="YYYY-MM-DD", help="When a living document (no publication year) was read."
)
@click.option("--kind", type=_LazyChoice(_reference_kinds), default=None, help="What kind of work it is.")
@click.option("--url", default=None, help="Where to read it (http:// or https://).")
@click.option("--summary", default=None, help="A few sentences in your own words.")
@click.option("--tag", "tags", multiple=True, help="A lowercase, hyphenated tag (repeatable).")
@click.option("--publisher", default=None, help="Publisher or organisation.")
@click.option("--venue", default=None, help="Conference or journal.")
@click.option("--doi", default=None, help="A bare DOI such as 10.1145/502059.502057.")
@click.option("--isbn", default=None, help="ISBN-10 or ISBN-13.")
@click.option("--archived-url", default=None, help="An older or archived URL of the same work.")
@click.option("--note", default=None, help="Anything a reader or reviewer should know.")
@click.option("--topic", default=None, help="Topic title when the file is created [default: from its name].")
@click.option("--no-input", is_flag=True, help="Never prompt; missing required fields are errors.")
@_root_option
def new_reference_command(
    file: str,
    ref_id: str | None,
    title: str | None,
    authors: tuple[str, ...],
    year: int | None,
    accessed: str | None,
    kind: str | None,
    url: str | None,
    summary: str | None,
    tags: tuple[str, ...],
    publisher: str | None,
    venue: str | None,
    doi: str | None,
    isbn: str | None,
    archived_url: str | None,
    note: str | None,
    topic: str | None,
    no_input: bool,
    root: Path | None,
) -> None:
    """Append a reference entry to references/<topic>.yml, validated before it is written.

    Required fields that are not given as options are asked for, unless --no-input;
    the id is then suggested from the first author's surname, the year and the title.
    Nothing is written when the entry is invalid or its id or URL is already in the
    catalog; each problem is printed and the exit status is 1.
    """
    from ..catalog.loader import find_root
    from .scaffold import ReferenceRejected, add_reference

    project = find_root(root)
    fields: dict[str, object] = {
        "id": ref_id,
        "title": title,
        "authors": list(authors),
        "year": year,
        "accessed": accessed,
        "kind": kind,
        "url": url,
        "summary": summary,
        "tags": list(tags),
        "publisher": publisher,
        "venue": venue,
        "doi": doi,
        "isbn": isbn,
        "archived_url": archived_url,
        "note": note,
    }
    if not no_input:
        _ask_for_missing(fields)
    try:
        added = add_reference(project, file, fields, topic=topic)
    except ReferenceRejected as exc:
        for problem in exc.problems:
            click.echo(f"error: {problem}", err=True)
        click.echo("nothing was written", err=True)
        sys.exit(1)
    created = " (new file)" if added.created else ""
    click.echo(f"{added.path}:{added.line}: added reference '{added.id}'{created}")
    click.echo(f"cite it from a pattern: add '{added.id}' to 'references:' and write [@{added.id}]", err=True)
    if added.other_problems:
        count = len(added.other_problems)
        click.echo(
            f"note: the catalog has {count} other problem{'s' if count != 1 else ''}; run 'archkb validate'", err=True
        )


def _ask_for_missing(fields: dict[str, object]) -> None:
    """Prompt for each required field of a new reference not given as an option, then for its id
    (suggested from the first author's surname, the year and the title).
    """
    from ..catalog.model import REFERENCE_KINDS
    from .scaffold import reference_id

    for name, label in _REQUIRED_PROMPTS:
        if fields[name] not in (None, []):
            continue
        if name == "authors":
            answer = click.prompt(label)
            fields[name] = [a.strip() for a in answer.split(";") if a.strip()]
        elif name == "kind":
            fields[name] = click.prompt(label, type=click.Choice(REFERENCE_KINDS))
        elif name == "year":
            answer = click.prompt(label + " (leave empty for a living document)", default="", show_default=False)
            fields[name] = int(answer) if answer.strip().isdigit() else None
            if fields[name] is None and not fields.get("accessed"):
                fields["accessed"] = dt.date.today().isoformat()
        else:
            fields[name] = click.prompt(label)
    if not fields["id"]:
        named: Any = fields["authors"] or []
        published: Any = fields["year"]
        suggested = reference_id(list(named), published, str(fields["title"] or ""))
        fields["id"] = click.prompt("Id", default=suggested or None)


@main.command("changed-links")
@click.option(
    "--base",
    required=True,
    metavar="REV",
    help="The git revision to compare with, e.g. origin/main or the pull request's base SHA.",
)
@click.option("--head", default=None, metavar="REV", help="The revision of the change [default: the working tree].")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("lines", "markdown", "json")),
    default="lines",
    show_default=True,
    help="lines: one URL per line; markdown: a file that 'archkb check-links FILE.md' checks; json: URLs with sources.",
)
@_output_option
@_root_option
def changed_links_command(base: str, head: str | None, fmt: str, output: Path | None, root: Path | None) -> None:
    """List the external links that the working tree adds compared with git revision BASE.

    Reads references/*.yml (url, archived_url), patterns/*.md and docs/**/*.md in
    both versions. Exit status 0 (also when nothing was added), 1 on a git error.
    """
    from ..catalog.loader import find_root
    from ..linkcheck.changed import ChangedLinksError, changed_urls, format_changed

    project = find_root(root)
    try:
        changed = changed_urls(project, base, head)
    except ChangedLinksError as exc:
        raise click.ClickException(str(exc)) from None
    text = format_changed(changed, fmt)
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)
    click.echo(f"{len(changed)} external link{'s' if len(changed) != 1 else ''} added since {base}", err=True)
