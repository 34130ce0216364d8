"""Plain prose is scanned as a whole; the results match the line-by-line scan."""

from __future__ import annotations

import pytest

from archkb.catalog.graph import Catalog, PatternEntry
from archkb.catalog.markdown import is_plain_prose
from archkb.catalog.yamlload import LoadedYaml
from archkb.mkdocs.deferred import DeferredHtml
from archkb.site.pattern_page import link_citations as _link_citations

BODIES = [
    "## Context\n\nText [@a] and [@b].\n\n### Sub [@a]\n\n#NotAHeading\n# Title #\n## Trailing {: #x }\n",
    "[@a] opens the body.\n\n- item [@missing]\n  ## indented, not a heading\n\n## Last [@b]",
    "No citations at all.\n\n## Only a heading\n",
    "",
]
FENCE = "\n```\n## not a heading [@a]\n```\n"


def _entry(body: str) -> PatternEntry:
    return PatternEntry("p", "patterns/p.md", None, {}, body, 7, LoadedYaml(None, {}))


@pytest.mark.parametrize("body", BODIES)
def test_whole_body_scan_matches_the_line_scan(body):
    assert is_plain_prose(body) and not is_plain_prose(body + FENCE)
    fast, slow = _entry(body), _entry(body + FENCE)  # the fence sends the scan line by line
    assert fast.headings() == slow.headings()
    assert fast.citations() == slow.citations()


@pytest.mark.parametrize("body", BODIES)
def test_citation_links_match_the_line_by_line_rendering(body):
    from archkb.catalog.model import Reference

    catalog = Catalog(root=None)  # type: ignore[arg-type]
    for ref_id in ("a", "b"):
        ref = Reference(
            id=ref_id,
            title=f"Title {ref_id}",
            authors=["Ann Lee"],
            year=2001,
            kind="article",
            url=f"https://example.org/{ref_id}",
            summary="S.",
        )
        catalog.references[ref_id] = type("R", (), {"data": ref, "id": ref_id})()
    fast_deferred, slow_deferred = DeferredHtml(), DeferredHtml()
    fast = _link_citations(body, catalog, "patterns/p.md", deferred=fast_deferred)
    slow = _link_citations(body + FENCE, catalog, "patterns/p.md", deferred=slow_deferred)
    assert fast + FENCE == slow
    assert fast_deferred.fragments == slow_deferred.fragments and fast_deferred.links == slow_deferred.links
    if "[@a]" in body:
        assert "[@a]" not in fast.split("```")[0]
