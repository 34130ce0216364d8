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
    assert alpha["related"] == [
        {"pattern": "beta", "type": "uses", "note": "Alpha leans on beta."},
        {"pattern": "gamma", "type": "alternative-to"},
    ]
    assert alpha["references"] == ["ref-a", "ref-b"]
    ref = data["references"][0]
    assert {k: ref[k] for k in ("id", "title", "authors", "year", "kind", "url")} == {
        "id": "ref-a",
        "title": "A & B: the first reference",
        "authors": ["Ada Lovelace", "Charles Babbage"],
        "year": 1843,
        "kind": "paper",
        "url": "https://example.com/a",
    }
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


# --- the console script (archkb.cli.run) ends the process without the interpreter's teardown ----------


def _console(tmp_path, body: str, *args: str):
    import subprocess
    import sys

    script = "import sys\n" + body + f"\nsys.argv = ['archkb', *{list(args)!r}]\nfrom archkb.cli import run\nrun()\n"
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path, timeout=60)


def test_the_console_script_keeps_exit_codes_output_and_exit_handlers(tmp_path):
    page = tmp_path / "links.md"
    page.write_text("".join(f"[l{n}](https://example.org/{n})\n" for n in range(3000)), encoding="utf-8")
    handler = "import atexit\natexit.register(lambda: print('exit handler ran', file=sys.stderr))"
    done = _console(
        tmp_path,
        handler,
        "check-links",
        str(page),
        "--root",
        str(tmp_path),
        "--offline",
        "--no-cache",
        "--format",
        "json",
    )
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)["results"]) == 3000  # all of a large output reached the pipe
    assert "exit handler ran" in done.stderr
    usage = _console(tmp_path, "", "check-links", str(tmp_path / "missing.md"))
    assert usage.returncode == 3 and "does not exist" in usage.stderr
    assert _console(tmp_path, "", "--version").stdout.startswith("archkb, version ")


def test_the_console_script_waits_for_a_thread_still_at_work(tmp_path):
    body = (
        "import threading, time\n"
        "def work():\n    time.sleep(0.3)\n    open('written-late.txt', 'w').write('done')\n"
        "threading.Thread(target=work).start()"
    )
    done = _console(tmp_path, body, "--version")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "written-late.txt").read_text() == "done"


def test_the_console_script_lets_a_profiler_write_its_results(tmp_path):
    import subprocess
    import sys

    script = tmp_path / "archkb_script.py"
    script.write_text("import sys\nsys.argv[0] = 'archkb'\nfrom archkb.cli import run\nrun()\n", encoding="utf-8")
    out = tmp_path / "profile.out"
    done = subprocess.run(
        [sys.executable, "-m", "cProfile", "-o", str(out), str(script), "--version"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("archkb, version ") and out.stat().st_size > 0
