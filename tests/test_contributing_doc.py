"""Contributor-facing documents say what the code does: CONTRIBUTING.md, the reference pages, the changelog."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

import archkb
from archkb.catalog.model import CONSEQUENCE_SUBSECTIONS, REFERENCE_KINDS, TEMPLATE_SECTIONS
from archkb.catalog.relations import RELATION_TYPES
from archkb.mkdocs.docs_fragments import (
    FRAGMENTS,
    START,
    config_options,
    iter_commands,
    render_command_reference,
    update_file,
    update_text,
)

REPO = Path(__file__).resolve().parent.parent
REFRESH = "python -m archkb.mkdocs.docs_fragments docs/reference/*.md"


def read(rel: str) -> str:
    return (REPO / rel).read_text(encoding="utf-8")


# --- generated reference pages ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "fragment"),
    [("docs/reference/commands.md", "commands"), ("docs/reference/configuration.md", "configuration")],
)
def test_generated_reference_pages_are_current(page, fragment):
    assert START.format(name=fragment) in read(page)
    assert not update_file(REPO / page, check=True), f"{page} is out of date; run: {REFRESH}"


def test_every_command_and_option_is_in_the_command_reference():
    text = read("docs/reference/commands.md")
    names = [full for full, _ in iter_commands() if full != "archkb"]
    assert {
        "archkb validate",
        "archkb new pattern",
        "archkb new reference",
        "archkb schema",
        "archkb changed-links",
        "archkb check-links",
        "archkb export json",
    } <= set(names)
    for full, command in iter_commands():
        if full == "archkb":
            continue
        assert f"## `{full}`" in text
        for param in command.params:
            if isinstance(param, click.Option) and "--help" not in param.opts:
                assert param.opts[-1] in text, (full, param.opts)


def test_every_config_option_is_in_the_configuration_reference():
    text = read("docs/reference/configuration.md")
    options = config_options()
    assert {"enabled", "patterns_dir", "link_check.fail_on"} <= {o["name"] for o in options}
    for option in options:
        assert f"| `{option['name']}` |" in text
        assert option["doc"], f"{option['name']} has no docstring in archkb/config.py"


def test_update_text_replaces_only_the_region():
    stale = f"# T\n\nkeep me\n\n{START.format(name='commands')}\nSTALE-CONTENT\n<!-- end of generated region -->\n\nand me\n"
    fresh = update_text(stale)
    assert fresh.startswith("# T\n\nkeep me\n\n") and fresh.endswith("<!-- end of generated region -->\n\nand me\n")
    assert "STALE-CONTENT" not in fresh and render_command_reference().strip() in fresh
    assert update_text(fresh) == fresh
    assert set(FRAGMENTS) == {"commands", "configuration"}


# --- CONTRIBUTING.md ----------------------------------------------------------------------------


def section(text: str, heading: str) -> str:
    """The text under a level-two heading, up to the next one (headings inside code blocks do not count)."""
    lines, out, inside, fence = text.splitlines(keepends=True), [], False, None
    for line in lines:
        marker = re.match(r"^\s*(```|~~~)", line)
        if marker:
            fence = None if fence == marker.group(1) else (fence or marker.group(1))
        if fence is None and not marker and line.startswith("## "):
            inside = line.rstrip("\n") == f"## {heading}"
            continue
        if inside:
            out.append(line)
    assert out, f"CONTRIBUTING.md has no '## {heading}' section"
    return "".join(out)


def test_contributing_has_the_four_parts_the_issue_asks_for():
    text = read("CONTRIBUTING.md")
    for heading in ("Add a pattern", "Add a reference", "The page template", "Relations", "Review checklist"):
        section(text, heading)


def test_contributing_lists_every_relation_type_with_its_description():
    relations = section(read("CONTRIBUTING.md"), "Relations")
    for rel in RELATION_TYPES.values():
        row = next((line for line in relations.splitlines() if line.startswith(f"| `{rel.name}` |")), None)
        assert row is not None, f"relation type '{rel.name}' is missing from CONTRIBUTING.md"
        assert rel.description in row, f"'{rel.name}': the description differs from archkb.relations"
        assert (f"`{rel.inverse}`" in row) or rel.symmetric


def test_contributing_template_has_every_section_in_order():
    template = section(read("CONTRIBUTING.md"), "The page template")
    block = re.search(r"```markdown\n(.*?)```", template, re.S)
    assert block, "the template section needs a ```markdown block with the page skeleton"
    skeleton = block.group(1)
    found = re.findall(r"^## (.+)$", skeleton, re.M)
    assert found == list(TEMPLATE_SECTIONS)
    for sub in CONSEQUENCE_SUBSECTIONS:
        assert f"### {sub}" in skeleton
    front = re.search(r"^---\n(.*?)^---$", skeleton, re.M | re.S)
    assert front, "the skeleton starts with front matter"
    from archkb.catalog.model import PatternMeta

    for name in PatternMeta.model_fields:
        assert re.search(rf"^{name}:", front.group(1), re.M), f"front matter field '{name}' is not shown"


def test_contributing_names_every_reference_kind_and_the_commands_that_exist():
    text = read("CONTRIBUTING.md")
    for kind in REFERENCE_KINDS:
        assert f"`{kind}`" in section(text, "Add a reference")
    commands = {full for full, _ in iter_commands()}
    for used in re.findall(r"\b(archkb(?: [a-z][a-z-]*)+)", text):
        words = used.split()
        while len(words) > 1 and " ".join(words) not in commands:
            words.pop()
        assert len(words) > 1, f"CONTRIBUTING.md mentions '{used}', which is not an archkb command"
    for command in (
        "mkdocs serve --livereload",
        "mkdocs build --strict",
        "archkb validate",
        "bash scripts/test.sh",
        "archkb new pattern",
        "archkb new reference",
    ):
        assert command in text


def test_contributing_checklist_matches_the_pull_request_template():
    checklist = section(read("CONTRIBUTING.md"), "Review checklist")
    template = read(".github/PULL_REQUEST_TEMPLATE.md")
    items = re.findall(r"^- \[ \] (.+?)(?=^- |\Z)", template.split("## Review checklist", 1)[1], re.M | re.S)
    assert len(items) >= 5
    for item in items:
        first_words = " ".join(item.split()[:4])
        assert first_words in " ".join(checklist.split()), f"checklist item missing: {first_words!r}"


# --- CHANGELOG.md -------------------------------------------------------------------------------


def test_changelog_follows_keep_a_changelog_and_names_the_version():
    text = read("CHANGELOG.md")
    assert "https://keepachangelog.com/en/1.1.0/" in text and "https://semver.org/" in text
    assert "## [Unreleased]" in text
    match = re.search(r"^## \[(\d+\.\d+\.\d+)\] - (\d{4}-\d{2}-\d{2})$", text, re.M)
    assert match and match.group(1) == archkb.__version__
    headings = set(re.findall(r"^### (.+)$", text, re.M))
    assert headings <= {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}
    from importlib.metadata import version

    assert version("archkb") == archkb.__version__


def test_refresh_command_checks_then_fixes_a_stale_page(tmp_path, capsys):
    from archkb.mkdocs.docs_fragments import main

    page = tmp_path / "configuration.md"
    page.write_text(f"# C\n\n{START.format(name='configuration')}\nSTALE-CONTENT\n<!-- end of generated region -->\n")
    assert main(["--check", str(page)]) == 1
    assert "out of date" in capsys.readouterr().out
    assert "STALE-CONTENT" in page.read_text()
    assert main([str(page)]) == 0
    assert main(["--check", str(page)]) == 0
    assert "| `link_check.fail_on` |" in page.read_text()
