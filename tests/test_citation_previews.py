"""Citation previews: each citation link's title carries the reference's title, authors, date and link state."""

from __future__ import annotations

import datetime as dt
import html
import json

import markdown
import pytest
from selectolax.lexbor import LexborHTMLParser

from archkb import load_catalog
from archkb.catalog.model import Reference
from archkb.mkdocs.deferred import DeferredHtml
from archkb.site.citations import citation_preview, link_state_text
from archkb.site.health import LinkHealth
from archkb.site.pattern_page import link_citations
from conftest import REFERENCES

HEALTH = LinkHealth.from_results(
    [
        {"url": "https://example.com/a", "state": "ok", "checked_at": "2026-11-21T09:00:00Z"},
        {"url": "https://example.com/b", "state": "broken", "status": 404, "checked_at": "2026-11-20T08:30:00Z"},
    ]
)


def ref(**extra) -> Reference:
    fields = {
        "id": "r-2020-x",
        "title": "R",
        "authors": ["Ada Lovelace"],
        "year": 2020,
        "kind": "book",
        "url": "https://example.com/x",
        "summary": "s",
    }
    fields.update(extra)
    return Reference(**fields)


@pytest.mark.parametrize(
    ("url", "state", "expected"),
    [
        ("https://example.com/a", None, "Link verified 2026-11-21"),
        ("https://example.com/b", None, "Link broken (checked 2026-11-20); the reading list links an archived copy"),
        ("https://example.com/new", None, "Link not checked yet"),
    ],
)
def test_link_state_text(url, state, expected):
    assert link_state_text(ref(url=url), HEALTH) == expected


def test_preview_shortens_authors_and_dates_living_documents():
    assert (
        citation_preview(ref(authors=["Ada Lovelace", "Charles Babbage", "Luigi Menabrea"]), HEALTH)
        == "R · Lovelace et al. · 2020 · Link not checked yet"
    )
    living = ref(year=None, accessed=dt.date(2026, 11, 3), authors=["Google Cloud"])
    assert citation_preview(living) == "R · Google Cloud · accessed 2026-11-03 · Link not checked yet"


def title_of_first_link(page_html: str) -> str:
    link = LexborHTMLParser(page_html).css_first("a")
    assert link is not None
    return link.attributes["title"]


NASTY = 'Quotes " and <tags> & \\ back\\slash (paren) [bracket] *star* `tick`'


@pytest.fixture
def catalog(site):
    site.write("references/testing.yml", REFERENCES.replace('"A & B: the first reference"', json.dumps(NASTY)))
    return load_catalog(site.root)


def test_markdown_citation_title_reaches_the_browser_intact(catalog):
    """Without deferred HTML (any engine): a Markdown link whose title the browser decodes to the preview."""
    body = "See [@ref-a] and [@ref-b].\n"
    md = link_citations(body, catalog, "patterns/alpha.md", preview=lambda r: citation_preview(r, HEALTH))
    out = markdown.markdown(md)
    expected = citation_preview(catalog.references["ref-a"].data, HEALTH)
    assert expected.startswith(NASTY) and expected.endswith("Link verified 2026-11-21")
    assert title_of_first_link(out) == expected
    assert LexborHTMLParser(out).css_first("a").attributes["href"] == "../reading-list.md#ref-ref-a"
    assert LexborHTMLParser(out).css_first("a").text() == "Lovelace & Babbage 1843"


def test_deferred_citation_title_reaches_the_browser_intact(catalog):
    deferred = DeferredHtml()
    md = link_citations(
        "See [@ref-a].\n",
        catalog,
        "patterns/alpha.md",
        deferred=deferred,
        preview=lambda r: citation_preview(r, HEALTH),
    )
    out = deferred.restore(markdown.markdown(md))
    assert title_of_first_link(out) == citation_preview(catalog.references["ref-a"].data, HEALTH)
    assert "<tags>" not in out and html.escape("<tags>") in out


def test_built_pages_carry_the_preview(site):
    site.write("references/testing.yml", REFERENCES)
    page = site.build(strict=True).html("patterns/alpha/index.html")
    links = [
        a
        for a in LexborHTMLParser(page).css("article a")
        if "#ref-ref-a" in (a.attributes.get("href") or "") and a.attributes.get("title")
    ]
    assert links, "no citation link to ref-a"
    assert (
        links[0].attributes["title"] == "A & B: the first reference · Lovelace & Babbage · 1843 · Link not checked yet"
    )
    assert links[0].attributes["href"] == "../../reading-list/#ref-ref-a"


def test_the_site_turns_on_material_tooltips():
    import yaml

    from conftest import REPO

    config = yaml.load((REPO / "mkdocs.yml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader)  # noqa: S506 - BaseLoader makes only strings, lists and dicts (!ENV read as text)
    assert "content.tooltips" in config["theme"]["features"]
