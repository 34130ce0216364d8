"""Portability: the real site and a fixture site build strict on MkDocs 1.6.1 and on ProperDocs 1.6.x.

Both engines run as their command-line tools, exactly as a person runs them
(`mkdocs build --strict`, `properdocs build --strict`), reading the same `mkdocs.yml`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
ENGINES = {"mkdocs": "1.6.1", "properdocs": "1.6."}


def test_engine_versions():
    assert version("mkdocs") == ENGINES["mkdocs"]
    assert version("properdocs").startswith(ENGINES["properdocs"])


def build(engine: str, root: Path, site_dir: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    return subprocess.run(
        [sys.executable, "-m", engine, "build", "--strict", "-f", str(root / "mkdocs.yml"), "-d", str(site_dir)],
        cwd=root,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


@pytest.mark.parametrize("engine", sorted(ENGINES))
def test_real_site_builds_strict(engine, tmp_path, request):
    if engine == "mkdocs":  # the session's shared build of the real site
        real = request.getfixturevalue("real_site")
        assert real.returncode == 0, f"mkdocs build --strict failed:\n{real.output[-4000:]}"
        out = real.site_dir
    else:
        done = build(engine, REPO, tmp_path / "out")
        assert done.returncode == 0, f"{engine} build --strict failed:\n{done.stderr[-4000:]}"
        out = tmp_path / "out"
    assert (out / "patterns/monolith-first/index.html").is_file()
    page = (out / "patterns/monolith-first/index.html").read_text(encoding="utf-8")
    assert "Related patterns" in page and "Further reading" in page
    assert (out / "reading-list/index.html").is_file()
    assert (out / "assets/archkb/archkb.css").is_file()


@pytest.mark.parametrize("engine", sorted(ENGINES))
def test_fixture_site_builds_strict_and_fails_strict_on_a_bad_relation(engine, site, tmp_path):
    done = build(engine, site.root, tmp_path / "good")
    assert done.returncode == 0, done.stderr[-4000:]
    alpha = (tmp_path / "good/patterns/alpha/index.html").read_text(encoding="utf-8")
    assert "Alpha leans on beta." in alpha
    beta = (tmp_path / "good/patterns/beta/index.html").read_text(encoding="utf-8")
    assert "Used by" in beta  # the inverse of alpha's "uses", rendered on the other page

    text = (site.root / "patterns/gamma.md").read_text()
    site.write("patterns/gamma.md", text.replace("pattern: beta", "pattern: betta"))
    bad = build(engine, site.root, tmp_path / "bad")
    assert bad.returncode != 0
    assert "patterns/gamma.md:6: unknown pattern 'betta' in related (did you mean 'beta'?)" in bad.stderr
