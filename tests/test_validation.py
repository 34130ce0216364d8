"""The validator: every class of bad input gives a located, readable problem, never a traceback."""

from __future__ import annotations

import pytest

from archkb.catalog.loader import ParseCache, load_catalog
from archkb.catalog.model import PatternMeta, Reference
from conftest import BODY, REFERENCES, Site, pattern_text


def problems_for(site: Site, rel: str, text: str | bytes) -> list[str]:
    site.write(rel, text)
    catalog = load_catalog(site.root)
    return [str(p) for p in catalog.problems]


def test_valid_fixture_has_no_problems(site):
    catalog = load_catalog(site.root)
    assert [str(p) for p in catalog.problems] == []
    assert set(catalog.patterns) == {"alpha", "beta", "gamma"}
    assert list(catalog.references) == ["ref-a", "ref-b"]


BAD_PATTERNS = [
    # (name, file content, expected line, expected fragment)
    ("unclosed front matter", "---\ntitle: X\nsummary: Y.\n\n## Context\n", 1, "never closed"),
    ("broken yaml", "---\ntitle: [X\nsummary: Y.\n---\n", 3, "invalid YAML"),
    ("list instead of mapping", "---\n- title\n- summary\n---\n", 2, "must be a mapping"),
    ("related is a mapping", pattern_text("X", related="pattern: beta\ntype: uses"), 5, "'related' must be a list"),
    ("title wrong type", "---\ntitle: [a, b]\nsummary: Fine.\n---\n", 2, "'title' must be text"),
    ("empty title", "---\ntitle: ''\nsummary: Fine.\n---\n", 2, "'title' must not be empty"),
    ("empty front matter", "---\n---\nbody\n", 2, "front matter is empty"),
    ("empty file", "", 1, "the file is empty"),
    ("no front matter", "# Just a heading\n", 1, "no front matter"),
    ("non utf-8", b"---\ntitle: Caf\xe9\nsummary: Fine.\n---\n", 2, "not valid UTF-8"),
    ("misspelled field", "---\ntitle: X\nsumary: Y.\n---\n", 3, "unknown field 'sumary' (did you mean 'summary'?)"),
    ("two sentences", "---\ntitle: X\nsummary: One. Two.\n---\n", 3, "must be one sentence"),
    (
        "unknown relation type",
        pattern_text("X", related="- pattern: beta\n  type: usess"),
        7,
        "unknown relation type 'usess' (did you mean 'uses'?)",
    ),
    (
        "relation without type",
        pattern_text("X", related="- pattern: beta"),
        6,
        "missing required field 'type' in related[0]",
    ),
    ("python tag", "---\ntitle: !!python/object/apply:os.system [ls]\nsummary: Y.\n---\n", 2, "not allowed"),
    ("alias", "---\ntitle: &t X\nsummary: *t\n---\n", 3, "aliases"),
    ("bad tag slug", "---\ntitle: X\nsummary: Y.\ntags: [Not A Slug]\n---\n", 4, "lowercase words joined by hyphens"),
    ("unknown status", "---\ntitle: X\nsummary: Y.\nstatus: drafty\n---\n", 4, "(did you mean 'draft'?)"),
]


@pytest.mark.parametrize(("name", "text", "line", "fragment"), BAD_PATTERNS, ids=[b[0] for b in BAD_PATTERNS])
def test_bad_pattern_files_are_located(site, name, text, line, fragment):
    found = problems_for(site, "patterns/bad.md", text)
    mine = [p for p in found if p.startswith("patterns/bad.md:")]
    assert any(p.startswith(f"patterns/bad.md:{line}: ") and fragment in p for p in mine), found


def test_cross_file_problems_suggest_fixes(site):
    text = pattern_text(
        "Delta",
        refs=("ref-aa",),
        related="""
        - pattern: alpah
          type: uses
        - pattern: delta
          type: uses
        - pattern: beta
          type: uses
        - pattern: beta
          type: uses
        """,
        body=BODY.format(title="Delta", ref="ref-aa"),
    )
    found = problems_for(site, "patterns/delta.md", text)
    joined = "\n".join(found)
    assert "patterns/delta.md:6: unknown pattern 'alpah' in related (did you mean 'alpha'?)" in joined
    assert "patterns/delta.md:8: relation 'uses' points at the pattern itself ('delta')" in joined
    assert "patterns/delta.md:12: duplicate relation 'uses' to 'beta'" in joined
    assert "unknown reference id 'ref-aa' (did you mean 'ref-a'?)" in joined


def test_citation_must_be_listed(site):
    body = BODY.format(title="Delta", ref="ref-b")
    found = problems_for(site, "patterns/delta.md", pattern_text("Delta", refs=("ref-a",), body=body))
    assert any("the citation [@ref-b] is not listed in the front matter" in p for p in found)


def test_template_sections_required_for_published_but_not_drafts(site):
    body = "## Context\n\nOnly this.\n"
    found = problems_for(site, "patterns/delta.md", pattern_text("Delta", body=body))
    assert any("missing template sections" in p and "'## Known uses'" in p for p in found)
    found = problems_for(site, "patterns/delta.md", pattern_text("Delta", body=body, extra="status: draft\n"))
    assert not [p for p in found if p.startswith("patterns/delta.md")]


def test_duplicate_reference_ids_across_files(site):
    found = problems_for(
        site,
        "references/more.yml",
        REFERENCES.replace("Testing", "More").replace("https://example.com/", "https://example.org/"),
    )
    # Files load in name order, so the entry in testing.yml is the duplicate.
    assert any(
        p.startswith(
            "references/testing.yml:4: duplicate reference id 'ref-a'; it is already defined at references/more.yml:4"
        )
        for p in found
    ), found


@pytest.mark.parametrize(
    ("entry", "fragment"),
    [
        (
            "  - id: x\n    title: T\n    authors: [A B]\n    year: 2020\n    kind: bok\n    url: https://e.com/x\n"
            "    summary: S.\n",
            "unknown value for 'kind' 'bok'",
        ),
        (
            "  - id: x\n    title: T\n    authors: []\n    year: 2020\n    kind: book\n    url: https://e.com/x\n"
            "    summary: S.\n",
            "'authors'",
        ),
        (
            "  - id: x\n    title: T\n    authors: [A B]\n    year: twenty\n    kind: book\n    url: https://e.com/x\n"
            "    summary: S.\n",
            "'year' must be a whole number",
        ),
        (
            "  - id: x\n    title: T\n    authors: [A B]\n    year: 2020\n    kind: book\n    url: ftp://e.com/x\n"
            "    summary: S.\n",
            "absolute http",
        ),
        (
            "  - id: x\n    title: T\n    authors: [A B]\n    year: 2020\n    kind: book\n    url: https://e.com/x\n"
            "    summary: S.\n    urll: https://e.com\n",
            "unknown field 'urll'",
        ),
        (
            "  - id: x\n    title: T\n    authors: [A B]\n    year: 2020\n    kind: book\n    url: https://e.com/x\n"
            "    summary: '<script>alert(1)</script>'\n",
            "raw <script>",
        ),
    ],
)
def test_bad_reference_entries(site, entry, fragment):
    found = problems_for(site, "references/bad.yml", "topic: Bad\nreferences:\n" + entry)
    assert any(p.startswith("references/bad.yml:") and fragment in p for p in found), found


def test_bad_reading_path(site):
    text = "title: Path\nsummary: A path.\nsteps:\n  - pattern: alpah\n    why: Start.\n    minutes: 5\n"
    found = problems_for(site, "paths/p.yml", text)
    assert "paths/p.yml:4: unknown pattern 'alpah' in step 1 (did you mean 'alpha'?)" in found
    text += "  - pattern: beta\n    reference: ref-a\n    why: Both.\n    minutes: 5\n"
    found = problems_for(site, "paths/p.yml", text)
    assert any(p.startswith("paths/p.yml:7:") and "exactly one of 'pattern' or 'reference'" in p for p in found)


def test_bad_file_name(site):
    found = problems_for(site, "patterns/Bad_Name.md", pattern_text("Bad"))
    assert any("rename it to 'bad-name'" in p for p in found)


def test_parse_cache_reuses_unchanged_files(site):
    cache = ParseCache()
    load_catalog(site.root, cache=cache)
    assert cache.misses == 4 and cache.hits == 0
    site.write("patterns/beta.md", pattern_text("Beta", summary="Beta changed its summary."))
    catalog = load_catalog(site.root, cache=cache)
    assert cache.misses == 1 and cache.hits == 3
    assert catalog.patterns["beta"].summary == "Beta changed its summary."


def test_relations_render_from_both_directions(site):
    catalog = load_catalog(site.root)
    beta = {(link.slug, link.type) for link in catalog.links["beta"]}
    assert beta == {("alpha", "used-by"), ("gamma", "follows-from")}
    gamma = {(link.slug, link.type) for link in catalog.links["gamma"]}
    assert ("alpha", "alternative-to") in gamma
    assert catalog.cited_by["ref-b"] == ["alpha", "gamma"]


def test_schema_comes_from_the_model():
    from archkb.catalog.model import pattern_schema

    schema = pattern_schema()
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == {"title", "summary"}
    assert set(schema["properties"]) == set(PatternMeta.model_fields)
    assert "uses" in schema["$defs"]["Relation"]["properties"]["type"]["enum"]
    assert Reference.model_fields["unverified"]
