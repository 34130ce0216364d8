"""The HTTP side: one polite, bounded check per document URL.

Politeness and bounds live here: a queue per host (at most ``per_host`` requests in flight, paused as a
whole when the host sends ``Retry-After``), a global cap, HEAD first and GET only when needed,
streamed bodies read only for fragments and never past a byte cap, manual redirects judged hop by
hop against the private-address policy, retries with jittered backoff only where they can help.

The private-address policy (:mod:`.guard`) is applied to what the connection really uses: each hop is
parsed once, by yarl as aiohttp parses it (:func:`.hosts.client_url`), its host judged in that
normalised form, and that very object is what is requested; the resolver is guarded; and the socket
address of every new connection is judged before connecting (:mod:`.peer`). Userinfo is removed
from every hop, so credentials written in a link or sent in a ``Location`` are never sent.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import contextvars
import email.utils
import errno
import functools
import heapq
import itertools
import json
import random
import re
import socket
import ssl
import statistics
import time
import zlib
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver
from yarl import URL

from ..safety.chars import UNPRINTABLE
from .credentials import redact_text, strip_credentials
from .extract import decode_html, ids_from_html
from .guard import BlockedAddressError, check_host_literal, host_is_allowed, literal_address
from .hosts import _unzone, client_host, client_url, normalize_host
from .issuers import (
    MAX_MISSING,
    Tunnel,
    TunnelRefused,
    issuer_context,
    issuer_urls,
    issuers_in,
    leaf_certificate,
    signed_by_store,
)
from .peer import PeerGuard, peer_guard_supported
from .proxy import proxy_for
from .report import HostStats
from .resolver import GuardedResolver, SystemResolver
from .settings import HostRule, Settings
from .states import State
from .urls import host_key, is_http, malformed, normalize_url

#: What :meth:`Client._request` gives: (status, Location, headers, body text, read whole, is HTML)
#: and the seconds it took.
_Exchanged = tuple[tuple[int, str | None, dict[str, str], str | None, bool, bool], float]

__all__ = ["Outcome", "Slots", "HostGate", "Stats", "Client", "parse_retry_after", "rate_limit_wait"]

_REDIRECTS = {301, 302, 303, 307, 308}
_PERMANENT = {301, 308}
_RETRY_STATUSES = {408, 429, 500, 502, 503, 504, 520, 521, 522, 523, 524}
_BLOCKED_STATUSES = {401, 403, 451, 999}
_HTML_TYPES = ("text/html", "application/xhtml+xml")
#: The types of a page kept whole (``keep_page``) besides HTML: a sitemap's, and ``robots.txt``'s.
_PAGE_TYPES = ("application/xml", "text/xml", "text/plain")
#: The types of a gzip-compressed file (a sitemap may be one, ``sitemap.xml.gz``, as the sitemaps
#: protocol allows); ``application/octet-stream`` counts too for a path ending in ``.gz``, as object
#: stores serve one. Only a kept page's is read, and only if what it holds begins as XML.
_GZIP_TYPES = ("application/gzip", "application/x-gzip")
#: ``need_body`` of a check that keeps its page (``keep_page``): HTML, or an XML sitemap.
_PAGE = 2
#: A GET's body up to this size (by its Content-Length) is read though unneeded: reading it keeps
#: the connection open for the host's next check, which closing it would cost a new handshake.
_DRAIN_BYTES = 16 * 1024
#: The longest response header line accepted (aiohttp's default is 8190 bytes), and how many lines.
_MAX_HEADER_LINE = 32 * 1024
_MAX_HEADERS = 128


@dataclass
class Outcome:
    """What a check found for one URL (before fragments are judged).

    Attributes:
        state: The verdict.
        status: Last HTTP status, or None.
        final_url: The URL the redirects ended at, or None without redirects.
        message: A short explanation.
        ids: Element ids of the final page when its body was read, else None.
        complete: True when the whole body was read (a missing id is then definite).
        html: True when the final response was HTML.
        rate_limited: True when the server refused it for its rate limit (a lasting one is ``blocked``).
        fragment: The fragment a redirect's ``Location`` carried, which a browser shows in place of
            the link's own; None when none did (the link's fragment then carries over, as in a browser).
        page: The final page's HTML (decoded, capped like the body read for ids), when the check
            asked to keep it (``keep_page``); else None.
    """

    state: State
    status: int | None = None
    final_url: str | None = None
    message: str = ""
    ids: set[str] | None = None
    complete: bool = False
    html: bool = False
    rate_limited: bool = False
    fragment: str | None = None
    page: str | None = field(default=None, repr=False)


@dataclass
class _Chain:
    """What the hops of one attempt's redirect chain so far tell the next (see ``Client._headers``).

    Attributes:
        secure: A hop of the chain was HTTPS.
        github_port: The port of the chain's first hop to a GitHub host.
    """

    secure: bool = False
    github_port: int | None = None


_CHAIN: contextvars.ContextVar[_Chain | None] = contextvars.ContextVar("archkb_linkcheck_chain", default=None)


class _Retry(Exception):
    """An attempt failed in a way another attempt may fix."""

    def __init__(self, outcome: Outcome, wait: float | None = None, asked_by: str = "Retry-After") -> None:
        super().__init__(outcome.message)
        self.outcome = outcome
        self.wait = wait
        #: What set ``wait``: ``Retry-After``, or the rate-limit headers' reset.
        self.asked_by = asked_by


class _HostDown(Exception):
    """The host has timed out too many times in a row in this run: do not ask it again."""

    def __init__(self, count: int) -> None:
        super().__init__(f"{count} timeouts in a row")
        self.count = count


class _HostLimited(Exception):
    """The host asked for a pause longer than the cap: its checks are not sent in this run."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"asked for a pause of {seconds:.0f}s")
        self.seconds = seconds


@dataclass
class Stats:
    """Counters of one run, for the summary line and the benchmark.

    Attributes:
        requests: HTTP requests sent (every hop and retry counts).
        retries: Attempts repeated after a retryable failure.
        peak_in_flight: Highest number of requests in flight at once, all hosts together.
        peak_per_host: Highest number in flight to any single host.
    """

    requests: int = 0
    retries: int = 0
    peak_in_flight: int = 0
    peak_per_host: int = 0
    _in_flight: int = field(default=0, repr=False)


class Slots:
    """A semaphore whose waiters are served by rank: follow-ups first, then the most work waiting.

    A request that continues a check already under way (the GET after a HEAD, a redirect hop, a
    retry) asks with ``first=True`` and goes ahead of checks not yet started, so a check that has
    begun is finished before new ones start and no tail of follow-up requests is left at the end of
    a run. Other waiters are served by ``weight``, highest first (the client passes the number of
    checks still queued for the request's host), and in arrival order among equals. That is the
    longest-queue-first rule: the host that will take longest is never the one kept waiting, so a
    link set where one host holds a quarter of the links ends when that host's queue runs dry at
    its own limit, not later. A released slot is handed to the next waiter on the next turn of the
    event loop, so the task that released it can take it straight back for its follow-up request.
    """

    def __init__(self, limit: int) -> None:
        self._free = limit
        self._waiters: list[tuple[int, int, asyncio.Future[None]]] = []  # a heap of (rank, arrival, waiter)
        self._arrivals = itertools.count()
        self._waking = False

    async def acquire(self, first: bool = False, weight: int = 0) -> None:
        """Take a slot, waiting until one is free; ``first`` goes ahead of every ``weight``.

        A free slot is taken at once unless a waiter outranks the request (or ranks with it and came
        first); it would have been handed to that waiter on the next turn of the loop.
        """
        rank = _FIRST if first else -weight
        if self._free > 0 and (not self._waiters or rank < self._waiters[0][0]):
            self._free -= 1
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        entry = (rank, next(self._arrivals), waiter)
        heapq.heappush(self._waiters, entry)
        try:
            await waiter
        except BaseException:
            if waiter.done() and not waiter.cancelled():
                self.release()  # the slot was handed over as we were cancelled: pass it on
            elif entry in self._waiters:
                self._waiters.remove(entry)
                heapq.heapify(self._waiters)
            raise

    def release(self) -> None:
        """Give a slot back; the next waiter gets it on the next turn of the loop unless it is taken
        back first by a follow-up request.
        """
        self._free += 1
        if self._waiters and not self._waking:
            self._waking = True
            asyncio.get_running_loop().call_soon(self._wake)

    def _wake(self) -> None:
        self._waking = False
        while self._free > 0 and self._waiters:
            waiter = heapq.heappop(self._waiters)[2]
            if not waiter.done():
                self._free -= 1
                waiter.set_result(None)


#: The rank of a follow-up request among the waiters of :class:`Slots` (ahead of any weight).
_FIRST = -(2**62)


class HostGate:
    """The queue of one host: a slot limit, a minimum interval between request starts, a pause that
    ``Retry-After`` can extend, and a count of timeouts in a row (a host that keeps timing out is not
    asked again in this run).
    """

    def __init__(self, limit: int, stats: Stats, interval: float = 0.0) -> None:
        self.limit = limit
        self.interval = interval
        self._slots = Slots(limit)
        self._paused_until = 0.0
        self._next_start = 0.0
        self._stats = stats
        self.in_flight = 0
        self.timeouts_in_a_row = 0
        #: Checks this host has left, the one starting included, kept by whoever queues them (the
        #: runner): the global slots go first to the host with the most (see :class:`Slots`).
        self.backlog = 0
        #: True once this host has mishandled a HEAD (400 or more where GET then got less): its
        #: later checks start with GET, so they cost one request each, not two.
        self.head_refused = False
        self._closed_until = 0.0
        #: For ``--host-stats``: requests by outcome, the answered ones' times, pauses asked.
        self.answers: Counter[str] = Counter()
        self.durations: list[float] = []
        self.pauses = 0

    def pause(self, seconds: float) -> None:
        """Hold every request to this host for ``seconds`` from now (extends, never shortens)."""
        self.pauses += 1
        until = time.monotonic() + seconds
        self._paused_until = max(self._paused_until, until)

    def close(self, seconds: float) -> None:
        """Send nothing more to this host for ``seconds`` from now: it asked for a longer pause than a run waits."""
        self._closed_until = max(self._closed_until, time.monotonic() + seconds)

    def closed_for(self) -> float:
        """Seconds this host stays closed (0 when it is open)."""
        return max(0.0, self._closed_until - time.monotonic())

    async def acquire(self, first: bool = False) -> None:
        """Wait for a slot, then for the pause and the interval; the request may start on return."""
        await self._slots.acquire(first)
        try:
            while (delay := self._paused_until - time.monotonic()) > 0:
                await asyncio.sleep(delay)
            if self.interval > 0:
                now = time.monotonic()
                start = max(now, self._next_start)
                self._next_start = start + self.interval  # reserved before sleeping: no two share it
                if start > now:
                    await asyncio.sleep(start - now)
        except BaseException:
            self._slots.release()
            raise

    def release(self) -> None:
        """Give the slot back."""
        self._slots.release()

    def started(self) -> None:
        """Count a request as in flight (its global slot is granted too)."""
        self.in_flight += 1
        self._stats._in_flight += 1
        self._stats.peak_per_host = max(self._stats.peak_per_host, self.in_flight)
        self._stats.peak_in_flight = max(self._stats.peak_in_flight, self._stats._in_flight)

    def finished(self) -> None:
        """Count a request as no longer in flight."""
        self.in_flight -= 1
        self._stats._in_flight -= 1

    def answered(self, status: int, seconds: float) -> None:
        """Note an answer with ``status`` after ``seconds``."""
        self.answers[f"{status // 100}xx"] += 1
        self.durations.append(seconds)

    def unanswered(self, error: BaseException) -> None:
        """Note a request that got no answer: it timed out, or failed (refused, reset, TLS, DNS)."""
        self.answers["timeout" if isinstance(error, asyncio.TimeoutError) else "no answer"] += 1

    def summary(self, host: str) -> HostStats:
        """What this host was asked and how it answered, as :class:`~.report.HostStats`."""
        times = sorted(self.durations)
        return HostStats(
            host,
            requests=sum(self.answers.values()),
            answers=dict(self.answers),
            median_ms=statistics.median(times) * 1000 if times else None,
            slowest_ms=times[-1] * 1000 if times else None,
            pauses=self.pauses,
            closed=self._closed_until > 0,
        )


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Return the delay a ``Retry-After`` header asks for, in seconds, or None if absent/invalid.

    Accepts delta-seconds (``"120"``) and HTTP-dates (``"Wed, 21 Oct 2015 07:28:00 GMT"``).
    """
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


_FIRST_NUMBER = re.compile(r"\s*(-?\d+(?:\.\d+)?)")
#: ``RateLimit`` as the IETF draft writes it: ``"default";r=0;t=30`` (later drafts) or
#: ``limit=100, remaining=0, reset=30`` (early ones).
_RATELIMIT_FIELD = re.compile(r"(?:^|[;,\s])(r|t|remaining|reset)=(\d+)")
#: A reset this large is a time (seconds since the epoch, as GitHub and GitLab send it), not a delay.
_EPOCH_AFTER = 1e9


def _number(value: str | None) -> float | None:
    match = _FIRST_NUMBER.match(value or "")
    return float(match.group(1)) if match else None


def rate_limit_wait(headers: dict[str, str], now: float | None = None) -> float | None:
    """Seconds until a host's rate limit resets, when its response says that no requests are left.

    ``headers`` have lower-case names. Read, in order: ``X-RateLimit-Remaining`` with
    ``X-RateLimit-Reset`` (seconds since the epoch, as GitHub and GitLab send it, or seconds from
    now) or ``X-RateLimit-Reset-After``; ``RateLimit-Remaining`` with ``RateLimit-Reset`` (seconds
    from now, the IETF draft's first form); ``RateLimit`` (its later forms). None when requests are
    left, or when the response does not say when the limit resets.
    """
    now = time.time() if now is None else now
    for remaining, reset, after in (
        ("x-ratelimit-remaining", "x-ratelimit-reset", "x-ratelimit-reset-after"),
        ("ratelimit-remaining", "ratelimit-reset", None),
    ):
        left = _number(headers.get(remaining))
        if left is None:
            continue
        if left > 0:
            return None
        wait = _number(headers.get(after)) if after else None
        if wait is None and (wait := _number(headers.get(reset))) is not None and wait >= _EPOCH_AFTER:
            wait -= now
        return None if wait is None else max(0.0, wait)
    fields = dict(_RATELIMIT_FIELD.findall(headers.get("ratelimit", "")))
    left, wait = fields.get("r", fields.get("remaining")), fields.get("t", fields.get("reset"))
    if left is None or wait is None or int(left) > 0:
        return None
    return float(wait)


def _dns_failure(exc: BaseException) -> OSError | None:
    """Return the resolver error behind ``exc`` if it is a DNS failure, else None."""
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        return exc.os_error
    return None


def _find(exc: BaseException, kind: type[BaseException]) -> BaseException | None:
    """Find an exception of type ``kind`` in ``exc`` or its cause/context chain."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, kind):
            return exc
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
        seen += 1
    return None


class Client:
    """Checks document URLs over one aiohttp session with per-host queues.

    Use as an async context manager. ``resolver`` replaces the system resolver (tests inject one so
    that no real DNS is used); the private-address guard always wraps it, and the peer check
    (:class:`~.peer.PeerGuard`) judges every connection it leads to. ``tls`` replaces the system's
    trust store (tests inject a local certificate authority); verification itself cannot be
    turned off.

    Args:
        settings: The run's options.
        resolver: An aiohttp resolver, or None for the system's (:class:`~.resolver.SystemResolver`).
        tls: A context that verifies certificates and host names, or None for the system's.

    Raises:
        ValueError: When ``tls`` does not verify certificates or host names.
    """

    def __init__(
        self, settings: Settings, *, resolver: AbstractResolver | None = None, tls: ssl.SSLContext | None = None
    ) -> None:
        if tls is not None and not (tls.verify_mode == ssl.CERT_REQUIRED and tls.check_hostname):
            raise ValueError("the TLS context must verify certificates and host names")
        self._tls = tls
        self.settings = settings
        self.stats = Stats()
        self._resolver = resolver
        self._gates: dict[str, HostGate] = {}
        self._rules: dict[str, HostRule] = {}
        self._url_locks: dict[str, asyncio.Lock] = {}
        self._global = Slots(settings.concurrency)
        self._session: aiohttp.ClientSession | None = None
        self._lookups: GuardedResolver | None = None
        self._github_hosts = {normalize_host(h) for h in settings.github_hosts}
        self.peers = PeerGuard(allow_private=settings.allow_private, allow_hosts=settings.allow_hosts)
        self._proxies = {scheme.lower(): _proxy_parts(proxy) for scheme, proxy in settings.proxies.items()}
        self._names: dict[str, asyncio.Future[None]] = {}  # host -> its judgement before a proxy
        # Intermediates that servers leave out, fetched as browsers do (see .issuers): the hosts
        # whose chains they complete, the context that knows them, and each host's one try.
        self._issuer_context: ssl.SSLContext | None = None
        self._proxy_context: ssl.SSLContext | None = None
        self._loop_handler: Callable[[asyncio.AbstractEventLoop, dict[str, Any]], object] | None = None
        self._issuer_hosts: dict[tuple[str, int], int] = {}  # a host and port: how many were fetched for it
        self._issuer_tries: dict[tuple[str, int], asyncio.Future[str | None]] = {}

    async def __aenter__(self) -> Client:
        loop = asyncio.get_running_loop()
        self._loop_handler = loop.get_exception_handler()
        loop.set_exception_handler(self._loop_error)
        inner = self._resolver or SystemResolver()
        extra: dict[str, Any] = {}  # aiohttp's keyword arguments, typed one by one in its signature
        if peer_guard_supported():  # aiohttp 3.12+; the runner refuses older ones unless the policy is off
            extra["socket_factory"] = self.peers.socket_factory
        self._lookups = GuardedResolver(
            inner, allow_private=self.settings.allow_private, allow_hosts=self.settings.allow_hosts
        )
        connector = aiohttp.TCPConnector(
            # The global slots and the host gates limit what is in flight (per-host rules may allow
            # more than per_host); the connector's own queues would only add waiting.
            limit=0,
            limit_per_host=0,
            resolver=self._lookups,
            ttl_dns_cache=300,
            ssl=self._tls or True,  # TLS verification stays on (a given context must verify too)
            **extra,
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            headers={
                "User-Agent": self.settings.user_agent,
                "Accept": "text/html,application/xhtml+xml,*/*;q=0.8",
            },
            timeout=aiohttp.ClientTimeout(total=None, sock_connect=self.settings.timeout),
            trust_env=False,
            cookie_jar=aiohttp.DummyCookieJar(),  # no cookies kept or sent: every check stands alone
            # Pages that browsers show send header lines longer than aiohttp's 8 KiB (a long
            # Content-Security-Policy or Set-Cookie); 32 KiB a line, at most 128 lines, stays bounded
            # (4 MiB a response at worst). max_headers came in aiohttp 3.13.4, the least required.
            max_line_size=_MAX_HEADER_LINE,
            max_field_size=_MAX_HEADER_LINE,
            max_headers=_MAX_HEADERS,
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        try:
            if self._session is not None:
                await self._session.close()
        finally:
            asyncio.get_running_loop().set_exception_handler(self._loop_handler)

    def _loop_error(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        """The event loop's error handler while the client is open: what it was before, except for
        CPython's TLS-in-TLS ``TypeError`` (:func:`_is_tls_in_tls_bug`), which would print a
        traceback at the user for a failure the request itself reports.
        """
        if _is_tls_in_tls_bug(context.get("exception")):
            return
        if self._loop_handler is not None:
            self._loop_handler(loop, context)
        else:
            loop.default_exception_handler(context)

    def _url_lock(self, key: str) -> asyncio.Lock:
        """The lock that keeps two requests for the same URL (``key``, normalized) from running at once.

        Documents are already deduplicated; this also covers a redirect hop to a URL that is being
        checked directly at the same moment.
        """
        lock = self._url_locks.get(key)
        if lock is None:
            lock = self._url_locks[key] = asyncio.Lock()
        return lock

    def rule(self, host: str) -> HostRule:
        """The settings for ``host`` (as the client connects to it), see :meth:`.Settings.rule_for`."""
        rule = self._rules.get(host)
        if rule is None:
            rule = self._rules[host] = self.settings.rule_for(host)
        return rule

    def gate(self, url: str) -> HostGate:
        """Return the queue of the host of ``url``."""
        return self._gate(host_key(url))

    def _gate_for(self, request: URL) -> HostGate:
        """:meth:`gate` for a URL already parsed by yarl (the same ``host:port`` key)."""
        return self._gate(f"{_unzone(request.raw_host or '')}:{request.port or 0}")

    def host_stats(self) -> list[HostStats]:
        """What each host was asked in this run, and how it answered (``--host-stats``)."""
        return [gate.summary(key) for key, gate in self._gates.items()]

    def _gate(self, key: str) -> HostGate:
        gate = self._gates.get(key)
        if gate is None:
            rule = self.rule(key.rsplit(":", 1)[0])
            gate = self._gates[key] = HostGate(
                rule.per_host or self.settings.per_host, self.stats, rule.interval or 0.0
            )
        return gate

    def _headers(self, request: URL) -> dict[str, str] | None:
        """Headers for one hop: the host's configured ones, and the GitHub token for GitHub's hosts.

        Configured headers (an API key, say) are not sent on a plain-HTTP hop that a redirect led
        to from an HTTPS one: one redirect would otherwise put them on the network in clear. The
        token goes to a GitHub host over HTTPS, on the port of the chain's first GitHub hop or the
        scheme's own (443): not to another service on another port of the same name.
        """
        chain = _CHAIN.get()
        host = request.raw_host or ""
        rule = self.rule(host)
        downgraded = chain is not None and chain.secure and request.scheme == "http"
        headers = dict(rule.headers) if rule.headers and not downgraded else None
        token = self.settings.github_token
        if token and host in self._github_hosts and (request.scheme == "https" or not self.settings.github_https_only):
            port = request.port
            if chain is not None and chain.github_port is None:
                chain.github_port = port
            if not downgraded and (request.is_default_port() or (chain and port == chain.github_port)):
                headers = {**(headers or {}), "Authorization": f"Bearer {token}"}
        if chain is not None and request.scheme == "https":
            chain.secure = True
        return headers

    async def check(self, url: str, *, need_body: bool = False, keep_page: bool = False) -> Outcome:
        """Check one document URL (no fragment) and return what was found.

        Args:
            url: An absolute http(s) URL without fragment. Userinfo, if any, is removed (never sent).
            need_body: Read the (capped) HTML body to collect ids, for fragment checks.
            keep_page: Also keep that body's text in ``Outcome.page`` (implies ``need_body``), for a
                page whose own links are to be checked; an XML body (a sitemap) and a plain-text one
                (``robots.txt``) are kept too.
        """
        need_body = need_body or keep_page
        s = self.settings
        url = strip_credentials(url)
        method = "GET" if need_body or self.gate(url).head_refused else "HEAD"
        attempt = 0
        switched: str | None = None  # the URL that answered HEAD with 400 or more, once GET is asked
        first = False  # the first request of a check queues; the rest of it goes first
        while True:
            try:
                outcome = await self._attempt(method, url, _PAGE if keep_page else need_body, first, keep_page)
            except _Retry as retry:
                outcome = retry.outcome
                if retry.wait is not None and retry.wait > s.retry_after_cap:
                    self.gate(outcome.final_url or url).close(retry.wait)  # its other checks are not sent
                    note = f" ({retry.asked_by} {retry.wait:.0f}s exceeds the {s.retry_after_cap:g}s cap)"
                    return self._give_up(outcome, note)
                if attempt >= s.retries:
                    return self._give_up(outcome, " after retries" if attempt else "")
                attempt += 1
                self.stats.retries += 1
                if method == "HEAD" and outcome.status not in (429, 503):
                    # No answer, or a server error, to HEAD: some servers hang up on it, time out or
                    # fail, and answer GET. The retry, sent anyway, asks with GET. (429 and 503 say
                    # "later", not "not this way": a GET would only cost the server more.)
                    method = "GET"
                if retry.wait is not None:
                    self.gate(outcome.final_url or url).pause(retry.wait)
                else:
                    backoff = s.backoff_base * (2 ** (attempt - 1)) * random.uniform(0.5, 1.5)  # noqa: S311 - retry jitter, not a secret
                    await asyncio.sleep(backoff)
                first = True
                continue
            if method == "HEAD" and outcome.status is not None and outcome.status >= 400:
                # Many servers mishandle HEAD (405, 403, 404, 501...): ask again with GET.
                method = "GET"
                switched = outcome.final_url or url
                first = True
                continue
            if switched is not None and outcome.status is not None and outcome.status < 400:
                self.gate(switched).head_refused = True  # GET worked where HEAD did not: GET from now on
            return outcome

    async def closest_snapshot(self, url: str) -> str | None:
        """Ask the archive API (``settings.archive_api``) for the closest snapshot of ``url``.

        Returns the snapshot's http(s) URL, or None when there is none or the API cannot be asked
        (its host is judged by the private-address policy like any other; its answer is read up to
        256 KiB; a 429 or 503 with ``Retry-After`` pauses its queue and is retried like any request).
        """
        s = self.settings
        api = s.archive_api
        address = f"{api}{'&' if '?' in api else '?'}url={quote(strip_credentials(url), safe='')}"
        try:
            request = client_url(address)
            if not s.allow_private:
                check_host_literal(request.raw_host or "", s.allow_hosts)
        except (ValueError, BlockedAddressError):
            return None
        key = normalize_url(address)
        for attempt in range(s.retries + 1):
            gate = self._gate_for(request)
            try:
                status, headers, body = await self._fetch(key, request, gate, first=attempt > 0)
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - no suggestion is all a failure costs
                return None
            if status in (429, 503):
                wait = parse_retry_after(headers.get("retry-after"))
                if wait is not None and wait > s.retry_after_cap:
                    gate.close(wait)  # the other broken links are not asked about in this run
                elif wait is not None and attempt < s.retries:
                    gate.pause(wait)
                    continue
            if status != 200:
                return None
            return _snapshot_url(body, _unzone(request.raw_host or ""))
        return None

    async def _fetch(self, key: str, request: URL, gate: HostGate, *, first: bool) -> tuple[int, dict[str, str], bytes]:
        """GET ``request`` through the queues (as :meth:`_request`), no redirects; the body up to 256 KiB."""
        assert self._session is not None
        async with self._url_lock(key):
            await gate.acquire(first)
            try:
                await self._global.acquire(first, gate.backlog)
                try:
                    if closed := gate.closed_for():
                        raise _HostLimited(closed)
                    self.stats.requests += 1
                    gate.started()
                    try:

                        async def get() -> tuple[int, dict[str, str], bytes]:
                            async with self._opened("GET", request) as resp:
                                headers = {k.lower(): v for k, v in resp.headers.items()}
                                body = await resp.content.read(256 * 1024) if resp.status == 200 else b""
                                return resp.status, headers, body

                        started = time.monotonic()
                        answer = await _within(self.settings.timeout, get())
                        gate.answered(answer[0], time.monotonic() - started)
                        return answer
                    except Exception as exc:
                        gate.unanswered(exc)
                        raise
                    finally:
                        gate.finished()
                finally:
                    self._global.release()
            finally:
                gate.release()

    @staticmethod
    def _give_up(outcome: Outcome, note: str = "") -> Outcome:
        """Turn the last retryable failure into the final verdict (a lasting 429 is ``blocked``)."""
        if outcome.status == 429 or outcome.rate_limited:
            outcome.state = State.BLOCKED
            outcome.message = (
                "HTTP 429 Too Many Requests persisted"
                if outcome.status == 429
                else f"HTTP {outcome.status}: rate limited"
            )
        else:
            outcome.state = State.ERROR
        outcome.message += note
        return outcome

    async def _attempt(
        self, method: str, url: str, need_body: int, first: bool = False, keep_page: bool = False
    ) -> Outcome:
        """Make one attempt: follow redirects by hand, judging each hop; raise _Retry if retryable.

        The hops share one :class:`_Chain`, which :meth:`_headers` reads: what may be sent on a
        hop depends on the hops before it.
        """
        token = _CHAIN.set(_Chain())
        try:
            return await self._follow(method, url, need_body, first, keep_page)
        finally:
            _CHAIN.reset(token)

    async def _follow(self, method: str, url: str, need_body: int, first: bool, keep_page: bool) -> Outcome:
        """:meth:`_attempt`'s hops."""
        s = self.settings
        assert self._session is not None
        key = normalize_url(url)
        # Cookies set along this one chain of redirects go back to their hosts along it, as a
        # browser's would (a cookie check that redirects back to the page is no loop); none outlive
        # it, so every check still stands alone.
        jar = aiohttp.CookieJar(unsafe=True)  # unsafe: also from hosts written as IP addresses
        visited = {(key, _cookies_of(jar))}
        current = url
        first_permanent: bool | None = None
        location_fragment: str | None = None  # the last fragment a Location carried
        budget = s.timeout
        for _hop in range(s.max_redirects + 1):
            request = self._hop_target(current, url)
            if isinstance(request, Outcome):
                return request
            gate = self._gate_for(request)
            send = functools.partial(self._request, method, key, request, need_body, budget, gate=gate, jar=jar)
            sent = await self._hop(request, send, first, gate, current, url)
            if isinstance(sent, Outcome):
                return sent
            (status, location, headers, text, complete, html), spent = sent
            budget -= spent
            first = True  # the next hop continues this check
            self._heed_rate_limit(gate, headers)
            if status in _REDIRECTS and location:
                if first_permanent is None:
                    first_permanent = status in _PERMANENT
                target, carried = _location_target(current, location)
                if carried is not None:  # a browser then shows the Location's fragment (even ""), not the link's
                    location_fragment = carried
                problem = malformed(target) if is_http(target) else None
                if problem is not None:
                    return Outcome(State.ERROR, status, target, f"redirect to a malformed URL: {problem}")
                key = normalize_url(target)
                if (key, cookies := _cookies_of(jar)) in visited:  # back here, and no cookie has changed
                    return Outcome(State.ERROR, status, target, f"redirect loop at {target}")
                visited.add((key, cookies))
                current = target
                if budget <= 0:
                    raise _Retry(Outcome(State.ERROR, None, current, f"timed out after {s.timeout:g}s"))
                continue
            accept = self.rule(request.raw_host or "").accept
            ids = ids_from_html(text) if text is not None and html else None
            outcome = self._judge(
                status, headers, self._final(current, url), bool(first_permanent), ids, complete, html, accept
            )
            outcome.fragment = location_fragment
            outcome.page = text if keep_page else None
            return outcome
        hops = "redirect" if s.max_redirects == 1 else "redirects"
        return Outcome(State.ERROR, None, current, f"more than {s.max_redirects} {hops}")

    def _hop_target(self, current: str, url: str) -> URL | Outcome:
        """``current`` parsed once, as aiohttp would (judged and requested as is), or the verdict
        on a hop that is not sent: not http(s), not a URL, or a private address written as an IP.
        """
        if not is_http(current):
            return Outcome(State.ERROR, None, current, f"redirect to a non-HTTP URL: {current}")
        try:
            request = client_url(current)
        except ValueError as exc:
            return Outcome(State.ERROR, None, self._final(current, url), f"invalid URL: {exc}")
        if self.settings.allow_private:
            return request
        try:
            check_host_literal(request.raw_host or "", self.settings.allow_hosts)
        except BlockedAddressError as exc:
            host = _written_host(current, request)
            if host != exc.host:  # name it as written: "１２７.０.０.１ is 127.0.0.1, ..."
                exc = BlockedAddressError(host, exc.address, resolved=False)
            return self._blocked_address(exc, current, url)
        return request

    async def _hop(
        self,
        request: URL,
        send: Callable[[bool], Awaitable[_Exchanged]],
        first: bool,
        gate: HostGate,
        current: str,
        url: str,
    ) -> _Exchanged | Outcome:
        """One request of :meth:`_follow`'s chain: the exchange and the seconds it took, or the
        verdict of its failure; a time-out raises _Retry.
        """
        s = self.settings
        try:
            sent = await self._completing_chain(request, send, first)
        except _HostDown as down:
            host = _written_host(current, request)
            message = f"not tried: {host} timed out {down.count} times in a row in this run"
            return Outcome(State.ERROR, None, self._final(current, url), message)
        except _HostLimited as limited:
            host = _written_host(current, request)
            message = (
                f"not tried: {host} asked for no requests for {limited.seconds:.0f}s more, "
                f"past the {s.retry_after_cap:g}s a run waits"
            )
            return Outcome(State.BLOCKED, None, self._final(current, url), message)
        except TimeoutError:
            gate.timeouts_in_a_row += 1
            message = f"timed out after {s.timeout:g}s"
            if self._lookups is not None and self._lookups.looking_up(request.raw_host or ""):
                # Its name servers never answered: a dead domain, often.
                message = f"DNS lookup of {_written_host(current, request)} {message}"
            raise _Retry(Outcome(State.ERROR, None, self._final(current, url), message)) from None
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - every network failure becomes a verdict
            return self._failure(exc, current, url)
        gate.timeouts_in_a_row = 0
        return sent

    def _heed_rate_limit(self, gate: HostGate, headers: dict[str, str]) -> None:
        """Where an answer says none of the host's requests are left, its next ones wait for the reset."""
        reset_in = rate_limit_wait(headers)
        if reset_in is not None and reset_in > 0:
            if reset_in <= self.settings.retry_after_cap:
                gate.pause(reset_in)
            else:
                gate.close(reset_in)

    def _proxied(self, current: str) -> bool:
        try:
            return self._proxy(client_url(current)) is not None
        except ValueError:
            return False

    @staticmethod
    def _final(current: str, url: str) -> str | None:
        return current if current != url else None

    async def _request(
        self,
        method: str,
        key: str,
        request: URL,
        need_body: int,
        budget: float,
        first: bool = False,
        gate: HostGate | None = None,
        jar: aiohttp.CookieJar | None = None,
    ) -> _Exchanged:
        """Send one request through the host's queue and the global cap (with ``jar``'s cookies).

        ``key`` is the normalized URL (:func:`.urls.normalize_url`: no two requests for it at once);
        ``request`` is the parsed URL that is sent, ``gate`` its host's queue. The
        time limit ``budget`` starts once a slot is granted: waiting in the host's queue is not the
        host being slow. ``first`` puts the request ahead of checks not yet started (see
        :class:`Slots`). Returns the exchange and the seconds it took.
        """
        async with self._url_lock(key):
            gate = gate or self._gate_for(request)
            await gate.acquire(first)
            try:
                await self._global.acquire(first, gate.backlog)
                try:
                    limit = self.settings.host_timeouts
                    if limit and gate.timeouts_in_a_row >= limit:  # judged once a slot is ours, not before
                        raise _HostDown(gate.timeouts_in_a_row)
                    if closed := gate.closed_for():
                        raise _HostLimited(closed)
                    self.stats.requests += 1
                    gate.started()
                    started = time.monotonic()
                    try:
                        exchange = await _within(budget, self._exchange(method, request, need_body, jar))
                    except Exception as exc:
                        gate.unanswered(exc)
                        raise
                    finally:
                        gate.finished()
                    spent = time.monotonic() - started
                    gate.answered(exchange[0], spent)
                    return exchange, spent
                finally:
                    self._global.release()
            finally:
                gate.release()

    async def _completing_chain(
        self, request: URL, send: Callable[[bool], Awaitable[_Exchanged]], first: bool
    ) -> _Exchanged:
        """``send(first)`` (:meth:`_request` with all but ``first`` given); when the server's chain
        lacks its intermediate, ``send(True)`` once more with the intermediate its certificate
        names, fetched once per host and port (:meth:`_issuer_for`), ahead as a check begun.
        """
        known = bool(self._issuer_hosts) and _endpoint(request) in self._issuer_hosts
        try:
            return await send(first)
        except aiohttp.ClientConnectionError as exc:  # ClientSSLError; through a proxy's TLS, not always
            if known or not _lacks_issuer(exc) or self._tls_at_proxy(exc, str(request)) is not None:
                raise
            if await self._issuer_for(request) is not None:
                raise
        return await send(True)

    async def _issuer_for(self, request: URL) -> str | None:
        """Fetch the intermediate that ``request``'s server leaves out; None once its chain is
        complete, else why it could not be (said in the verdict). Asked once per host and port.
        """
        endpoint = _endpoint(request)
        if endpoint not in self._issuer_tries:
            self._issuer_tries[endpoint] = asyncio.ensure_future(self._fetch_issuer(request))
        return await asyncio.shield(self._issuer_tries[endpoint])

    async def _fetch_issuer(self, request: URL) -> str | None:
        try:
            leaf = await self._leaf_certificate(request)
        except TunnelRefused as refused:
            return f"the proxy refused the tunnel to read its certificate: HTTP {refused.status}"
        if leaf is None or not issuer_urls(leaf):
            return "its certificate names none to fetch"
        if self._issuer_context is None:
            self._issuer_context = issuer_context(self._tls)
        chain, why = await self._missing_chain(leaf, self._issuer_context)
        if not chain:
            return _shorten(f"the one its certificate names could not be used ({redact_text(why)})", 320)
        for der in chain:
            self._issuer_context.load_verify_locations(cadata=der)
        self._issuer_hosts[_endpoint(request)] = len(chain)
        return None

    async def _missing_chain(self, leaf: bytes, context: ssl.SSLContext) -> tuple[list[bytes], str]:
        """The intermediates above ``leaf`` that its server leaves out, each downloaded from the
        address the one below names, until one is signed by a root ``context`` lists, nothing more
        is named, or :data:`~.issuers.MAX_MISSING` are found; and, when none is, why.
        """
        chain: list[bytes] = []
        below, why = leaf, ""
        while len(chain) < MAX_MISSING:
            found: list[bytes] = []
            for address in issuer_urls(below):
                found, why = await self._issuers_at(address, below)
                if found:
                    break
            if not found:
                break  # the walk ends where nothing more is named; OpenSSL judges what it has
            chain += found
            if signed_by_store(found[0], context):
                break
            below = found[0]
        return chain, why

    async def _leaf_certificate(self, request: URL) -> bytes | None:
        """The certificate ``request``'s server presents, read from a handshake through the guards:
        directly, or inside a tunnel of the proxy that applies (its host name judged first, as for
        every proxied request); :class:`~.issuers.TunnelRefused` when the proxy will not open one.
        """
        assert self._lookups is not None
        host, port = _endpoint(request)
        proxy = self._proxy(request)
        try:
            if proxy is None:
                addresses = await _within(self.settings.timeout, self._lookups.resolve(host, port, socket.AF_UNSPEC))
                with self.peers.attempt(host):
                    return await _within(
                        self.settings.timeout, leaf_certificate(host, port, addresses, self.peers.socket_factory)
                    )
            if not self.settings.allow_private:
                await self._judge_name(request)
            through, headers = proxy
            tunnel = Tunnel(through.raw_host or "", through.port or 0, headers or {}, self._proxy_tls(through))
            with self.peers.attempt(host, proxy_host=tunnel.host):  # the proxy's own name and address pass
                addresses = await _within(
                    self.settings.timeout, self._lookups.resolve(tunnel.host, tunnel.port, socket.AF_UNSPEC)
                )
                return await _within(
                    self.settings.timeout,
                    leaf_certificate(host, port, addresses, self.peers.socket_factory, tunnel=tunnel),
                )
        except TunnelRefused:
            raise
        except (TimeoutError, OSError, BlockedAddressError):
            return None

    def _proxy_tls(self, proxy: URL) -> ssl.SSLContext | None:
        """The verifying context an ``https://`` proxy is spoken to with (what links are verified
        against); None for an ``http://`` one.
        """
        if proxy.scheme != "https":
            return None
        if self._proxy_context is None:
            self._proxy_context = self._tls or ssl.create_default_context()
        return self._proxy_context

    async def _issuers_at(self, address: str, leaf: bytes) -> tuple[list[bytes], str]:
        """The certificates that may sign ``leaf`` downloaded from ``address`` (through the queues
        and the policy), or none and why.
        """
        address = strip_credentials(address)  # as for every link: never sent with credentials
        try:
            where = client_url(address)
            if not self.settings.allow_private:
                check_host_literal(where.raw_host or "", self.settings.allow_hosts)
            status, _headers, body = await self._fetch(normalize_url(address), where, self._gate_for(where), first=True)
        except BlockedAddressError:
            return [], f"{address} is a private address"
        except Exception as exc:  # noqa: BLE001 - the verdict stays the TLS error, with the reason
            return [], f"{address}: {_shorten(exc, 80)}"
        if status != 200:
            return [], f"{address}: HTTP {status}"
        found = issuers_in(body, leaf)  # at most 256 KiB (an intermediate is 1-2 KiB)
        return found, "" if found else f"{address} gave no certificate that signs it"

    def _proxy(self, url: URL) -> tuple[URL, dict[str, str] | None] | None:
        """The proxy ``url`` goes through (its address, and its credentials), or None to go directly."""
        if proxy_for(url.scheme, url.raw_host or "", self.settings.proxies, self.settings.no_proxy) is None:
            return None
        return self._proxies[url.scheme.lower()]

    async def _judge_name(self, url: URL) -> None:
        """Judge a proxied request's host name as the resolver guard judges a direct one's.

        The proxy, not this process, connects to the host, so nothing here sees the address it
        connects to. The name is looked up here (once a run) and refused if it resolves to a
        non-public address; a name that cannot be looked up here within a few seconds is the
        proxy's to resolve. A literal address was judged before any request, and a host in
        ``allow_hosts`` passes.
        """
        host = url.raw_host or ""
        if literal_address(host) is not None or host_is_allowed(host, self.settings.allow_hosts):
            return
        judged = self._names.get(host)
        if judged is None:
            judged = self._names[host] = asyncio.ensure_future(self._name_verdict(host, url.port or 0))
        await asyncio.shield(judged)  # shared: a check that gives up does not cancel it for the others

    async def _name_verdict(self, host: str, port: int) -> None:
        assert self._lookups is not None
        try:
            await _within(
                min(self.settings.timeout, _PROXIED_LOOKUP_SECONDS), self._lookups.resolve(host, port, socket.AF_UNSPEC)
            )
        except BlockedAddressError:
            raise
        except (TimeoutError, OSError):  # not known here (a proxy-only network): the proxy resolves it
            return

    @contextlib.asynccontextmanager
    async def _opened(
        self, method: str, url: URL, jar: aiohttp.CookieJar | None = None
    ) -> AsyncIterator[aiohttp.ClientResponse]:
        """Send ``method url`` (no redirects followed) and yield the response, for every request made.

        ``jar``, if given, supplies the cookies sent (those it holds for ``url``) and keeps the ones
        the response sets.

        It goes through the proxy that applies, if any, with that request's host name judged first
        (:meth:`_judge_name`). Every connection opened for it is judged by the peer check; a refusal
        there is raised as :class:`~.guard.BlockedPeerError` whatever aiohttp made of it.
        """
        assert self._session is not None
        proxy = self._proxy(url)
        if proxy is not None and not self.settings.allow_private:
            await self._judge_name(url)
        through, proxy_headers = proxy if proxy is not None else (None, None)
        headers = self._headers(url)
        if proxy_headers and url.scheme == "http":  # the request itself goes to the proxy (HTTPS: the CONNECT)
            headers = {**(headers or {}), **proxy_headers}
        proxy_host = through.raw_host if through is not None else None
        with self.peers.attempt(url.raw_host or "", proxy_host=proxy_host) as peer:
            try:
                cookies = jar.filter_cookies(url) if jar is not None and len(jar) else None
                async with self._session.request(
                    method,
                    url,
                    allow_redirects=False,
                    headers=headers,
                    cookies=cookies,
                    proxy=through,
                    proxy_headers=proxy_headers,
                    ssl=(self._issuer_context or True)
                    if self._issuer_hosts and _endpoint(url) in self._issuer_hosts
                    else True,
                ) as resp:
                    if jar is not None and resp.cookies:
                        jar.update_cookies(resp.cookies, resp.url)
                    yield resp
            except Exception:
                if peer.refused is not None:
                    raise peer.refused from None
                raise

    async def _exchange(
        self, method: str, url: URL, need_body: int, jar: aiohttp.CookieJar | None = None
    ) -> tuple[int, str | None, dict[str, str], str | None, bool, bool]:
        """Send the request and read only what is needed: headers, and the capped body's text for ids
        (``need_body``: 0 none, 1 an HTML body, ``_PAGE`` an HTML or XML one).
        """
        s = self.settings
        async with self._opened(method, url, jar) as resp:
            headers = {k.lower(): v for k, v in resp.headers.items()}
            location = resp.headers.get("Location")
            ctype = (resp.content_type or "").lower()
            html = ctype in _HTML_TYPES
            text: str | None = None
            complete = False
            gzipped = need_body == _PAGE and (
                ctype in _GZIP_TYPES or (ctype == "application/octet-stream" and url.path.endswith(".gz"))
            )
            wanted = html or (need_body == _PAGE and ctype in _PAGE_TYPES) or gzipped
            whole = True
            if need_body and method == "GET" and 200 <= resp.status < 300 and wanted:
                raw, complete = await _read_capped(resp, s.max_body_bytes, gzipped)
                if not gzipped:
                    text = decode_html(raw, resp.charset)
                elif not raw.startswith(_GZIP_MAGIC):  # inflated already (Content-Encoding: gzip)
                    text = decode_html(raw, resp.charset) if _begins_as_xml(raw[:1024]) else None
                elif (inflated := _gunzip(raw, s.max_body_bytes)) is not None:
                    text, whole = decode_html(inflated[0], None), inflated[1]
            if method != "HEAD" and not complete:
                length = resp.content_length
                if not (text is None and length is not None and length <= _DRAIN_BYTES and await _drained(resp)):
                    resp.close()  # never drain a large or unknown body (it may be 200 MB)
            return resp.status, location, headers, text, complete and whole, html

    def _judge(
        self,
        status: int,
        headers: dict[str, str],
        final: str | None,
        permanent: bool,
        ids: set[str] | None,
        complete: bool,
        html: bool,
        accept: list[int] = (),  # type: ignore[assignment]
    ) -> Outcome:
        """Map a final HTTP status to a verdict, raising _Retry where another attempt may help.

        A status in ``accept`` (the host's extra accepted statuses) is ``ok``.
        """
        if status in accept and not 200 <= status < 300:
            return Outcome(State.OK, status, final, f"HTTP {status}, accepted for this host", ids, complete, html)
        if 200 <= status < 300:
            state = State.REDIRECTED if permanent else State.OK
            message = f"permanent redirect to {final}" if permanent else ""
            return Outcome(state, status, final, message, ids, complete, html)
        if headers.get("cf-mitigated"):  # a bot challenge (403 or 503): refused to us, not dead
            return Outcome(State.BLOCKED, status, final, f"HTTP {status}: bot wall (cf-mitigated)")
        if status in (404, 410):
            return Outcome(State.BROKEN, status, final, f"HTTP {status}")
        _retry_if_asked(status, headers, final)
        if status in _BLOCKED_STATUSES:
            return Outcome(State.BLOCKED, status, final, f"HTTP {status}: refused to us, not necessarily dead")
        if status == 407:  # only a proxy sends it: this run's proxy wants credentials, the link is not judged
            return Outcome(State.ERROR, status, final, "HTTP 407: the proxy asks for credentials")
        if status == 501:  # "Not Implemented": usually the method (HEAD), so GET is tried next
            return Outcome(State.ERROR, status, final, "HTTP 501")
        if 500 <= status < 600:
            raise _Retry(Outcome(State.ERROR, status, final, f"HTTP {status}"))
        if 300 <= status < 400:
            return Outcome(State.ERROR, status, final, f"HTTP {status} without a usable Location")
        return Outcome(State.ERROR, status, final, f"HTTP {status}")

    def _blocked_address(self, exc: BlockedAddressError, current: str, url: str) -> Outcome:
        where = "" if current == url else f" (redirect to {current})"
        return Outcome(
            State.SKIPPED,
            None,
            self._final(current, url),
            f"private address: {exc}{where}; use --allow-private to check it",
        )

    def _failure(self, exc: BaseException, current: str, url: str) -> Outcome:
        """Map a network exception to a verdict, raising _Retry for resets."""
        final = self._final(current, url)
        blocked = _find(exc, BlockedAddressError)
        if blocked is not None:
            return self._blocked_address(blocked, current, url)  # type: ignore[arg-type]
        tls = _find(exc, ssl.SSLCertVerificationError) is not None or isinstance(exc, aiohttp.ClientSSLError)
        if not tls and self._proxied(current):
            if isinstance(exc, aiohttp.ClientHttpProxyError):  # the proxy answered its CONNECT with an error
                return Outcome(State.ERROR, None, final, f"the proxy refused to connect to the host: HTTP {exc.status}")
            if isinstance(exc, aiohttp.ClientConnectorError):  # the only connection made is to the proxy
                return Outcome(
                    State.ERROR, None, final, f"cannot connect to the proxy: {_shorten(redact_text(str(exc)))}"
                )
        dns = _dns_failure(exc)
        if dns is not None:
            return _dns_outcome(dns, urlsplit(current).hostname, final)
        if tls:
            proxy = self._tls_at_proxy(exc, current)
            if proxy is not None:
                return Outcome(State.ERROR, None, final, _proxy_tls_message(exc, proxy))
            return Outcome(State.ERROR, None, final, self._tls_message(exc, current))
        return _connection_outcome(exc, final)

    def _tls_at_proxy(self, exc: BaseException, current: str) -> URL | None:
        """The ``https://`` proxy whose own TLS connection ``exc`` failed (its certificate, not the
        link's), or None. aiohttp names the host and port it was connecting to.
        """
        proxy = self._proxy(client_url(current)) if is_http(current) else None
        if proxy is None or proxy[0].scheme != "https":
            return None
        through = proxy[0]
        at = (getattr(exc, "host", None), getattr(exc, "port", None))
        return through if at == (through.raw_host, through.port) else None

    def _tls_message(self, exc: BaseException, current: str) -> str:
        """A TLS failure's message, with what a fetch of the chain's missing certificates found."""
        verify = _verification(exc)
        # Inside an https:// proxy's TLS, a failed handshake can reach aiohttp as an unrelated
        # TypeError (CPython 3.11's TLS-in-TLS); the verification error itself is what to show.
        shown = exc if verify is None or isinstance(exc, aiohttp.ClientSSLError) else verify
        message = f"TLS error: {_shorten(shown, 240)}"
        endpoint = _endpoint(client_url(current)) if is_http(current) else None
        if _lacks_issuer(exc):
            # Browsers fetch a missing intermediate themselves (or have it cached): readers may not see this.
            message += "; the server may leave out an intermediate certificate, which browsers fetch themselves"
            tried = self._issuer_tries.get(endpoint) if endpoint else None
            if tried is not None and tried.done() and not tried.cancelled() and tried.result():
                message += f", and {tried.result()}"
        elif _verify_code(exc) == _NO_ISSUER_ABOVE and endpoint and self._issuer_hosts.get(endpoint):
            message += (
                f"; {self._issuer_hosts[endpoint]} intermediate certificate(s) the server leaves out were fetched"
                f" (at most {MAX_MISSING}), and the chain still does not end at a trusted root"
            )
        return message


def _proxy_tls_message(exc: BaseException, proxy: URL) -> str:
    """The message for an ``https://`` proxy whose certificate could not be verified."""
    message = getattr(_verification(exc), "verify_message", None)
    why = f"certificate verify failed: {message}" if message else exc
    return f"TLS error with the proxy {proxy.raw_host}:{proxy.port}: {_shorten(why, 200)}"


def _dns_outcome(dns: BaseException, host: str | None, final: str | None) -> Outcome:
    """A failed look-up's verdict: ``error`` while it may pass (a temporary failure), else ``broken``."""
    code = getattr(dns, "errno", None)
    if code in (socket.EAI_AGAIN,) or (hasattr(socket, "EAI_FAIL") and code == socket.EAI_FAIL):
        return Outcome(State.ERROR, None, final, f"temporary DNS failure for {host}")
    return Outcome(State.BROKEN, None, final, f"host name {host} does not resolve")


def _connection_outcome(exc: BaseException, final: str | None) -> Outcome:
    """The verdict of a failure to connect, or to read an answer; raises _Retry for resets."""
    if isinstance(exc, aiohttp.ClientConnectorError):
        os_error = getattr(exc, "os_error", None)
        if getattr(os_error, "errno", None) == errno.ECONNREFUSED:
            return Outcome(State.ERROR, None, final, "connection refused")
        return Outcome(State.ERROR, None, final, f"cannot connect: {_shorten(exc)}")
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        raise _Retry(Outcome(State.ERROR, None, final, "the server closed the connection without answering"))
    if isinstance(exc, aiohttp.ClientPayloadError):
        message = f"the response ended before its body did ({_shorten(exc, 120)})"
        raise _Retry(Outcome(State.ERROR, None, final, message)) from None
    if isinstance(exc, (aiohttp.ClientOSError, ConnectionResetError)):
        raise _Retry(Outcome(State.ERROR, None, final, f"connection reset: {exc.__class__.__name__}")) from None
    if isinstance(exc, aiohttp.ClientResponseError):  # the response could not be parsed
        return Outcome(State.ERROR, None, final, f"invalid HTTP response: {_shorten(exc.message)}")
    if isinstance(exc, (aiohttp.InvalidURL, ValueError)):
        return Outcome(State.ERROR, None, final, f"invalid URL: {_shorten(exc)}")
    return Outcome(State.ERROR, None, final, f"{exc.__class__.__name__}: {_shorten(exc)}")


#: The Wayback Machine's hosts: a snapshot URL an availability API gives must be on one of them,
#: or on the API's own host (a mirror, or the tests' local one).
_ARCHIVE_HOSTS = frozenset({"web.archive.org", "archive.org"})


def _snapshot_url(body: bytes, api_host: str = "") -> str | None:
    r"""The closest snapshot's URL in an availability API answer, if it is available and http(s).

    The Wayback Machine answers ``{"archived_snapshots": {"closest": {"available": true, "url":
    "http://web.archive.org/web/20130919044612/http://example.com/", "timestamp": "2013...",
    "status": "200"}}}``, or an empty ``archived_snapshots`` when it has none. Its own snapshot
    links are upgraded to HTTPS. The answer is a remote server's, shown to readers as "archived
    copy": a URL on another host than the archive's (or ``api_host``'s), one that holds a control
    character or cannot be written as UTF-8 (a lone surrogate from a ``\ud800`` escape), or a
    snapshot whose recorded status was an error (``"status": "404"``: an archived error page) is no
    suggestion.
    """
    try:
        data = json.loads(body.decode("utf-8", errors="replace"))
        closest = data["archived_snapshots"]["closest"]
    except (ValueError, KeyError, TypeError):
        return None
    if not isinstance(closest, dict) or closest.get("available") is not True:
        return None
    status = closest.get("status")
    if status is not None and not (isinstance(status, str) and status[:1] in ("2", "3")):
        return None
    url = closest.get("url")
    if not isinstance(url, str) or not url.lower().startswith(("http://", "https://")) or malformed(url):
        return None
    try:
        url.encode("utf-8")
    except UnicodeEncodeError:
        return None
    if UNPRINTABLE.search(url) or client_host(url) not in _ARCHIVE_HOSTS | {api_host.lower()} - {""}:
        return None
    if url.lower().startswith("http://web.archive.org/"):
        url = "https://" + url[len("http://") :]
    return url


async def _drained(resp: aiohttp.ClientResponse) -> bool:
    """Read a small body to its end, so that its connection serves the host's next check.

    The ``Content-Length`` is what was sent, not what it decompresses to: a 16 KiB gzip body may
    expand to 16 MB, so reading stops at 16 times the sent size. Returns True when the end was
    reached (False: close the connection).
    """
    left = 16 * _DRAIN_BYTES
    while left > 0:
        chunk = await resp.content.read(min(65536, left))
        if not chunk:
            return True
        left -= len(chunk)
    return resp.content.at_eof()


def _shorten(text: object, limit: int = 160) -> str:
    """An exception's text on one line, cut to ``limit`` characters: a parser's message spans
    several lines and may quote a whole header, and a report gives each result one line.
    """
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 3] + "..."


#: OpenSSL's ``X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY``: "unable to get local issuer certificate".
_NO_ISSUER = 20
#: ``X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT``: the same above the server's own certificate (after a fetch).
_NO_ISSUER_ABOVE = 2


def _retry_if_asked(status: int, headers: dict[str, str], final: str | None) -> None:
    """Raise _Retry for a status that asks for another try (429, 503...), or a 403 that carries a
    wait (GitHub's way to say 429), with the wait its ``Retry-After`` or rate-limit reset gives.
    """
    retry_after = parse_retry_after(headers.get("retry-after")) if status in (403, 429, 503) else None
    reset = rate_limit_wait(headers) if status in (403, 429) and retry_after is None else None
    asked_by = "Retry-After" if reset is None else "its rate limit resets in"
    if status in _RETRY_STATUSES:
        outcome = Outcome(State.ERROR, status, final, f"HTTP {status}", rate_limited=status == 429)
        raise _Retry(outcome, retry_after if reset is None else reset, asked_by)
    if status == 403 and (retry_after is not None or reset is not None):
        outcome = Outcome(State.ERROR, status, final, "HTTP 403: rate limited", rate_limited=True)
        raise _Retry(outcome, retry_after if reset is None else reset, asked_by)


def _location_target(current: str, location: str) -> tuple[str, str | None]:
    """Where a ``Location`` leads from ``current``, without credentials (never followed with
    them) or fragment, and the fragment it carried (None when it has none).
    """
    target = strip_credentials(urljoin(current, location))
    fragment = location.split("#", 1)[1] if "#" in location else None
    return target.split("#", 1)[0] or target, fragment


def _lacks_issuer(exc: BaseException) -> bool:
    """Whether a TLS failure is a chain without its issuer (what an intermediate fetched may mend)."""
    return _verify_code(exc) == _NO_ISSUER


def _is_tls_in_tls_bug(exc: object) -> bool:
    """Whether ``exc`` is the ``TypeError`` CPython 3.11's asyncio raises when a TLS connection
    inside another (an ``https://`` proxy's tunnel) fails: ``_force_close`` calls
    ``SSLProtocol._abort`` with an argument it does not take (CPython gh-113214).
    """
    if not isinstance(exc, TypeError) or "_abort()" not in str(exc):
        return False
    frame = exc.__traceback__
    while frame is not None and frame.tb_next is not None:
        frame = frame.tb_next
    code = frame.tb_frame.f_code if frame is not None else None
    return code is not None and code.co_name == "_force_close" and code.co_filename.endswith("sslproto.py")


def _verification(exc: BaseException) -> BaseException | None:
    """The certificate verification error behind a TLS failure (aiohttp's carries it), or None."""
    return getattr(exc, "certificate_error", None) or _find(exc, ssl.SSLCertVerificationError)


def _verify_code(exc: BaseException) -> int | None:
    """OpenSSL's verification error code behind a TLS failure, if it is one."""
    return getattr(_verification(exc), "verify_code", None)


def _endpoint(url: URL) -> tuple[str, int]:
    """A URL's host (as sent) and port (yarl gives the scheme's default): what a chain belongs to."""
    return url.raw_host or "", url.port or 0


#: Seconds a proxied request's host name may take to look up here before it is left to the proxy.
_PROXIED_LOOKUP_SECONDS = 5.0


def _cookies_of(jar: aiohttp.CookieJar) -> frozenset[tuple[str, str, str, str]]:
    """What ``jar`` holds (name, value, domain, path of each cookie): a chain that comes back to a URL
    with the same cookies is in a loop.
    """
    return frozenset((m.key, m.value, m["domain"], m["path"]) for m in jar)


def _proxy_parts(proxy: str) -> tuple[URL, dict[str, str] | None]:
    """A proxy URL without its credentials, and the ``Proxy-Authorization`` header they make, if any."""
    url = URL(proxy)
    if url.raw_user is None and url.raw_password is None:
        return url, None
    pair = base64.b64encode(f"{url.user or ''}:{url.password or ''}".encode()).decode("ascii")
    return url.with_user(None), {"Proxy-Authorization": f"Basic {pair}"}


def _written_host(current: str, request: URL) -> str:
    """The host of ``current`` as written (for messages), else as the client reads it."""
    try:
        return urlsplit(current).hostname or request.raw_host or ""
    except ValueError:
        return request.raw_host or ""


async def _read_capped(resp: aiohttp.ClientResponse, limit: int, gzipped: bool) -> tuple[bytes, bool]:
    """Read at most ``limit`` bytes of the body; return them, and whether that is all of it.

    A gzip file (``gzipped``) is read no further than it takes to see that what it holds does not
    begin as XML does (an archive in a crawled folder: one chunk, not ``limit`` bytes).
    """
    chunks: list[bytes] = []
    size = 0
    undecided = gzipped
    while size < limit:
        chunk = await resp.content.read(min(65536, limit - size))
        if not chunk:
            return b"".join(chunks), True
        chunks.append(chunk)
        size += len(chunk)
        if undecided:
            verdict = _holds_xml(b"".join(chunks))
            if verdict is False or (verdict is None and size >= _GZIP_HEAD_BYTES):
                return b"".join(chunks), False  # no XML, or a gzip header padded to hide what follows
            undecided = verdict is None
    return b"".join(chunks), resp.content.at_eof()


#: A gzip file that inflates to nothing in its first 64 KiB (a header padded with a long name or
#: comment) is taken to hold no XML: no sitemap starts so, and reading on would rejoin every chunk.
_GZIP_HEAD_BYTES = 64 * 1024
_XML_START = b"\xef\xbb\xbf\t\n\r "  # a byte-order mark and white space may come before the first "<"


#: The first bytes of every gzip file.
_GZIP_MAGIC = b"\x1f\x8b"


def _holds_xml(data: bytes) -> bool | None:
    """Whether gzip ``data`` (its start will do) holds what begins as XML does; None while too
    little of it is there to tell. Data that is not gzip is judged as it is: a ``.xml.gz`` served
    with ``Content-Encoding: gzip`` (as object stores often serve one) arrives inflated already.
    """
    if len(data) >= 2 and not data.startswith(_GZIP_MAGIC):
        return _begins_as_xml(data[:1024])
    try:
        return _begins_as_xml(zlib.decompressobj(wbits=zlib.MAX_WBITS | 16).decompress(data, 64))
    except zlib.error:
        return False


def _begins_as_xml(head: bytes) -> bool | None:
    """Whether inflated bytes begin as XML does (their first ``<``, after a byte-order mark and white
    space); None when there is nothing past those yet.
    """
    head = head.lstrip(_XML_START)
    return head.startswith(b"<") if head else None


def _gunzip(data: bytes, limit: int) -> tuple[bytes, bool] | None:
    """What gzip ``data`` holds, at most ``limit`` bytes of it, and whether that is all of it.

    At most ``limit`` bytes are inflated, whatever ``data`` would inflate to (a small file may hold
    gigabytes). None, when ``data`` is not gzip or what it holds does not begin as XML does.
    """
    inflater = zlib.decompressobj(wbits=zlib.MAX_WBITS | 16)  # the gzip header and trailer, checked
    try:
        head = inflater.decompress(data, min(limit, 4096))
        if not _begins_as_xml(head):
            return None
        left = limit - len(head)
        # Not inflater.unconsumed_tail alone: all the input may be taken with output still to come.
        rest = inflater.decompress(inflater.unconsumed_tail, left) if left > 0 and not inflater.eof else b""
    except zlib.error:  # corrupt: none of it is read
        return None
    return head + rest, inflater.eof


_timeout = getattr(asyncio, "timeout", None)  # Python 3.11+: no extra task per request


async def _within(seconds: float, coro):
    """Await ``coro`` for at most ``seconds`` (raises :class:`asyncio.TimeoutError`)."""
    if _timeout is None:  # pragma: no cover - Python 3.10
        return await asyncio.wait_for(coro, seconds)
    async with _timeout(seconds):
        return await coro
