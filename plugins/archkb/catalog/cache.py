"""A cache of computed values, each kept with a fingerprint of its inputs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

__all__ = ["FingerprintCache"]

T = TypeVar("T")


@dataclass
class FingerprintCache:
    """Values by key, reused while the fingerprint of their inputs is unchanged.

    A run starts with :meth:`begin` and ends with :meth:`prune`, which forgets the
    keys the run did not ask for (deleted files, removed pages).

    Attributes:
        entries: ``key -> (fingerprint, value)``.
        hits: Values reused since :meth:`begin`.
        misses: Values computed since :meth:`begin`.
        keep: Whether to keep values at all; a one-off build has no use for them.
    """

    entries: dict[str, tuple[str, Any]] = field(default_factory=dict)
    hits: int = 0
    misses: int = 0
    keep: bool = True
    _seen: set[str] = field(default_factory=set, repr=False)

    def begin(self) -> None:
        """Start a run: reset the counters and forget which keys were asked for."""
        self.hits = self.misses = 0
        self._seen = set()

    def prune(self) -> None:
        """Drop the keys not asked for since :meth:`begin`."""
        for key in [k for k in self.entries if k not in self._seen]:
            del self.entries[key]

    def get(self, key: str, fingerprint: str, compute: Callable[[], T]) -> T:
        """Return the value for ``key`` if its fingerprint matches, else compute and keep it."""
        self._seen.add(key)
        cached = self.entries.get(key)
        if cached is not None and cached[0] == fingerprint:
            self.hits += 1
            return cached[1]  # type: ignore[no-any-return]  # entries hold what compute() returned
        self.misses += 1
        value = compute()
        if self.keep:
            self.entries[key] = (fingerprint, value)
        return value
