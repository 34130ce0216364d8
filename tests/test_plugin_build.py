"""Integration: fixture sites built through the MkDocs API, asserting on HTML and strict failures."""

from __future__ import annotations

import json

import pytest

from conftest import BODY, pattern_text


def test_fixture_site_builds_strict_with_generated_sections(site):
    result = site.build(strict=True)
    assert result.ok, result.warnings
    alpha = result.html("patterns/alpha/index.html")
    assert 'class="archkb-summary"' in alpha and "Alpha does one thing well." in alpha
    assert alpha.index("archkb-summary") < alpha.index('id="context"')
    assert 'id="related-patterns"' in alpha and 'id="further-reading"' in alpha
    assert '<a href="../beta/">Beta</a>' in alpha and "Alpha leans on beta." in alpha
    assert "https://example.com/b" in alpha and "Grace Hopper" in alpha and "1952" in alpha
    # Inline citation links to the reading list entry.
    assert (
        'href="../../reading-list/#ref-ref-a"' in alpha and "Lovelace &#38; Babbage 1843" in alpha
    )  # md_escape: a numeric reference, shown as &

    beta = result.html("patterns/beta/index.html")
    # The inverse wording, drawn from the relations declared on alpha and gamma.
    assert ">Used by<" in beta and ">Follows from<" in beta
    assert '<a href="../alpha/">Alpha</a>' in beta and '<a href="../gamma/">Gamma</a>' in beta
    gamma = result.html("patterns/gamma/index.html")
    assert ">Alternatives<" in gamma

    reading = result.html("reading-list/index.html")
    assert 'id="ref-ref-a"' in reading and 'id="ref-ref-b"' in reading
    entry_b = reading[reading.index('id="ref-ref-b"') :]
    assert "Cited by:" in entry_b and "../patterns/alpha/" in entry_b and "../patterns/gamma/" in entry_b
    assert "A &amp; B: the first reference" in reading


def test_tags_and_search_index(site):
    result = site.build(strict=True)
    assert result.ok, result.warnings
    tags = result.html("tags/index.html")
    assert "testing" in tags and "../patterns/alpha/" in tags
    index = json.loads(result.html("search/search_index.json"))
    texts = " ".join(doc["text"] for doc in index["docs"] if doc["location"].startswith("patterns/alpha/"))
    assert "Some context about Alpha." in texts


def test_pattern_pages_are_edited_at_their_source(site):
    site.write(
        "mkdocs.yml",
        site.root.joinpath("mkdocs.yml")
        .read_text()
        .replace("  font: false\n", "  font: false\n  features: [content.action.edit]\n")
        + "repo_url: https://git.example.com/kb\nedit_uri: edit/main/docs/\n",
    )
    result = site.build(strict=True)
    assert result.ok, result.warnings
    assert "https://git.example.com/kb/edit/main/patterns/alpha.md" in result.html("patterns/alpha/index.html")


BAD_INPUTS = [
    ("unclosed front matter", "---\ntitle: X\n", "patterns/bad.md:1: "),
    ("broken yaml", "---\ntitle: [X\n---\n", "patterns/bad.md:3: "),
    ("list where a mapping belongs", "---\n- a\n---\n", "must be a mapping"),
    ("wrong type", "---\ntitle: X\nsummary: Y.\ntags: 3\n---\n", "'tags' must be a list"),
    ("empty value", "---\ntitle:\nsummary: Y.\n---\n", "patterns/bad.md:2: 'title' must be text"),
    ("non-utf-8", b"---\ntitle: \xff\nsummary: Y.\n---\n", "not valid UTF-8"),
    ("empty file", "", "patterns/bad.md:1: the file is empty"),
    ("python tag", "---\ntitle: !!python/object/apply:os.system [ls]\n---\n", "not allowed"),
    ("alias bomb", "---\ntitle: &a x\nsummary: *a\n---\n", "aliases"),
    ("self relation", pattern_text("Bad", related="- pattern: bad\n  type: uses"), "points at the pattern itself"),
    ("relation without type", pattern_text("Bad", related="- pattern: alpha"), "missing required field 'type'"),
    ("unknown slug", pattern_text("Bad", related="- pattern: alpah\n  type: uses"), "did you mean 'alpha'"),
    ("unknown field", "---\ntitle: X\nsumary: Y.\n---\n", "did you mean 'summary'"),
    (
        "script",
        pattern_text("Bad", body=BODY.format(title="Bad", ref="ref-a") + "\n<script>x()</script>\n"),
        "raw <script>",
    ),
    ("iframe", pattern_text("Bad", body="<iframe src='https://e.com'></iframe>\n"), "raw <iframe>"),
    ("object", pattern_text("Bad", body="<object data='x'></object>\n"), "raw <object>"),
    ("embed", pattern_text("Bad", body="<embed src='x'>\n"), "raw <embed>"),
    ("form", pattern_text("Bad", body="<form action='https://e.com'></form>\n"), "raw <form>"),
    ("event handler", pattern_text("Bad", body="<img src='x.png' alt='' onerror='x()'>\n"), "'onerror='"),
    ("javascript link", pattern_text("Bad", body="[x](javascript:alert(1))\n"), "'javascript:'"),
    ("vbscript link", pattern_text("Bad", body="<a href='vbscript:x'>x</a>\n"), "'vbscript:'"),
    ("data link", pattern_text("Bad", body="[x](data:text/html;base64,PHNjcmlwdD4=)\n"), "'data:'"),
]


@pytest.mark.parametrize(("name", "text", "fragment"), BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_strict_build_refuses_bad_input_with_located_message(site, name, text, fragment):
    site.write("patterns/bad.md", text)
    strict = site.build(strict=True)
    assert not strict.ok
    lines = [w for w in strict.warnings if "patterns/bad.md:" in w]
    assert lines, strict.warnings
    assert any(fragment in w for w in lines), lines
    assert not any("Traceback" in w for w in strict.warnings)
    # A plain build warns but still loses no page.
    plain = site.build(strict=False)
    assert plain.ok, plain.error
    assert (plain.site_dir / "patterns/bad/index.html").is_file()
    assert (plain.site_dir / "patterns/alpha/index.html").is_file()


def test_broken_internal_link_and_missing_anchor_fail_strict(site):
    site.write(
        "patterns/beta.md",
        pattern_text("Beta", body=BODY.format(title="Beta", ref="ref-a") + "\nSee [nothing](nothing.md).\n"),
    )
    result = site.build(strict=True)
    assert not result.ok
    assert any("nothing.md" in w for w in result.warnings)
    site.write(
        "patterns/beta.md",
        pattern_text("Beta", body=BODY.format(title="Beta", ref="ref-a") + "\nSee [alpha](alpha.md#no-such-anchor).\n"),
    )
    result = site.build(strict=True)
    assert not result.ok
    assert any("no-such-anchor" in w for w in result.warnings)
    site.write(
        "patterns/beta.md",
        pattern_text(
            "Beta", body=BODY.format(title="Beta", ref="ref-a") + "\nSee [alpha](alpha.md#related-patterns).\n"
        ),
    )
    assert site.build(strict=True).ok


def test_anchor_into_generated_reading_list_is_validated(site):
    site.write("docs/index.md", "# Home\n\n[ok](reading-list.md#ref-ref-a) [bad](reading-list.md#ref-zzz)\n")
    result = site.build(strict=True)
    assert not result.ok
    assert any("ref-zzz" in w for w in result.warnings)
    assert not any("#ref-ref-a'" in w for w in result.warnings)


def test_draft_from_scaffold_builds_strict(site):
    from archkb.cli.scaffold import new_pattern

    path = new_pattern(site.root, "Some New Idea")
    assert path.name == "some-new-idea.md"
    result = site.build(strict=True)
    assert result.ok, result.warnings
    page = result.html("patterns/some-new-idea/index.html")
    assert "Draft" in page


def test_disabled_plugin_adds_nothing(site):
    site.write(
        "mkdocs.yml",
        site.root.joinpath("mkdocs.yml").read_text().replace("  - archkb\n", "  - archkb:\n      enabled: false\n"),
    )
    site.write("docs/index.md", "# Home\n")
    result = site.build(strict=False)
    assert result.ok
    assert not (result.site_dir / "patterns/alpha/index.html").exists()


def test_generated_html_links_are_validated(site, caplog):
    """Links inside generated HTML (kept out of Markdown) are checked against pages and anchors."""
    from mkdocs.config import load_config
    from mkdocs.structure.files import Files

    from archkb.mkdocs.deferred import DeferredHtml

    result = site.build(strict=True)
    assert result.ok, result.warnings
    cfg = load_config(config_file=str(site.root / "mkdocs.yml"))
    plugin = cfg.plugins["archkb"]
    deferred = DeferredHtml()
    assert deferred.href("patterns/alpha.md", "patterns/nowhere.md") == "../nowhere/"
    assert deferred.href("patterns/alpha.md", "reading-list.md", "ref-x") == "../../reading-list/#ref-x"
    plugin.deferred = {"patterns/alpha.md": deferred}
    with caplog.at_level("WARNING", logger="mkdocs.plugins.archkb"):
        plugin.on_env(None, config=cfg, files=Files([]))
    assert "patterns/alpha.md: generated link to 'patterns/nowhere.md', which is not a page" in caplog.text


def test_generated_sections_link_to_real_pages_and_anchors(site):
    from archkb.linkcheck import check_internal, load_pages

    result = site.build(strict=True)
    assert result.ok, result.warnings
    pages = load_pages(sorted(result.site_dir.rglob("*.html")), result.site_dir)
    results = check_internal(pages, result.site_dir)
    checked = {r.url for r in results if r.state.value == "ok"}
    assert any("#ref-ref-a" in url for url in checked)  # "Reading list entry" links were checked
    assert [r for r in results if r.state.value == "broken"] == []


def test_the_pattern_opening_is_shown_and_searchable(site):
    # Summary, dates and aliases are set aside as one HTML block (no Markdown conversion):
    # the page shows them, escaped, and search still indexes the summary and the aliases.
    site.write(
        "patterns/alpha.md",
        pattern_text(
            "Alpha", summary="Alpha <em>does</em> one & only thing.", extra="aliases:\n  - Alpha & Omega <b>\n"
        ),
    )
    result = site.build(strict=True)
    assert result.ok, result.warnings
    alpha = result.html("patterns/alpha/index.html")
    assert '<p class="archkb-summary">Alpha &lt;em&gt;does&lt;/em&gt; one &amp; only thing.</p>' in alpha
    assert "<p><em>Also known as:</em> Alpha &amp; Omega &lt;b&gt;</p>" in alpha
    assert "archkb-deferred" not in alpha and "\x8f" not in alpha
    index = json.loads((result.site_dir / "search" / "search_index.json").read_text(encoding="utf-8"))
    page = " ".join(doc["text"] for doc in index["docs"] if doc["location"].startswith("patterns/alpha/"))
    assert "one &amp; only thing" in page or "one & only thing" in page
    assert "Also known as: Alpha" in page
