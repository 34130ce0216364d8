"""The BibTeX export: one valid entry per reference, special characters escaped, parsed back strictly."""

from __future__ import annotations

import re

import pytest

from archkb import load_catalog
from archkb.catalog.model import Reference
from archkb.exports.bibtex import bibtex_escape, catalog_to_bibtex, entry_type, reference_to_bibtex
from conftest import REPO

ENTRY_TYPES = {"article", "book", "inproceedings", "techreport", "phdthesis", "manual", "misc"}
VERBATIM = {"url", "doi"}
_UNESCAPES = [
    (r"\textbackslash{}", "\\"),
    (r"\textasciitilde{}", "~"),
    (r"\textasciicircum{}", "^"),
    (r"\textbraceleft{}", "{"),
    (r"\textbraceright{}", "}"),
    (r"\&", "&"),
    (r"\%", "%"),
    (r"\$", "$"),
    (r"\#", "#"),
    (r"\_", "_"),
]
_KNOWN_COMMAND = re.compile(
    r"\\(textbackslash\{\}|textasciitilde\{\}|textasciicircum\{\}|textbraceleft\{\}|textbraceright\{\}|[&%$#_])"
)


class BibError(AssertionError):
    """The text is not valid BibTeX by the strict rules of this checker."""


def parse_bibtex(text: str) -> dict[str, tuple[str, dict[str, str]]]:
    """A strict BibTeX reader: returns ``{key: (type, {field: raw value})}``.

    Rejects unbalanced braces, unknown entry types, duplicate keys or fields, missing
    commas, and (outside ``url``/``doi``) unescaped LaTeX special characters or unknown
    backslash commands.
    """
    entries: dict[str, tuple[str, dict[str, str]]] = {}
    i, n = 0, len(text)

    def skip_ws() -> None:
        nonlocal i
        while i < n and text[i].isspace():
            i += 1

    def peek() -> str:
        if i >= n:
            raise BibError("unexpected end of file inside an entry")
        return text[i]

    def braced() -> str:
        nonlocal i
        assert text[i] == "{"
        depth, start = 0, i
        while i < n:  # BibTeX counts every brace, escaped or not
            ch = text[i]
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
                if depth == 0:
                    i += 1
                    return text[start + 1 : i - 1]
            i += 1
        raise BibError(f"unbalanced braces from offset {start}")

    while True:
        skip_ws()
        if i >= n:
            return entries
        if text[i] == "%":
            while i < n and text[i] != "\n":
                i += 1
            continue
        if text[i] != "@":
            raise BibError(f"unexpected {text[i]!r} at offset {i}")
        match = re.compile(r"@([a-z]+)\{([A-Za-z0-9_:.-]+),").match(text, i)
        if not match:
            raise BibError(f"bad entry head at offset {i}: {text[i : i + 40]!r}")
        kind, key = match.groups()
        if kind not in ENTRY_TYPES:
            raise BibError(f"unknown entry type @{kind}")
        if key in entries:
            raise BibError(f"duplicate key {key}")
        i = match.end()
        fields: dict[str, str] = {}
        while True:
            skip_ws()
            if peek() == "}":
                i += 1
                break
            field = re.compile(r"([a-z]+)\s*=\s*").match(text, i)
            if not field:
                raise BibError(f"bad field at offset {i}: {text[i : i + 40]!r}")
            name = field.group(1)
            if name in fields:
                raise BibError(f"duplicate field {name} in {key}")
            i = field.end()
            if peek() == "{":
                value = braced()
            elif peek().isdigit():
                digits = re.compile(r"\d+").match(text, i)
                value, i = digits.group(0), digits.end()
            else:
                raise BibError(f"bad value of {name} in {key}")
            if name not in VERBATIM:
                bare = _KNOWN_COMMAND.sub("", value)
                if re.search(r"[\\&%$#_~^]", bare):
                    raise BibError(f"unescaped special character in {key}.{name}: {value!r}")
            elif re.search(r"\s", value):
                raise BibError(f"whitespace in {key}.{name}")
            fields[name] = value
            skip_ws()
            if peek() == ",":
                i += 1
            elif peek() != "}":
                raise BibError(f"missing comma after {key}.{name}")
        entries[key] = (kind, fields)


def _outer_pair(value: str) -> bool:
    """Whether the first and last characters are braces that match each other."""
    depth = 0
    for index, ch in enumerate(value):
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth == 0 and index < len(value) - 1:
            return False
    return depth == 0


def unescape(value: str) -> str:
    """Undo :func:`bibtex_escape` (and the protective outer braces of titles and organisations)."""
    if value.startswith("{") and value.endswith("}") and _outer_pair(value):
        value = value[1:-1]
    for escaped, plain in _UNESCAPES:
        value = value.replace(escaped, plain)
    return value


NASTY = Reference(
    id="nasty-2024-specials",
    title="50% of $cost & #1 {fast}_path ~ ^ \\ back: Ünïcødé — “quoted”",
    authors=["Zoë Ãlvarez-O'Brien", "Microsoft Patterns & Practices"],
    year=2024,
    kind="article",
    venue="ACM Queue",
    publisher="ACM & Co",
    url="https://example.com/a_b%20c#frag~x",
    summary="s",
    tags=["a-b", "c"],
    doi="10.1145/123_4.5",
)


def test_special_characters_are_escaped_and_parse_back():
    text = reference_to_bibtex(NASTY)
    entries = parse_bibtex(text)
    kind, fields = entries["nasty-2024-specials"]
    assert kind == "article"
    assert unescape(fields["title"]) == NASTY.title
    assert (
        r"50\% of \$cost \& \#1 \textbraceleft{}fast\textbraceright{}\_path \textasciitilde{} "
        r"\textasciicircum{} \textbackslash{} back"
    ) in fields["title"]
    assert "Ünïcødé" in fields["title"]  # non-ASCII kept as UTF-8
    authors = fields["author"].split(" and ")
    assert authors[0] == "Zoë Ãlvarez-O'Brien"
    assert authors[1] == r"{Microsoft Patterns \& Practices}"  # an organisation stays one name
    assert fields["journal"] == "ACM Queue" and unescape(fields["publisher"]) == "ACM & Co"
    assert fields["url"] == NASTY.url and fields["doi"] == NASTY.doi
    assert fields["year"] == "2024"


def test_escape_covers_every_special_character():
    for ch in "&%$#_{}~^\\":
        escaped = bibtex_escape(f"a{ch}b")
        assert escaped != f"a{ch}b"
        assert unescape(escaped) == f"a{ch}b"
    assert bibtex_escape("  two\n lines ") == "two lines"


def test_checker_rejects_invalid_bibtex():
    good = "@misc{k,\n  title = {A},\n  year = {2020}\n}\n"
    assert parse_bibtex(reference_to_bibtex(ref("blog", title="Half { open")))["x-2020-y"]
    assert parse_bibtex(good)["k"][1]["title"] == "A"
    for bad in [
        "@misc{k,\n  title = {A & B}\n}\n",
        "@misc{k,\n  title = {A {B}\n}\n",
        "@misc{k,\n  title = {A}\n  year = {1}\n}\n",
        "@web{k,\n  title = {A}\n}\n",
        good + good,
    ]:
        with pytest.raises(BibError):
            parse_bibtex(bad)


def ref(kind: str, venue: str | None = None, **extra) -> Reference:
    data = {
        "id": "x-2020-y",
        "title": "T",
        "authors": ["Ada Lovelace"],
        "year": 2020,
        "kind": kind,
        "url": "https://example.com/",
        "summary": "s",
        "venue": venue,
        **extra,
    }
    return Reference(**data)


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        (ref("book", publisher="O'Reilly"), "book"),
        (ref("paper", "SOSP 2007"), "inproceedings"),
        (ref("paper", "CIDR 2007"), "inproceedings"),
        (ref("paper", "Proceedings of the 2012 conference"), "inproceedings"),
        (ref("paper", "Google Technical Report dapper-2010-1"), "techreport"),
        (ref("paper", "PhD dissertation, University of California, Irvine"), "phdthesis"),
        (ref("paper", "Communications of the ACM"), "article"),
        (ref("paper"), "misc"),
        (ref("article", "ACM Queue"), "article"),
        (ref("article"), "misc"),
        (ref("blog"), "misc"),
        (ref("talk", "QCon London 2008"), "misc"),
        (ref("docs"), "manual"),
        (ref("spec"), "manual"),
        (ref("whitepaper", publisher="Amazon Web Services"), "techreport"),
    ],
)
def test_entry_types_by_kind(reference, expected):
    assert entry_type(reference) == expected
    kind, fields = parse_bibtex(reference_to_bibtex(reference))["x-2020-y"]
    assert kind == expected
    required = {
        "article": {"journal"},
        "inproceedings": {"booktitle"},
        "techreport": {"institution"},
        "phdthesis": {"school"},
        "book": {"publisher"},
    }.get(kind, set())
    assert required <= set(fields), fields
    assert {"author", "title", "year", "url"} <= set(fields)


def test_talk_says_where_it_was_given():
    fields = parse_bibtex(reference_to_bibtex(ref("talk", "QCon London 2008")))["x-2020-y"][1]
    assert fields["howpublished"] == "Talk, QCon London 2008"


def test_fixture_catalog_exports_one_entry_per_reference(site):
    catalog = load_catalog(site.root)
    entries = parse_bibtex(catalog_to_bibtex(catalog))
    assert list(entries) == list(catalog.references)
    _kind, fields = entries["ref-a"]
    assert unescape(fields["title"]) == "A & B: the first reference"
    assert fields["author"] == "Ada Lovelace and Charles Babbage"
    assert "topic: Testing" in fields["note"]


def test_the_real_reading_list_exports_cleanly():
    catalog = load_catalog(REPO)
    entries = parse_bibtex(catalog_to_bibtex(catalog))
    assert len(entries) == len(catalog.references) > 0
    for key, (_, fields) in entries.items():
        ref_data = catalog.references[key].data
        assert unescape(fields["title"]) == " ".join(ref_data.title.split())
        assert fields["url"] == ref_data.url


def test_living_document_has_no_year_but_an_urldate():
    import datetime as dt

    from archkb.catalog.model import Reference
    from archkb.exports.bibtex import reference_to_bibtex
    from archkb.site.text import citation_label, date_label

    ref = Reference(
        id="go-doc",
        title="Effective Go",
        authors=["The Go Authors"],
        accessed=dt.date(2026, 11, 3),
        kind="docs",
        url="https://go.dev/doc/effective_go",
        summary="How to write Go.",
    )
    entry = reference_to_bibtex(ref)
    assert "year" not in entry and "urldate = {2026-11-03}" in entry.replace("  ", " ").replace("  ", " ")
    assert citation_label(ref) == "The Go Authors n.d." and date_label(ref) == "accessed 2026-11-03"


def test_a_reference_needs_a_year_or_an_accessed_date():
    from pydantic import ValidationError

    from archkb.catalog.model import Reference

    with pytest.raises(ValidationError, match="accessed"):
        Reference(id="x", title="X", authors=["A B"], kind="docs", url="https://e.org/", summary="S.")
