"""The persistent verdict cache: keyed by normalized URL plus a settings fingerprint, with a TTL.

Only verdicts worth remembering are stored: ``ok``, ``redirected``, ``blocked`` (not a 429) and
``broken`` (for at most a day, so a DNS hiccup does not stick for a week). Errors, 429s and 5xx are
never cached. Each entry's lifetime gets +/-20% jitter so that a big cache does not expire all at once.
The file is written atomically; a corrupt file is reported and rebuilt, never a crash.

No credentials are ever stored: keys are normalized URLs, which have no userinfo, the other URLs and
messages are redacted on the way in, and entries that an older version wrote with credentials are
dropped when the file is read.
"""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

from .atomic import write_atomic
from .credentials import has_credentials, redact_credentials, redact_text
from .states import Result, State
from .urls import normalize_url

__all__ = ["LinkCache", "is_cacheable", "CACHE_FORMAT"]

#: Version of the cache file layout; a file with another version is ignored and rebuilt.
CACHE_FORMAT = 1
_DAY = 86400.0
_BROKEN_MAX_AGE = 1 * _DAY


def is_cacheable(result: Result) -> bool:
    """Return True when a verdict may be remembered across runs."""
    if result.state in (State.OK, State.REDIRECTED, State.BROKEN):
        return True
    if result.state is State.BLOCKED:
        return result.status != 429
    return False  # error (timeouts, resets, 5xx) and skipped


class LinkCache:
    """A JSON file of verdicts that are still fresh.

    Args:
        path: The cache file (created on save, with its folders).
        fingerprint: The settings fingerprint (see ``Settings.fingerprint``), part of every key.
        max_age_days: Freshness of a new entry, before jitter.
        now: Clock, for tests.

    Attributes:
        warning: Set when the file existed but could not be used (corrupt, unreadable, other format).
        entries: Key -> stored entry.
    """

    def __init__(self, path: str | Path, fingerprint: str, max_age_days: float, *, now=time.time) -> None:
        self.path = Path(path)
        self.fingerprint = fingerprint
        self.max_age = max_age_days * _DAY
        self.warning: str | None = None
        self.entries: dict[str, dict] = {}
        self._now = now
        self._dirty = False

    def key(self, url: str) -> str:
        """Return the cache key of a URL (already rewritten by the caller)."""
        return f"{self.fingerprint} {normalize_url(url)}"

    def load(self) -> LinkCache:
        """Read the file; on any problem start empty and set :attr:`warning`. Returns self."""
        try:
            raw = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return self
        except OSError as exc:
            self.warning = f"{self.path}: cannot read the link cache ({exc}); starting a new one"
            return self
        try:
            data = json.loads(raw)
            if not isinstance(data, dict) or data.get("format") != CACHE_FORMAT:
                raise ValueError(f"not a format-{CACHE_FORMAT} link cache")
            entries = data.get("entries")
            if not isinstance(entries, dict) or not all(isinstance(v, dict) for v in entries.values()):
                raise ValueError("'entries' must be an object of objects")
        except ValueError as exc:  # json.JSONDecodeError is a ValueError
            self.warning = f"{self.path}: the link cache is corrupt ({exc}); it will be rebuilt"
            self._dirty = True
            return self
        now = self._now()
        self.entries = {k: v for k, v in entries.items() if _fresh(v, now) and not _holds_credentials(k, v)}
        self._dirty = len(self.entries) != len(entries)
        return self

    def get(self, url: str) -> Result | None:
        """Return the cached verdict for ``url`` (sources empty), or None if absent or stale."""
        if not self.entries:  # a cold run: no key to make
            return None
        entry = self.entries.get(self.key(url))
        if entry is None or not _fresh(entry, self._now()):
            return None
        try:
            return Result(
                url=url,
                state=State(entry["state"]),
                status=entry.get("status"),
                final_url=entry.get("final_url"),
                message=str(entry.get("message") or ""),
                checked_at=entry.get("checked_at"),
            )
        except (KeyError, ValueError):
            return None

    def put(self, result: Result, url: str | None = None) -> None:
        """Remember a verdict if it is cacheable, under ``url`` (the URL as requested, when the
        result is the link as written) or else the result's own URL. No sources are kept.
        """
        if not is_cacheable(result):
            return
        max_age = min(self.max_age, _BROKEN_MAX_AGE) if result.state is State.BROKEN else self.max_age
        if max_age <= 0:
            return
        lifetime = max_age * random.uniform(0.8, 1.2)  # noqa: S311 - retry jitter, not a secret
        self.entries[self.key(url or result.url)] = {
            "state": result.state.value,
            "status": result.status,
            "final_url": redact_credentials(result.final_url) if result.final_url else result.final_url,
            "message": redact_text(result.message),
            "checked_at": result.checked_at,
            "expires": self._now() + lifetime,
        }
        self._dirty = True

    def save(self) -> None:
        """Write the cache atomically if anything changed."""
        if not self._dirty:
            return
        payload = {"format": CACHE_FORMAT, "entries": self.entries}
        write_atomic(self.path, json.dumps(payload, separators=(",", ":"), sort_keys=True))
        self._dirty = False


def _holds_credentials(key: str, entry: dict) -> bool:
    """Whether an entry (written by an older version) holds a URL with credentials anywhere."""
    url = key.split(" ", 1)[-1]
    final_url = entry.get("final_url")
    message = entry.get("message")
    return (
        has_credentials(url)
        or (isinstance(final_url, str) and has_credentials(final_url))
        or (isinstance(message, str) and redact_text(message) != message)
    )


def _fresh(entry: dict, now: float) -> bool:
    expires = entry.get("expires")
    return isinstance(expires, (int, float)) and expires > now
