"""Incremental rebuilds (mkdocs serve): only what an edit affects is parsed and rendered again."""

from __future__ import annotations

from conftest import BODY, pattern_text


def rebuild(cfg):
    from mkdocs.commands.build import build

    build(cfg)
    return cfg.plugins["archkb"]


def test_body_edit_rerenders_one_page_and_title_edit_its_neighbours(site):
    from mkdocs.config import load_config

    cfg = load_config(config_file=str(site.root / "mkdocs.yml"), site_dir=str(site.root / "site"))
    cfg.plugins.on_startup(command="serve", dirty=False)
    plugin = rebuild(cfg)
    first = plugin.site.renders.misses
    assert first >= 3 and plugin.site.renders.hits == 0

    assert plugin.site.parse_cache.misses == 4  # every file parsed
    plugin = rebuild(cfg)  # nothing changed
    assert plugin.site.renders.misses == 0 and plugin.site.renders.hits == first
    assert plugin.site.parse_cache.misses == 0 and plugin.site.parse_cache.hits == 4

    body = BODY.format(title="Beta", ref="ref-a") + "\nA sentence added while serving.\n"
    site.write("patterns/beta.md", pattern_text("Beta", refs=("ref-a",), body=body))
    plugin = rebuild(cfg)
    assert plugin.site.renders.misses == 1  # beta's page alone
    assert plugin.site.parse_cache.misses == 1
    assert "A sentence added while serving." in (site.root / "site/patterns/beta/index.html").read_text()

    site.write("patterns/beta.md", pattern_text("Beta Renamed", refs=("ref-a",), body=body))
    plugin = rebuild(cfg)
    assert plugin.site.renders.misses > 3  # the title shows on alpha, gamma, the indexes and the map
    assert "Beta Renamed" in (site.root / "site/patterns/alpha/index.html").read_text()
    assert "Beta Renamed" in (site.root / "site/reading-list/index.html").read_text()
