"""Integration: the reader pages of a fixture site built through the MkDocs API.

Map, neighbourhood maps, link states, "Link health", exports, feed, reading-list
filters and home page fragments, asserted on the built HTML and files.
"""

from __future__ import annotations

import html
import json
import posixpath
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from click.testing import CliRunner

from archkb.cli import main as archkb_main
from archkb.exports.feed import ATOM_NS
from test_bibtex import parse_bibtex, unescape

REPORT = {
    "results": [
        {
            "url": "https://example.com/a",
            "state": "broken",
            "status": 404,
            "final_url": None,
            "sources": ["references/testing.yml:4"],
            "message": "not found",
            "checked_at": "2026-11-20T08:00:00Z",
        },
        {
            "url": "https://example.com/b",
            "state": "ok",
            "status": 200,
            "final_url": None,
            "sources": ["references/testing.yml:13"],
            "message": "",
            "checked_at": "2026-11-21T08:00:00Z",
        },
    ],
    "summary": {"broken": 1, "ok": 1},
}

HOME = """\
# Home

<!-- archkb:map-preview -->

## Recent changes

<!-- archkb:recent-changes -->
"""


def resolve(site_dir: Path, page: str, href: str) -> Path:
    """The file a relative link on ``page`` (a path in the site) points at."""
    target = posixpath.normpath(posixpath.join(posixpath.dirname(page), href.split("#")[0]))
    path = site_dir / target
    return path / "index.html" if href.split("#")[0].endswith("/") or path.is_dir() else path


def map_svg(html: str, nth: int = 0) -> ET.Element:
    """The ``nth`` archkb map of a page, parsed (Material's own icons are SVGs too)."""
    start = -1
    for _ in range(nth + 1):
        start = html.index('<svg xmlns="http://www.w3.org/2000/svg" class="archkb-map', start + 1)
    return ET.fromstring(html[start : html.index("</svg>", start) + 6])


def write_report(site, rel: str = ".cache/archkb/link-report.json", data: object = REPORT) -> None:
    site.write(rel, data if isinstance(data, str) else json.dumps(data))


def test_map_page_links_every_pattern(site):
    result = site.build(strict=True)
    assert result.ok, result.warnings
    page = result.html("map/index.html")
    assert "<h1" in page and "Pattern map" in page
    root = map_svg(page)
    links = root.findall(".//{http://www.w3.org/2000/svg}a")
    assert sorted(a.get("data-slug") for a in links) == ["alpha", "beta", "gamma"]
    for link in links:
        assert "archkb-node" in link.get("class").split()
        assert link.get("aria-label")
        href = link.get("{http://www.w3.org/1999/xlink}href")  # see archkb.map.svg._render_node
        assert resolve(result.site_dir, "map/index.html", href).is_file(), href
    edge_classes = {
        p.get("class")
        for p in root.iter("{http://www.w3.org/2000/svg}path")
        if (p.get("class") or "").startswith("archkb-edge")
    }
    assert {
        "archkb-edge archkb-rel--uses",
        "archkb-edge archkb-rel--alternative-to",
        "archkb-edge archkb-rel--leads-to",
    } <= edge_classes
    assert root.find("{http://www.w3.org/2000/svg}title").text == "Pattern map"
    # The text version lists the same relations with ordinary, validated links.
    assert 'id="text-version"' in page and 'uses <a href="../patterns/beta/">Beta</a>' in page


def test_pattern_pages_show_their_neighbourhood(site):
    result = site.build(strict=True)
    assert result.ok, result.warnings
    page = result.html("patterns/beta/index.html")
    related = page[page.index('id="related-patterns"') : page.index('id="further-reading"')]
    assert "archkb-map--neighbourhood" in related
    root = map_svg(related)
    assert {a.get("data-slug") for a in root.iter("{http://www.w3.org/2000/svg}a")} == {"alpha", "gamma"}
    for a in root.iter("{http://www.w3.org/2000/svg}a"):
        assert resolve(
            result.site_dir, "patterns/beta/index.html", a.get("{http://www.w3.org/1999/xlink}href")
        ).is_file()
    full = re.search(r'<a href="([^"]+)">Open the full pattern map</a>', related).group(1)
    assert resolve(result.site_dir, "patterns/beta/index.html", full) == result.site_dir / "map/index.html"


def test_references_show_their_link_state(site):
    write_report(site)
    result = site.build(strict=True)
    assert result.ok, result.warnings
    reading = result.html("reading-list/index.html")
    entry_a = reading[reading.index('id="ref-ref-a"') :]
    entry_a = entry_a[: entry_a.index("Cited by")]
    assert "archkb-link-state--broken" in entry_a
    assert 'href="https://web.archive.org/web/*/https://example.com/a"' in html.unescape(entry_a)
    entry_b = reading[reading.index('id="ref-ref-b"') :]
    entry_b = entry_b[: entry_b.index("Cited by")]
    assert 'Link verified <time datetime="2026-11-21">2026-11-21</time>' in entry_b
    alpha = result.html("patterns/alpha/index.html")
    further = alpha[alpha.index('id="further-reading"') :]
    assert "archkb-link-state--broken" in further and "archkb-link-state--ok" in further


def test_without_a_report_every_link_is_not_checked_yet(site):
    write_report(site, data="{corrupt")
    result = site.build(strict=True)
    assert result.ok, result.warnings
    reading = result.html("reading-list/index.html")
    assert reading.count("Link not checked yet") == 2
    assert "No link check has run yet" in result.html("link-health/index.html")


def test_report_path_comes_from_the_plugin_config(site):
    write_report(site, "reports/links.json")
    site.write(
        "mkdocs.yml",
        site.root.joinpath("mkdocs.yml")
        .read_text()
        .replace("  - archkb\n", "  - archkb:\n      link_check:\n        report: reports/links.json\n"),
    )
    result = site.build(strict=True)
    assert result.ok, result.warnings
    assert "archkb-link-state--broken" in result.html("reading-list/index.html")


def test_link_health_page(site):
    write_report(site)
    result = site.build(strict=True)
    assert result.ok, result.warnings
    page = result.html("link-health/index.html")
    assert re.search(r'<h1 id="link-health">Link health<', page)
    assert '<time datetime="2026-11-21">2026-11-21</time>' in page
    table = page[page.index('id="problem-links"') :]
    assert "https://example.com/a" in table and "https://example.com/b" not in table
    cited = re.findall(r'<a href="([^"]+)">(Alpha|Beta|Reading list: [^<]+)</a>', table)
    assert {name for _, name in cited} >= {"Alpha", "Beta"}
    for href, _ in cited:
        assert resolve(result.site_dir, "link-health/index.html", href).is_file()


def test_exports_match_the_cli(site):
    result = site.build(strict=True)
    assert result.ok, result.warnings
    exported = (result.site_dir / "exports/catalog.json").read_text(encoding="utf-8")
    cli = CliRunner().invoke(archkb_main, ["export", "json", "--compact", "--root", str(site.root)])
    assert cli.exit_code == 0, cli.output
    assert exported == cli.stdout
    pretty = CliRunner().invoke(archkb_main, ["export", "json", "--root", str(site.root)])
    assert json.loads(pretty.stdout) == json.loads(exported) and pretty.stdout.startswith('{\n  "patterns": [')
    assert {p["slug"] for p in json.loads(exported)["patterns"]} == {"alpha", "beta", "gamma"}
    entries = parse_bibtex((result.site_dir / "exports/references.bib").read_text(encoding="utf-8"))
    assert list(entries) == ["ref-a", "ref-b"]
    assert entries["ref-b"][0] == "book"
    assert unescape(entries["ref-a"][1]["title"]) == "A & B: the first reference"
    # The reading list links both files.
    reading = result.html("reading-list/index.html")
    for name in ("exports/references.bib", "exports/catalog.json"):
        assert f'href="../{name}"' in reading


def test_feed_and_head_links(site):
    site.write("mkdocs.yml", site.root.joinpath("mkdocs.yml").read_text() + "site_url: https://kb.example.org/\n")
    result = site.build(strict=True)
    assert result.ok, result.warnings
    root = ET.fromstring((result.site_dir / "feed.xml").read_bytes())
    entries = root.findall(f"{{{ATOM_NS}}}entry")
    assert len(entries) == 3
    assert {e.find(f"{{{ATOM_NS}}}id").text for e in entries} == {
        f"https://kb.example.org/patterns/{slug}/" for slug in ("alpha", "beta", "gamma")
    }
    for page in ("index.html", "patterns/alpha/index.html", "map/index.html", "reading-list/index.html"):
        html = result.html(page)
        head = html[: html.index("</head>")]
        match = re.search(r'<link rel="alternate" type="application/atom\+xml" title="[^"]+" href="([^"]+)">', head)
        assert match, page
        assert resolve(result.site_dir, page, match.group(1)) == result.site_dir / "feed.xml"


def test_reading_list_filters_work_with_and_without_javascript(site):
    result = site.build(strict=True)
    assert result.ok, result.warnings
    page = result.html("reading-list/index.html")
    for facet in ("kind", "tag", "year"):
        assert f'<label for="archkb-filter-{facet}">' in page and f'<select id="archkb-filter-{facet}"' in page
    assert '<option value="paper">Papers (1)</option>' in page and '<option value="1952">1952 (1)</option>' in page
    assert '<option value="engines">engines (1)</option>' in page
    entries = re.findall(r'<div class="archkb-ref" ([^>]*)>', page)
    assert len(entries) == 2
    assert 'data-kind="paper"' in entries[1] and 'data-year="1843"' in entries[1] and 'id="ref-ref-a"' in entries[1]
    # Grouped by topic, then kind.
    assert 'id="topic-testing"' in page and 'id="topic-testing-paper"' in page and 'id="topic-testing-book"' in page
    # Without JavaScript: facet links to hidden :target anchors placed before the topics...
    for anchor in ("filter-kind-paper", "filter-kind-book", "filter-year-1843", "filter-tag-engines"):
        assert f'<a href="#{anchor}">' in page
        assert page.index(f'id="{anchor}"') < page.index('class="archkb-topic"')
    # ...and generated CSS rules that hide what does not match.
    css = (result.site_dir / "assets/archkb/reading-list-filters.css").read_text(encoding="utf-8")
    assert '#filter-kind-paper:target ~ .archkb-topic .archkb-ref:not([data-kind="paper"])' in css
    assert '#filter-tag-engines:target ~ .archkb-topic .archkb-ref:not([data-tags~="engines"])' in css
    assert "assets/archkb/reading-list-filters.css" in page and "assets/archkb/archkb-filter.js" in page
    assert (result.site_dir / "assets/archkb/archkb-filter.js").is_file()


def test_home_page_fragments(site):
    site.write("docs/index.md", HOME)
    result = site.build(strict=True)
    assert result.ok, result.warnings
    home = result.html("index.html")
    assert "archkb:" not in home
    assert 'id="archkb-map-preview"' in home
    root = map_svg(home)
    for a in root.iter("{http://www.w3.org/2000/svg}a"):
        assert resolve(result.site_dir, "index.html", a.get("{http://www.w3.org/1999/xlink}href")).is_file()
    changes = home[home.index('id="recent-changes"') :]
    assert len(re.findall(r"<li><time", changes)) == 3
    assert '<a href="patterns/alpha/">Alpha</a>' in changes and '<a href="feed.xml">Atom feed</a>' in changes


def test_plain_html_urls(site):
    site.write("mkdocs.yml", site.root.joinpath("mkdocs.yml").read_text() + "use_directory_urls: false\n")
    site.write("docs/index.md", HOME)
    result = site.build(strict=True)
    assert result.ok, result.warnings
    for page in ("map.html", "index.html", "patterns/beta.html"):
        html = result.html(page)
        root = map_svg(html)
        links = [a.get("{http://www.w3.org/1999/xlink}href") for a in root.iter("{http://www.w3.org/2000/svg}a")]
        assert links and all(h.endswith(".html") for h in links)
        for href in links:
            assert resolve(result.site_dir, page, href).is_file(), (page, href)
