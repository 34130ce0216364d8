"""Packaging and licences: one version, SPDX licence metadata, both engines' entry points, licence files."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import archkb

REPO = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
CC_BY_LEGALCODE = "https://creativecommons.org/licenses/by/4.0/legalcode"


def test_the_version_is_written_once_in_the_package():
    project = PYPROJECT["project"]
    assert "version" not in project and "version" in project["dynamic"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "archkb.__version__"}
    # setuptools reads it without importing the package, so it must stay a plain string assignment.
    init = (REPO / "plugins/archkb/__init__.py").read_text(encoding="utf-8")
    assert re.search(rf'^__version__ = "{re.escape(archkb.__version__)}"$', init, re.M)


def test_licence_metadata_is_spdx_with_its_file():
    project = PYPROJECT["project"]
    assert project["license"] == "MIT"  # an SPDX expression (PEP 639), not a table
    assert project["license-files"] == ["LICENSE"]
    requires = PYPROJECT["build-system"]["requires"]
    assert any(re.fullmatch(r"setuptools>=(\d+)", r) and int(r.split(">=")[1]) >= 77 for r in requires), requires


def test_licence_files_say_what_they_cover():
    code = (REPO / "LICENSE").read_text(encoding="utf-8")
    assert code.startswith("MIT License") and 'THE SOFTWARE IS PROVIDED "AS IS"' in code
    content = (REPO / "LICENSE-content.md").read_text(encoding="utf-8")
    assert "Creative Commons Attribution 4.0 International" in content and CC_BY_LEGALCODE in content
    for folder in ("patterns/", "references/", "paths/", "docs/"):
        assert f"`{folder}`" in content, folder
    contributing = (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")
    licences = contributing.split("## Licences", 1)[1].split("\n## ", 1)[0]
    assert "CC BY 4.0" in licences and "CC BY-SA" in licences and "MIT" in licences  # the choice, and why


def test_the_footer_names_both_licences():
    from mkdocs.config import load_config

    cfg = load_config(config_file=str(REPO / "mkdocs.yml"))
    assert "https://creativecommons.org/licenses/by/4.0/" in cfg.copyright and "CC BY 4.0" in cfg.copyright
    assert "MIT" in cfg.copyright


def test_mkdocs_and_properdocs_entry_points_load_the_same_plugin():
    points = PYPROJECT["project"]["entry-points"]
    assert points["mkdocs.plugins"] == {"archkb": "archkb.mkdocs.plugin:ArchkbPlugin"}
    assert points["properdocs.plugins"] == points["mkdocs.plugins"]
