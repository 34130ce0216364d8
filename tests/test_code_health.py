"""Code-health set-up: ruff and mypy configured in pyproject.toml, and the pre-commit hooks that run them.

The checks themselves are not enforced by the test suite yet (the code is being cleaned first);
these tests keep the set-up from drifting: one Python target, the code's own line length, a strict
mypy on the package, and hooks that run the pinned tools and `archkb validate`.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
import yaml

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    tomllib = pytest.importorskip("tomli")

REPO = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def test_ruff_targets_the_oldest_supported_python_at_the_code_line_length():
    ruff = PYPROJECT["tool"]["ruff"]
    assert PYPROJECT["project"]["requires-python"] == ">=3.10" and ruff["target-version"] == "py310"
    assert ruff["line-length"] == 120
    assert ruff["lint"]["pydocstyle"]["convention"] == "google"  # as the API reference renders docstrings
    assert {"F", "E", "B", "S", "BLE", "D"} <= set(ruff["lint"]["select"])


def test_mypy_is_strict_on_the_package():
    mypy = PYPROJECT["tool"]["mypy"]
    assert mypy["strict"] is True and mypy["packages"] == ["archkb"] and mypy["mypy_path"] == "plugins"
    assert mypy["python_version"] == "3.10"


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
