"""The real knowledge base: it validates, builds strict, and keeps its catalog minimums."""

from __future__ import annotations

from collections import deque
from pathlib import Path
from urllib.parse import urlparse

import pytest

from archkb.catalog.loader import load_catalog
from archkb.catalog.model import Reference

REPO = Path(__file__).resolve().parent.parent
SEEDS = ("monolith-first", "queue-decoupling", "instance-right-sizing", "language-trade-offs")


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(REPO)


def test_catalog_validates(catalog):
    from archkb.mkdocs.markdown import check_bodies

    assert [str(p) for p in catalog.problems + check_bodies(catalog)] == []


def test_real_site_builds_strict(real_site):
    assert real_site.returncode == 0, real_site.output[-4000:]
    tmp_path = real_site.site_dir.parent
    for slug in SEEDS:
        assert (tmp_path / "site" / "patterns" / slug / "index.html").is_file()
    guide = (tmp_path / "site" / "guide" / "validation" / "index.html").read_text(encoding="utf-8")
    assert "<code>wbr</code>" in guide and "archkb:html-policy" not in guide  # the allow-list, written out
    assert (tmp_path / "site" / "reading-list" / "index.html").is_file()
    # The tags listing stays out of search; each pattern's own entry carries its tags.
    import json

    index = json.loads((tmp_path / "site" / "search" / "search_index.json").read_text())
    assert not [doc for doc in index["docs"] if doc["location"].startswith("tags/")]
    assert all(doc.get("tags") for doc in index["docs"] if doc["location"] in {f"patterns/{s}/" for s in SEEDS})


def test_at_least_50_patterns_including_the_seeds(catalog):
    published = [s for s, e in catalog.patterns.items() if e.meta and e.meta.status == "published"]
    assert len(published) >= 50
    assert set(SEEDS) <= set(published)


def test_each_pattern_has_three_references_and_three_relations(catalog):
    for slug, entry in catalog.patterns.items():
        assert entry.meta is not None, slug
        assert len(set(entry.meta.references)) >= 3, f"{slug} cites fewer than 3 references"
        assert len(catalog.links[slug]) >= 3, f"{slug} has fewer than 3 relations, counting both directions"


def test_relations_are_declared_in_the_active_direction_and_competing_options_are_typed(catalog):
    passive = {"used-by", "refined-by", "follows-from"}
    declared = [(e.slug, r.type, r.pattern) for e in catalog.patterns.values() for r in e.meta.related]
    assert not [d for d in declared if d[1] in passive]
    used = {t for _, t, _ in declared}
    assert {"alternative-to", "conflicts-with"} <= used


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


def test_at_least_150_complete_references_on_40_hosts(catalog):
    refs = [e.data for e in catalog.references.values()]
    assert len(refs) >= 150
    required = [n for n, f in Reference.model_fields.items() if f.is_required()]
    for ref in refs:
        for name in required:
            assert getattr(ref, name) not in (None, "", []), (ref.id, name)
    hosts = {urlparse(r.url).hostname for r in refs}
    assert len(hosts) >= 40
    kinds = {r.kind for r in refs}
    assert {"article", "book", "paper", "talk", "docs"} <= kinds


def test_every_reference_is_cited(catalog):
    cited = {ref for entry in catalog.patterns.values() for ref in entry.meta.references}
    cited |= {step.reference for path in catalog.paths.values() for step in path.data.steps if step.reference}
    assert sorted(set(catalog.references) - cited) == []


def test_seed_article_references_are_present(catalog):
    assert "lewis-fowler-2014-microservices" in catalog.references
    assert "abbott-fisher-2009-art-of-scalability" in catalog.references
    assert catalog.cited_by["lewis-fowler-2014-microservices"]


def test_the_origin_post_is_in_the_reading_list_and_told_once(catalog):
    origin = catalog.references["j15r-2014-distributed-systems"].data
    assert origin.year == 2014 and origin.url == "http://www.j15r.com/blog/2014/05/31/Distributed_Systems"
    assert catalog.cited_by["j15r-2014-distributed-systems"]
    assert (REPO / "docs/case-studies/fullstory-2014.md").is_file()
    for entry in catalog.patterns.values():
        text = entry.body.lower()
        assert "team behind this knowledge base" not in text, entry.slug
        assert "no public source" not in text, entry.slug


def test_reading_paths(catalog):
    assert len(catalog.paths) >= 6
    for slug, path in catalog.paths.items():
        assert path.data is not None, slug
        assert len(path.data.steps) >= 3
        assert all(step.why and step.minutes > 0 for step in path.data.steps)
    in_a_path = {step.pattern for path in catalog.paths.values() for step in path.data.steps if step.pattern}
    assert sorted(set(catalog.patterns) - in_a_path) == []


def test_path_steps_come_after_the_patterns_they_build_on(catalog):
    late = []
    for slug, path in catalog.paths.items():
        order = {step.pattern: i for i, step in enumerate(path.data.steps) if step.pattern}
        for pattern, position in order.items():
            for link in catalog.links[pattern]:
                if link.type in ("uses", "refines") and order.get(link.slug, -1) > position:
                    late.append(f"{slug}: {pattern} {link.type} {link.slug}, which comes later")
    assert late == []
