"""The archkb command: validate, export json, schema, new pattern."""

from __future__ import annotations

import json

from click.testing import CliRunner

from archkb.cli import main


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_validate_clean_and_dirty(site):
    result = run("validate", "--root", str(site.root))
    assert result.exit_code == 0, result.output
    assert "3 patterns, 2 references, 0 reading paths: no problems" in result.output
    site.write("patterns/beta.md", "---\ntitle: Beta\nsumary: x.\n---\n")
    result = run("validate", "--root", str(site.root))
    assert result.exit_code == 1
    assert "patterns/beta.md:3: unknown field 'sumary' (did you mean 'summary'?)" in result.output


def test_export_json_shape(site):
    result = run("export", "json", "--root", str(site.root))
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    alpha = next(p for p in data["patterns"] if p["slug"] == "alpha")
    assert alpha["title"] == "Alpha" and alpha["tags"] == ["testing"]
    assert alpha["related"] == [{"pattern": "beta", "type": "uses", "note": "Alpha leans on beta."},
                                {"pattern": "gamma", "type": "alternative-to"}]
    assert alpha["references"] == ["ref-a", "ref-b"]
    ref = data["references"][0]
    assert {k: ref[k] for k in ("id", "title", "authors", "year", "kind", "url")} == {
        "id": "ref-a", "title": "A & B: the first reference", "authors": ["Ada Lovelace", "Charles Babbage"],
        "year": 1843, "kind": "paper", "url": "https://example.com/a"}
    # Beta declares nothing: related lists relations as declared, not inverses.
    assert next(p for p in data["patterns"] if p["slug"] == "beta")["related"] == []


def test_schema_command_prints_the_model_schema():
    from archkb.catalog.model import pattern_schema

    result = run("schema")
    assert result.exit_code == 0
    assert json.loads(result.output) == pattern_schema()


def test_new_pattern_writes_a_valid_draft(site):
    result = run("new", "pattern", "Event Sourcing: the Basics", "--root", str(site.root))
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "patterns/event-sourcing-the-basics.md"
    assert "status: draft" in (site.root / "patterns/event-sourcing-the-basics.md").read_text()
    assert run("validate", "--root", str(site.root)).exit_code == 0
    again = CliRunner().invoke(main, ["new", "pattern", "Event Sourcing: the Basics", "--root", str(site.root)])
    assert again.exit_code == 1 and "already exists" in again.output


def test_console_script_is_installed():
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    exe = Path(sys.executable).parent / "archkb"
    assert exe.exists() or shutil.which("archkb")
    out = subprocess.run([str(exe) if exe.exists() else "archkb", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and "archkb" in out.stdout


def test_plugin_entry_point_is_registered():
    from importlib.metadata import entry_points

    names = {ep.name: ep.value for ep in entry_points(group="mkdocs.plugins")}
    assert names.get("archkb") == "archkb.mkdocs.plugin:ArchkbPlugin"
