"""Every option of the link checker, in one dataclass with safe defaults."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import re
from dataclasses import dataclass, field

from .hosts import normalize_host
from .proxy import proxy_problems
from .urls import is_http, malformed

__all__ = [
    "Settings",
    "HostRule",
    "DEFAULT_CACHE_PATH",
    "DEFAULT_USER_AGENT",
    "DEFAULT_ARCHIVE_API",
    "GITHUB_HOSTS",
    "VERSION",
]

#: Version of the checker, sent in the User-Agent and folded into the cache fingerprint. Version 2
#: judges hosts as the HTTP client normalizes them and never sends credentials: verdicts that
#: version 1 cached (perhaps of a loopback address spelled in fullwidth digits, or keyed by a URL
#: with its password) are not reused.
VERSION = "2"

#: Where the persistent cache lives, relative to the project root.
DEFAULT_CACHE_PATH = ".cache/archkb/link-cache.json"

#: A truthful User-Agent: who we are and that we are a link checker.
DEFAULT_USER_AGENT = f"archkb-linkcheck/{VERSION} (link checker of a documentation site; aiohttp)"


#: The Wayback Machine's availability API, asked about broken links with ``--suggest``.
DEFAULT_ARCHIVE_API = "https://archive.org/wayback/available"

#: The hosts a GitHub token is sent to (and no other, not even on a redirect from them).
GITHUB_HOSTS = ("github.com", "api.github.com")


@dataclass
class HostRule:
    """Settings for the hosts that match one pattern.

    Attributes:
        host: A host name (``github.com``), or ``*.`` and a domain for every host under it
            (``*.example.org`` matches ``docs.example.org``, not ``example.org``). Matched
            case-insensitively, a trailing dot ignored.
        accept: Extra HTTP statuses that count as ``ok`` for these hosts (e.g. 403 from a site that
            refuses every checker). 2xx are always accepted.
        headers: Request headers sent to these hosts (after the defaults, so they can replace them).
        per_host: Requests in flight to each of these hosts at most (``None``: the run's ``per_host``).
        interval: Seconds at least between the starts of two requests to one of these hosts.
        require_https: False exempts these hosts from the run's ``require_https`` (a site whose
            pages load over HTTPS but whose assets do not); None leaves the run's setting.
    """

    host: str
    accept: list[int] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    per_host: int | None = None
    interval: float | None = None
    require_https: bool | None = None

    def matches(self, host: str) -> bool:
        """Whether ``host`` (as the client connects to it: lowercase, IDNA) is one of these hosts."""
        pattern = self.pattern()
        host = host.lower().rstrip(".")
        if pattern.startswith("*."):
            return host.endswith(pattern[1:])
        return host == pattern

    def pattern(self) -> str:
        """The host (or ``*.`` and the domain) as the HTTP client spells hosts: lowercase, IDNA,
        fullwidth digits and dots folded, no trailing dot (``Bücher.example.`` is
        ``xn--bcher-kva.example``), so that a rule matches however its host is written.
        """
        written = self.host.strip() if isinstance(self.host, str) else ""
        wild = written.startswith("*.")
        name = normalize_host(written[2:] if wild else written) if written else ""
        return f"*.{name}" if wild else name

    def problems(self) -> list[str]:
        """What is wrong with this rule (empty when it is usable)."""
        where = f"host {self.host!r}: "
        problems = []
        bare = self.host.strip() if isinstance(self.host, str) else ""
        if _ipv6_literal(bare):
            pass  # "[2001:db8::1]": an address, in the brackets a URL writes it in
        elif not bare or any(c in bare for c in "/:@ []") or "*" in bare.removeprefix("*.") or bare in ("*.", "."):
            problems.append(
                f"{where}give a bare host name such as 'github.com' or '*.example.org' ('*.' first only), "
                "or an IPv6 address in brackets ('[2001:db8::1]')"
            )
        problems += _status_and_header_problems(where, self.accept, self.headers)
        if self.per_host is not None and (
            not isinstance(self.per_host, int) or isinstance(self.per_host, bool) or self.per_host < 1
        ):
            problems.append(f"{where}per-host concurrency must be >= 1, got {self.per_host!r}")
        if self.interval is not None and not _seconds(self.interval):
            problems.append(f"{where}interval must be a finite number of seconds >= 0, got {self.interval!r}")
        if self.require_https is not None and not isinstance(self.require_https, bool):
            problems.append(f"{where}require_https must be true or false, got {self.require_https!r}")
        return problems


def _ipv6_literal(host: str) -> bool:
    """Whether ``host`` is an IPv6 address in brackets, as a URL writes one (``[::1]``)."""
    if not (host.startswith("[") and host.endswith("]")):
        return False
    import ipaddress

    try:
        ipaddress.IPv6Address(host[1:-1])
    except ValueError:
        return False
    return True


def _seconds(value: object, *, zero: bool = True) -> bool:
    """Whether ``value`` is a finite number of seconds, >= 0 (> 0 when ``zero`` is False)."""
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
        return False
    return value >= 0 if zero else value > 0


#: A header name: an RFC 9110 token (section 5.6.2).
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
#: What a header value cannot hold (RFC 9110 section 5.5): control characters other than a tab.
_VALUE_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


def _status_and_header_problems(where: str, accept: list[int], headers: dict[str, str]) -> list[str]:
    problems = []
    for code in accept:
        if not isinstance(code, int) or isinstance(code, bool) or not 100 <= code <= 999:
            problems.append(f"{where}accept must list HTTP statuses (100-999), got {code!r}")
    for name, value in headers.items():
        if not isinstance(name, str) or not isinstance(value, str):
            problems.append(f"{where}header {name!r} must be a header name with a string value")
        elif not _TOKEN.fullmatch(name):
            problems.append(
                f"{where}header {name!r} is not a header name (letters, digits and !#$%&'*+-.^_`|~ only, "
                "as RFC 9110 has it)"
            )
        elif "\r" in value or "\n" in value:
            problems.append(f"{where}header {name!r} has a line break in its value")
        elif _VALUE_CONTROL.search(value):
            problems.append(f"{where}header {name!r} has a control character in its value")
    return problems


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
        includes: Regular expressions; when there are any, only a URL matching one of them is
            checked (whether or not an exclude matches it too), and every other is skipped.
        exclude_paths: Regular expressions; a source file whose path (relative to the project, ``/``
            between folders; a folder's with a trailing ``/``) matches any of them (``re.search``) is
            not read, and its links are not checked: a folder a PATH run walks, and the project's
            own pages. A file named on the command line is always read.
        rewrites: ``(pattern, replacement)`` pairs applied with ``re.sub`` before checking (e.g. to
            check a moved host); the cache is keyed by the rewritten URL.
        user_agent: The User-Agent header sent with every request.
        check_fragments: Check ``#fragment`` against the ids of the target page.
        accept: Extra HTTP statuses that count as ``ok`` for every host.
        headers: Request headers sent to every host.
        interval: Seconds at least between the starts of two requests to one host (0: none).
        hosts: Per-host rules (:class:`HostRule`); every rule that matches a host applies, later
            ones overriding earlier ones.
        suggest: Ask the Wayback Machine's availability API (``archive_api``) about each broken
            URL, and nothing else, for the closest archived snapshot (``Result.suggestion``).
        archive_api: The availability API's address (tests point it at a local server).
        require_https: For each ``http://`` link that works, also ask its ``https://`` form; where
            that works too, the link is ``redirected`` to it (lychee's ``--require-https``).
        github_token: Sent as ``Authorization: Bearer`` to ``github_hosts`` only, over HTTPS only
            (unless ``github_https_only`` is off), never to another host, not even on a redirect
            from them. Never written anywhere.
        github_hosts: The hosts the token goes to (exact names).
        github_https_only: Send the token over HTTPS only (tests with plain-HTTP servers turn it off).
        proxies: The proxy each link scheme (``http``, ``https``) goes through, as an ``http://`` or
            ``https://`` URL (its credentials, if any, are sent to the proxy only); none by default.
            The command reads them from the environment (:mod:`.proxy`). Never written anywhere.
        no_proxy: Hosts (and the hosts under them) reached directly, without the proxy; ``*`` is all.
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
    includes: list[str] = field(default_factory=list)
    exclude_paths: list[str] = field(default_factory=list)
    rewrites: list[tuple[str, str]] = field(default_factory=list)
    user_agent: str = DEFAULT_USER_AGENT
    check_fragments: bool = True
    accept: list[int] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    interval: float = 0.0
    hosts: list[HostRule] = field(default_factory=list)
    suggest: bool = False
    archive_api: str = DEFAULT_ARCHIVE_API
    require_https: bool = False
    github_token: str | None = field(default=None, repr=False)
    github_hosts: list[str] = field(default_factory=lambda: list(GITHUB_HOSTS))
    github_https_only: bool = True
    proxies: dict[str, str] = field(default_factory=dict, repr=False)
    no_proxy: list[str] = field(default_factory=list)

    def rule_for(self, host: str) -> HostRule:
        """The settings that apply to ``host``: the run's, then every matching rule in order."""
        rule = HostRule(
            host,
            accept=list(self.accept),
            headers=dict(self.headers),
            per_host=self.per_host,
            interval=self.interval,
            require_https=self.require_https,
        )
        for other in self.hosts:
            if other.matches(host):
                rule.accept += [code for code in other.accept if code not in rule.accept]
                rule.headers.update(other.headers)
                if other.per_host is not None:
                    rule.per_host = other.per_host
                if other.interval is not None:
                    rule.interval = other.interval
                if other.require_https is not None:
                    rule.require_https = other.require_https
        return rule

    def validate(self) -> list[str]:
        """Return a list of problems with these settings (empty when they are usable)."""
        problems = self._number_problems() + self._pattern_problems()
        problems += _status_and_header_problems("", self.accept, self.headers)
        for rule in self.hosts:
            problems += rule.problems()
        problems += proxy_problems(self.proxies)
        if self.suggest and (not is_http(self.archive_api) or malformed(self.archive_api)):
            problems.append(f"archive API must be an http(s) URL with a host, got {self.archive_api!r}")
        return problems

    def _number_problems(self) -> list[str]:
        """The counts and durations out of range."""
        checks = (
            (_seconds(self.timeout, zero=False), f"timeout must be a finite number of seconds > 0, got {self.timeout}"),
            (self.retries >= 0, f"retries must be >= 0, got {self.retries}"),
            (self.concurrency >= 1, f"concurrency must be >= 1, got {self.concurrency}"),
            (self.per_host >= 1, f"per-host must be >= 1, got {self.per_host}"),
            (self.max_redirects >= 0, f"max-redirects must be >= 0, got {self.max_redirects}"),
            (_seconds(self.max_age_days), f"max-age must be a finite number of days >= 0, got {self.max_age_days}"),
            (self.host_timeouts >= 0, f"host-timeouts must be >= 0, got {self.host_timeouts}"),
            (
                _seconds(self.run_budget, zero=False),
                f"run budget must be a finite number of seconds > 0, got {self.run_budget}",
            ),
            (_seconds(self.interval), f"interval must be a finite number of seconds >= 0, got {self.interval}"),
        )
        return [problem for usable, problem in checks if not usable]

    def _pattern_problems(self) -> list[str]:
        """The regular expressions (and remap replacements) that cannot be used."""
        problems: list[str] = []
        for kind, patterns in (
            ("exclude", self.excludes),
            ("include", self.includes),
            ("exclude-path", self.exclude_paths),
        ):
            for pattern in patterns:
                try:
                    re.compile(pattern)
                except re.error as exc:
                    problems.append(f"{kind} {pattern!r} is not a valid regular expression: {exc}")
        for pattern, replacement in self.rewrites:
            try:
                compiled = re.compile(pattern)
            except re.error as exc:
                problems.append(f"remap {pattern!r} is not a valid regular expression: {exc}")
                continue
            try:
                compiled.sub(replacement, "")  # parses the replacement, whether or not anything matches
            except (re.error, IndexError) as exc:  # IndexError: an unknown group name
                problems.append(f"remap {pattern!r}: its replacement ({replacement}) cannot be used: {exc}")
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
        # What a status means, per host, and which headers are sent (their names only: values may be
        # secrets). Left out when unset, so that a cache written before these settings stays valid.
        if self.accept:
            relevant["accept"] = sorted(self.accept)
        if self.headers:
            relevant["headers"] = sorted(h.lower() for h in self.headers)
        if self.hosts:
            relevant["hosts"] = [
                [r.host.lower(), sorted(r.accept), sorted(h.lower() for h in r.headers)] for r in self.hosts
            ]
        blob = json.dumps(relevant, sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:16]

    def replace(self, **changes: object) -> Settings:
        """Return a copy with some fields changed."""
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]  # each field is typed; checked at run time by validate()
