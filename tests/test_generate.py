"""One generator, every engine: ``archkb generate`` writes a plugin-free site source (issue #13).

The generated source builds strict with Zensical and with MkDocs without the archkb plugin,
and gives the same pages, with the same relation and citation links on every pattern page,
as the plugin build of the same project. A build that lacks the catalog fails loudly.
"""

from __future__ import annotations

import os
import posixpath
import re
import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from selectolax.lexbor import LexborHTMLParser

from archkb.cli import main
from archkb.site.source_tree import dump_engine_config, load_engine_config
from conftest import REPO, pattern_text

ZENSICAL_VERSION = "0.0.73"
ENV = dict(os.environ, NO_MKDOCS_2_WARNING="1")


def zensical(config: Path, *extra: str) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("zensical")
    return subprocess.run(
        [str(exe), "build", "--strict", "-f", str(config), *extra],
        cwd=config.parent,
        capture_output=True,
        text=True,
        env=ENV,
        timeout=600,
    )


def mkdocs(config: Path, site_dir: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(site_dir)],
        cwd=config.parent,
        capture_output=True,
        text=True,
        env=ENV,
        timeout=600,
    )


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    out = tmp_path_factory.mktemp("generated")
    result = CliRunner().invoke(main, ["generate", "--root", str(REPO), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def zensical_site(generated):
    done = zensical(generated / "mkdocs.yml")
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]
    return generated / "site"


@pytest.fixture(scope="module")
def plain_mkdocs_site(generated, tmp_path_factory):
    site = tmp_path_factory.mktemp("plain-mkdocs") / "site"
    done = mkdocs(generated / "mkdocs.yml", site)
    assert done.returncode == 0, done.stderr[-4000:]
    return site


def test_the_pinned_zensical_is_the_one_tested():
    assert version("zensical") == ZENSICAL_VERSION


def test_generated_config_has_no_archkb_plugin_and_lists_its_assets(generated):
    config = yaml.load((generated / "mkdocs.yml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader)  # noqa: S506 - BaseLoader makes only strings, lists and dicts (!ENV read as text)
    names = [next(iter(p)) if isinstance(p, dict) else p for p in config["plugins"]]
    assert "archkb" not in names
    assert (
        "assets/archkb/archkb.css" in config["extra_css"]
        and "assets/archkb/archkb-filter.js" in config["extra_javascript"]
    )
    assert config["docs_dir"] == "docs" and config["site_dir"] == "site"
    for path in (generated / "docs").rglob("*"):
        if path.is_file() and path.suffix in (".md", ".html", ".css", ".js", ".xml", ".json"):
            text = path.read_text(encoding="utf-8")
            # No placeholders and no unexpanded markers: nothing is left for an engine's plugin to do.
            assert "\x8f" not in text and "\x90" not in text, path
            assert re.search(r"<!-- ?archkb[:-]", text) is None, path


def _pages(site: Path) -> set[str]:
    return {p.relative_to(site).as_posix() for p in site.rglob("index.html")}


def test_zensical_and_plain_mkdocs_build_every_page_of_the_plugin_build(real_site, zensical_site, plain_mkdocs_site):
    assert real_site.returncode == 0, real_site.output[-2000:]
    plugin = _pages(real_site.site_dir)
    assert len([p for p in plugin if p.startswith("patterns/")]) >= 50
    assert _pages(zensical_site) == plugin
    assert _pages(plain_mkdocs_site) == plugin
    for export in ("exports/catalog.json", "exports/references.bib", "feed.xml", "assets/archkb/archkb.css"):
        assert (zensical_site / export).is_file(), export


def _catalog_links(html: str, page: str) -> set[str]:
    """The page's links to other patterns and to reading-list entries, as site paths ('/patterns/x/')."""
    out = set()
    article = LexborHTMLParser(html).css_first("article")
    for link in article.css("a[href]"):
        href = link.attributes.get("href") or link.attributes.get("xlink:href") or ""
        if "://" in href or href.startswith(("#", "mailto:")):
            continue
        path = (
            href
            if href.startswith("/")
            else posixpath.normpath(posixpath.join("/archkb/" + posixpath.dirname(page), href))
            + ("/" if href.endswith("/") else "")
        )
        path = re.sub(r"/+", "/", path.replace("/./", "/"))
        if path.startswith("/archkb/patterns/") or "/reading-list/#ref-" in path:
            out.add(path)
    return out


def test_each_pattern_page_has_the_same_relation_and_citation_links(real_site, zensical_site):
    pages = sorted(p for p in _pages(real_site.site_dir) if p.startswith("patterns/") and p != "patterns/index.html")
    assert pages
    for page in pages:
        plugin = _catalog_links((real_site.site_dir / page).read_text(encoding="utf-8"), page)
        zen = _catalog_links((zensical_site / page).read_text(encoding="utf-8"), page)
        assert plugin, page
        assert zen == plugin, (page, sorted(plugin ^ zen)[:10])


def test_generate_validates_first_and_writes_nothing_on_a_problem(site, tmp_path):
    site.write("patterns/bad.md", pattern_text("Bad", related="- pattern: nowhere\n  type: uses"))
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["generate", "--root", str(site.root), "--out", str(out)])
    assert result.exit_code == 1
    assert "patterns/bad.md:" in result.output and "unknown pattern 'nowhere'" in result.output
    assert not out.exists()


def test_a_build_without_the_catalogs_pages_fails_loudly(tmp_path):
    """Zensical skips the archkb plugin without a word: the hand-written pages' links to the
    generated pages are what make its strict build fail instead of coming out green."""
    project = tmp_path / "project"
    shutil.copytree(REPO / "docs", project / "docs")
    shutil.copytree(REPO / "overrides", project / "overrides")
    config = load_engine_config(REPO / "mkdocs.yml")
    config["plugins"] = [
        p for p in config["plugins"] if (next(iter(p)) if isinstance(p, dict) else p) not in ("archkb", "mkdocstrings")
    ]
    (project / "mkdocs.yml").write_text(dump_engine_config(config), encoding="utf-8")
    done = zensical(project / "mkdocs.yml")
    assert done.returncode != 0
    assert "page does not exist" in re.sub(r"\x1b\[[0-9;]*m", "", done.stdout + done.stderr)
    plain = mkdocs(project / "mkdocs.yml", tmp_path / "site")
    assert plain.returncode != 0
    assert "reading-list.md" in plain.stderr


def test_only_the_mkdocs_adapter_imports_mkdocs_or_python_markdown():
    package = REPO / "plugins/archkb"
    offenders = []
    for path in package.rglob("*.py"):
        rel = path.relative_to(package).as_posix()
        if rel.startswith("mkdocs/") or rel in ("plugin.py", "config.py", "bodycheck.py", "render.py"):
            continue  # the adapter, and the deprecated shims that re-export it
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if re.match(r"\s*(import (mkdocs|markdown)\b|from (mkdocs|markdown)\b)", line):
                offenders.append(f"{rel}:{number}: {line.strip()}")
    assert offenders == []
