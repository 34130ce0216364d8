"""The generated sections of pattern pages: headings set aside with their HTML, and the placeholders."""

from __future__ import annotations

import json
import re

from archkb.mkdocs.deferred import section_headings
from archkb.safety.text import scan_markdown
from archkb.site.html import GENERATED_SECTIONS
from conftest import BODY, pattern_text


def _ids(page: str) -> list[str]:
    return re.findall(r'\sid="([^"]+)"', page)


def test_generated_headings_reach_the_page_and_the_toc_not_search(site):
    result = site.build(strict=True)
    assert result.ok, result.warnings
    alpha = result.html("patterns/alpha/index.html")
    for anchor, title in (("related-patterns", "Related patterns"), ("further-reading", "Further reading")):
        # The same heading Python-Markdown makes, permalink included ...
        assert (
            f'<h2 id="{anchor}">{title}<a class="headerlink" href="#{anchor}" title="Permanent link">&para;</a></h2>'
        ) in alpha
        # ... listed in the page's table of contents ...
        toc = alpha[alpha.index('data-md-component="toc"') :]
        assert f'href="#{anchor}" class="md-nav__link"' in toc
    assert alpha.index('href="#known-uses" class="md-nav__link"') < alpha.index(
        'href="#related-patterns" class="md-nav__link"'
    )
    # ... but not in search: the sections only repeat other pages' titles.
    index = json.loads(result.html("search/search_index.json"))
    locations = {doc["location"] for doc in index["docs"]}
    assert "patterns/alpha/#known-uses" in locations  # the body's own sections are searchable
    assert not {"patterns/alpha/#related-patterns", "patterns/alpha/#further-reading"} & locations
    assert "Reading list entry" not in json.dumps(index)
    assert "\x8f" not in json.dumps(index) and "\x8f" not in alpha
    assert len(_ids(alpha)) == len(set(_ids(alpha)))


def test_a_body_that_names_a_section_keeps_markdown_headings(site):
    body = BODY.format(title="Beta", ref="ref-a") + "\n## Related patterns in practice\n\nSee below.\n"
    site.write("patterns/beta.md", pattern_text("Beta", refs=("ref-a",), body=body))
    result = site.build(strict=True)
    assert result.ok, result.warnings
    beta = result.html("patterns/beta/index.html")
    ids = _ids(beta)
    assert len(ids) == len(set(ids))  # no anchor twice
    assert "related-patterns-in-practice" in ids and "related-patterns" in ids and "further-reading" in ids
    toc = beta[beta.index('data-md-component="toc"') :]
    assert toc.count('href="#related-patterns" class="md-nav__link"') == 1


def test_section_headings_follow_the_sites_markdown_settings():
    plain = section_headings(["toc"])
    assert [h.html for h in plain.values()] == [
        '<h2 id="related-patterns">Related patterns</h2>',
        '<h2 id="further-reading">Further reading</h2>',
    ]
    linked = section_headings(["toc"], {"toc": {"permalink": "#"}})
    assert linked["Further reading"].html.endswith('title="Permanent link">#</a></h2>')
    assert linked["Further reading"].anchor == "further-reading" and linked["Further reading"].level == 2
    # Without ids there is nothing to link or list: the sections stay Markdown.
    assert section_headings([]) == {}
    assert tuple(plain) == GENERATED_SECTIONS


def test_placeholder_characters_are_refused_in_contributions(site):
    assert scan_markdown("fine\nnot \x8f fine\n", "patterns/x.md", 10)[0].line == 11
    body = BODY.format(title="Beta", ref="ref-a") + "\nA stray \x90 character.\n"
    site.write("patterns/beta.md", pattern_text("Beta", refs=("ref-a",), body=body))
    result = site.build(strict=False)
    assert any("patterns/beta.md" in w and "control character (U+0090)" in w for w in result.warnings), result.warnings


def test_pattern_pages_take_their_h1_from_the_theme_and_the_index_lists_stay_out_of_search(site):
    result = site.build(strict=True)
    assert result.ok, result.warnings
    alpha = result.html("patterns/alpha/index.html")
    assert alpha.count("<h1") == 1 and "<h1>Alpha</h1>" in alpha  # Material's own, from the page title
    index_page = result.html("patterns/index.html")
    assert '<a href="alpha/">Alpha</a>: Alpha does one thing well.' in index_page
    index = json.loads(result.html("search/search_index.json"))
    listed = [doc for doc in index["docs"] if doc["location"].startswith("patterns/#")]
    assert listed and all("Alpha does one thing well" not in doc["text"] for doc in listed)
    own = [doc for doc in index["docs"] if doc["location"] == "patterns/alpha/"]
    assert own and own[0]["title"] == "Alpha" and "Alpha does one thing well" in own[0]["text"]
