"""Contributed content is safe by construction (issue #12).

Judged on what the browser receives: hostile pattern bodies, fields, URLs and files are
refused with ``path:line``, a strict build fails on each, and even a plain build (which
publishes refused pages, so that no page is lost) carries no live content anywhere.
"""

from __future__ import annotations

import html
import os
import re
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser

from archkb import load_catalog
from archkb.mkdocs.markdown import check_bodies
from conftest import BODY, MKDOCS_YML, REFERENCES, Site, pattern_text

from .corpus import HOSTILE_BODIES, LEGITIMATE_BODIES, NEUTRALISED_BODIES
from .detector import live_pages, signatures

PATH_YML = """\
title: A fixture path
summary: Alpha first, then Beta.
steps:
  - pattern: alpha
    why: It comes first.
    minutes: 5
  - reference: ref-a
    why: The source.
    minutes: 10
"""


# The real site's Markdown extensions: each one changes what HTML a body becomes.
SITE_EXTENSIONS = (
    (Path(__file__).resolve().parents[2] / "mkdocs.yml")
    .read_text(encoding="utf-8")
    .split("markdown_extensions:\n", 1)[1]
)
SAFETY_MKDOCS_YML = MKDOCS_YML.split("markdown_extensions:\n", 1)[0] + "markdown_extensions:\n" + SITE_EXTENSIONS


def _slug(index: int) -> str:
    return f"case-{index:02d}"


def _base_site(root: Path) -> Site:
    site = Site(root)
    site.write("mkdocs.yml", SAFETY_MKDOCS_YML)
    site.write("docs/index.md", "# Home\n\nSee the [reading list](reading-list.md).\n")
    site.write("docs/tags.md", "# Tags\n\n<!-- material/tags -->\n")
    site.write("references/testing.yml", REFERENCES)
    site.write("paths/fixture.yml", PATH_YML)
    site.write(
        "patterns/alpha.md", pattern_text("Alpha", related="- pattern: beta\n  type: uses", refs=("ref-a", "ref-b"))
    )
    site.write("patterns/beta.md", pattern_text("Beta", refs=("ref-a",)))
    return site


def _with_bodies(site: Site, cases: list[tuple[str, str, str]]) -> dict[str, tuple[int, int]]:
    """Write one pattern per case; return each file's (first, last) line of the snippet."""
    spans = {}
    for index, (_name, snippet, _) in enumerate(cases):
        body = BODY.format(title="Case", ref="ref-a") + "\n" + snippet
        text = pattern_text(f"Case {index}", body=body)
        first = text[: text.index(snippet)].count("\n") + 1
        site.write(f"patterns/{_slug(index)}.md", text)
        spans[f"patterns/{_slug(index)}.md"] = (first, first + snippet.count("\n"))
    return spans


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    site = _base_site(tmp_path_factory.mktemp("clean"))
    result = site.build(strict=True)
    assert result.ok, result.warnings
    return signatures(result.site_dir)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    site = _base_site(tmp_path_factory.mktemp("hostile"))
    spans = _with_bodies(site, HOSTILE_BODIES)
    catalog = load_catalog(site.root)
    problems = list(catalog.problems) + check_bodies(catalog)
    return site, spans, problems


@pytest.mark.parametrize("index", range(len(HOSTILE_BODIES)), ids=[c[0] for c in HOSTILE_BODIES])
def test_validation_refuses_each_hostile_body_on_its_line(hostile, index):
    _site, spans, problems = hostile
    path = f"patterns/{_slug(index)}.md"
    _, _, fragment = HOSTILE_BODIES[index]
    first, last = spans[path]
    found = [p for p in problems if p.path == path and fragment in p.message]
    assert found, [str(p) for p in problems if p.path == path]
    assert any(first <= p.line <= last for p in found), (first, last, [str(p) for p in found])


def test_strict_build_refuses_every_hostile_body_without_a_traceback(hostile):
    site, spans, _ = hostile
    result = site.build(strict=True)
    assert not result.ok
    refused = {m.group(1) for w in result.warnings for m in [re.search(r"(patterns/[\w.-]+):\d+: ", w)] if m}
    assert set(spans) <= refused, sorted(set(spans) - refused)
    assert not any("Traceback" in w for w in result.warnings)


def test_plain_build_loses_no_page_and_carries_no_live_content(hostile, clean):
    site, spans, _ = hostile
    result = site.build(strict=False)
    assert result.ok, result.error
    for path in spans:
        slug = Path(path).stem
        assert (result.site_dir / f"patterns/{slug}/index.html").is_file(), slug
    assert live_pages(result.site_dir, clean) == {}


@pytest.fixture(scope="module")
def legitimate(tmp_path_factory):
    site = _base_site(tmp_path_factory.mktemp("legit"))
    cases = LEGITIMATE_BODIES + NEUTRALISED_BODIES
    _with_bodies(site, cases)
    # CRLF line ends and a byte-order mark are ordinary ways to save a file.
    crlf = pattern_text("Windows file").replace("\n", "\r\n").encode("utf-8")
    site.write("patterns/windows-file.md", b"\xef\xbb\xbf" + crlf)
    result = site.build(strict=True)
    return site, cases, result


def test_legitimate_content_builds_strict(legitimate):
    site, _, result = legitimate
    assert result.ok, result.warnings
    catalog = load_catalog(site.root)
    assert not catalog.problems and not check_bodies(catalog)
    assert "Windows file" in result.html("patterns/windows-file/index.html")


@pytest.mark.parametrize(
    "index",
    range(len(LEGITIMATE_BODIES + NEUTRALISED_BODIES)),
    ids=[c[0] for c in LEGITIMATE_BODIES + NEUTRALISED_BODIES],
)
def test_legitimate_content_is_shown(legitimate, index, clean):
    _, cases, result = legitimate
    page = result.html(f"patterns/{_slug(index)}/index.html")
    shown = cases[index][2]
    assert shown in page or shown in LexborHTMLParser(page).css_first("article").text()
    assert live_pages(result.site_dir, clean) == {}


HOSTILE_TEXT = [
    "Pub & Sub <T> generics",
    '</title><script>alert("t")</script>',
    '"><img src=x onerror=alert(1)>',
    "{: onclick=alert(1) } [x](javascript:alert(1)) <!--archkb",
]


def _fields_site(root: Path, text: str) -> Site:
    site = _base_site(root)
    quoted = text.replace("\\", "\\\\").replace('"', '\\"')
    site.write(
        "patterns/alpha.md",
        f'---\ntitle: "{quoted}"\nsummary: "About {quoted} in one sentence"\n'
        f'aliases: ["{quoted}"]\ntags: [testing]\nreferences: [ref-a]\nrelated:\n  - pattern: beta\n'
        f'    type: uses\n    note: "{quoted}"\n---\n\n' + BODY.format(title="x", ref="ref-a"),
    )
    refs = (
        REFERENCES.replace('title: "A & B: the first reference"', f'title: "{quoted}"')
        .replace("authors: [Ada Lovelace, Charles Babbage]", f'authors: ["{quoted}", Charles Babbage]')
        .replace("topic: Testing", f'topic: "{quoted}"')
    )
    site.write("references/testing.yml", refs)
    site.write(
        "paths/fixture.yml",
        PATH_YML.replace("title: A fixture path", f'title: "{quoted}"')
        .replace("summary: Alpha first, then Beta.", f'summary: "{quoted}"')
        .replace("why: It comes first.", f'why: "{quoted}"'),
    )
    return site


@pytest.mark.parametrize("text", HOSTILE_TEXT)
def test_fields_are_escaped_for_where_they_land(tmp_path, clean, text):
    site = _fields_site(tmp_path, text)
    marker = "<!--archkb" in text
    result = site.build(strict=not marker)
    if marker:  # the reserved marker is refused, with its line; the page is still built, inert
        assert any("references/testing.yml:" in w and "reserved" in w for w in result.warnings), result.warnings
    else:
        assert result.ok, result.warnings
    assert live_pages(result.site_dir, clean) == {}
    page = LexborHTMLParser(result.html("patterns/alpha/index.html"))
    assert page.css_first("title").text() == f"{text} - Fixture KB"
    assert page.css_first("article h1").text().rstrip("¶") == text
    assert page.css_first('meta[name="description"]').attributes["content"] == f"About {text} in one sentence"
    assert page.css_first("t") is None  # "<T>" is text, not an element
    body = page.css_first("article").text()
    assert f"Also known as: {text}" in " ".join(body.split()) or text in body
    reading = LexborHTMLParser(result.html("reading-list/index.html"))
    assert text in reading.css_first("article").text()
    path_page = LexborHTMLParser(result.html("paths/fixture/index.html"))
    assert path_page.css_first("article h1").text().rstrip("¶") == text
    assert text in path_page.css_first("article").text()


BAD_URLS = [
    ("https://example.com/a)[x](javascript:alert(1)", "percent-encode it (%5B)"),
    ("https://example.com/<script>", "percent-encode it (%3C)"),
    ("https://example.com/a b", "whitespace"),
    ("https://user:secret@example.com/", "user name or password"),
    ("javascript:alert(1)", "absolute http:// or https:// URL"),
    ("https://example.com/café", "percent-encode it (%C3%A9)"),
    ("https://exa mple.com/", "whitespace"),
    ("https://example.com/100%", "percent-escape"),
]


@pytest.mark.parametrize(("url", "fragment"), BAD_URLS, ids=[u for u, _ in BAD_URLS])
def test_reference_urls_are_refused_on_their_line(tmp_path, url, fragment):
    site = _base_site(tmp_path)
    quoted = url.replace('"', '\\"')
    site.write("references/testing.yml", REFERENCES.replace("url: https://example.com/b", f'url: "{quoted}"'))
    line = site.root.joinpath("references/testing.yml").read_text().splitlines().index(f'    url: "{quoted}"') + 1
    problems = [str(p) for p in load_catalog(site.root).problems]
    assert any(p.startswith(f"references/testing.yml:{line}: ") and fragment in p for p in problems), problems


def test_symlinks_out_of_the_project_are_refused_before_reading(tmp_path, clean):
    secret = tmp_path / "outside" / "secret.md"
    secret.parent.mkdir()
    secret.write_text(pattern_text("Secret", body=BODY.format(title="TOP-SECRET-TEXT", ref="ref-a")))
    site = _base_site(tmp_path / "site")
    os.symlink(secret, site.root / "patterns" / "leak.md")
    os.symlink(secret, site.root / "docs" / "leak.md")
    problems = [str(p) for p in load_catalog(site.root).problems]
    assert any(p.startswith("patterns/leak.md:1: ") and "symbolic link" in p for p in problems), problems
    result = site.build(strict=False)
    assert any("leak.md" in w and "symbolic link" in w for w in result.warnings), result.warnings
    published = "".join(p.read_text(errors="replace") for p in result.site_dir.rglob("*") if p.is_file())
    assert "TOP-SECRET-TEXT" not in published


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("_hidden.md", "rename it to 'hidden.md'"),
        ("shouting.MD", "rename it to 'shouting.md'"),
        ("long.markdown", "rename it to 'long.md'"),
    ],
)
def test_look_alike_pattern_files_are_reported(tmp_path, name, fragment):
    site = _base_site(tmp_path)
    site.write(f"patterns/{name}", pattern_text("Lost"))
    problems = [str(p) for p in load_catalog(site.root).problems]
    assert any(p.startswith(f"patterns/{name}:1: ") and "is not read" in p and fragment in p for p in problems), (
        problems
    )


def test_a_sub_folder_of_patterns_is_reported(tmp_path):
    site = _base_site(tmp_path)
    site.write("patterns/more/gamma.md", pattern_text("Gamma"))
    problems = [str(p) for p in load_catalog(site.root).problems]
    assert any(p.startswith("patterns/more:1: ") and "not read" in p for p in problems), problems


def test_markers_never_crash_a_serve_rebuild(tmp_path):
    """The plugin's own placeholders in a body once raised IndexError and hung ``mkdocs serve``."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    site = _base_site(tmp_path)
    body = BODY.format(title="x", ref="ref-a") + "\n\x8farchkb-deferred-7\x90 <!--archkb-search-3--> <![x[ y ]]>\n"
    site.write("patterns/beta.md", pattern_text("Beta", body=body))
    cfg = load_config(config_file=str(site.root / "mkdocs.yml"), site_dir=str(site.root / "site"))
    cfg.plugins.on_startup(command="serve", dirty=False)
    try:
        for _ in range(2):  # a first build and a rebuild, as serve does
            build(cfg, serve_url="http://127.0.0.1:8000/")
    finally:
        cfg.plugins.on_shutdown()
    beta = (site.root / "site/patterns/beta/index.html").read_text()
    assert "Not published" in beta and "\x8f" not in beta
    assert re.search(r"archkb-(deferred|search)-\d", html.unescape(beta)) is None


@pytest.mark.parametrize("text", HOSTILE_TEXT[:3])
def test_fields_stay_inert_in_the_generated_site_source(tmp_path, clean, text):
    """What `archkb generate` writes for other engines is as safe as the plugin's pages."""
    import subprocess
    import sys

    from click.testing import CliRunner

    from archkb.cli import main

    site = _fields_site(tmp_path / "project", text)
    out = tmp_path / "generated"
    result = CliRunner().invoke(main, ["generate", "--root", str(site.root), "--out", str(out)])
    assert result.exit_code == 0, result.output
    built = tmp_path / "built"
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(out / "mkdocs.yml"), "-d", str(built)],
        cwd=out,
        capture_output=True,
        text=True,
        env=dict(os.environ, NO_MKDOCS_2_WARNING="1"),
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert live_pages(built, clean) == {}
    page = LexborHTMLParser((built / "patterns/alpha/index.html").read_text(encoding="utf-8"))
    assert page.css_first("t") is None and page.css_first("article h1").text().rstrip("¶") == text
