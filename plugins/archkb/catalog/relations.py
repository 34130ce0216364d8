"""The closed vocabulary of typed relations between patterns.

Every relation type has an inverse, so a relation declared on one page renders on
both pages, each side with its own wording. Symmetric types are their own inverse.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["RelationType", "RELATION_TYPES", "inverse_of", "relation_type"]


@dataclass(frozen=True)
class RelationType:
    """One relation type of the vocabulary.

    Attributes:
        name: The identifier used in front matter, e.g. ``uses``.
        inverse: The name of the inverse type, e.g. ``used-by``.
        heading: The heading under which pages related this way are listed.
        description: When to use this type, for contributors.
    """

    name: str
    inverse: str
    heading: str
    description: str

    @property
    def symmetric(self) -> bool:
        """Whether the type is its own inverse."""
        return self.name == self.inverse


_TYPES = (
    RelationType("uses", "used-by", "Uses",
                 "This pattern's solution relies on the other pattern as a building block."),
    RelationType("used-by", "uses", "Used by",
                 "The other pattern relies on this one as a building block."),
    RelationType("refines", "refined-by", "Refines",
                 "This pattern is a more specific form of the other one."),
    RelationType("refined-by", "refines", "Refined by",
                 "The other pattern is a more specific form of this one."),
    RelationType("leads-to", "follows-from", "Leads to",
                 "Applying this pattern creates the context or the need for the other one."),
    RelationType("follows-from", "leads-to", "Follows from",
                 "This pattern usually becomes relevant after the other one has been applied."),
    RelationType("alternative-to", "alternative-to", "Alternatives",
                 "Both patterns solve the same problem in different ways; pick one."),
    RelationType("conflicts-with", "conflicts-with", "Conflicts with",
                 "The patterns work against each other; combining them needs care."),
    RelationType("complements", "complements", "Complements",
                 "The patterns work well together without one depending on the other."),
)

RELATION_TYPES: dict[str, RelationType] = {t.name: t for t in _TYPES}
"""All relation types by name, in display order."""


def relation_type(name: str) -> RelationType:
    """Return the relation type called ``name``.

    Raises:
        KeyError: When ``name`` is not in the vocabulary.
    """
    return RELATION_TYPES[name]


def inverse_of(name: str) -> str:
    """Return the name of the inverse of relation type ``name``."""
    return RELATION_TYPES[name].inverse
