"""The ``archkb check-links`` command: inputs, formats, exit codes, the report file, internal links."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from archkb.linkcheck import DEFAULT_REPORT_PATH, Report, State
from archkb.linkcheck.command import check_links


@pytest.fixture
def web(httpserver):
    """A threaded local server with an HTML page (ids ``top`` and ``sec``) and a 404."""
    page = '<html><body><h1 id="top">T</h1><h2 id="sec">S</h2></body></html>'
    httpserver.expect_request("/ok").respond_with_data(page, content_type="text/html")
    httpserver.expect_request("/gone").respond_with_data("gone", status=404)
    return httpserver


def write_site(root: Path, base: str) -> Path:
    """A small built site: two pages with external, internal and anchor links."""
    site = root / "site"
    (site / "other").mkdir(parents=True)
    (site / "index.html").write_text(
        "<html><body>\n"
        f'<a href="{base}/ok">ok</a>\n'
        f'<a href="{base}/ok#sec">ok anchor</a>\n'
        '<a href="other/">other</a>\n'
        '<a href="other/#part">other anchor</a>\n'
        '<a href="#here">self anchor</a>\n'
        '<h2 id="here">Here</h2>\n'
        "</body></html>\n",
        encoding="utf-8",
    )
    (site / "other" / "index.html").write_text(
        "<html><body>\n"
        '<h2 id="part">Part</h2>\n'
        '<a href="../">home</a>\n'
        '<a href="../index.html#here">home anchor</a>\n'
        '<a href="mailto:x@example.org">mail</a>\n'
        "</body></html>\n",
        encoding="utf-8",
    )
    return site


def run(args: list[str], env: dict | None = None):
    return CliRunner().invoke(check_links, args, env=env or {"CI": "true"}, catch_exceptions=False)


def test_clean_site_exits_0_and_leaves_the_project_report_alone(tmp_path, web):
    site = write_site(tmp_path, web.url_for("").rstrip("/"))
    result = run([str(site), "--root", str(tmp_path), "--allow-private", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["summary"]["broken"] == 0
    states = {(r["url"], r["state"]) for r in data["results"]}
    assert (web.url_for("/ok"), "ok") in states
    assert ("other/#part", "ok") in states and ("#here", "ok") in states and ("../index.html#here", "ok") in states
    assert ("mailto:x@example.org", "skipped") in states
    # Checking some site folder must not overwrite the link health readers see.
    assert Report.load(tmp_path / DEFAULT_REPORT_PATH) is None


def test_broken_links_exit_2_with_sources(tmp_path, web):
    site = write_site(tmp_path, web.url_for("").rstrip("/"))
    page = site / "other" / "index.html"
    page.write_text(
        page.read_text()
        + f'<a href="{web.url_for("/gone")}">gone</a>\n<a href="../missing/">missing</a>\n<a href="../#nope">bad anchor</a>\n'
        + f'<a href="{web.url_for("/ok")}#absent">bad remote anchor</a>\n'
    )
    result = run([str(site), "--root", str(tmp_path), "--allow-private"])
    assert result.exit_code == 2, result.output
    out = result.stdout
    assert "BROKEN" in out and web.url_for("/gone") in out
    assert "in site/other/index.html:7" in out  # sources are root-relative path:line
    assert "no page at missing/ in the built site" in out
    assert "anchor #nope is not an id on index.html" in out
    assert "#absent is not on the page" in out


def test_formats(tmp_path, web):
    site = write_site(tmp_path, web.url_for("").rstrip("/"))
    (site / "index.html").write_text(f'<a href="{web.url_for("/gone")}">g</a><a href="nowhere/">n</a>')
    junit = tmp_path / "out" / "links.xml"
    result = run([str(site), "--root", str(tmp_path), "--allow-private", "--format", "junit", "--output", str(junit)])
    assert result.exit_code == 2
    tree = ET.parse(junit)
    suite = tree.getroot().find("testsuite")
    # /gone, nowhere/ and other/'s link to the #here anchor the rewritten index no longer has
    assert suite.get("failures") == "3"
    assert len(tree.getroot().findall(".//failure")) == 3
    result = run([str(site), "--root", str(tmp_path), "--allow-private", "--format", "markdown"])
    assert "| broken | 3 |" in result.stdout and "no page at nowhere/" in result.stdout


def test_offline_checks_internal_links_only(tmp_path, web):
    site = write_site(tmp_path, web.url_for("").rstrip("/"))
    (site / "other" / "index.html").write_text('<a href="../#nope">x</a>')
    result = run([str(site), "--root", str(tmp_path), "--offline", "--format", "json"])
    assert result.exit_code == 2
    data = json.loads(result.stdout)
    assert len(web.log) == 0
    by_url = {r["url"]: r for r in data["results"]}
    assert by_url["../#nope"]["state"] == "broken"
    assert by_url[web.url_for("/ok")]["state"] == "skipped"


def test_guard_is_on_by_default(tmp_path, web):
    md = tmp_path / "page.md"
    md.write_text(f"[local]({web.url_for('/ok')})\n")
    result = run([str(md), "--root", str(tmp_path), "--format", "json", "--no-cache"])
    assert result.exit_code == 0
    (entry,) = json.loads(result.stdout)["results"]
    assert entry["state"] == "skipped" and "--allow-private" in entry["message"]
    assert len(web.log) == 0


def test_markdown_inputs(tmp_path, web):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.md").write_text(f"Intro\n\n[gone]({web.url_for('/gone')})\n[rel](b.md)\n")
    result = run([str(docs), "--root", str(tmp_path), "--allow-private", "--format", "json"])
    assert result.exit_code == 2
    results = {r["url"]: r for r in json.loads(result.stdout)["results"]}
    gone = results[web.url_for("/gone")]
    assert gone["state"] == "broken" and gone["sources"] == ["docs/a.md:3"]
    rel = results["b.md"]  # a local file, checked offline: not there
    assert rel["state"] == "broken" and rel["sources"] == ["docs/a.md:4"] and len(results) == 2


@pytest.mark.parametrize(
    "args",
    [
        ["--format", "xml"],
        ["does-not-exist.html"],
        ["--per-host", "0"],
        ["--timeout", "0"],
        ["--exclude", "(unclosed"],
        ["--remap", r"(x) \9"],  # a group the pattern does not have
        ["--remap", r"(x) \g<name>"],
        ["--dump", "--format", "junit"],
        ["--no-such-option"],
    ],
)
def test_usage_and_config_errors_exit_3(tmp_path, args):
    (tmp_path / "p.md").write_text("[a](https://example.org)\n")
    result = run(
        ["--root", str(tmp_path), "--offline", *args]
        + ([] if "does-not-exist.html" in args else [str(tmp_path / "p.md")])
    )
    assert result.exit_code == 3, result.output
    assert "Traceback" not in result.output


def test_wrong_kind_of_file_exits_3(tmp_path):
    (tmp_path / "notes.txt").write_text("x")
    result = run([str(tmp_path / "notes.txt"), "--root", str(tmp_path)])
    assert result.exit_code == 3
    assert "not an HTML (.html) or Markdown (.md) file" in result.output


def test_no_project_without_paths_exits_3(tmp_path):
    result = run(["--root", str(tmp_path)])
    assert result.exit_code == 3
    assert "mkdocs.yml" in result.output


def test_corrupt_cache_is_a_warning_not_a_crash(tmp_path, web):
    cache = tmp_path / "cache.json"
    cache.write_text("\x00\x01 not json")
    md = tmp_path / "p.md"
    md.write_text(f"[ok]({web.url_for('/ok')})\n")
    result = run([str(md), "--root", str(tmp_path), "--allow-private", "--cache", str(cache)])
    assert result.exit_code == 0
    assert "warning:" in result.stderr and "corrupt" in result.stderr
    assert json.loads(cache.read_text())["entries"]


def test_report_load_never_raises(tmp_path):
    assert Report.load(tmp_path / "missing.json") is None
    (tmp_path / "bad.json").write_text("{not json")
    assert Report.load(tmp_path / "bad.json") is None
    (tmp_path / "wrong.json").write_text('{"results": [{"url": 1}]}')
    assert Report.load(tmp_path / "wrong.json") is None
    (tmp_path / "state.json").write_text('{"results": [{"url": "x", "state": "weird"}]}')
    assert Report.load(tmp_path / "state.json") is None


def test_progress_only_on_a_terminal_outside_ci(monkeypatch):
    import io

    from archkb.linkcheck.runner import _Progress

    class Tty(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.delenv("CI", raising=False)
    stream = Tty()
    with _Progress(3, enabled=True, stream=stream) as bar:
        bar.advance(State.OK)
    assert stream.getvalue()  # something was drawn
    monkeypatch.setenv("CI", "true")
    stream = Tty()
    with _Progress(3, enabled=True, stream=stream) as bar:
        bar.advance(State.OK)
    assert stream.getvalue() == ""
    stream = io.StringIO()  # not a terminal
    monkeypatch.delenv("CI")
    with _Progress(3, enabled=True, stream=stream) as bar:
        bar.advance(State.OK)
    assert stream.getvalue() == ""


def write_project(root: Path, base: str) -> None:
    """A minimal project: mkdocs.yml, one reference file, one pattern, one docs page."""
    (root / "mkdocs.yml").write_text("site_name: Test\n")
    (root / "references").mkdir()
    (root / "references" / "t.yml").write_text(
        "topic: Testing\n"
        "description: References for the link checker test.\n"
        "references:\n"
        "  - id: doe-2020-gone\n"
        "    title: A page that is gone\n"
        "    authors: [Jane Doe]\n"
        "    year: 2020\n"
        "    kind: article\n"
        f"    url: {base}/gone\n"
        f"    archived_url: {base}/ok\n"
        "    summary: >-\n"
        "      A reference whose page is gone. It exists to test the link checker.\n",
        encoding="utf-8",
    )
    (root / "patterns").mkdir()
    (root / "patterns" / "p.md").write_text(f"---\ntitle: P\n---\n\n## Context\n\nSee [it]({base}/ok#sec).\n")
    (root / "docs" / "guide").mkdir(parents=True)
    (root / "docs" / "guide" / "index.md").write_text(f"# Guide\n\n[home](../index.md) and <{base}/ok>\n")


def test_no_path_checks_the_projects_own_links(tmp_path, web):
    base = web.url_for("").rstrip("/")
    write_project(tmp_path, base)
    from archkb.catalog.loader import load_catalog

    refs = load_catalog(tmp_path).references
    assert "doe-2020-gone" in refs, "fixture reference must load"
    result = run(["--root", str(tmp_path), "--allow-private", "--format", "json"])
    assert result.exit_code == 2, result.output
    by_url = {r["url"]: r for r in json.loads(result.stdout)["results"]}
    assert set(by_url) == {f"{base}/gone", f"{base}/ok", f"{base}/ok#sec"}
    ref_source = f"references/t.yml:{refs['doe-2020-gone'].line}"
    assert by_url[f"{base}/gone"]["state"] == "broken"
    assert by_url[f"{base}/gone"]["sources"] == [ref_source]
    assert by_url[f"{base}/ok"]["sources"] == [ref_source, "docs/guide/index.md:3"]
    assert by_url[f"{base}/ok#sec"]["sources"] == ["patterns/p.md:7"]
    assert by_url[f"{base}/ok#sec"]["state"] == "ok"
    saved = Report.load(tmp_path / DEFAULT_REPORT_PATH)
    assert saved is not None and saved.to_json() == json.loads(result.stdout)
    # An offline run knows only the cache: it leaves the reader-facing report alone.
    offline = run(["--root", str(tmp_path), "--offline", "--no-cache", "--format", "json"])
    assert offline.exit_code == 0, offline.output
    assert {r["state"] for r in json.loads(offline.stdout)["results"]} == {"skipped"}
    assert Report.load(tmp_path / DEFAULT_REPORT_PATH).to_json() == saved.to_json()


def test_root_relative_links_resolve_under_the_sites_base_path(tmp_path):
    site = tmp_path / "site"
    (site / "guide").mkdir(parents=True)
    (site / "index.html").write_text(
        '<html><head><link rel="canonical" href="https://example.invalid/kb/"></head><body>\n'
        '<a href="exports/data.json">exports</a>\n</body></html>\n'
    )
    (site / "guide" / "index.html").write_text('<h2 id="s">S</h2>')
    (site / "404.html").write_text(
        '<a href="/kb/guide/">ok</a>\n<a href="/kb/guide/#s">ok anchor</a>\n'
        '<a href="/kb/nope/">broken</a>\n<a href="/other-site/">elsewhere</a>\n'
    )
    result = run([str(site), "--root", str(tmp_path), "--format", "json"])
    assert result.exit_code == 2
    by_url = {r["url"]: r for r in json.loads(result.stdout)["results"]}
    assert by_url["/kb/guide/"]["state"] == "ok" and by_url["/kb/guide/#s"]["state"] == "ok"
    assert by_url["/kb/nope/"]["state"] == "broken"
    assert by_url["/other-site/"]["state"] == "skipped"
    assert by_url["exports/data.json"]["message"] == "no page at exports/data.json in the built site"
    assert by_url["exports/data.json"]["sources"] == ["site/index.html:2"]


def test_check_site_api_offline_and_online(tmp_path, web):
    from archkb.linkcheck import Settings, check_site

    site = write_site(tmp_path, web.url_for("").rstrip("/"))
    settings = Settings(cache_path=str(tmp_path / "c.json"), allow_private=True, timeout=2)
    offline = check_site(site, settings, external=False)
    assert len(web.log) == 0
    assert offline.summary["broken"] == 0 and offline.summary["skipped"] >= 2
    online = check_site(site, settings)
    assert online.by_url()[web.url_for("/ok")].state is State.OK
    assert online.by_url()["other/#part"].sources == ["index.html:5"]
    # the build's offline run now knows the external verdicts from the cache
    again = check_site(site, settings, external=False)
    assert again.by_url()[web.url_for("/ok") + "#sec"].state is State.OK
