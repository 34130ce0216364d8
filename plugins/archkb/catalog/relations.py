"""The closed vocabulary of typed relations between patterns.

Every relation type has an inverse, so a relation declared on one page renders on
both pages, each side with its own wording. Symmetric types are their own inverse.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["MapStyle", "RelationType", "RELATION_TYPES", "ACTIVE_TYPES", "inverse_of", "relation_type"]


@dataclass(frozen=True)
class MapStyle:
    """How the pattern map draws a relation type (only types drawn in their own direction have one).

    Attributes:
        legend: The wording in the map's legend.
        arrow: Whether the edge has an arrowhead at its target.
        dash: An SVG ``stroke-dasharray``, or ``None`` for a solid line. Dashes differ per
            type, so that the map does not rely on colour alone.
    """

    legend: str
    arrow: bool
    dash: str | None


@dataclass(frozen=True)
class RelationType:
    """One relation type of the vocabulary: the one place a relation type is defined.

    Attributes:
        name: The identifier used in front matter, e.g. ``uses``.
        inverse: The name of the inverse type, e.g. ``used-by``.
        heading: The heading under which pages related this way are listed.
        description: When to use this type, for contributors.
        map_style: How the map draws it, for the types drawn in their own direction;
            ``None`` for a passive type, which the map draws as its inverse, flipped.
    """

    name: str
    inverse: str
    heading: str
    description: str
    map_style: MapStyle | None = None

    @property
    def symmetric(self) -> bool:
        """Whether the type is its own inverse."""
        return self.name == self.inverse

    @property
    def active(self) -> bool:
        """Whether this is the direction contributors declare (and the map draws)."""
        return self.map_style is not None


_TYPES = (
    RelationType(
        "uses",
        "used-by",
        "Uses",
        "This pattern's solution relies on the other pattern as a building block.",
        MapStyle("uses", True, None),
    ),
    RelationType("used-by", "uses", "Used by", "The other pattern relies on this one as a building block."),
    RelationType(
        "refines",
        "refined-by",
        "Refines",
        "This pattern is a more specific form of the other one.",
        MapStyle("refines (is a kind of)", True, "7 4"),
    ),
    RelationType("refined-by", "refines", "Refined by", "The other pattern is a more specific form of this one."),
    RelationType(
        "leads-to",
        "follows-from",
        "Leads to",
        "Applying this pattern creates the context or the need for the other one.",
        MapStyle("leads to", True, "2 4"),
    ),
    RelationType(
        "follows-from",
        "leads-to",
        "Follows from",
        "This pattern usually becomes relevant after the other one has been applied.",
    ),
    RelationType(
        "alternative-to",
        "alternative-to",
        "Alternatives",
        "Both patterns solve the same problem in different ways; pick one.",
        MapStyle("alternative to", False, "10 4 2 4"),
    ),
    RelationType(
        "conflicts-with",
        "conflicts-with",
        "Conflicts with",
        "The patterns work against each other; combining them needs care.",
        MapStyle("conflicts with", False, "5 3"),
    ),
    RelationType(
        "complements",
        "complements",
        "Complements",
        "The patterns work well together without one depending on the other.",
        MapStyle("complements", False, None),
    ),
)

RELATION_TYPES: dict[str, RelationType] = {t.name: t for t in _TYPES}
"""All relation types by name, in display order."""

ACTIVE_TYPES: tuple[str, ...] = tuple(name for name, rel in RELATION_TYPES.items() if rel.active)
"""The types contributors declare; each passive type is shown as the inverse of one of them."""


def relation_type(name: str) -> RelationType:
    """Return the relation type called ``name``.

    Raises:
        KeyError: When ``name`` is not in the vocabulary.
    """
    return RELATION_TYPES[name]


def inverse_of(name: str) -> str:
    """Return the name of the inverse of relation type ``name``."""
    return RELATION_TYPES[name].inverse
