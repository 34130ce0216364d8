"""Where links are untrusted (CI on pull requests), the private-address policy cannot be turned off."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from archkb.linkcheck import Link, Settings, SettingsError, State, check_urls
from archkb.linkcheck.command import check_links
from archkb.linkcheck.guard import FORCE_GUARD_ENV, guard_forced

WORKFLOWS = Path(__file__).resolve().parents[2] / ".github/workflows"


@pytest.mark.parametrize(("value", "forced"), [("1", True), ("yes", True), ("", False), ("0", False), (None, False)])
def test_guard_forced_reads_the_environment(monkeypatch, value, forced):
    if value is None:
        monkeypatch.delenv(FORCE_GUARD_ENV, raising=False)
    else:
        monkeypatch.setenv(FORCE_GUARD_ENV, value)
    assert guard_forced() is forced


@pytest.mark.parametrize("changes", [{"allow_private": True}, {"allow_hosts": ["docs.test"]}])
def test_a_forced_guard_refuses_to_be_turned_off(monkeypatch, tmp_path, changes):
    monkeypatch.setenv(FORCE_GUARD_ENV, "1")
    settings = Settings(cache_path=str(tmp_path / "c.json"), **changes)
    with pytest.raises(SettingsError, match=f"is refused here: {FORCE_GUARD_ENV} is set"):
        check_urls([Link("https://example.org/", "a.md:1")], settings)


def test_a_forced_guard_still_allows_offline_runs(monkeypatch, tmp_path):
    monkeypatch.setenv(FORCE_GUARD_ENV, "1")
    settings = Settings(cache_path=str(tmp_path / "c.json"), allow_private=True, offline=True)
    (result,) = check_urls([Link("https://example.org/", "a.md:1")], settings).results
    assert result.state is State.SKIPPED  # nothing is sent offline, so nothing to refuse


def test_cli_refuses_allow_private_with_exit_3_and_no_traceback(monkeypatch, tmp_path):
    page = tmp_path / "p.md"
    page.write_text("<https://example.org/>\n")
    result = CliRunner().invoke(
        check_links, [str(page), "--root", str(tmp_path), "--allow-private"], env={"CI": "true", FORCE_GUARD_ENV: "1"}
    )
    assert result.exit_code == 3
    assert "--allow-private (link_check.allow_private) is refused here: ARCHKB_FORCE_GUARD is set" in result.output
    assert "Traceback" not in result.output


def _steps(name: str) -> list[dict]:
    workflow = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


@pytest.mark.parametrize("name", ["ci.yml", "link-health.yml"])
def test_workflow_link_steps_force_the_guard_and_never_turn_it_off(name):
    text = (WORKFLOWS / name).read_text(encoding="utf-8")
    for step in _steps(name):  # no command of the workflow turns the policy off
        assert "--allow-private" not in step.get("run", "") and "--allow-host" not in step.get("run", "")
    touching = [
        s for s in _steps(name) if "archkb check-links" in s.get("run", "") or "mkdocs build" in s.get("run", "")
    ]
    assert touching, name
    for step in touching:
        assert step.get("env", {}).get(FORCE_GUARD_ENV) == "1", step["name"]
    workflow = yaml.safe_load(text)
    for job in workflow["jobs"].values():  # the tests use local servers: never forced for the whole job
        assert FORCE_GUARD_ENV not in job.get("env", {}) and FORCE_GUARD_ENV not in workflow.get("env", {})


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"github_hosts": ["github.com", "Collector.Example."]}, "github_hosts collector.example is refused here"),
        ({"github_https_only": False}, "sending the GitHub token over plain HTTP is refused here"),
    ],
)
def test_a_forced_guard_keeps_the_token_on_githubs_own_hosts(monkeypatch, tmp_path, changes, named):
    """github_hosts comes from project files that a pull request can change, and the token is the
    workflow's: where the guard is forced, the token goes to GitHub's two hosts over HTTPS or the
    run is refused, before anything is sent."""
    monkeypatch.setenv(FORCE_GUARD_ENV, "1")
    settings = Settings(cache_path=str(tmp_path / "c.json"), github_token="secret-token", **changes)
    with pytest.raises(SettingsError, match=named) as refused:
        check_urls([Link("https://example.org/", "a.md:1")], settings)
    assert "secret-token" not in str(refused.value)
    # Without the token there is nothing to send; with it, GitHub's own hosts over HTTPS are allowed.
    for allowed in (settings.replace(github_token=None), Settings(cache_path=settings.cache_path, github_token="t")):
        (result,) = check_urls([Link("https://example.org/", "a.md:1")], allowed.replace(excludes=[".*"])).results
        assert result.state is State.SKIPPED  # excluded: checked without a request


def test_cli_refuses_a_project_file_that_sends_the_token_elsewhere(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.archkb.link_check]\ngithub_hosts = ["collector.example"]\n')
    (tmp_path / "mkdocs.yml").write_text("site_name: x\n")
    page = tmp_path / "p.md"
    page.write_text("<https://example.org/>\n")
    env = {"CI": "true", FORCE_GUARD_ENV: "1", "GITHUB_TOKEN": "secret-token"}
    result = CliRunner().invoke(check_links, [str(page), "--root", str(tmp_path)], env=env)
    assert result.exit_code == 3, result.output
    assert "github_hosts collector.example is refused here: ARCHKB_FORCE_GUARD is set" in result.output
    assert "secret-token" not in result.output and "Traceback" not in result.output
