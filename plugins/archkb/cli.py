"""The ``archkb`` command: the catalog's core without a site build."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from . import __version__
from .export import catalog_to_json
from .loader import find_root, load_catalog
from .model import pattern_schema
from .problems import format_problems
from .scaffold import ScaffoldError, new_pattern

__all__ = ["main"]

_root_option = click.option(
    "--root", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Project folder (default: the nearest folder above the working directory holding mkdocs.yml).")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="archkb")
def main() -> None:
    """Validate, check, export and scaffold the architecture knowledge base."""


@main.command()
@_root_option
def validate(root: Path | None) -> None:
    """Check every pattern, reference and reading path.

    Prints one `path:line: message` line per problem and exits 1 when there is any.
    """
    catalog = load_catalog(find_root(root))
    summary = (f"{len(catalog.patterns)} patterns, {len(catalog.references)} references, "
               f"{len(catalog.paths)} reading paths")
    if catalog.problems:
        click.echo(format_problems(catalog.problems))
        count = len(set(catalog.problems))
        click.echo(f"{summary}: {count} problem{'s' if count != 1 else ''}", err=True)
        sys.exit(1)
    click.echo(f"{summary}: no problems", err=True)


@main.group()
def export() -> None:
    """Export the catalog as data."""


@export.command("json")
@_root_option
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file instead of standard output.")
def export_json(root: Path | None, output: Path | None) -> None:
    """Print the catalog as JSON: patterns, references and reading paths."""
    catalog = load_catalog(find_root(root))
    text = catalog_to_json(catalog)
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)
    if catalog.problems:
        click.echo(f"note: the catalog has {len(set(catalog.problems))} problems; run 'archkb validate'",
                   err=True)


@main.command()
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file instead of standard output.")
def schema(output: Path | None) -> None:
    """Print the JSON Schema of pattern front matter."""
    text = json.dumps(pattern_schema(), indent=2) + "\n"
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
    project = find_root(root)
    try:
        path = new_pattern(project, title)
    except ScaffoldError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(path.relative_to(project).as_posix())


def _register_optional_commands() -> None:
    try:
        from .linkcheck.command import check_links
    except ImportError:  # the link checker is an optional part while it is being built
        return
    main.add_command(check_links)


_register_optional_commands()
