"""Every option of the link checker, in one dataclass with safe defaults."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from dataclasses import dataclass, field


__all__ = ["Settings", "DEFAULT_CACHE_PATH", "DEFAULT_USER_AGENT", "VERSION"]

#: Version of the checker, sent in the User-Agent and folded into the cache fingerprint. Version 2
#: judges hosts as the HTTP client normalizes them and never sends credentials: verdicts that
#: version 1 cached (perhaps of a loopback address spelled in fullwidth digits, or keyed by a URL
#: with its password) are not reused.
VERSION = "2"

#: Where the persistent cache lives, relative to the project root.
DEFAULT_CACHE_PATH = ".cache/archkb/link-cache.json"

#: A truthful User-Agent: who we are and that we are a link checker.
DEFAULT_USER_AGENT = f"archkb-linkcheck/{VERSION} (link checker of a documentation site; aiohttp)"


@dataclass
class Settings:
    """Options for one link-checking run.

    The defaults are polite and bounded: at most 4 requests in flight per host, a 10 s timeout with one
    retry (so a URL that never answers costs about 20 s), and a whole-run budget.

    Attributes:
        timeout: Seconds allowed for one attempt (all redirect hops of it, headers and capped body).
        retries: Extra attempts after a retryable failure (408, 429, 5xx, timeout, reset).
        concurrency: Total requests in flight across all hosts.
        per_host: Requests in flight to one host (``host:port``) at most.
        max_redirects: Redirect hops followed before giving up with ``error``.
        max_body_bytes: Bytes of a body read at most (only read when a fragment must be found).
        backoff_base: Base of the jittered exponential backoff between attempts, in seconds.
        retry_after_cap: Longest ``Retry-After`` pause honoured, in seconds; a longer one ends the
            retries for that URL at once.
        host_timeouts: After this many timeouts in a row from one host, its remaining URLs are not
            tried in this run (``error``); 0 disables. One dead host then costs seconds, not minutes.
        run_budget: Seconds the whole network phase may take; URLs still pending then get ``error``.
        cache_path: The persistent cache file (``None`` or ``no_cache`` disables it).
        no_cache: Neither read nor write the cache.
        max_age_days: How long a cached verdict stays fresh (with +/-20% jitter).
        offline: No network at all: internal links plus what the cache knows.
        allow_private: Allow private, loopback, link-local and metadata addresses (off by default).
            Refused when ``ARCHKB_FORCE_GUARD`` is set (see :mod:`.guard`).
        allow_hosts: Host names exempt from the private-address policy (e.g. an intranet docs host),
            while every other host stays guarded; matched exactly after the normalisation the HTTP
            client applies (case, IDNA, a trailing dot). Refused when ``ARCHKB_FORCE_GUARD`` is set.
        excludes: Regular expressions; a URL matching any of them (``re.search``) is skipped.
        rewrites: ``(pattern, replacement)`` pairs applied with ``re.sub`` before checking (e.g. to
            check a moved host); the cache is keyed by the rewritten URL.
        user_agent: The User-Agent header sent with every request.
        check_fragments: Check ``#fragment`` against the ids of the target page.
    """

    timeout: float = 10.0
    retries: int = 1
    concurrency: int = 128
    per_host: int = 4
    max_redirects: int = 10
    max_body_bytes: int = 5 * 1024 * 1024
    backoff_base: float = 0.5
    retry_after_cap: float = 30.0
    host_timeouts: int = 3
    run_budget: float = 600.0
    cache_path: str | None = DEFAULT_CACHE_PATH
    no_cache: bool = False
    max_age_days: float = 7.0
    offline: bool = False
    allow_private: bool = False
    allow_hosts: list[str] = field(default_factory=list)
    excludes: list[str] = field(default_factory=list)
    rewrites: list[tuple[str, str]] = field(default_factory=list)
    user_agent: str = DEFAULT_USER_AGENT
    check_fragments: bool = True

    def validate(self) -> list[str]:
        """Return a list of problems with these settings (empty when they are usable)."""
        problems: list[str] = []
        if not self.timeout > 0:
            problems.append(f"timeout must be > 0 seconds, got {self.timeout}")
        if self.retries < 0:
            problems.append(f"retries must be >= 0, got {self.retries}")
        if self.concurrency < 1:
            problems.append(f"concurrency must be >= 1, got {self.concurrency}")
        if self.per_host < 1:
            problems.append(f"per-host must be >= 1, got {self.per_host}")
        if self.max_redirects < 0:
            problems.append(f"max-redirects must be >= 0, got {self.max_redirects}")
        if self.max_age_days < 0:
            problems.append(f"max-age must be >= 0 days, got {self.max_age_days}")
        if self.host_timeouts < 0:
            problems.append(f"host-timeouts must be >= 0, got {self.host_timeouts}")
        if not self.run_budget > 0:
            problems.append(f"run budget must be > 0 seconds, got {self.run_budget}")
        for pattern in self.excludes:
            try:
                re.compile(pattern)
            except re.error as exc:
                problems.append(f"exclude {pattern!r} is not a valid regular expression: {exc}")
        for pattern, _replacement in self.rewrites:
            try:
                re.compile(pattern)
            except re.error as exc:
                problems.append(f"rewrite {pattern!r} is not a valid regular expression: {exc}")
        return problems

    def fingerprint(self) -> str:
        """Return a short hash of the settings that change a verdict (part of every cache key).

        Timeouts, concurrency and the like change how a check runs, not what a reachable link is, so
        they are left out; the address policy, redirect cap, fragment checking, User-Agent (servers
        answer bots differently) and the checker version are in.
        """
        relevant = {
            "v": VERSION,
            "allow_private": self.allow_private,
            "allow_hosts": sorted(h.lower() for h in self.allow_hosts),
            "max_redirects": self.max_redirects,
            "check_fragments": self.check_fragments,
            "user_agent": self.user_agent,
        }
        blob = json.dumps(relevant, sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:16]

    def replace(self, **changes: object) -> Settings:
        """Return a copy with some fields changed."""
        return dataclasses.replace(self, **changes)
