"""The catalog as an EPUB 3 book: EPUBCheck passes, the same catalog gives the same bytes, links work inside."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from archkb import load_catalog
from archkb.cli import main
from archkb.exports.epub import BookOptions, book_options_from_config, book_order, catalog_to_epub, xhtml
from archkb.site.generator import SiteGenerator, SiteOptions
from conftest import BODY, REFERENCES, pattern_text
from safety.corpus import HOSTILE_BODIES

REPO = Path(__file__).resolve().parent.parent
EPUBCHECK_JAR = Path("/usr/share/java/epubcheck.jar")
INSTALL_HINT = "run `bash scripts/install-system-deps.sh` (as root): it installs Debian's epubcheck package"
XHTML = "{http://www.w3.org/1999/xhtml}"
OPF = "{http://www.idpf.org/2007/opf}"
EPUB_NS = "{http://www.idpf.org/2007/ops}"


def epubcheck(path: Path) -> str:
    """Run EPUBCheck on ``path``; fail the test (with the fix) when it is missing; return its report."""
    java = shutil.which("java")
    if not EPUBCHECK_JAR.is_file() or java is None:
        pytest.fail(f"EPUBCheck is not installed ({EPUBCHECK_JAR} and java): {INSTALL_HINT}", pytrace=False)
    proc = subprocess.run(
        [java, "-jar", str(EPUBCHECK_JAR), str(path)], capture_output=True, text=True, timeout=300, check=False
    )
    report = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"EPUBCheck failed on {path.name}:\n{report}"
    summary = re.search(r"Messages: (\d+) fatals / (\d+) errors / (\d+) warnings", report)
    assert summary and summary.groups() == ("0", "0", "0"), f"EPUBCheck on {path.name}:\n{report}"
    return report


def real_book() -> bytes:
    return catalog_to_epub(load_catalog(REPO), book_options_from_config(REPO))


@pytest.fixture(scope="module")
def book() -> bytes:
    return real_book()


def entries(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def spine(files: dict[str, bytes]) -> list[str]:
    package = ET.fromstring(files["OEBPS/content.opf"])
    hrefs = {item.get("id"): item.get("href") for item in package.iter(f"{OPF}item")}
    return [hrefs[ref.get("idref")] for ref in package.iter(f"{OPF}itemref")]


def documents(files: dict[str, bytes]) -> dict[str, ET.Element]:
    """Every XHTML document of the book, parsed as XML (which fails on anything not well-formed)."""
    return {name[len("OEBPS/") :]: ET.fromstring(data) for name, data in files.items() if name.endswith(".xhtml")}


def test_epubcheck_passes_on_the_book_of_the_real_catalog(tmp_path, book):
    path = tmp_path / "archkb.epub"
    path.write_bytes(book)
    assert "No errors or warnings detected" in epubcheck(path)


def test_same_catalog_same_bytes(book, tmp_path):
    assert real_book() == book
    # Another process, another time zone, another working directory: still the same bytes.
    code = (
        "import sys; from archkb import load_catalog; from archkb.exports.epub import catalog_to_epub, "
        "book_options_from_config; r = sys.argv[1]; "
        "sys.stdout.buffer.write(catalog_to_epub(load_catalog(r), book_options_from_config(r)))"
    )
    env = dict(os.environ, TZ="Pacific/Kiritimati", SOURCE_DATE_EPOCH="0", PYTHONHASHSEED="123")
    other = subprocess.run(
        [sys.executable, "-c", code, str(REPO)], capture_output=True, check=True, env=env, cwd=tmp_path
    ).stdout
    assert other == book


def test_zip_layout_is_fixed(book):
    with zipfile.ZipFile(io.BytesIO(book)) as archive:
        infos = archive.infolist()
    first = infos[0]
    assert (first.filename, first.compress_type, first.extra) == ("mimetype", zipfile.ZIP_STORED, b"")
    assert book[30:38] == b"mimetype" and book[38:58] == b"application/epub+zip"  # what readers sniff
    names = [i.filename for i in infos[1:]]
    assert names == sorted(names) and "META-INF/container.xml" in names
    assert len({i.date_time for i in infos}) == 1 and {i.create_system for i in infos} == {3}
    files = entries(book)
    package = ET.fromstring(files["OEBPS/content.opf"])
    modified = package.find(f"{OPF}metadata/{OPF}meta[@property='dcterms:modified']").text
    assert modified.startswith("{:04d}-{:02d}-{:02d}T".format(*infos[0].date_time[:3]))
    identifier = package.find(f"{OPF}metadata/{{http://purl.org/dc/elements/1.1/}}identifier").text
    assert identifier.startswith("urn:uuid:")


def test_reading_paths_first_in_path_order_then_the_rest(book):
    catalog = load_catalog(REPO)
    files = entries(book)
    order = spine(files)
    topics = [f"bibliography-{t}.xhtml" for t in catalog.topics]
    assert order[:2] == ["title.xhtml", "nav.xhtml"]
    assert order[-len(topics) - 2 :] == ["bibliography.xhtml", *topics, "map.xhtml"]
    paths, rest = book_order(catalog)
    expected = []
    for slug, placed in paths:
        expected += [f"path-{slug}.xhtml"] + [f"pattern-{p}.xhtml" for p in placed]
    if rest:
        expected += ["more-patterns.xhtml"] + [f"pattern-{p}.xhtml" for p in rest]
    assert order[2 : -len(topics) - 2] == expected
    # Each pattern once, every valid pattern there, and a path's patterns in its step order.
    chapters = [name for name in order if name.startswith("pattern-")]
    assert len(chapters) == len(set(chapters)) == len(catalog.patterns)
    first_slug, first_placed = paths[0]
    steps = [s.pattern for s in catalog.paths[first_slug].data.steps if s.pattern]
    assert first_placed == list(dict.fromkeys(steps))


def test_each_pattern_has_its_generated_sections_and_internal_links_work(book):
    files = entries(book)
    docs = documents(files)
    ids = {name: {el.get("id") for el in root.iter() if el.get("id")} for name, root in docs.items()}
    catalog = load_catalog(REPO)
    external = internal = 0
    for name, root in docs.items():
        for link in root.iter(f"{XHTML}a"):
            href = link.get("href")
            assert href, f"{name}: a link without href"
            if re.match(r"^(https?|mailto):", href):
                external += 1
                continue
            target, _, fragment = href.partition("#")
            target = target or name
            assert f"OEBPS/{target}" in files, f"{name}: link to {href}, which the book does not hold"
            if fragment:
                assert fragment in ids[target], f"{name}: link to {href}, but {target} has no such id"
            internal += 1
    assert external > 200 and internal > 1000
    for slug in catalog.patterns:
        root = docs[f"pattern-{slug}.xhtml"]
        headings = [h.text for h in root.iter(f"{XHTML}h2")]
        assert headings[-2:] == ["Related patterns", "Further reading"], (slug, headings)
    # Relations, citations (with their previews) and cited-by lead inside the book.
    breaker = ET.tostring(docs["pattern-circuit-breaker.xhtml"], encoding="unicode")
    assert 'href="pattern-timeouts-and-deadlines.xhtml"' in breaker
    citation = next(
        a
        for a in docs["pattern-circuit-breaker.xhtml"].iter(f"{XHTML}a")
        if (a.get("href") or "").startswith("bibliography-") and "#ref-" in a.get("href") and a.get("title")
    )
    assert citation.get("title").count(" · ") >= 3
    topic_docs = [root for name, root in docs.items() if name.startswith("bibliography-")]
    bibliography = "".join(ET.tostring(root, encoding="unicode") for root in topic_docs)
    assert "Cited by: " in bibliography and 'href="pattern-circuit-breaker.xhtml"' in bibliography
    entries_marked = [el for root in topic_docs for el in root.iter() if el.get(f"{EPUB_NS}type") == "biblioentry"]
    assert len(entries_marked) == len(catalog.references)
    assert max(len(files[f"OEBPS/{name}"]) for name in docs) < 300_000  # no document too large for an e-reader


def test_the_map_is_an_svg_image(book):
    files = entries(book)
    svg = ET.fromstring(files["OEBPS/map.svg"])
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    assert len(
        [g for g in svg.iter("{http://www.w3.org/2000/svg}g") if "archkb-node" in (g.get("class") or "").split()]
    ) == len(load_catalog(REPO).patterns)
    img = next(documents(files)["map.xhtml"].iter(f"{XHTML}img"))
    assert img.get("src") == "map.svg" and img.get("alt")


def test_links_to_site_pages_the_book_lacks_point_at_the_site(book):
    chapters = b"".join(data for name, data in entries(book).items() if "/pattern-" in name)
    from archkb.site.source_tree import config_value, load_engine_config

    site_url = config_value(load_engine_config(REPO / "mkdocs.yml")["site_url"])  # follows SITE_URL, as MkDocs does
    assert f'href="{site_url}case-studies/fullstory-2014/"'.encode() in chapters
    assert b'href="../' not in chapters and b".md" not in re.sub(rb'href="https?://[^"]*"', b"", chapters)


NASTY = "Pub & Sub <T> \"quoted\" 'single' ]]> --> \\ {: onclick=x } &amp;"


def test_every_field_is_escaped_for_xhtml_and_hostile_bodies_stay_inert(site, tmp_path):
    site.write("mkdocs.yml", (site.root / "mkdocs.yml").read_text() + "  - footnotes\n  - tables\n")
    references = REFERENCES.replace('"A & B: the first reference"', json.dumps(NASTY))
    references = references.replace("The first reference, about engines.", json.dumps(NASTY + " summary"))
    site.write("references/testing.yml", references)
    site.write(
        "patterns/alpha.md",
        pattern_text(
            "Alpha",
            summary=json.dumps(NASTY + " does it"),
            related="""
        - pattern: beta
          type: uses
          note: "<b>note</b> & ]]>"
        """,
            refs=("ref-a", "ref-b"),
            extra="aliases: ['<i>al</i> & \"x\"']\n",
        ),
    )
    hostile = (
        BODY.format(title="Beta", ref="ref-a") + "\n## 3.2 Numbers first\n\nA footnote[^1] and &nbsp; "
        "an entity, [a site page](../docs/index.md), [nowhere](nowhere.md), [x](javascript:alert(1)), "
        "![pic](https://example.com/p.png).\n\n[^1]: The note.\n\n| a | b |\n|:--|--:|\n| 1 | 2 |\n\n"
        + "\n".join(snippet for _, snippet, _ in HOSTILE_BODIES[:12])
    )
    site.write("patterns/beta.md", pattern_text("Beta", refs=("ref-a",), body=hostile))
    site.write(
        "paths/start.yml",
        "title: 'Start <here> & \"now\"'\nsummary: One path.\nsteps:\n"
        "  - pattern: gamma\n    why: 'First <why>.'\n    minutes: 5\n"
        "  - reference: ref-a\n    why: Then read.\n    minutes: 10\n",
    )
    catalog = load_catalog(site.root)
    data = catalog_to_epub(catalog, BookOptions(title='KB <&> "t"', description="D & <d>"))
    files = entries(data)
    docs = documents(files)  # all well-formed XML
    assert {"pattern-alpha.xhtml", "pattern-beta.xhtml", "path-start.xhtml"} <= set(docs)
    beta = files["OEBPS/pattern-beta.xhtml"].decode()
    assert 'id="id-32-numbers-first"' in beta and "The note." in beta and "<table" in beta
    assert '<a href="https://example.com/p.png">pic</a>' in beta and "<a>" not in beta
    assert 'href="#fn:1"' not in beta and re.search(r'<a [^>]*href="#id-fn_3a_1"', beta)
    text = "".join(ET.tostring(root, encoding="unicode", method="text") for root in docs.values())
    assert NASTY in text and "<b>note</b> & ]]>" in text and 'Start <here> & "now"' in text
    for name, root in docs.items():
        for el in root.iter():
            assert el.tag.split("}")[-1] not in {"script", "style", "iframe", "object", "form", "base", "meta"} or (
                el.tag == f"{XHTML}meta" and el.get("charset")
            ), f"{name}: <{el.tag}>"
            for attr, value in el.attrib.items():
                assert not attr.startswith("on"), f"{name}: {attr}={value!r}"
                assert "javascript:" not in value.lower(), f"{name}: {attr}={value!r}"
    assert (
        ET.fromstring(files["OEBPS/content.opf"]).find(f"{OPF}metadata/{{http://purl.org/dc/elements/1.1/}}title").text
        == 'KB <&> "t"'
    )
    path = tmp_path / "hostile.epub"
    path.write_bytes(data)
    epubcheck(path)


def test_xhtml_writes_well_formed_xml():
    out = xhtml(
        '<p id="3 x">a &amp; b<br>c<input type=checkbox disabled> <a href="#3 x">self</a> '
        '<a name="old">n</a> <img src="drop.png" alt="A <b>"> \x01 <!-- gone --></p>',
        resolve=lambda href: None if href == "drop.png" else href,
    )
    root = ET.fromstring(f'<div xmlns="http://www.w3.org/1999/xhtml">{out}</div>')
    p = root.find(f"{XHTML}p")
    assert p.get("id") == "id-3_20_x" and root.find(f".//{XHTML}a").get("href") == "#id-3_20_x"
    assert root.find(f".//{XHTML}input").get("disabled") == "disabled"
    assert len(root.findall(f".//{XHTML}a")) == 1 and "name=" not in out and "> n " in out  # <a name>: its text
    assert "A <b>" in "".join(root.itertext()) and "gone" not in out and "\x01" not in out
    assert root.find(f".//{XHTML}img") is None
    linked = xhtml('<img src="https://example.com/p.png" alt="P">')
    assert linked == '<a href="https://example.com/p.png">P</a>'


def test_the_site_generator_publishes_the_same_book_as_the_command(tmp_path):
    catalog = load_catalog(REPO)
    options = book_options_from_config(REPO)
    pages = {
        p.uri: p
        for p in SiteGenerator().generate(
            catalog,
            SiteOptions(
                directory_urls=options.directory_urls,
                site_url=options.site_url,
                title=options.title,
                description=options.description,
            ),
        )
    }
    page = pages["exports/archkb.epub"]
    published = page.content if page.content is not None else page.source.read_bytes()
    output = tmp_path / "book.epub"
    result = CliRunner().invoke(
        main,
        ["export", "epub", "--root", str(REPO), "--output", str(output), "--report", str(tmp_path / "no-report.json")],
    )
    assert result.exit_code == 0, result.output
    assert output.read_bytes() == published


def test_command_shows_the_link_report(site, tmp_path):
    report = tmp_path / "report.json"
    report.write_text(
        json.dumps(
            {"results": [{"url": "https://example.com/a", "state": "ok", "checked_at": "2026-11-21T09:00:00Z"}]}
        ),
        encoding="utf-8",
    )
    out = tmp_path / "kb.epub"
    result = CliRunner().invoke(
        main, ["export", "epub", "--root", str(site.root), "-o", str(out), "--report", str(report)]
    )
    assert result.exit_code == 0, result.output
    bibliography = entries(out.read_bytes())["OEBPS/bibliography-testing.xhtml"].decode()
    assert 'Link verified <time datetime="2026-11-21">2026-11-21</time>' in bibliography
    assert "Fixture KB" in entries(out.read_bytes())["OEBPS/title.xhtml"].decode()


def test_home_page_and_reading_list_link_the_book(site):
    result = site.build(strict=True)
    assert result.ok, result.warnings
    built = (result.site_dir / "exports" / "archkb.epub").read_bytes()
    assert built[:4] == b"PK\x03\x04"
    # The build's worker runs `archkb export epub`: the site's book is the command's, byte for byte.
    out = site.root / "book.epub"
    exported = CliRunner().invoke(main, ["export", "epub", "--root", str(site.root), "--output", str(out)])
    assert exported.exit_code == 0, exported.output
    assert out.read_bytes() == built
    assert 'href="../exports/archkb.epub"' in result.html("reading-list/index.html")
    assert "- <!-- archkb:book-link -->" in (REPO / "docs" / "index.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("env", [None, "true", "false"])
def test_the_book_follows_the_option_and_the_home_page_never_links_a_missing_book(site, monkeypatch, env):
    # As this project's mkdocs.yml sets it: the book only when ARCHKB_BOOK says so.
    from conftest import MKDOCS_YML

    if env is None:
        monkeypatch.delenv("ARCHKB_BOOK", raising=False)
    else:
        monkeypatch.setenv("ARCHKB_BOOK", env)
    site.write("mkdocs.yml", MKDOCS_YML.replace("  - archkb\n", "  - archkb:\n      book: !ENV [ARCHKB_BOOK, false]\n"))
    site.write("docs/index.md", "# Home\n\n- <!-- archkb:book-link -->\n")
    result = site.build(strict=True)
    assert result.ok, result.warnings
    home = result.html("index.html")
    made = env == "true"
    assert (result.site_dir / "exports" / "archkb.epub").is_file() is made
    assert ('<a href="exports/archkb.epub">Read it as a book</a>' in home) is made
    assert ("This build leaves the book out" in home) is not made
    assert "archkb:book-link" not in home
    # archkb generate (the source Zensical builds) reads the same setting from the environment.
    out = site.root / "generated"
    generated = CliRunner().invoke(main, ["generate", "--root", str(site.root), "--out", str(out)])
    assert generated.exit_code == 0, generated.output
    assert (out / "docs" / "exports" / "archkb.epub").is_file() is made
    home_source = (out / "docs" / "index.md").read_text(encoding="utf-8")
    assert ("Read it as a book](exports/archkb.epub)" in home_source) is made
    assert ("This build leaves the book out" in home_source) is not made


def test_serve_rebuilds_only_the_edited_chapter(site):
    from archkb.site.incremental import RenderCache

    generator = SiteGenerator(renders=RenderCache(keep=True))
    first = {
        p.uri: p.content
        for p in generator.generate(load_catalog(site.root, cache=generator.parse_cache), SiteOptions(title="KB"))
    }
    assert generator.book.misses == len(generator.book.entries) >= 6  # the book, 3 chapters, bibliography, map...
    again = {
        p.uri: p.content
        for p in generator.generate(load_catalog(site.root, cache=generator.parse_cache), SiteOptions(title="KB"))
    }
    assert generator.book.misses == 0 and again["exports/archkb.epub"] == first["exports/archkb.epub"]
    site.write(
        "patterns/beta.md",
        pattern_text(
            "Beta", refs=("ref-a",), body=BODY.format(title="Beta", ref="ref-a") + "\nA sentence added while serving.\n"
        ),
    )
    before = dict(generator.book.entries)
    second = {
        p.uri: p.content
        for p in generator.generate(load_catalog(site.root, cache=generator.parse_cache), SiteOptions(title="KB"))
    }
    changed = sorted(k for k, v in generator.book.entries.items() if before.get(k) != v)
    assert generator.book.misses == 2 and changed == ["archkb.epub", "pattern-beta.xhtml"]
    assert (
        "A sentence added while serving." in entries(second["exports/archkb.epub"])["OEBPS/pattern-beta.xhtml"].decode()
    )


def test_book_false_leaves_the_book_out_and_the_reading_list_stops_offering_it(site, tmp_path):
    from conftest import MKDOCS_YML

    site.write("mkdocs.yml", MKDOCS_YML.replace("  - archkb\n", "  - archkb:\n      book: false\n"))
    result = site.build(strict=True)
    assert result.ok, result.warnings
    assert not (result.site_dir / "exports" / "archkb.epub").exists()
    reading_list = result.html("reading-list/index.html")
    assert "archkb.epub" not in reading_list and "references.bib" in reading_list
    # archkb generate follows the same setting.
    out = tmp_path / "generated"
    made = CliRunner().invoke(main, ["generate", "--root", str(site.root), "--out", str(out)])
    assert made.exit_code == 0, made.output
    assert not (out / "docs" / "exports" / "archkb.epub").exists()
    assert (out / "docs" / "exports" / "references.bib").is_file()
    assert "archkb.epub" not in (out / "docs" / "reading-list.md").read_text(encoding="utf-8")
