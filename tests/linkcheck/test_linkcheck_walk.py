"""Which files of a folder a PATH run reads: hidden files, what git ignores and --exclude-path are
left out; a named file or folder is always read."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from archkb.linkcheck import Link
from archkb.linkcheck.command import check_links
from archkb.linkcheck.sources import InputError, collect_paths, without_excluded_sources
from archkb.linkcheck.walk import ignored_by_git, walk_files
from conftest import git


def page(path: Path, url: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".html":
        path.write_text(f'<!doctype html><p><a href="{url}">x</a></p>\n', encoding="utf-8")
    else:
        path.write_text(f"# Page\n\n[x]({url})\n", encoding="utf-8")


def dumped(args: list[str], cwd: Path) -> dict[str, list[str]]:
    """``check-links --dump --format json ARGS`` run in ``cwd``: each URL with its sources."""
    here = Path.cwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(
            check_links, [*args, "--dump", "--format", "json", "--root", str(cwd)], catch_exceptions=False
        )
    finally:
        os.chdir(here)
    assert result.exit_code == 0, result.output
    return {item["url"]: item["sources"] for item in json.loads(result.stdout)["links"]}


def repository(tmp_path: Path) -> Path:
    """A git work tree with a page of each kind, a hidden folder, an ignored build and a tracked file
    that an ignore pattern matches."""
    repo = tmp_path / "repo"
    page(repo / "README.md", "https://readme.example/")
    page(repo / "docs" / "guide.md", "https://guide.example/")
    page(repo / "overrides" / "part.html", "https://template.example/")
    page(repo / ".venv" / "lib" / "pkg" / "README.md", "https://hidden.example/")
    page(repo / "build" / "index.html", "https://ignored.example/")
    page(repo / "node_modules" / "dep" / "README.md", "https://dependency.example/")
    page(repo / "notes" / "kept.md", "https://tracked.example/")
    page(repo / "notes" / "scratch.md", "https://scratch.example/")
    (repo / ".gitignore").write_text("build/\nnode_modules/\nnotes/*.md\n", encoding="utf-8")
    git(repo, "init", "-q")
    git(repo, "add", ".gitignore", "README.md", "docs", "overrides")
    git(repo, "add", "-f", "notes/kept.md")  # tracked, although notes/*.md is ignored
    return repo


def test_a_repository_folder_reads_its_own_pages_not_hidden_or_ignored_ones(tmp_path):
    repo = repository(tmp_path)
    links = dumped(["."], repo)
    assert set(links) == {
        "https://readme.example/",
        "https://guide.example/",
        "https://template.example/",  # HTML and Markdown of one folder are both read
        "https://tracked.example/",  # git tracks it: a matching pattern does not hide it
    }
    assert links["https://guide.example/"] == ["docs/guide.md:3"]
    assert links["https://template.example/"] == ["overrides/part.html:1"]


def test_hidden_and_no_ignore_read_what_is_left_out(tmp_path):
    repo = repository(tmp_path)
    assert "https://hidden.example/" in dumped([".", "--hidden"], repo)
    everything = dumped([".", "--no-ignore"], repo)
    assert {"https://ignored.example/", "https://dependency.example/", "https://scratch.example/"} <= set(everything)
    assert "https://hidden.example/" not in everything


def test_a_named_folder_is_read_whole_even_when_ignored_or_hidden(tmp_path):
    repo = repository(tmp_path)
    assert set(dumped(["build"], repo)) == {"https://ignored.example/"}
    assert set(dumped([".venv"], repo)) == {"https://hidden.example/"}
    assert set(dumped(["notes/scratch.md"], repo)) == {"https://scratch.example/"}  # a named file too


def test_exclude_path_leaves_out_folders_and_files_by_their_shown_path(tmp_path):
    repo = repository(tmp_path)
    links = dumped([".", "--exclude-path", "^overrides/$", "--exclude-path", r"README\.md$"], repo)
    assert set(links) == {"https://guide.example/", "https://tracked.example/"}


def test_exclude_path_from_the_config_file_applies_to_a_walk(tmp_path):
    repo = repository(tmp_path)
    (repo / "pyproject.toml").write_text('[tool.archkb.link_check]\nexclude_path = ["^docs/"]\n', encoding="utf-8")
    assert "https://guide.example/" not in dumped(["."], repo)


def test_a_bad_exclude_path_is_a_usage_error_naming_it(tmp_path):
    repo = repository(tmp_path)
    result = CliRunner().invoke(check_links, [str(repo), "--exclude-path", "(", "--dump"], catch_exceptions=False)
    assert result.exit_code == 3
    assert "exclude-path '('" in result.output and "not a valid regular expression" in result.output


def test_a_folder_with_nothing_left_to_read_says_why(tmp_path):
    folder = tmp_path / "only-hidden"
    page(folder / ".draft" / "page.md", "https://x.example/")
    result = CliRunner().invoke(check_links, [str(folder), "--dump"], catch_exceptions=False)
    assert result.exit_code == 3
    assert "no HTML or Markdown files" in result.output and "--hidden" in result.output


def test_outside_git_nothing_counts_as_ignored_but_hidden_files_are_left_out(tmp_path):
    folder = tmp_path / "plain"
    page(folder / "a.md", "https://a.example/")
    page(folder / "build" / "b.md", "https://b.example/")
    page(folder / ".cache" / "c.md", "https://c.example/")
    (folder / ".gitignore").write_text("build/\n", encoding="utf-8")  # not a work tree: no rules
    assert ignored_by_git(folder) is None
    found = walk_files(folder, suffixes={".md"}, display=lambda p: p.relative_to(folder).as_posix())
    assert [p.relative_to(folder).as_posix() for p in found] == ["a.md", "build/b.md"]


def test_without_git_installed_nothing_counts_as_ignored(tmp_path, monkeypatch):
    repo = repository(tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path / "no-such-bin"))
    assert ignored_by_git(repo) is None
    inputs = collect_paths([repo], repo)
    assert "https://ignored.example/" in {link.url for link in inputs.external}


def test_a_broken_symbolic_link_in_a_folder_is_passed_over(tmp_path):
    folder = tmp_path / "site"
    page(folder / "index.html", "https://a.example/")
    (folder / "gone.md").symlink_to(folder / "missing.md")
    inputs = collect_paths([folder], folder)
    assert [link.url for link in inputs.external] == ["https://a.example/"]


def test_project_links_written_in_an_excluded_file_are_dropped():
    links = [Link("https://a.example/", "docs/changelog.md:3"), Link("https://b.example/", "references/x.yml:12")]
    kept = without_excluded_sources(links, [r"^docs/changelog\.md$"])
    assert kept == [links[1]]
    assert without_excluded_sources(links, []) is links


def test_exclude_path_in_the_table_drops_a_project_files_links(site):
    site.write("docs/changelog.md", "# Changes\n\n[old](https://changelog.example/)\n")
    site.write("docs/guide.md", "# Guide\n\n[new](https://guide.example/)\n")
    before = dumped([], site.root)
    assert before["https://changelog.example/"] == ["docs/changelog.md:3"]
    site.write("pyproject.toml", '[tool.archkb.link_check]\nexclude_path = ["^docs/changelog"]\n')
    after = dumped([], site.root)
    assert "https://changelog.example/" not in after and "https://guide.example/" in after
    assert any(source.startswith("references/") for sources in after.values() for source in sources)


def test_a_file_that_cannot_be_read_is_an_input_error_naming_it(tmp_path, monkeypatch):
    """Each file is opened once, to be read; one that cannot be (here: permission refused, which
    root is never refused, so it is simulated) stops the run with its name, HTML and Markdown alike.
    """
    page(tmp_path / "site" / "a.html", "https://example.org/a")
    page(tmp_path / "site" / "b.html", "https://example.org/b")
    page(tmp_path / "notes" / "c.md", "https://example.org/c")
    read_text = Path.read_text

    def refusing(self: Path, *args, **kwargs) -> str:
        if self.name in {"b.html", "c.md"}:
            raise PermissionError(13, "Permission denied", str(self))
        return read_text(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", refusing)
    for folder, name in (("site", "b.html"), ("notes", "c.md")):
        with pytest.raises(InputError) as caught:
            collect_paths([tmp_path / folder], tmp_path)
        assert str(caught.value) == f"{tmp_path / folder / name}: cannot read it (Permission denied)"
    assert collect_paths([tmp_path / "site" / "a.html"], tmp_path).external[0].url == "https://example.org/a"


def test_files_from_adds_the_inputs_a_list_names(tmp_path):
    """As lychee's --files-from: one input a line, blank lines and # comments passed over, white
    space around an entry not part of it, paths relative to the working directory."""
    page(tmp_path / "site" / "a.html", "https://a.example/")
    page(tmp_path / "notes" / "b.md", "https://b.example/")
    page(tmp_path / "c.md", "https://c.example/")
    (tmp_path / "list.txt").write_text("# changed files\n\nsite/a.html\n  notes  \n", encoding="utf-8")
    found = dumped(["c.md", "--files-from", "list.txt"], tmp_path)
    assert found == {
        "https://c.example/": ["c.md:3"],
        "https://a.example/": ["site/a.html:1"],
        "https://b.example/": ["notes/b.md:3"],
    }


def test_files_from_reads_standard_input(tmp_path):
    page(tmp_path / "a.md", "https://a.example/")
    result = CliRunner().invoke(
        check_links,
        ["--files-from", "-", "--dump", "--format", "json", "--root", str(tmp_path)],
        input=f"{tmp_path / 'a.md'}\n",
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert [item["url"] for item in json.loads(result.stdout)["links"]] == ["https://a.example/"]


def test_files_from_names_the_line_of_an_input_that_does_not_exist(tmp_path):
    page(tmp_path / "a.md", "https://a.example/")
    (tmp_path / "list.txt").write_text("a.md\n\ngone\x1b[2J.md\n", encoding="utf-8")
    here = Path.cwd()
    os.chdir(tmp_path)
    try:
        result = CliRunner().invoke(check_links, ["--files-from", "list.txt", "--dump", "--root", str(tmp_path)])
    finally:
        os.chdir(here)
    assert result.exit_code == 3
    assert "list.txt:3: 'gone\\x1b[2J.md' does not exist (give a file, a folder or an http(s) URL)" in result.output
    assert "\x1b" not in result.output


@pytest.mark.parametrize(
    ("entry", "says"),
    [
        ("a\x00b.md", "'a\\x00b.md' does not exist"),
        ("x" * 5000, "' cannot be used (File name too long)"),
    ],
    ids=["a NUL", "a name too long"],
)
def test_files_from_refuses_what_no_file_can_be_named(tmp_path, entry, says):
    result = CliRunner().invoke(check_links, ["--files-from", "-", "--dump", "--root", str(tmp_path)], input=entry)
    assert result.exit_code == 3, result.output
    assert result.output.startswith("Error: standard input:1: ") and says in result.output


def test_an_empty_list_checks_nothing_rather_than_the_whole_project(site):
    """`git diff --name-only | archkb check-links --files-from -` with nothing changed: not a check
    of every reference, and no link report written over the one readers see. (--offline, so that a
    regression to the project's check sends nothing.)"""
    result = CliRunner().invoke(
        check_links,
        ["--files-from", "-", "--offline", "--root", str(site.root)],
        input="# nothing\n\n",
        catch_exceptions=False,
    )
    assert result.exit_code == 0
    assert result.output == "standard input: no inputs listed; nothing checked\n"
    assert not (site.root / ".cache" / "archkb" / "link-report.json").exists()


def test_files_from_with_changed_is_refused(tmp_path):
    page(tmp_path / "a.md", "https://a.example/")
    result = CliRunner().invoke(
        check_links, ["--files-from", "-", "--changed", "HEAD", "--root", str(tmp_path)], input=f"{tmp_path / 'a.md'}\n"
    )
    assert result.exit_code == 3 and "--changed compares the project with a git revision" in result.output


def test_a_dash_reads_standard_input_as_text(tmp_path):
    """As lychee's ``-``: ``echo https://example.org | archkb check-links -`` checks that URL."""
    page(tmp_path / "a.md", "https://a.example/")
    result = CliRunner().invoke(
        check_links,
        ["-", str(tmp_path / "a.md"), "--dump", "--format", "json", "--root", str(tmp_path)],
        input=b"Is https://example.org/x up?\n\xff (also https://example.org/y).\n",
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    found = {item["url"]: item["sources"] for item in json.loads(result.stdout)["links"]}
    assert found == {
        "https://a.example/": ["a.md:3"],
        "https://example.org/x": ["(stdin):1"],
        "https://example.org/y": ["(stdin):2"],  # a byte that is not UTF-8 does not stop the reading
    }


def test_standard_input_is_no_file_for_annotations(tmp_path, httpserver, monkeypatch):
    """A problem read from standard input is shown on the run, not on a file named "(stdin)"."""
    from archkb.linkcheck.annotations import to_annotations
    from archkb.linkcheck.command import _locator
    from archkb.linkcheck.report import Report
    from archkb.linkcheck.states import Result, State

    monkeypatch.setenv("GITHUB_WORKSPACE", str(tmp_path))
    report = Report(results=[Result("https://gone.example/", State.BROKEN, 404, sources=["(stdin):1", "a.md:2"])])
    assert [(a.file, a.line) for a in to_annotations(report, locate=_locator(tmp_path))] == [(None, None), ("a.md", 2)]


def test_standard_input_is_read_once(tmp_path):
    result = CliRunner().invoke(check_links, ["-", "--files-from", "-", "--dump", "--root", str(tmp_path)], input="")
    assert result.exit_code == 3 and "standard input is read once" in result.output
