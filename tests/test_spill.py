"""Large generated output goes to a private folder instead of staying in memory for the whole build."""

from __future__ import annotations

import io
import json

import pytest
from markdown import Markdown

from archkb.catalog.loader import load_catalog
from archkb.exports.json import catalog_to_dict, catalog_to_json, write_catalog_json
from archkb.mkdocs.deferred import DeferredHtml
from archkb.site.spill import SpillFolder
from conftest import BODY, pattern_text


def test_spill_folder_keeps_byte_ranges_and_whole_files():
    spill = SpillFolder()
    first = spill.keep("é<svg/>".encode())
    second = spill.keep(b"<ul></ul>")
    assert spill.fetch(second, 9) == b"<ul></ul>"
    assert spill.fetch(first, len("é<svg/>".encode())).decode() == "é<svg/>"

    path = spill.write("exports/a.json", "{}\n")
    assert path.read_text() == "{}\n" and spill.writes == 1
    spill.write("exports/a.json", "{}\n")
    assert spill.writes == 1  # unchanged content is not rewritten
    spill.write("exports/a.json", "[]\n")
    assert spill.writes == 2 and path.read_text() == "[]\n"
    streamed = spill.write_with("exports/b.txt", lambda out: out.writelines(["a", "b"]))
    assert streamed.read_text() == "ab"

    spill.remove()
    assert spill.removed and not spill.path.exists()
    with pytest.raises(OSError, match="the spill folder was removed"):
        spill.fetch(first, 1)


def test_spilled_deferred_html_restores_the_same_page():
    def page(deferred: DeferredHtml) -> str:
        markdown = "# T\n" + deferred.defer('<div id="a">ä <a href="x">x</a></div>') + deferred.defer('<p id="b">b</p>')
        deferred.href("patterns/x.md", "reading-list.md", "ref-a")
        deferred.href("patterns/x.md", "reading-list.md", "ref-a")
        return markdown

    in_memory, spilled = DeferredHtml(), DeferredHtml()
    markdown = page(in_memory)
    assert page(spilled) == markdown
    spill = SpillFolder()
    spilled.spill(spill)
    assert spilled.blocks == [] and spill.kept > 0 and spilled  # the HTML left memory, the page still has some
    html = Markdown().convert(markdown)
    assert spilled.restore(html) == in_memory.restore(html) and "ä" in spilled.restore(html)
    assert spilled.anchor_ids() == {"a", "b"}
    assert spilled.links == [("reading-list.md", "ref-a")]  # de-duplicated when spilled
    assert spilled.restore("<p>no placeholders</p>") == "<p>no placeholders</p>"
    spill.remove()
    with pytest.raises(RuntimeError, match="set aside for this page is gone"):
        spilled.restore(html)


@pytest.mark.parametrize("batch", [1, 2, 256])
def test_streamed_json_export_is_the_same_text(site, batch):
    catalog = load_catalog(site.root)
    out = io.StringIO()
    write_catalog_json(catalog, out, batch=batch)
    expected = json.dumps(catalog_to_dict(catalog), indent=2, ensure_ascii=False) + "\n"
    assert out.getvalue() == expected == catalog_to_json(catalog)
    assert json.loads(out.getvalue())["references"][0]["cited_by"]


def test_streamed_json_export_of_an_empty_catalog(tmp_path):
    catalog = load_catalog(tmp_path)
    out = io.StringIO()
    write_catalog_json(catalog, out)
    assert out.getvalue() == json.dumps({"patterns": [], "references": [], "paths": []}, indent=2) + "\n"
    out = io.StringIO()
    write_catalog_json(catalog, out, indent=None)
    assert out.getvalue() == '{"patterns":[],"references":[],"paths":[]}\n'


@pytest.mark.parametrize("batch", [1, 2, 256])
def test_compact_json_export_is_the_same_data(site, batch):
    catalog = load_catalog(site.root)
    out = io.StringIO()
    write_catalog_json(catalog, out, indent=None, batch=batch)
    assert out.getvalue() == json.dumps(catalog_to_dict(catalog), ensure_ascii=False, separators=(",", ":")) + "\n"
    with pytest.raises(ValueError, match="indents by 2 or not at all"):
        write_catalog_json(catalog, io.StringIO(), indent=4)


def test_build_spills_large_output_and_lets_the_catalog_go(site, monkeypatch):
    import archkb.site.generator

    monkeypatch.setattr(archkb.site.generator, "SPILL_THRESHOLD", 1)  # every generated file goes through the folder
    site.write("docs/index.md", "# Home\n\n<!-- archkb:map-preview -->\n\nSee the [reading list](reading-list.md).\n")
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    cfg = load_config(config_file=str(site.root / "mkdocs.yml"), site_dir=str(site.root / "site"), strict=True)
    cfg.plugins.on_startup(command="build", dirty=False)
    build(cfg)
    plugin = cfg.plugins["archkb"]
    assert plugin.catalog is None and not plugin.site.parse_cache.entries  # released after generation
    assert plugin.spill.removed  # and the folder is gone once the site is written
    home = (site.root / "site/index.html").read_text()
    assert 'id="archkb-map-preview"' in home and "archkb-deferred" not in home
    alpha = (site.root / "site/patterns/alpha/index.html").read_text()
    assert 'id="related-patterns"' in alpha and '<a href="../beta/">Beta</a>' in alpha
    assert "archkb-deferred" not in alpha
    exported = (site.root / "site/exports/catalog.json").read_text()
    assert json.loads(exported) == json.loads(catalog_to_json(load_catalog(site.root)))
    assert exported.startswith('{"patterns":[{"slug":"alpha"')  # compact: the C encoder wrote it
    assert "@" in (site.root / "site/exports/references.bib").read_text()


def test_serve_keeps_catalog_and_folder_between_rebuilds(site):
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    cfg = load_config(config_file=str(site.root / "mkdocs.yml"), site_dir=str(site.root / "site"))
    cfg.plugins.on_startup(command="serve", dirty=False)
    build(cfg)
    plugin = cfg.plugins["archkb"]
    folder = plugin.spill
    assert plugin.catalog is not None and not folder.removed
    build(cfg)
    assert plugin.spill is folder and not folder.removed
    assert "Alpha leans on beta." in (site.root / "site/patterns/alpha/index.html").read_text()
    cfg.plugins.on_shutdown()
    assert folder.removed and not folder.path.exists()


def test_search_indexes_the_plain_version_of_reading_list_entries(site):
    result = site.build(strict=True)
    assert result.ok, result.warnings
    index = json.loads(result.html("search/search_index.json"))
    entries = " ".join(doc["text"] for doc in index["docs"] if doc["location"].startswith("reading-list/"))
    assert "The second reference · Grace Hopper · 1952 · book. The second reference, about compilers." in entries
    assert "Cited by: Alpha, Gamma." in entries
    assert "Link not checked" not in entries and "href=" not in entries  # badges and links stay out
    reading = result.html("reading-list/index.html")
    assert "archkb-search" not in reading and "archkb-deferred" not in reading
    assert 'id="ref-ref-b"' in reading and "Link not checked yet" in reading  # readers get the full entries
    pattern_text = " ".join(doc["text"] for doc in index["docs"] if doc["location"].startswith("patterns/alpha/"))
    assert "Reading list entry" not in pattern_text  # further reading is not indexed


def test_search_versions_survive_spilling():
    deferred = DeferredHtml()
    markdown = deferred.defer("<div><a href='x'>full</a></div>", search="<p>plain</p>") + deferred.defer("<svg/>")
    spill = SpillFolder()
    deferred.spill(spill)
    html = Markdown().convert(markdown)
    assert html == "<p>\x8farchkb-deferred-0\x90</p>\n<p>\x8farchkb-deferred-1\x90</p>"
    for_search = deferred.restore_for_search(html)
    # A block without a search version hides behind a comment, which search skips.
    assert for_search == "<!--archkb-search-0--><p>plain</p><!--/archkb-search-->\n<!--archkb-deferred-1-->"
    assert deferred.restore(for_search) == "<div><a href='x'>full</a></div>\n<svg/>"
    spill.remove()


def test_citations_render_the_same_wherever_they_stand(site):
    body = BODY.format(title="Beta", ref="ref-a") + (
        "\n[@ref-b] opens this paragraph.\n\nMid-sentence [@ref-b] citation.\n\n"
        "- [@ref-b] opens a list item\n\n### Heading with [@ref-b]\n\n`[@ref-b]` stays code.\n"
    )
    site.write("patterns/beta.md", pattern_text("Beta", refs=("ref-a", "ref-b"), body=body))
    result = site.build(strict=True)
    assert result.ok, result.warnings
    beta = result.html("patterns/beta/index.html")
    preview = "The second reference · Hopper · 1952 · Link not checked yet"  # see test_citation_previews.py
    link = f'<a href="../../reading-list/#ref-ref-b" title="{preview}">Hopper 1952</a>'
    assert f"<p>{link} opens this paragraph.</p>" in beta
    assert f"<p>Mid-sentence {link} citation.</p>" in beta
    assert f"<li>{link} opens a list item</li>" in beta
    assert "Heading with" in beta and "Hopper 1952" in beta[beta.index("Heading with") :][:400]
    assert "<code>[@ref-b]</code>" in beta
    assert "archkb-inline" not in beta
    index = json.loads(result.html("search/search_index.json"))
    text = " ".join(doc["text"] for doc in index["docs"] if doc["location"].startswith("patterns/beta/"))
    assert "Mid-sentence Hopper 1952 citation." in text  # the label is searchable, the placeholder is not
    assert "archkb-inline" not in text


def test_generator_without_a_spill_folder_keeps_everything_in_memory(site):
    from archkb.mkdocs.plugin import _deferred_sink
    from archkb.site.generator import SiteGenerator, SiteOptions

    generator = SiteGenerator(sink=_deferred_sink)
    pages = {
        page.uri: page
        for page in generator.generate(load_catalog(site.root, cache=generator.parse_cache), SiteOptions())
    }
    assert all(page.source is None and page.content is not None for page in pages.values())
    assert pages["exports/catalog.json"].content == catalog_to_json(load_catalog(site.root), compact=True)
    alpha = pages["patterns/alpha.md"].deferred
    assert alpha.blocks and "\x8farchkb-deferred-0\x90" in pages["patterns/alpha.md"].content


@pytest.mark.parametrize("flush_at", [1, 64, 1 << 20])
def test_blocks_stream_to_the_store_as_they_are_deferred(monkeypatch, flush_at):
    monkeypatch.setattr(DeferredHtml, "_FLUSH_AT", flush_at)
    spill = SpillFolder()
    streamed, in_memory = DeferredHtml(store=spill), DeferredHtml()
    markdown = ""
    for n in range(40):
        block, search = f'<div id="b{n}">block {n} é</div>', (f"<p>plain {n}</p>" if n % 3 == 0 else None)
        markdown += streamed.defer(block, search=search)
        in_memory.defer(block, search=search)
    assert streamed.blocks == [] and streamed.searchable == {}  # nothing waits in memory as text
    html = Markdown().convert(markdown)
    # Pending bytes (when the batch is large) are written before anything is read back.
    assert streamed.restore_for_search(html) == in_memory.restore_for_search(html)
    assert streamed.restore(streamed.restore_for_search(html)) == in_memory.restore(html)
    streamed.spill(spill)  # what the generator calls last: a no-op flush by now
    assert streamed.restore(html) == in_memory.restore(html)
    with pytest.raises(ValueError, match="another store"):
        streamed.spill(SpillFolder())
    spill.remove()


@pytest.mark.parametrize("command", ["build", "serve"])
def test_a_one_off_build_lets_generated_pages_go_once_written(site, monkeypatch, command):
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    from archkb.mkdocs.plugin import ArchkbPlugin

    seen = {}
    original = ArchkbPlugin.on_env

    def keep_files(self, env, *, config, files):
        seen["files"] = files
        return original(self, env, config=config, files=files)

    monkeypatch.setattr(ArchkbPlugin, "on_env", keep_files)
    cfg = load_config(config_file=str(site.root / "mkdocs.yml"), site_dir=str(site.root / "site"))
    cfg.plugins.on_startup(command=command, dirty=False)
    build(cfg)
    files = seen["files"]
    alpha, reading, home = (
        files.get_file_from_path(uri) for uri in ("patterns/alpha.md", "reading-list.md", "index.md")
    )
    assert home.page.content  # hand-written pages are MkDocs' business
    for generated in (alpha, reading):
        if command == "build":  # written, indexed, and let go
            assert generated.page.content == "" and generated.content_string == ""
        else:  # serve converts them again on the next rebuild
            assert generated.page.content and generated.content_string.startswith("---")
    page = (site.root / "site/patterns/alpha/index.html").read_text()
    assert 'id="related-patterns"' in page and "Alpha leans on beta." in page
    index = json.loads((site.root / "site/search/search_index.json").read_text())
    assert any(doc["location"].startswith("patterns/alpha/") and "Alpha" in doc["title"] for doc in index["docs"])


def test_links_and_ids_are_packed_when_spilled_and_still_read_the_same():
    deferred = DeferredHtml()
    deferred.defer('<h2 id="x">X</h2><a href="y">y</a>')
    for anchor in ("ref-a", None, "ref-a"):
        deferred.href("patterns/p.md", "reading-list.md" if anchor else "patterns/q.md", anchor)
    spill = SpillFolder()
    deferred.spill(spill)
    assert deferred.links == [("reading-list.md", "ref-a"), ("patterns/q.md", None)]
    assert deferred.anchor_ids() == {"x"}
    deferred.href("patterns/p.md", "patterns/r.md", "s")  # a later link unpacks first
    assert deferred.links[-1] == ("patterns/r.md", "s") and len(deferred.links) == 3
    deferred.defer('<p id="z">z</p>')
    assert deferred.anchor_ids() == {"x", "z"}
    spill.remove()


def test_anchor_ids_are_id_attributes_only():
    deferred = DeferredHtml()
    deferred.defer('<p data-id="not-an-anchor" id="yes">x</p>\n<svg id="map"><g\tid="tabbed"/></svg>')
    assert deferred.anchor_ids() == {"yes", "map", "tabbed"}
