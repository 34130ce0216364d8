"""Exporting the reading list as BibTeX (``exports/references.bib``).

One entry per reference, keyed by its id, with an entry type chosen from its kind
(and, for papers, its venue). LaTeX special characters are escaped in every field
except ``url`` and ``doi`` (which BibTeX styles print verbatim); non-ASCII text is
kept as UTF-8, which biber and modern BibTeX read as is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..catalog.graph import Catalog, ReferenceEntry
from ..catalog.model import REFERENCE_KIND_VOCABULARY, Reference
from ..site.text import is_person as _is_person
from ..site.urls import BIBTEX_EXPORT_URI

__all__ = ["bibtex_escape", "entry_type", "reference_to_bibtex", "catalog_to_bibtex", "BIBTEX_URI"]

BIBTEX_URI = BIBTEX_EXPORT_URI
"""Site path of the BibTeX export."""

_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_SPECIAL = re.compile("[" + re.escape("".join(_ESCAPES)) + "]")
_CONFERENCE = re.compile(
    r"\b(proceedings|conference|symposium|workshop|sosp|osdi|nsdi|cidr|lisa|splash|oopsla|vldb|sigmod|"
    r"eurosys|usenix|icse|fse|socc|atc|hotos)\b",
    re.IGNORECASE,
)
_REPORT = re.compile(r"\b(technical report|tech report|white ?paper)\b", re.IGNORECASE)
_THESIS = re.compile(r"\b(dissertation|thesis)\b", re.IGNORECASE)


def bibtex_escape(text: str) -> str:
    r"""Escape LaTeX's special characters (``\\ { } & % $ # _ ~ ^``) and collapse whitespace.

    Braces become ``\\textbraceleft{}`` and ``\\textbraceright{}`` rather than ``\\{``: BibTeX counts
    every brace, escaped or not, so only these keep an unbalanced title valid.
    """
    return _SPECIAL.sub(lambda m: _ESCAPES[m.group(0)], " ".join(text.split()))


def _url(text: str) -> str:
    """A URL safe inside a braced field: braces, backslashes and spaces percent-encoded."""
    return text.strip().replace("\\", "%5C").replace("{", "%7B").replace("}", "%7D").replace(" ", "%20")


def entry_type(ref: Reference) -> str:
    """The BibTeX entry type of a reference.

    ``book`` → ``book``; ``paper`` → ``inproceedings`` at a conference, ``techreport`` for a
    report, ``phdthesis`` for a dissertation, ``article`` in a journal, else ``misc``;
    ``article`` with a venue → ``article``; ``whitepaper`` → ``techreport``; ``docs`` and
    ``spec`` → ``manual``; everything else (blog posts, talks, videos, websites...) → ``misc``.
    """
    venue = ref.venue or ""
    if ref.kind == "paper":
        if _THESIS.search(venue):
            return "phdthesis"
        if _REPORT.search(venue):
            return "techreport"
        if _CONFERENCE.search(venue):
            return "inproceedings"
        return "article" if venue else "misc"
    if ref.kind == "article" and venue:
        return "article"
    return REFERENCE_KIND_VOCABULARY[ref.kind].bibtex


def _author(name: str) -> str:
    """One author: people as written (BibTeX splits first and last names), organisations braced."""
    escaped = bibtex_escape(name)
    return escaped if _is_person(name) and " and " not in f" {name} " else "{" + escaped + "}"


def reference_to_bibtex(ref: Reference, *, topic: str | None = None) -> str:
    """One BibTeX entry for a reference, keyed by its id."""
    kind = entry_type(ref)
    fields: list[tuple[str, str]] = [
        ("author", " and ".join(_author(a) for a in ref.authors)),
        ("title", "{" + bibtex_escape(ref.title) + "}"),
    ]
    if ref.year is not None:
        fields.append(("year", str(ref.year)))
    fields += _where_published(ref, kind)
    optional = (
        ("doi", _url(ref.doi) if ref.doi else ""),
        ("isbn", bibtex_escape(ref.isbn) if ref.isbn else ""),
        ("url", _url(ref.url)),
        ("urldate", ref.accessed.isoformat() if ref.accessed is not None else ""),
        ("keywords", bibtex_escape(", ".join(ref.tags))),
    )
    fields += [(name, value) for name, value in optional if value]
    note = [f"Kind: {ref.kind}"] + ([f"topic: {topic}"] if topic else [])
    fields.append(("note", bibtex_escape("; ".join(note))))
    width = max(len(name) for name, _ in fields)
    body = ",\n".join(f"  {name.ljust(width)} = {{{value}}}" for name, value in fields if value)
    return f"@{kind}{{{ref.id},\n{body}\n}}\n"


def _where_published(ref: Reference, kind: str) -> list[tuple[str, str]]:
    """The fields that say where an entry of ``kind`` appeared: journal, booktitle, institution..."""
    venue = bibtex_escape(ref.venue) if ref.venue else None
    publisher = bibtex_escape(ref.publisher) if ref.publisher else None
    fields: list[tuple[str, str]] = []
    if kind == "article":
        fields.append(("journal", venue or ""))
    elif kind == "inproceedings":
        fields.append(("booktitle", venue or ""))
    elif kind == "techreport":
        fields.append(("institution", publisher or venue or bibtex_escape(ref.authors[0])))
        if venue and publisher:
            fields.append(("number", venue))
    elif kind == "phdthesis":
        fields.append(("school", publisher or venue or ""))
    elif kind == "manual" and publisher:
        fields.append(("organization", publisher))
    elif kind == "misc":
        how = REFERENCE_KIND_VOCABULARY[ref.kind].label
        where = venue or publisher
        fields.append(("howpublished", how + (f", {where}" if where else "")))
    if publisher and kind in ("book", "inproceedings", "article"):
        fields.append(("publisher", publisher))
    return fields


def catalog_to_bibtex(catalog: Catalog | Iterable[ReferenceEntry]) -> str:
    """The whole reading list as a BibTeX file (UTF-8), in reading-list order."""
    entries = list(catalog.references.values()) if isinstance(catalog, Catalog) else list(catalog)
    topics = catalog.topics if isinstance(catalog, Catalog) else {}
    header = (
        "% Architecture knowledge base: reading list, exported as BibTeX.\n"
        "% Encoding: UTF-8. Generated from references/*.yml; edit those files, not this one.\n\n"
    )
    parts = []
    for entry in entries:
        topic = topics.get(entry.topic)
        parts.append(reference_to_bibtex(entry.data, topic=topic.title if topic else entry.topic))
    return header + "\n".join(parts)
