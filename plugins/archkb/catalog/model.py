"""The catalog's data model: one pydantic model per kind of contributed file.

The same models validate contributions and emit the JSON Schema that editors use,
so the two can never disagree.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from .relations import RELATION_TYPES

__all__ = [
    "SLUG_PATTERN",
    "REFERENCE_KINDS",
    "REFERENCE_KIND_VOCABULARY",
    "ReferenceKind",
    "KIND_HEADINGS",
    "PATTERN_STATUSES",
    "TEMPLATE_SECTIONS",
    "Relation",
    "PatternMeta",
    "Reference",
    "ReferenceFile",
    "PathStep",
    "ReadingPath",
    "pattern_schema",
    "reference_file_schema",
    "reading_path_schema",
    "SCHEMA_DIALECT",
]

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
"""Slugs, reference ids and tags: lowercase words joined by single hyphens."""


@dataclass(frozen=True)
class ReferenceKind:
    """One kind of reference, with everything each output needs to know about it.

    Attributes:
        name: The value of a reference's ``kind``.
        heading: The reading list's heading for a group of this kind (plural).
        label: How one work of this kind is named (BibTeX ``howpublished``, previews).
        bibtex: The BibTeX entry type; for papers and articles the venue can refine it
            (see :func:`archkb.exports.bibtex.entry_type`).
    """

    name: str
    heading: str
    label: str
    bibtex: str


REFERENCE_KIND_VOCABULARY: dict[str, ReferenceKind] = {
    k.name: k
    for k in (
        ReferenceKind("book", "Books", "Book", "book"),
        ReferenceKind("paper", "Papers", "Paper", "misc"),
        ReferenceKind("article", "Articles", "Article", "misc"),
        ReferenceKind("whitepaper", "White papers", "White paper", "techreport"),
        ReferenceKind("talk", "Talks", "Talk", "misc"),
        ReferenceKind("video", "Videos", "Video", "misc"),
        ReferenceKind("podcast", "Podcasts", "Podcast", "misc"),
        ReferenceKind("interview", "Interviews", "Interview", "misc"),
        ReferenceKind("blog", "Blog posts", "Blog post", "misc"),
        ReferenceKind("docs", "Documentation", "Documentation", "manual"),
        ReferenceKind("spec", "Specifications", "Specification", "manual"),
        ReferenceKind("website", "Websites", "Website", "misc"),
    )
}
"""Every reference kind, in reading-list order: the one place a kind is defined."""

REFERENCE_KINDS = tuple(REFERENCE_KIND_VOCABULARY)
"""The kinds a reference can be, in reading-list order."""

KIND_HEADINGS: dict[str, str] = {k.name: k.heading for k in REFERENCE_KIND_VOCABULARY.values()}
"""Reference kinds in reading-list order, with their group headings."""

PATTERN_STATUSES = ("draft", "published")
"""A pattern is a draft until it follows the whole template."""

TEMPLATE_SECTIONS = (
    "Context",
    "Problem",
    "Forces",
    "Solution",
    "Consequences",
    "When not to use it",
    "Known uses",
)
"""The level-two sections of a published pattern, in order."""

CONSEQUENCE_SUBSECTIONS = ("Benefits", "Liabilities")
"""The level-three sections required under "Consequences"."""

_SENTENCE_BREAK = re.compile(r"[.!?][\"')\]]?\s+[A-Z0-9]")


def _stripped_nonempty(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("must not be empty")
    return value


def _one_sentence(value: str) -> str:
    if _SENTENCE_BREAK.search(value):
        raise ValueError("must be one sentence; move the rest into the page body")
    if "\n\n" in value:
        raise ValueError("must be one sentence, not several paragraphs")
    return value


_URL_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#[]@!$&'()*+,;=%")
_HOST = re.compile(
    r"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?$"
    r"|^\[[0-9A-Fa-f:.]+\]$"
)
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


def _http_url(value: str) -> str:
    """An absolute ``http(s)`` URL written with URL characters only, without credentials."""
    value = value.strip()
    match = re.match(r"^(https?)://([^/?#]*)(.*)$", value, re.IGNORECASE | re.DOTALL)
    if not match:
        raise ValueError("must be an absolute http:// or https:// URL")
    authority_end = len(match.group(1)) + 3 + len(match.group(2))
    for index, char in enumerate(value):
        if char not in _URL_CHARS or (char in "[]" and index >= authority_end):  # brackets: IPv6 hosts only
            if char.isspace():
                raise ValueError("must not contain whitespace; write a space as %20")
            encoded = "".join(f"%{b:02X}" for b in char.encode("utf-8"))
            raise ValueError(f"holds {char!r}, which a URL cannot hold as is; percent-encode it ({encoded})")
    if _BAD_ESCAPE.search(value):
        raise ValueError("has a '%' that does not start a percent-escape (%XX); write '%25' for a literal '%'")
    authority = match.group(2)
    if "@" in authority:
        raise ValueError(
            "must not carry a user name or password ('user:pass@'); credentials are never published or sent"
        )
    host, _, port = authority.rpartition(":") if not authority.endswith("]") else (authority, "", "")
    if not port.isdigit() and port:
        host, port = authority, ""
    if not host or not _HOST.match(host):
        raise ValueError(f"has the host {host!r}, which is not a host name")
    return value


NonEmptyStr = Annotated[str, AfterValidator(_stripped_nonempty)]
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=80)]
Sentence = Annotated[str, AfterValidator(_stripped_nonempty), AfterValidator(_one_sentence)]
HttpUrl = Annotated[str, AfterValidator(_http_url)]
RelationTypeName = Literal[tuple(RELATION_TYPES)]  # type: ignore[valid-type]
ReferenceKindName = Literal[REFERENCE_KINDS]  # type: ignore[valid-type]

_STRICT = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)

_FIELD_SETS: dict[frozenset[str], frozenset[str]] = {}


class _Model(BaseModel):
    """A frozen model whose record of the fields set is shared with its like.

    Pydantic gives every instance its own set of the field names it was given; for
    thousands of references with the same few fields, that set weighs more than the
    entry's own text. A frozen model never adds to it, so equal ones are one object.
    """

    model_config = _STRICT

    def model_post_init(self, context: Any, /) -> None:
        fields = frozenset(self.__pydantic_fields_set__)
        object.__setattr__(self, "__pydantic_fields_set__", _FIELD_SETS.setdefault(fields, fields))


class Relation(_Model):
    """A typed relation from one pattern to another, as declared in front matter."""

    model_config = _STRICT

    pattern: Slug = Field(description="The slug of the related pattern (its file name without .md).")
    type: RelationTypeName = Field(  # type: ignore[valid-type]  # a Literal made from the vocabulary at import
        description="The relation type; see the relation vocabulary."
    )
    note: NonEmptyStr | None = Field(None, description="A short phrase on why the patterns relate.")


class PatternMeta(_Model):
    """The front matter of a pattern page, ``patterns/<slug>.md``."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        frozen=True,
        title="archkb pattern front matter",
        json_schema_extra={"$id": "https://archkb.invalid/schema/pattern.json"},
    )

    title: NonEmptyStr = Field(max_length=80, description="The pattern's name (60 characters or fewer reads best).")
    summary: Sentence = Field(description="One sentence: what the pattern does and when.")
    tags: list[Slug] = Field(default_factory=list, description="Lowercase, hyphenated topic tags.")
    aliases: list[NonEmptyStr] = Field(default_factory=list, description="Other names the pattern goes by.")
    related: list[Relation] = Field(default_factory=list, description="Typed relations to other patterns.")
    references: list[Slug] = Field(default_factory=list, description="Ids of references in the reading list.")
    status: Literal[PATTERN_STATUSES] = Field(  # type: ignore[valid-type]
        "published", description="'draft' until the page follows the whole template."
    )
    added: dt.date | None = Field(None, description="The date the pattern was first published (YYYY-MM-DD).")
    updated: dt.date | None = Field(None, description="The date of the last substantial change (YYYY-MM-DD).")


_REFERENCE_FIELDS = (
    "id",
    "title",
    "authors",
    "year",
    "accessed",
    "kind",
    "url",
    "summary",
    "tags",
    "publisher",
    "venue",
    "doi",
    "isbn",
    "archived_url",
    "note",
)


def _isbn(value: str) -> str:
    digits = re.sub(r"[\s-]", "", value)
    if not re.fullmatch(r"\d{9}[\dXx]|\d{13}", digits):
        raise ValueError("must be an ISBN-10 or ISBN-13 (digits and hyphens)")
    return value


def _doi(value: str) -> str:
    if not re.fullmatch(r"10\.\d{4,9}/\S+", value):
        raise ValueError("must be a bare DOI such as 10.1145/502059.502057 (no https://doi.org/)")
    return value


class Reference(_Model):
    """One entry of the reading list."""

    model_config = _STRICT

    id: Slug = Field(description="Unique id: <first-author-surname>-<year>-<short-title>.")
    title: NonEmptyStr
    authors: list[NonEmptyStr] = Field(min_length=1, description="People or organisations, in citation order.")
    year: int | None = Field(
        None,
        ge=1800,
        le=2100,
        description=(
            "Year of publication, or of the edition cited. Leave it out for a living document with no "
            "known publication date, and give 'accessed' instead."
        ),
    )
    accessed: dt.date | None = Field(
        None, description=("The date the work was read (YYYY-MM-DD): required for a living document without 'year'.")
    )
    kind: ReferenceKindName
    url: HttpUrl
    summary: NonEmptyStr = Field(description="A few sentences in the project's own words.")
    tags: list[Slug] = Field(default_factory=list)
    publisher: NonEmptyStr | None = None
    venue: NonEmptyStr | None = None
    doi: Annotated[str, AfterValidator(_doi)] | None = None
    isbn: Annotated[str, AfterValidator(_isbn)] | None = None
    archived_url: HttpUrl | None = Field(None, description="An older or archived URL of the same work.")
    added: dt.date | None = Field(
        None,
        description=(
            "The date the entry joined the reading list (YYYY-MM-DD), for the 'recently added' filter. "
            "Optional: without it, the date of the commit that wrote the entry's first line is used."
        ),
    )
    unverified: list[Literal[_REFERENCE_FIELDS]] = Field(  # type: ignore[valid-type]
        default_factory=list, description="Fields whose facts are not yet verified from a source."
    )
    note: NonEmptyStr | None = None

    @model_validator(mode="after")
    def _dated(self) -> Reference:
        if self.year is None and self.accessed is None:
            raise ValueError(
                "needs 'year' (the publication year) or, for a living document with no "
                "publication date, 'accessed' (the date it was read, YYYY-MM-DD)"
            )
        return self

    @property
    def verified(self) -> bool:
        """Whether every fact of the entry has been verified."""
        return not self.unverified


class ReferenceFile(BaseModel):
    """A file of references, ``references/<topic>.yml``.

    Entries are kept as raw mappings here and validated one by one, so one bad
    entry never hides the others.
    """

    model_config = _STRICT

    topic: NonEmptyStr
    description: NonEmptyStr | None = None
    references: list[dict[str, Any]] = Field(default_factory=list)


class PathStep(_Model):
    """One step of a reading path: a pattern or a reference, with why and how long."""

    model_config = _STRICT

    pattern: Slug | None = None
    reference: Slug | None = None
    why: NonEmptyStr = Field(description="Why read this at this point of the path.")
    minutes: int = Field(ge=1, le=1000, description="Rough reading time in minutes.")

    @model_validator(mode="after")
    def _exactly_one_target(self) -> PathStep:
        if (self.pattern is None) == (self.reference is None):
            raise ValueError("a step names exactly one of 'pattern' or 'reference'")
        return self


class ReadingPath(_Model):
    """A curated, ordered reading path, ``paths/<slug>.yml``."""

    model_config = _STRICT

    title: NonEmptyStr
    summary: Sentence
    steps: list[PathStep] = Field(min_length=1)


SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
"""The JSON Schema dialect of every schema emitted here."""


def pattern_schema() -> dict[str, Any]:
    """Return the JSON Schema of pattern front matter, from :class:`PatternMeta`."""
    schema = PatternMeta.model_json_schema()
    schema["$schema"] = SCHEMA_DIALECT
    return schema


def reference_file_schema() -> dict[str, Any]:
    """Return the JSON Schema of a references file, ``references/<topic>.yml``.

    :class:`ReferenceFile` keeps entries as raw mappings (so one bad entry never
    hides the others); the schema describes each entry with :class:`Reference`,
    which is what the loader validates them against.
    """
    schema = ReferenceFile.model_json_schema()
    entry = Reference.model_json_schema()
    defs = schema.setdefault("$defs", {})
    defs.update(entry.pop("$defs", {}))
    # What the date validator checks in code: a publication year, or an accessed date.
    entry["anyOf"] = [{"required": ["year"]}, {"required": ["accessed"]}]
    defs["Reference"] = entry
    schema["properties"]["references"]["items"] = {"$ref": "#/$defs/Reference"}
    schema["properties"]["references"]["description"] = "The reading list entries of this topic."
    schema["title"] = "archkb references file"
    schema["$id"] = "https://archkb.invalid/schema/references.json"
    schema["$schema"] = SCHEMA_DIALECT
    return schema


def reading_path_schema() -> dict[str, Any]:
    """Return the JSON Schema of a reading path, ``paths/<slug>.yml``.

    Adds what the step validator checks in code: a step names exactly one of
    ``pattern`` or ``reference``.
    """
    schema = ReadingPath.model_json_schema()
    step = schema["$defs"]["PathStep"]
    step["oneOf"] = [
        {"required": ["pattern"], "not": {"required": ["reference"]}},
        {"required": ["reference"], "not": {"required": ["pattern"]}},
    ]
    schema["title"] = "archkb reading path"
    schema["$id"] = "https://archkb.invalid/schema/reading-path.json"
    schema["$schema"] = SCHEMA_DIALECT
    return schema
