"""Dates for readers: when a pattern was added and updated, when a reference joined the list, "recently added"."""

from __future__ import annotations

import datetime as dt
import re

import jsonschema

from archkb import load_catalog
from archkb.catalog.model import Reference, reference_file_schema
from archkb.site.dates import RECENT_DAYS, catalog_dates, git_file_dates, git_line_dates, render_pattern_dates
from archkb.site.reading_list import reading_list_facets, render_filter_css, render_reading_list
from conftest import REFERENCES, git, pattern_text

D = dt.date


def test_front_matter_dates_win_and_the_page_shows_them(site):
    site.write("patterns/alpha.md", pattern_text("Alpha", extra="added: 2026-01-10\nupdated: 2026-03-01\n"))
    catalog = load_catalog(site.root)
    dates = catalog_dates(catalog, file_dates={"patterns/alpha.md": (D(2020, 1, 1), D(2020, 2, 2))})
    alpha = dates.patterns["alpha"]
    assert (alpha.added, alpha.updated, alpha.added_source) == (D(2026, 1, 10), D(2026, 3, 1), "front matter")
    assert render_pattern_dates(alpha) == (
        '<p class="archkb-dates">Added <time datetime="2026-01-10">2026-01-10'
        '</time> · last updated <time datetime="2026-03-01">2026-03-01</time></p>'
    )
    page = site.build().html("patterns/alpha/index.html")
    summary_at = page.index('class="archkb-summary"')
    dates_at = page.index('<p class="archkb-dates">Added <time datetime="2026-01-10">')
    assert summary_at < dates_at < page.index("<h2", summary_at)  # right under the summary, before the body


def test_pattern_dates_fall_back_to_the_first_and_last_commit(site):
    root = site.root
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "one", date="2024-01-01T23:30:00-02:00")  # 2024-01-02 in UTC
    site.write("patterns/beta.md", pattern_text("Beta", summary="Beta changed its one sentence."))
    git(root, "add", "patterns/beta.md")
    git(root, "commit", "-q", "-m", "two", date="2024-06-01T12:30:00+02:00")
    site.write("patterns/gamma.md", pattern_text("Gamma", extra="added: 2023-05-05\n"))
    git(root, "add", "patterns/gamma.md")
    git(root, "commit", "-q", "-m", "three", date="2024-07-07T12:00:00+00:00")
    files = git_file_dates(root, "patterns")
    assert files["patterns/beta.md"] == (D(2024, 1, 2), D(2024, 6, 1))
    dates = catalog_dates(load_catalog(root))
    beta, gamma = dates.patterns["beta"], dates.patterns["gamma"]
    assert (beta.added, beta.updated, beta.added_source, beta.updated_source) == (
        D(2024, 1, 2),
        D(2024, 6, 1),
        "git",
        "git",
    )
    # A front-matter 'added' with git's last commit as the update.
    assert (gamma.added, gamma.added_source, gamma.updated, gamma.updated_source) == (
        D(2023, 5, 5),
        "front matter",
        D(2024, 7, 7),
        "git",
    )
    page = site.build().html("patterns/beta/index.html")
    assert '<time datetime="2024-01-02">2024-01-02</time>' in page and '<time datetime="2024-06-01">' in page


def test_no_dates_outside_git_and_without_front_matter(site):
    dates = catalog_dates(load_catalog(site.root))
    assert dates.patterns["alpha"].added is None and dates.references == {}
    assert render_pattern_dates(dates.patterns["alpha"]) == ""
    assert 'class="archkb-dates"' not in site.build().html("patterns/alpha/index.html")


def test_reference_added_field_is_optional_and_in_the_schema():
    ref = Reference(
        id="x-2020-y",
        title="X",
        authors=["A B"],
        year=2020,
        kind="book",
        url="https://e.org/",
        summary="S.",
        added="2026-02-03",
    )
    assert ref.added == D(2026, 2, 3)
    schema = reference_file_schema()
    jsonschema.validate(
        {
            "topic": "T",
            "references": [
                {
                    "id": "x-2020-y",
                    "title": "X",
                    "authors": ["A B"],
                    "year": 2020,
                    "kind": "book",
                    "url": "https://e.org/",
                    "summary": "S.",
                    "added": "2026-02-03",
                }
            ],
        },
        schema,
    )
    assert "added" in schema["$defs"]["Reference"]["properties"]


def test_reference_dates_come_from_added_then_from_git_blame_of_the_entry_line(site):
    root = site.root
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "refs", date="2025-01-01T10:00:00+00:00")
    # Editing an entry's summary later does not move its date: the '- id:' line is unchanged.
    site.write(
        "references/testing.yml",
        REFERENCES.replace("The second reference, about compilers.", "The second reference, about compilers, edited."),
    )
    git(root, "commit", "-q", "-am", "edit", date="2025-03-01T10:00:00+00:00")
    # A new entry, dated by its own field; another one, not committed yet.
    site.write(
        "references/testing.yml",
        (root / "references/testing.yml").read_text()
        + """\
  - id: ref-c
    title: The third reference
    authors: [Barbara Liskov]
    year: 1987
    kind: paper
    url: https://example.com/c
    summary: The third reference.
    added: 2025-02-10
  - id: ref-d
    title: The fourth reference
    authors: [Edsger Dijkstra]
    year: 1968
    kind: paper
    url: https://example.com/d
    summary: The fourth reference.
""",
    )
    catalog = load_catalog(root)
    lines = git_line_dates(root, "references/testing.yml", today=D(2025, 4, 4))
    assert lines[catalog.references["ref-b"].line] == D(2025, 1, 1)
    dates = catalog_dates(catalog, today=D(2025, 4, 4))
    assert dates.references == {
        "ref-a": D(2025, 1, 1),
        "ref-b": D(2025, 1, 1),
        "ref-c": D(2025, 2, 10),
        "ref-d": D(2025, 4, 4),
    }
    assert dates.reference_sources == {"ref-a": "git", "ref-b": "git", "ref-c": "added", "ref-d": "git"}


def recent_site(site):
    """References added on 2026-01-01 (ref-a) and 2026-03-01 (ref-b): only ref-b is recent."""
    text = REFERENCES.replace("    tags: [engines]\n", "    tags: [engines]\n    added: 2026-01-01\n")
    text = text.replace("about compilers.\n", "about compilers.\n    added: 2026-03-01\n")
    site.write("references/testing.yml", text)
    return load_catalog(site.root)


def test_recently_added_counts_back_from_the_latest_addition(site):
    catalog = recent_site(site)
    dates = catalog_dates(catalog, git=False)
    assert dates.latest == D(2026, 3, 1)
    assert dates.recent_since == D(2026, 3, 1) - dt.timedelta(days=RECENT_DAYS)
    assert [r for r in catalog.references if dates.is_recent(r)] == ["ref-b"]
    facets = reading_list_facets(catalog, dates)
    assert facets["added"] == [("recent", f"Recently added (since {dates.recent_since.isoformat()})", 1)]
    assert "added" not in reading_list_facets(catalog)  # no dates, no such filter
    # A pattern added later moves the window: nothing is recent any more.
    site.write("patterns/beta.md", pattern_text("Beta", refs=("ref-a",), extra="added: 2026-06-01\n"))
    later = catalog_dates(load_catalog(site.root), git=False)
    assert later.latest == D(2026, 6, 1) and not later.is_recent("ref-b")
    assert "added" not in reading_list_facets(load_catalog(site.root), later)


def test_reading_list_marks_recent_entries_for_both_filters(site):
    catalog = recent_site(site)
    dates = catalog_dates(catalog, git=False)
    page = render_reading_list(catalog, dates=dates)
    entry_b = re.search(r'<div class="archkb-ref" id="ref-ref-b"[^>]*>', page).group(0)
    entry_a = re.search(r'<div class="archkb-ref" id="ref-ref-a"[^>]*>', page).group(0)
    assert 'data-added="recent"' in entry_b and "data-added" not in entry_a
    assert '<select id="archkb-filter-added" name="added">' in page
    assert '<a href="#filter-added-recent">Recently added' in page
    assert '<div id="filter-added-recent" class="archkb-filter-target" hidden></div>' in page
    assert 'Added to the list <time datetime="2026-03-01">2026-03-01</time>' in page
    assert "latest addition (2026-03-01)" in page
    css = render_filter_css(catalog, dates)
    assert '#filter-added-recent:target ~ .archkb-topic .archkb-ref:not([data-added="recent"])' in css


def test_the_built_reading_list_offers_the_recent_filter(site):
    recent_site(site)
    result = site.build(strict=True)
    assert result.ok, result.warnings
    page = result.html("reading-list/index.html")
    assert '<option value="recent">Recently added (since ' in page
    css = result.html("assets/archkb/reading-list-filters.css")
    assert "#filter-added-recent:target" in css
