"""Shared fixtures: tiny catalog sites written into tmp_path and built through the MkDocs API."""

from __future__ import annotations

import logging
import os
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import pytest

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")

REPO = Path(__file__).resolve().parent.parent

MKDOCS_YML = """\
site_name: Fixture KB
docs_dir: docs
theme:
  name: material
  font: false
validation:
  omitted_files: warn
  absolute_links: warn
  unrecognized_links: warn
  anchors: warn
plugins:
  - search
  - tags
  - archkb
markdown_extensions:
  - admonition
  - attr_list
  - md_in_html
  - toc:
      permalink: true
"""

BODY = """\
## Context

Some context about {title}.

## Problem

What is the problem?

## Forces

- One force.
- Another force.

## Solution

Do the thing, see [@{ref}].

## Consequences

### Benefits

- Good things.

### Liabilities

- Bad things.

## When not to use it

When it hurts.

## Known uses

- A system [@{ref}].
"""


def git(root: Path, *args: str, date: str | None = None) -> None:
    """Run ``git -C root ARGS`` as a throwaway identity, commits dated ``date`` when given."""
    import subprocess

    env = {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
        "PATH": "/usr/bin:/bin:/usr/local/bin",
        "HOME": str(root),
    }
    if date:
        env.update(GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, env=env)


def pattern_text(
    title: str,
    *,
    summary: str | None = None,
    related: str = "",
    refs: tuple[str, ...] = ("ref-a",),
    extra: str = "",
    body: str | None = None,
    tags: str = "[testing]",
) -> str:
    """Front matter and a template-complete body for a fixture pattern."""
    summary = summary or f"{title} does one thing well."
    head = f"---\ntitle: {title}\nsummary: {summary}\ntags: {tags}\n"
    if related:
        head += "related:\n" + textwrap.indent(textwrap.dedent(related).strip("\n"), "  ") + "\n"
    head += f"references: [{', '.join(refs)}]\n{extra}---\n\n"
    return head + (body if body is not None else BODY.format(title=title, ref=refs[0] if refs else "ref-a"))


REFERENCES = """\
topic: Testing
description: References for fixtures.
references:
  - id: ref-a
    title: "A & B: the first reference"
    authors: [Ada Lovelace, Charles Babbage]
    year: 1843
    kind: paper
    url: https://example.com/a
    summary: The first reference, about engines.
    tags: [engines]
  - id: ref-b
    title: The second reference
    authors: [Grace Hopper]
    year: 1952
    kind: book
    url: https://example.com/b
    summary: The second reference, about compilers.
"""


@dataclass
class Site:
    """A fixture site on disk."""

    root: Path
    records: list[logging.LogRecord] = field(default_factory=list)

    def write(self, rel: str, text: str | bytes) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    def build(self, *, strict: bool = False) -> BuildResult:
        """Build with the MkDocs API; collect warnings; never raise on strict failure."""
        from mkdocs.commands.build import build
        from mkdocs.config import load_config
        from mkdocs.exceptions import Abort, MkDocsException

        records: list[logging.LogRecord] = []

        class Collect(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                records.append(record)

        handler = Collect(level=logging.WARNING)
        logger = logging.getLogger("mkdocs")
        logger.addHandler(handler)
        error: Exception | None = None
        try:
            cfg = load_config(
                config_file=str(self.root / "mkdocs.yml"), strict=strict, site_dir=str(self.root / "site")
            )
            cfg.plugins.on_startup(command="build", dirty=False)
            try:
                build(cfg)
            finally:
                cfg.plugins.on_shutdown()
        except (Abort, MkDocsException, SystemExit) as exc:
            error = exc
        finally:
            logger.removeHandler(handler)
        return BuildResult(self.root / "site", [r.getMessage() for r in records], error)


@dataclass
class BuildResult:
    """What a fixture build produced."""

    site_dir: Path
    warnings: list[str]
    error: Exception | None

    @property
    def ok(self) -> bool:
        return self.error is None

    def html(self, rel: str) -> str:
        return (self.site_dir / rel).read_text(encoding="utf-8")


@pytest.fixture
def site(tmp_path: Path) -> Site:
    """A valid three-pattern catalog site in tmp_path."""
    s = Site(tmp_path)
    s.write("mkdocs.yml", MKDOCS_YML)
    s.write("docs/index.md", "# Home\n\nSee the [reading list](reading-list.md) and [patterns](patterns/index.md).\n")
    s.write("docs/tags.md", "# Tags\n\n<!-- material/tags -->\n")
    s.write("references/testing.yml", REFERENCES)
    s.write(
        "patterns/alpha.md",
        pattern_text(
            "Alpha",
            related="""
        - pattern: beta
          type: uses
          note: Alpha leans on beta.
        - pattern: gamma
          type: alternative-to
        """,
            refs=("ref-a", "ref-b"),
        ),
    )
    s.write("patterns/beta.md", pattern_text("Beta", refs=("ref-a",)))
    s.write(
        "patterns/gamma.md",
        pattern_text(
            "Gamma",
            refs=("ref-b",),
            related="""
        - pattern: beta
          type: leads-to
        """,
        ),
    )
    return s


@dataclass
class RealSite:
    """The real site, built once per session: ``mkdocs build --strict`` of this repository."""

    site_dir: Path
    returncode: int
    output: str


@pytest.fixture(scope="session")
def real_site(tmp_path_factory) -> RealSite:
    """This repository's site, built strict with MkDocs once per session as published (tests share it)."""
    import subprocess
    import sys

    from browser.harness import PUBLISHED_ADDRESSES

    site_dir = tmp_path_factory.mktemp("real-site") / "site"
    # Built as the Pages workflow publishes it (repository link, edit buttons): what readers get.
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", **PUBLISHED_ADDRESSES)
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(REPO / "mkdocs.yml"), "-d", str(site_dir)],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    return RealSite(site_dir, done.returncode, done.stdout + done.stderr)


def pytest_collection_modifyitems(config, items):
    """Run the browser tests last.

    Playwright's sync API keeps its own event loop running for the session; tests that
    need pytest-asyncio's loop must all have run before it starts.
    """
    items.sort(key=lambda item: "tests/browser/" in item.nodeid.replace("\\", "/"))
