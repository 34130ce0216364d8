"""``archkb check-links --format github``: annotations on the lines that cite each problem, every
field escaped as the Actions runner reads it, the text report with commands stopped, the job summary."""

from __future__ import annotations

import re

from click.testing import CliRunner

from archkb.linkcheck import Report, Result, State
from archkb.linkcheck.annotations import (
    ANNOTATIONS_PER_KIND,
    Annotation,
    render_github,
    step_summary,
    to_annotations,
)
from archkb.linkcheck.command import check_links
from archkb.linkcheck.states import STATE_INFO


def unescape(text: str, *, prop: bool) -> str:
    """As the runner reads a command (actions/runner ActionCommand): properties, then data."""
    if prop:
        text = text.replace("%3A", ":").replace("%2C", ",")
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def commands(output: str) -> list[tuple[str, dict[str, str], str]]:
    """The workflow commands the runner would act on in ``output``, honouring stop-commands."""
    found, stopped = [], None
    for line in output.split("\n"):
        if stopped is not None:
            if line == f"::{stopped}::":
                stopped = None
            continue
        match = re.match(r"^::([A-Za-z-]+)(?: ([^:]*))?::(.*)$", line)
        if not match:
            continue
        name, props, data = match.groups()
        if name == "stop-commands":
            stopped = data
            continue
        fields = dict(p.split("=", 1) for p in props.split(",")) if props else {}
        found.append((name, {k: unescape(v, prop=True) for k, v in fields.items()}, unescape(data, prop=False)))
    return found


def result(url: str, state: State, *sources: str, **extra) -> Result:
    return Result(url, state, sources=list(sources), **extra)


def test_each_problem_is_annotated_on_every_line_that_cites_it():
    report = Report(
        [
            result("https://a.example/gone", State.BROKEN, "docs/a.md:3", "patterns/b.md:12", status=404),
            result(
                "https://b.example/old", State.REDIRECTED, "docs/a.md:7", status=301, final_url="https://b.example/new"
            ),
            result("https://c.example/", State.ERROR, "references/c.yml:4", message="timed out after 10s"),
            result("https://d.example/", State.OK, "docs/a.md:9"),
            result("mailto:x@example.org", State.SKIPPED, "docs/a.md:10"),
        ]
    )
    got = commands(render_github(report))
    assert got == [
        ("error", {"file": "docs/a.md", "line": "3", "title": "Link broken"}, "https://a.example/gone: 404"),
        ("error", {"file": "patterns/b.md", "line": "12", "title": "Link broken"}, "https://a.example/gone: 404"),
        (
            "warning",
            {"file": "docs/a.md", "line": "7", "title": "Link moved"},
            "https://b.example/old: now https://b.example/new",  # the status is the new page's
        ),
        (
            "notice",
            {"file": "references/c.yml", "line": "4", "title": "Link could not be checked (error)"},
            "https://c.example/: timed out after 10s",
        ),
    ]


def test_hostile_fields_cannot_break_out_of_their_command():
    url = "https://x.example/%0A::set-env name=X::1,file=evil:\r\n::error::forged"
    hostile = result(url, State.BROKEN, "docs/a,b:c%2C.md:5", message="reset\n::add-mask::x")
    output = render_github(Report([hostile]), token="t0k3n")
    (name, props, data), *rest = commands(output)
    assert rest == [] and name == "error"
    assert props == {"file": "docs/a,b:c%2C.md", "line": "5", "title": "Link broken"}  # read back exactly
    assert "\n" not in data and "\r" not in data  # shown as escapes by printable(), not as line breaks
    assert data.startswith("https://x.example/%0A::set-env")  # the literal %0A stays three characters
    # Outside the stopped block, every line is one of our commands, and the block ends with our token.
    lines = output.split("\n")
    start = lines.index("::stop-commands::t0k3n")
    assert all(line.startswith(("::error ", "::warning ", "::notice ")) for line in lines[:start])
    assert lines[-2:] == ["::t0k3n::", ""] and output.count("::t0k3n::") == 1


def test_the_text_report_sits_between_stop_commands_and_a_fresh_token():
    report = Report([result("https://a.example/", State.BROKEN, "a.md:1", message="::error::from the server")])
    first, second = render_github(report), render_github(report)
    tokens = [re.search(r"^::stop-commands::(\w+)$", text, re.M).group(1) for text in (first, second)]
    assert tokens[0] != tokens[1] and len(tokens[0]) >= 32
    assert "BROKEN     https://a.example/" in first  # the human report is in the log too
    assert [c[0] for c in commands(first)] == ["error"]  # the server's "::error::" acts on nothing


def test_past_ten_of_a_kind_one_notice_says_how_many_were_left_out():
    broken = [result(f"https://x.example/{i}", State.BROKEN, f"docs/a.md:{i + 1}") for i in range(13)]
    refused = [result(f"https://y.example/{i}", State.BLOCKED, f"docs/b.md:{i + 1}") for i in range(10)]
    got = commands(render_github(Report(broken + refused)))
    levels = [c[0] for c in got]
    assert levels.count("error") == ANNOTATIONS_PER_KIND
    assert levels.count("notice") == ANNOTATIONS_PER_KIND  # 9 refusals and the note
    assert got[-1][1]["title"] == "More link problems"
    assert got[-1][2].startswith("4 more annotations were left out")  # 3 errors and 1 refusal


def test_ten_notices_fit_when_nothing_else_is_left_out():
    refused = [result(f"https://y.example/{i}", State.BLOCKED, f"docs/b.md:{i + 1}") for i in range(10)]
    got = commands(render_github(Report(refused)))
    assert len(got) == 10 and all(c[1]["title"] == "Link could not be checked (refused)" for c in got)


def test_a_source_without_a_line_or_outside_the_repository_still_gets_an_annotation():
    report = Report(
        [result("https://a.example/", State.BROKEN, "links.txt"), result("https://b.example/", State.BROKEN)]
    )
    got = commands(render_github(report, locate=lambda s: None))
    assert [(c[0], c[1]) for c in got] == [("error", {"title": "Link broken"})] * 2


def test_every_state_that_is_a_problem_has_an_annotation_kind():
    for state, info in STATE_INFO.items():
        assert (info.annotation is None) == (info.problem_rank is None), state
        assert info.annotation in (None, "error", "warning", "notice")
    assert [a.level for a in to_annotations(Report([result("u", State.BROKEN, "a.md:1")]))] == ["error"]


def test_an_annotation_without_a_file_names_no_line():
    assert Annotation("error", "T", "m", None, 3).command() == "::error title=T::m"


def test_the_job_summary_is_cut_at_a_line_under_the_limit():
    markdown = "".join(f"| row {i} | ✓ |\n" for i in range(1000))
    assert step_summary(markdown) == markdown
    cut = step_summary(markdown, limit=2000)
    assert len(cut.encode("utf-8")) <= 2000
    assert cut.rstrip().endswith("the log has it._")
    body = cut[: cut.index("\n\n_The rest")]
    assert body and all(re.fullmatch(r"\| row \d+ \| ✓ \|", line) for line in body.split("\n"))


def test_the_command_annotates_the_repository_path_and_writes_the_job_summary(tmp_path, httpserver):
    httpserver.expect_request("/gone").respond_with_data("gone", status=404)
    repo = tmp_path / "repo"
    docs = repo / "project" / "docs"
    docs.mkdir(parents=True)
    (docs / "page.md").write_text(f"# Page\n\n[gone]({httpserver.url_for('/gone')})\n", encoding="utf-8")
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    env = {"CI": "true", "GITHUB_WORKSPACE": str(repo), "GITHUB_STEP_SUMMARY": str(summary)}
    args = [str(docs), "--root", str(repo / "project"), "--allow-private", "--no-cache", "--format", "github"]
    done = CliRunner().invoke(check_links, args, env=env, catch_exceptions=False)
    assert done.exit_code == 2, done.output
    (name, props, data), *rest = commands(done.stdout)
    assert rest == [] and name == "error"
    assert props == {"file": "project/docs/page.md", "line": "3", "title": "Link broken"}
    assert data.startswith(httpserver.url_for("/gone") + ": HTTP 404")
    written = summary.read_text(encoding="utf-8")
    assert written.startswith("earlier step\n# Link check\n") and "| broken | 1 |" in written


def test_without_a_job_summary_the_command_writes_only_its_output(tmp_path, httpserver):
    httpserver.expect_request("/ok").respond_with_data("ok")
    page = tmp_path / "page.md"
    page.write_text(f"[ok]({httpserver.url_for('/ok')})\n", encoding="utf-8")
    args = [str(page), "--root", str(tmp_path), "--allow-private", "--no-cache", "--format", "github"]
    done = CliRunner().invoke(check_links, args, env={"CI": "true"}, catch_exceptions=False)
    assert done.exit_code == 0, done.output
    assert commands(done.stdout) == [] and "1 links: 0 broken" in done.stdout


def test_changed_checks_only_the_links_a_change_adds_where_it_writes_them(site, httpserver, tmp_path):
    from archkb.linkcheck import DEFAULT_REPORT_PATH
    from conftest import git

    httpserver.expect_request("/gone").respond_with_data("gone", status=404)
    site.write("docs/old.md", "# Old\n\n[kept](https://kept.example/)\n")
    git(site.root, "init", "-q")
    git(site.root, "add", ".")
    git(site.root, "commit", "-q", "-m", "base")
    site.write("docs/old.md", f"# Old\n\n[kept](https://kept.example/)\n\nNew: [gone]({httpserver.url_for('/gone')})\n")
    env = {"CI": "true", "GITHUB_WORKSPACE": str(site.root)}
    args = ["--root", str(site.root), "--changed", "HEAD", "--allow-private", "--no-cache", "--format", "github"]
    done = CliRunner().invoke(check_links, args, env=env, catch_exceptions=False)
    assert done.exit_code == 2, done.output
    assert commands(done.stdout) == [
        (
            "error",
            {"file": "docs/old.md", "line": "5", "title": "Link broken"},
            httpserver.url_for("/gone") + ": HTTP 404",
        )
    ]
    assert "1 links:" in done.stdout  # the unchanged links were not checked
    assert not (site.root / DEFAULT_REPORT_PATH).exists()  # a change's links are not the site's link health


def test_changed_takes_no_paths_and_names_an_unknown_revision(site):
    from conftest import git

    git(site.root, "init", "-q")
    git(site.root, "add", ".")
    git(site.root, "commit", "-q", "-m", "base")
    with_paths = CliRunner().invoke(check_links, [str(site.root / "docs"), "--changed", "HEAD"])
    assert with_paths.exit_code == 3 and "takes no PATHs" in with_paths.output
    unknown = CliRunner().invoke(check_links, ["--root", str(site.root), "--changed", "no-such-rev", "--dump"])
    assert unknown.exit_code == 3 and "unknown git revision 'no-such-rev'" in unknown.output
