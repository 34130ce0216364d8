"""Links from Markdown files to local files and their headings, checked offline."""

from __future__ import annotations

import json
import re
from pathlib import Path

import markdown
import pytest
from click.testing import CliRunner

from archkb.linkcheck import Link, State
from archkb.linkcheck.command import check_links
from archkb.linkcheck.local import check_markdown_links, github_slug, markdown_anchors, toc_slug

# From github-slugger's own fixtures (test/fixtures.json): the text, and the anchor GitHub gives it.
GITHUB = [
    ("heading with a - dash", "heading-with-a---dash"),
    ("heading with an _ underscore", "heading-with-an-_-underscore"),
    ("heading with a period.txt", "heading-with-a-periodtxt"),
    ("exchange.bind_headers(exchange, routing [, bindCallback])", "exchangebind_headersexchange-routing--bindcallback"),
    ("apostrophe’s should be trimmed", "apostrophes-should-be-trimmed"),
    ("I ♥ unicode", "i--unicode"),
    ("en–dash", "endash"),
    ("😄 unicode emoji", "-unicode-emoji"),
    ("😄_😄 unicode emoji", "_-unicode-emoji"),
    ("Привет non-latin 你好", "привет-non-latin-你好"),
    (":ok_hand: Single", "ok_hand-single"),
    ("bravoCharlieDelta", "bravocharliedelta"),
]


@pytest.mark.parametrize(("text", "anchor"), GITHUB)
def test_github_anchors_match_github_sluggers_fixtures(text, anchor):
    assert github_slug(text) == anchor


def test_repeated_headings_get_githubs_suffixes():
    # github-slugger's fixtures: echo, echo, "echo 1", "echo-1", echo -> echo, echo-1, echo-1-1, echo-1-2, echo-2
    doc = "# echo\n\n# echo\n\n# echo 1\n\n# echo-1\n\n# echo\n"
    assert {"echo", "echo-1", "echo-1-1", "echo-1-2", "echo-2"} <= markdown_anchors(doc)


DOCUMENT = """---
title: front matter # not a heading
---

# Set-up & install

Intro with a [link](x.md).

## The `archkb` *command*, [linked](y.md)

## Repeated

## Repeated

Setext heading
--------------

Another one
===========

### Custom {#my-id}

```text
# not a heading: in a fence
```

    # not a heading: indented code

## Ünïcode Tïtle

<a id="raw-anchor"></a> <span name='named'></span>
"""


def test_anchors_cover_python_markdowns_toc_ids():
    rendered = markdown.markdown(DOCUMENT.split("---\n", 2)[2], extensions=["toc", "attr_list", "fenced_code"])
    ids = set(re.findall(r'<h\d id="([^"]+)"', rendered))
    assert ids == {
        "set-up-install",
        "the-archkb-command-linked",
        "repeated",
        "repeated_1",
        "setext-heading",
        "another-one",
        "my-id",
        "unicode-title",
    }
    assert ids <= markdown_anchors(DOCUMENT)
    assert {toc_slug("Set-up & install"), github_slug("Set-up & install")} == {"set-up-install", "set-up--install"}


def test_anchors_also_hold_githubs_forms_and_raw_html_ids_but_nothing_in_code():
    anchors = markdown_anchors(DOCUMENT)
    assert {"set-up--install", "the-archkb-command-linked", "repeated-1", "ünïcode-tïtle"} <= anchors
    assert {"raw-anchor", "named"} <= anchors
    assert not {a for a in anchors if "not-a-heading" in a or "front-matter" in a}


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def run(args: list[str]):
    return CliRunner().invoke(check_links, args, env={"CI": "true"}, catch_exceptions=False)


def test_a_readmes_links_to_files_and_headings_are_checked_offline(tmp_path):
    repo = tmp_path / "repo"
    write(repo / "docs" / "guide.md", "# Guide\n\n## Install\n\nText.\n")
    write(repo / "docs" / "page.html", '<h2 id="usage">Usage</h2>\n')
    write(repo / "docs" / "images" / "map.png", "png")
    readme = write(
        repo / "README.md",
        "# Project\n\n## Local heading\n\n"
        "[guide](docs/guide.md) [install](docs/guide.md#install) [cased](docs/guide.md#Install)\n"
        "[gone](docs/gone.md) [nope](docs/guide.md#nope) [here](#local-heading) [not here](#elsewhere)\n"
        "[html](docs/page.html#usage) [html gone](docs/page.html#nothing) ![map](docs/images/map.png)\n"
        "[folder](docs/) [root](/docs/guide.md) [spaced](<docs/my guide.md>) [text](docs/guide.md#:~:text=Text)\n",
    )
    result = run([str(readme), "--root", str(repo), "--format", "json", "--no-cache"])
    assert result.exit_code == 2, result.output
    states = {r["url"]: (r["state"], r["message"], r["sources"]) for r in json.loads(result.stdout)["results"]}
    ok = ["docs/guide.md", "docs/guide.md#install", "docs/guide.md#Install", "#local-heading", "docs/page.html#usage"]
    ok += ["docs/images/map.png", "docs/", "docs/guide.md#:~:text=Text"]
    assert {url: states[url][0] for url in ok} == dict.fromkeys(ok, "ok")
    assert states["docs/gone.md"][:2] == ("broken", "no file or folder at docs/gone.md")
    assert states["docs/guide.md#nope"][:2] == ("broken", "no heading or anchor #nope in docs/guide.md")
    assert states["#elsewhere"][:2] == ("broken", "no heading or anchor #elsewhere in README.md")
    assert states["docs/page.html#nothing"][:2] == ("broken", "anchor #nothing is not an id on docs/page.html")
    assert states["docs/my guide.md"][:2] == ("broken", "no file or folder at docs/my guide.md")
    assert states["/docs/guide.md"][0] == "skipped"
    assert states["docs/gone.md"][2] == ["README.md:6"]


def test_markdown_a_site_build_turns_into_pages_is_left_to_the_build(tmp_path):
    project = tmp_path / "project"
    write(
        project / "mkdocs.yml",
        "site_name: x\ndocs_dir: content  # the pages\nplugins:\n  - archkb:\n      patterns_dir: catalog\n",
    )
    page = write(project / "content" / "index.md", "[list](reading-list.md)\n")  # generated at build time
    pattern = write(project / "catalog" / "a.md", "[case](../content/case.md)\n")
    readme = write(project / "README.md", "[gone](content/missing.md)\n")
    results = check_markdown_links(
        [(page, Link("reading-list.md", "content/index.md:1")), (pattern, Link("../content/case.md", "catalog/a.md:1"))]
        + [(readme, Link("content/missing.md", "README.md:1"))]
    )
    by_url = {r.url: (r.state, r.message) for r in results}
    assert by_url["reading-list.md"] == (State.SKIPPED, "left to the site's build")
    assert by_url["../content/case.md"] == (State.SKIPPED, "left to the site's build")
    assert by_url["content/missing.md"] == (State.BROKEN, "no file or folder at content/missing.md")


def test_a_link_cited_twice_is_one_result_with_both_sources(tmp_path):
    readme = write(tmp_path / "README.md", "[a](gone.md)\n\n[b](gone.md)\n")
    [result] = check_markdown_links(
        [(readme, Link("gone.md", "README.md:1")), (readme, Link("gone.md", "README.md:3"))]
    )
    assert result.state is State.BROKEN and result.sources == ["README.md:1", "README.md:3"]


def test_dump_lists_local_links_as_internal(tmp_path):
    readme = write(tmp_path / "README.md", "[guide](docs/guide.md)\n")
    result = run([str(readme), "--root", str(tmp_path), "--dump", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["links"] == [
        {"url": "docs/guide.md", "action": "internal", "target": None, "reason": "", "sources": ["README.md:1"]}
    ]


def test_every_heading_id_python_markdown_gives_this_repositorys_markdown_is_an_anchor():
    from conftest import REPO

    files = [REPO / name for name in ("README.md", "CONTRIBUTING.md", "CHANGELOG.md")]
    files += sorted((REPO / "docs").rglob("*.md")) + sorted((REPO / "patterns").glob("*.md"))
    files += sorted((REPO / "bench").glob("*.md"))
    checked = 0
    for file in files:
        text = file.read_text(encoding="utf-8")
        body = text.split("\n---\n", 1)[1] if text.startswith("---\n") else text
        rendered = markdown.markdown(body, extensions=["toc", "attr_list", "fenced_code", "tables", "md_in_html"])
        ids = set(re.findall(r'<h\d id="([^"]+)"', rendered))
        assert ids <= markdown_anchors(text), (file, ids - markdown_anchors(text))
        checked += len(ids)
    assert checked > 500  # the corpus is real: every pattern's sections, the docs, the changelog


def test_a_heading_with_a_badge_and_code_gets_both_anchors():
    anchors = markdown_anchors(
        "# domhandler [![Build](https://x.example/b.svg)](https://x.example/)\n\n## `glob(p) => Promise<string[]>`\n"
    )
    assert {"domhandler", "domhandler-"} <= anchors  # Python-Markdown strips the end; GitHub keeps the space
    assert {"globp--promisestring", "globp-promisestring"} <= anchors


def test_root_dir_resolves_root_relative_links_as_github_does(tmp_path):
    repo = tmp_path / "repo"
    write(repo / "docs" / "guide.md", "# Guide\n\n## Install\n")
    readme = write(repo / "sub" / "README.md", "[a](/docs/guide.md#install)\n[b](/docs/gone.md)\n")
    args = [str(readme), "--root", str(repo), "--format", "json", "--no-cache"]
    skipped = {r["url"]: r["state"] for r in json.loads(run(args).stdout)["results"]}
    assert skipped == {"/docs/guide.md#install": "skipped", "/docs/gone.md": "skipped"}
    result = run([*args, "--root-dir", str(repo)])
    assert result.exit_code == 2
    states = {r["url"]: (r["state"], r["message"]) for r in json.loads(result.stdout)["results"]}
    assert states["/docs/guide.md#install"] == ("ok", "")
    assert states["/docs/gone.md"] == ("broken", "no file or folder at ../docs/gone.md")


def test_a_link_that_leads_out_of_the_repository_is_not_judged(tmp_path):
    from conftest import git

    write(tmp_path / "secret.md", "# Secret\n\n## Key\n")
    repo = tmp_path / "repo"
    readme = write(repo / "README.md", "[a](../secret.md#key)\n[b](../../../../../../etc/passwd)\n[c](../nothing.md)\n")
    git(repo, "init", "-q")
    result = run([str(readme), "--root", str(repo), "--format", "json", "--no-cache"])
    assert result.exit_code == 0, result.output
    states = {r["url"]: (r["state"], r["message"]) for r in json.loads(result.stdout)["results"]}
    # Whether the file exists or not, the answer is the same: nothing about the machine is told.
    assert set(states.values()) == {("skipped", "outside the repository: not judged")} and len(states) == 3


def test_outside_any_repository_the_project_folder_is_the_boundary(tmp_path):
    write(tmp_path / "elsewhere.md", "# Elsewhere\n")
    project = tmp_path / "project"
    readme = write(project / "docs" / "README.md", "[up](../guide.md)\n[out](../../elsewhere.md)\n")
    write(project / "guide.md", "# Guide\n")
    results = check_markdown_links(
        [(readme, Link("../guide.md", "docs/README.md:1")), (readme, Link("../../elsewhere.md", "docs/README.md:2"))],
        root=project,
    )
    assert {r.url: r.state for r in results} == {"../guide.md": State.OK, "../../elsewhere.md": State.SKIPPED}
