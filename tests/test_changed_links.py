"""`archkb changed-links`: the external links a change adds, compared with a git base."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from archkb.cli import main
from archkb.linkcheck.changed import ChangedLinksError, changed_urls, urls_at, urls_in_file

REFS = """\
topic: T
references:
  - id: a
    title: A
    authors: [A B]
    year: 2020
    kind: book
    url: https://example.com/a
    summary: S.
"""


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository whose first commit holds a small project."""
    root = tmp_path / "repo"
    (root / "references").mkdir(parents=True)
    (root / "patterns").mkdir()
    (root / "docs/guide").mkdir(parents=True)
    (root / "mkdocs.yml").write_text("site_name: T\n")
    (root / "references/t.yml").write_text(REFS)
    (root / "patterns/p.md").write_text("---\ntitle: P\n---\n\nSee [old](https://example.com/old).\n")
    (root / "docs/guide/g.md").write_text("# G\n\n<https://example.com/docs>\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "-c", "user.name=T", "-c", "user.email=t@example.com", "add", ".")
    git(root, "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-q", "-m", "base")
    return root


def test_only_added_or_changed_urls_are_listed(repo):
    refs = repo / "references/t.yml"
    refs.write_text(
        REFS.replace("https://example.com/a", "https://example.com/a-moved")
        + "    archived_url: https://web.archive.org/a\n"
    )
    (repo / "patterns/p.md").write_text(
        "---\ntitle: P\n---\n\nSee [old](https://example.com/old) and "
        "[new](https://example.com/new_(thing)), not [me](../x.md).\n"
    )
    (repo / "patterns/q.md").write_text("Moved here: <https://example.com/docs>, code `https://example.com/code`.\n")
    (repo / "docs/deep/er").mkdir(parents=True)
    (repo / "docs/deep/er/x.md").write_text("[x](http://example.org/deep)\n")
    (repo / "site").mkdir()
    (repo / "site/ignored.md").write_text("[x](https://example.org/not-watched)\n")
    changed = changed_urls(repo, "main")
    assert [(c.url, c.sources) for c in changed] == [
        ("http://example.org/deep", ["docs/deep/er/x.md:1"]),
        ("https://example.com/a-moved", ["references/t.yml:8"]),
        ("https://example.com/new_(thing)", ["patterns/p.md:5"]),
        ("https://web.archive.org/a", ["references/t.yml:10"]),
    ]


def test_comparing_two_revisions_and_a_project_in_a_subfolder(tmp_path):
    top = tmp_path / "mono"
    root = top / "kb"
    (root / "references").mkdir(parents=True)
    (root / "references/t.yml").write_text(REFS)
    git(top, "init", "-q", "-b", "main")
    ident = ("-c", "user.name=T", "-c", "user.email=t@example.com")
    git(top, *ident, "add", ".")
    git(top, *ident, "commit", "-q", "-m", "one")
    (root / "references/t.yml").write_text(REFS.replace("/a", "/b"))
    git(top, *ident, "commit", "-q", "-am", "two")
    assert list(urls_at(root, "HEAD~1")) == ["https://example.com/a"]
    assert [c.url for c in changed_urls(root, "HEAD~1", "HEAD")] == ["https://example.com/b"]
    assert changed_urls(root, "HEAD", "HEAD~1")[0].sources == ["references/t.yml:8"]


def test_unknown_base_is_a_clear_error(repo):
    with pytest.raises(ChangedLinksError, match="unknown git revision 'nope'"):
        changed_urls(repo, "nope")
    result = CliRunner().invoke(main, ["changed-links", "--base", "nope", "--root", str(repo)])
    assert result.exit_code == 1
    assert "unknown git revision 'nope'" in result.output
    assert "Traceback" not in result.output


def test_cli_formats_feed_check_links(repo, tmp_path):
    (repo / "patterns/p.md").write_text("[n](https://example.com/new)\n")
    runner = CliRunner()
    lines = runner.invoke(main, ["changed-links", "--base", "main", "--root", str(repo)])
    assert lines.exit_code == 0
    assert lines.stdout == "https://example.com/new\n"
    assert "1 external link added since main" in lines.stderr
    out = tmp_path / "changed.md"
    md = runner.invoke(
        main, ["changed-links", "--base", "main", "--root", str(repo), "--format", "markdown", "--output", str(out)]
    )
    assert md.exit_code == 0
    # The Markdown file is read back by the same extractor check-links uses.
    assert [url for url, _ in urls_in_file("changed.md", out.read_text())] == ["https://example.com/new"]
    clean = runner.invoke(main, ["changed-links", "--base", "HEAD", "--head", "HEAD", "--root", str(repo)])
    assert clean.exit_code == 0 and clean.stdout == ""


def test_credentials_are_never_printed(repo, tmp_path):
    """The output lands in CI logs and artifacts: userinfo is shown as ***, and check-links still
    reads the Markdown list (and reports the link without sending anything secret)."""
    (repo / "patterns/p.md").write_text("[n](https://user:s3cret@example.com/new) [m](https://example.com/@me)\n")
    runner = CliRunner()
    for fmt in ("lines", "markdown", "json"):
        result = runner.invoke(main, ["changed-links", "--base", "main", "--root", str(repo), "--format", fmt])
        assert result.exit_code == 0
        assert "s3cret" not in result.output and "user:" not in result.output
        assert "https://***@example.com/new" in result.stdout and "https://example.com/@me" in result.stdout
    out = tmp_path / "changed.md"
    runner.invoke(
        main, ["changed-links", "--base", "main", "--root", str(repo), "--format", "markdown", "--output", str(out)]
    )
    assert [url for url, _ in urls_in_file("changed.md", out.read_text())] == [
        "https://example.com/@me",
        "https://***@example.com/new",
    ]


def test_broken_yaml_still_yields_its_urls():
    text = "topic: T\nreferences:\n  - id: a\n    url: https://example.com/x\n   bad: [\n"
    assert urls_in_file("references/t.yml", text) == [("https://example.com/x", "references/t.yml:4")]


def test_merge_commit_first_parent_is_the_pull_requests_base(repo):
    """CI compares GitHub's merge commit with HEAD^1: only the pull request's own links are new."""
    ident = ("-c", "user.name=T", "-c", "user.email=t@example.com")
    git(repo, "switch", "-q", "-c", "feature")
    (repo / "patterns/p.md").write_text("[f](https://example.com/from-the-pr)\n")
    git(repo, *ident, "commit", "-q", "-am", "feature link")
    git(repo, "switch", "-q", "main")
    (repo / "docs/guide/g.md").write_text("[m](https://example.com/main-moved-on)\n")
    git(repo, *ident, "commit", "-q", "-am", "main moves on")
    git(repo, *ident, "merge", "-q", "--no-ff", "-m", "merge feature", "feature")
    assert [c.url for c in changed_urls(repo, "HEAD^1")] == ["https://example.com/from-the-pr"]


def test_what_a_change_wrote_is_shown_not_obeyed():
    """A URL or a file name from a pull request cannot drive a terminal or write Markdown."""
    from archkb.linkcheck import Link, extract_links_from_markdown
    from archkb.linkcheck.changed import ChangedUrl, format_changed

    changed = [ChangedUrl("https://e.org/a\x1b[2Jb> @maintainer|x", ["pat`terns/a.md:3"])]
    lines = format_changed(changed, "lines")
    assert "\x1b" not in lines and lines == "https://e.org/a\\x1b[2Jb> @maintainer|x\n"
    markdown = format_changed(changed, "markdown")
    assert markdown.splitlines()[-1] == "- <https://e.org/a%1B[2Jb%3E%20@maintainer%7Cx> (``pat`terns/a.md:3``)"
    # and check-links still reads the list back as one link per URL
    assert extract_links_from_markdown(markdown, name="list.md") == [
        Link("https://e.org/a%1B[2Jb%3E%20@maintainer%7Cx", "list.md:3")
    ]


def test_no_old_style_runner_command_reaches_a_ci_log():
    """GitHub's runner reads ``##[command]`` anywhere in a line of a step's log: a URL a pull
    request adds cannot stop the step's annotations or set its outputs, in any format, and what
    reads the JSON reads the URL as written."""
    import json

    from archkb.linkcheck.changed import ChangedUrl, format_changed

    urls = ["https://example.org/a##[stop-commands]pwn", "https://example.org/b##[set-output name=ok;]true"]
    changed = [ChangedUrl(url, ["docs/a.md:1"]) for url in urls]
    for fmt in ("lines", "markdown", "json"):
        assert "##[" not in format_changed(changed, fmt), fmt
    assert [entry["url"] for entry in json.loads(format_changed(changed, "json"))] == urls


def test_a_file_name_that_is_not_utf8_is_read_at_a_revision(repo):
    """A name git holds as bytes that are not UTF-8 crashed the comparison with a traceback (exit 1)."""
    odd = repo / "docs" / os.fsdecode(b"caf\xe9.md")
    odd.write_text("[a](https://example.com/odd)\n", encoding="utf-8")
    git(repo, "-c", "user.name=T", "-c", "user.email=t@example.com", "add", ".")
    git(repo, "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-q", "-m", "odd name")
    result = CliRunner().invoke(main, ["changed-links", "--root", str(repo), "--base", "HEAD~1", "--head", "HEAD"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "https://example.com/odd\n"
