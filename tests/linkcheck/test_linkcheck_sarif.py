"""``archkb check-links --format sarif``: SARIF 2.1.0 that GitHub's code scanning takes, validated by
Microsoft's SARIF Multitool (installed by ``scripts/install-system-deps.sh``), every field from a
link or a server written by the JSON encoder."""

from __future__ import annotations

import json
import os
import subprocess

from click.testing import CliRunner

from archkb.linkcheck import Report, Result, State
from archkb.linkcheck.command import check_links
from archkb.linkcheck.sarif import render_sarif
from conftest import REPO

MULTITOOL = REPO / "node_modules" / "@microsoft" / "sarif-multitool-linux" / "Sarif.Multitool"


def result(url: str, state: State, *sources: str, **extra) -> Result:
    return Result(url, state, sources=list(sources), **extra)


def run_of(text: str) -> dict:
    log = json.loads(text)
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-2.1.0.json")
    [run] = log["runs"]
    return run


def test_each_problem_is_a_result_at_every_place_that_cites_it():
    report = Report(
        [
            result("https://a.example/gone", State.BROKEN, "docs/my page.md:3", "patterns/b.md:12", message="HTTP 404"),
            result("https://b.example/old", State.REDIRECTED, "docs/a.md:7", final_url="https://b.example/new"),
            result("https://c.example/", State.ERROR, "references/c.yml:4", message="timed out after 10s"),
            result("https://d.example/", State.OK, "docs/a.md:9"),
        ]
    )
    run = run_of(render_sarif(report, version="9.9"))
    driver = run["tool"]["driver"]
    assert driver["name"] == "archkb check-links" and driver["version"] == "9.9"
    rules = [rule["id"] for rule in driver["rules"]]
    assert rules == ["link/broken", "link/error", "link/blocked", "link/redirected"]
    got = [
        (
            r["ruleId"],
            rules[r["ruleIndex"]],
            r["level"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
            r["message"]["text"],
        )
        for r in run["results"]
    ]
    assert got == [
        ("link/broken", "link/broken", "error", "docs/my%20page.md", 3, "https://a.example/gone: HTTP 404"),
        ("link/broken", "link/broken", "error", "patterns/b.md", 12, "https://a.example/gone: HTTP 404"),
        (
            "link/redirected",
            "link/redirected",
            "warning",
            "docs/a.md",
            7,
            "https://b.example/old: now https://b.example/new",
        ),
        ("link/error", "link/error", "note", "references/c.yml", 4, "https://c.example/: timed out after 10s"),
    ]


def test_fingerprints_follow_the_link_not_the_line():
    def fingerprint(url: str, source: str) -> str:
        [r] = run_of(render_sarif(Report([result(url, State.BROKEN, source)])))["results"]
        return r["partialFingerprints"]["archkbLink/v1"]

    assert fingerprint("https://a.example/", "docs/a.md:3") == fingerprint("https://a.example/", "docs/a.md:30")
    assert fingerprint("https://a.example/", "docs/a.md:3") != fingerprint("https://b.example/", "docs/a.md:3")
    assert fingerprint("https://a.example/", "docs/a.md:3") != fingerprint("https://a.example/", "docs/b.md:3")


def test_a_problem_with_no_file_is_a_notification_not_lost():
    report = Report([result("https://a.example/", State.BROKEN, "https://site.example/page:4")])
    run = run_of(render_sarif(report, locate=lambda source: None))
    assert run["results"] == []
    [note] = run["invocations"][0]["toolExecutionNotifications"]
    assert note == {"level": "error", "message": {"text": "https://a.example/"}}


def test_hostile_fields_stay_strings():
    url = 'https://x.example/"},{"ruleId":"forged</script>\u2028'
    report = Report([result(url, State.BROKEN, 'docs/a",b.md:5', message='"]}\n::error::x')])
    run = run_of(render_sarif(report))
    [r] = run["results"]
    assert r["message"]["text"].startswith('https://x.example/"},{"ruleId":"forged</script>')
    assert "\n" not in r["message"]["text"]  # control characters shown as escapes, as in every report
    assert r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "docs/a%22%2Cb.md"


def test_the_command_writes_sarif_that_the_multitool_finds_valid_for_github(tmp_path, httpserver):
    httpserver.expect_request("/gone").respond_with_data("gone", status=404)
    httpserver.expect_request("/old").respond_with_data(
        "", status=301, headers={"Location": httpserver.url_for("/new")}
    )
    httpserver.expect_request("/new").respond_with_data("new", content_type="text/html")
    httpserver.expect_request("/down").respond_with_data("down", status=503)
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a page.md").write_text(
        f"# Page\n\n[gone]({httpserver.url_for('/gone')})\n[old]({httpserver.url_for('/old')})\n"
        f"[down]({httpserver.url_for('/down')})\n[local](missing.md)\n",
        encoding="utf-8",
    )
    out = tmp_path / "links.sarif"
    args = [str(docs), "--root", str(tmp_path), "--allow-private", "--no-cache", "--retries", "0"]
    args += ["--format", "sarif", "--output", str(out)]
    done = CliRunner().invoke(check_links, args, env={"CI": "true", "GITHUB_WORKSPACE": str(tmp_path)})
    assert done.exit_code == 2, done.output
    run = run_of(out.read_text(encoding="utf-8"))
    found = {(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in run["results"]}
    assert found == {("link/broken", 3), ("link/redirected", 4), ("link/error", 5), ("link/broken", 6)}
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]} == {
        "docs/a%20page.md"
    }

    assert MULTITOOL.is_file(), "the SARIF Multitool is missing: run scripts/install-system-deps.sh"
    checked = tmp_path / "validation.sarif"
    env = {**os.environ, "DOTNET_SYSTEM_GLOBALIZATION_INVARIANT": "1", "DOTNET_CLI_TELEMETRY_OPTOUT": "1"}
    subprocess.run(
        [str(MULTITOOL), "validate", str(out), "--rule-kind", "Gh;Sarif", "--output", str(checked)],
        check=True,
        capture_output=True,
        env=env,
        timeout=120,
    )
    findings = json.loads(checked.read_text(encoding="utf-8-sig"))["runs"][0]["results"]
    problems = [(f["ruleId"], f.get("level", "warning"), f["message"].get("arguments")) for f in findings]
    # GitHub's ingestion rules (GH1001-GH1007) all pass; of the SARIF rules, only the advice to name
    # a web page for the tool (SARIF2005) is left: the project has no fixed address to give.
    assert [p for p in problems if p[0] != "SARIF2005"] == []


def test_a_servers_text_never_becomes_an_embedded_link():
    """SARIF viewers read ``[text](target)`` in a plain-text message as a link; a redirect's target
    is a remote server's text, so its brackets are escaped (and a backslash, to keep them so)."""
    moved = "https://x.example/[click here](https://evil.example/)\\"
    report = Report([result("https://a.example/", State.REDIRECTED, "docs/a.md:3", final_url=moved, message="moved")])
    [r] = run_of(render_sarif(report))["results"]
    text = r["message"]["text"]
    assert "[click here](" not in text
    assert "\\[click here\\](https://evil.example/)\\\\" in text
