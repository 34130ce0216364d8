"""Code-health set-up: ruff and mypy configured in pyproject.toml, and the pre-commit hooks that run them.

The suite runs the checks themselves too (mypy on the package, ruff check and ruff format --check on
the whole tree), so CI does, and keeps the set-up from drifting: one Python target, the code's own
line length, mypy strict on the engine-independent core, and hooks that run the pinned tools and
`archkb validate`.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def test_ruff_targets_the_oldest_supported_python_at_the_code_line_length():
    ruff = PYPROJECT["tool"]["ruff"]
    assert PYPROJECT["project"]["requires-python"] == ">=3.11" and ruff["target-version"] == "py311"
    assert ruff["line-length"] == 120
    assert ruff["lint"]["pydocstyle"]["convention"] == "google"  # as the API reference renders docstrings
    assert {"F", "E", "B", "S", "BLE", "D"} <= set(ruff["lint"]["select"])


def test_mypy_is_strict_on_the_core():
    mypy = PYPROJECT["tool"]["mypy"]
    assert mypy["packages"] == ["archkb"] and mypy["mypy_path"] == "plugins" and mypy["python_version"] == "3.11"
    core = next(o for o in mypy["overrides"] if "archkb.catalog.*" in o["module"])
    assert {"archkb.catalog.*", "archkb.safety.*", "archkb.site.*", "archkb.map.*", "archkb.exports.*"} == set(
        core["module"]
    )
    strict_flags = (
        "disallow_any_generics",
        "disallow_untyped_defs",
        "disallow_untyped_calls",
        "warn_return_any",
        "disallow_incomplete_defs",
        "no_implicit_reexport",
        "strict_equality",
        "warn_unreachable",
    )
    assert all(core[flag] is True for flag in strict_flags)


def _tool(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def test_mypy_finds_nothing():
    import subprocess

    done = subprocess.run([_tool("mypy")], cwd=REPO, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-4000:]


def test_ruff_finds_nothing_and_the_code_is_formatted():
    import subprocess

    # The whole tree: the package, the tests, the benchmarks and the scripts.
    lint = subprocess.run([_tool("ruff"), "check", "."], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert lint.returncode == 0, lint.stdout[-4000:]
    fmt = subprocess.run(
        [_tool("ruff"), "format", "--check", "."], cwd=REPO, capture_output=True, text=True, timeout=300
    )
    assert fmt.returncode == 0, fmt.stdout[-4000:]


def test_pre_commit_runs_ruff_mypy_and_archkb_validate_with_the_pinned_tools():
    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}
    assert set(hooks) == {"ruff-check", "ruff-format", "mypy", "archkb-validate"}
    assert hooks["archkb-validate"]["entry"] == "archkb validate"
    assert hooks["archkb-validate"]["pass_filenames"] is False
    assert re.match(r"\^\(patterns/\|references/\|paths/", hooks["archkb-validate"]["files"])
    requirements = (REPO / "requirements-dev.txt").read_text(encoding="utf-8")
    for tool in ("ruff", "mypy", "types-PyYAML", "pre-commit"):
        assert re.search(rf"^{re.escape(tool)}[=>]", requirements, re.M), f"{tool} missing from requirements-dev.txt"
    for hook in hooks.values():  # local hooks use the environment's tools, so these versions
        assert hook["language"] == "system", hook["id"]
