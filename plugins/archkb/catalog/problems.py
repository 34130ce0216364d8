"""Problems found in the catalog: one located, readable line each."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["Problem", "closest", "did_you_mean", "format_problems"]


@dataclass(frozen=True, order=True)
class Problem:
    """A single problem in a contributed file.

    Attributes:
        path: The file, relative to the project root (POSIX separators).
        line: The 1-based line the problem is on (1 when no better line is known).
        message: What is wrong, and where possible what would be right.
    """

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


def closest(word: str, candidates: Iterable[str], *, cutoff: float = 0.6) -> str | None:
    """Return the candidate closest to ``word``, or ``None`` when nothing is close."""
    matches = difflib.get_close_matches(str(word), list(candidates), n=1, cutoff=cutoff)
    return matches[0] if matches else None


def did_you_mean(word: str, candidates: Iterable[str], *, cutoff: float = 0.6) -> str:
    """Return a ``" (did you mean 'x'?)"`` suffix, or ``""`` when nothing is close.

    Args:
        word: What the user wrote.
        candidates: The valid choices.
        cutoff: The similarity threshold, between 0 and 1.
    """
    match = closest(word, candidates, cutoff=cutoff)
    return f" (did you mean '{match}'?)" if match else ""


def format_problems(problems: Iterable[Problem]) -> str:
    """Format problems as ``path:line: message`` lines, sorted by file and line."""
    return "\n".join(str(p) for p in sorted(set(problems)))
