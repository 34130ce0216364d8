"""The real knowledge base: it validates, builds strict, and keeps its catalog minimums."""

from __future__ import annotations

from collections import deque
from pathlib import Path
from urllib.parse import urlparse

import pytest

from archkb.loader import load_catalog
from archkb.model import Reference

REPO = Path(__file__).resolve().parent.parent
SEEDS = ("monolith-first", "queue-decoupling", "instance-right-sizing", "language-trade-offs")


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(REPO)


def test_catalog_validates(catalog):
    assert [str(p) for p in catalog.problems] == []


def test_real_site_builds_strict(tmp_path):
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    cfg = load_config(config_file=str(REPO / "mkdocs.yml"), strict=True, site_dir=str(tmp_path / "site"))
    cfg.plugins.on_startup(command="build", dirty=False)
    try:
        build(cfg)  # raises Abort on any warning in strict mode
    finally:
        cfg.plugins.on_shutdown()
    for slug in SEEDS:
        assert (tmp_path / "site" / "patterns" / slug / "index.html").is_file()
    assert (tmp_path / "site" / "reading-list" / "index.html").is_file()
    # The tags listing stays out of search; each pattern's own entry carries its tags.
    import json

    index = json.loads((tmp_path / "site" / "search" / "search_index.json").read_text())
    assert not [doc for doc in index["docs"] if doc["location"].startswith("tags/")]
    assert all(doc.get("tags") for doc in index["docs"] if doc["location"] in {f"patterns/{s}/" for s in SEEDS})


def test_at_least_16_patterns_including_the_seeds(catalog):
    published = [s for s, e in catalog.patterns.items() if e.meta and e.meta.status == "published"]
    assert len(published) >= 16
    assert set(SEEDS) <= set(published)


def test_each_pattern_has_three_references_and_two_relations(catalog):
    for slug, entry in catalog.patterns.items():
        assert entry.meta is not None, slug
        assert len(set(entry.meta.references)) >= 3, f"{slug} cites fewer than 3 references"
        assert len(catalog.links[slug]) >= 2, f"{slug} has fewer than 2 relations"


def test_no_orphans_and_one_connected_map(catalog):
    # Every pattern is reachable from some other pattern's page.
    assert all(catalog.links[slug] for slug in catalog.patterns)
    # And the relation graph is one piece: a reader can walk from any pattern to any other.
    start = next(iter(catalog.patterns))
    seen, queue = {start}, deque([start])
    while queue:
        for link in catalog.links[queue.popleft()]:
            if link.slug not in seen:
                seen.add(link.slug)
                queue.append(link.slug)
    assert seen == set(catalog.patterns)


def test_at_least_60_complete_references_on_15_hosts(catalog):
    refs = [e.data for e in catalog.references.values()]
    assert len(refs) >= 60
    required = [n for n, f in Reference.model_fields.items() if f.is_required()]
    for ref in refs:
        for name in required:
            assert getattr(ref, name) not in (None, "", []), (ref.id, name)
    hosts = {urlparse(r.url).hostname for r in refs}
    assert len(hosts) >= 15
    kinds = {r.kind for r in refs}
    assert {"article", "book", "paper", "talk", "docs"} <= kinds


def test_seed_article_references_are_present(catalog):
    assert "lewis-fowler-2014-microservices" in catalog.references
    assert "abbott-fisher-2009-art-of-scalability" in catalog.references
    assert catalog.cited_by["lewis-fowler-2014-microservices"]


def test_reading_paths(catalog):
    assert len(catalog.paths) >= 3
    for slug, path in catalog.paths.items():
        assert path.data is not None, slug
        assert len(path.data.steps) >= 3
        assert all(step.why and step.minutes > 0 for step in path.data.steps)
