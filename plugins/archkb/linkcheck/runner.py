"""Running a check: dedupe links, apply policy and the cache, fetch the rest, build the report."""

from __future__ import annotations

import asyncio
import concurrent.futures
import dataclasses
import gc
import os
import re
import sys
import time
from collections import deque
from collections.abc import Callable, Coroutine, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from .cache import LinkCache
from .credentials import CREDENTIALS_MESSAGE, has_credentials, redact_credentials, redact_text, strip_credentials
from .plan import grouped_sources, plan_link
from .report import Report
from .settings import Settings
from .states import STATE_ORDER, Link, Result, State, now_iso
from .urls import fragment_is_checkable, host_key, https_variant, is_http, malformed, normalize_url, split_fragment

if TYPE_CHECKING:  # pragma: no cover - aiohttp is imported only when something is fetched
    import ssl

    from aiohttp.abc import AbstractResolver

    from .client import Client, Outcome

_T = TypeVar("_T")

__all__ = ["check_urls", "check_urls_async", "fetch_pages", "SettingsError", "DEFAULT_REPORT_PATH", "now_iso"]

#: Where every CLI run writes its latest JSON report (relative to the project root); the site build
#: reads it to show each reference's link state.
DEFAULT_REPORT_PATH = ".cache/archkb/link-report.json"


class SettingsError(ValueError):
    """The settings cannot be used (a usage or configuration error, exit code 3 on the CLI)."""


def check_urls(
    links: Iterable[Link],
    settings: Settings,
    *,
    progress: bool = False,
    resolver: AbstractResolver | None = None,
    tls: ssl.SSLContext | None = None,
    known: Mapping[str, Outcome] | None = None,
    deadline: float | None = None,
) -> Report:
    """Check links and return the report (synchronous; safe to call from a running event loop).

    Each unique URL (as written) gets one result listing every source that cites it; each unique
    document is fetched once however many fragments of it are cited. A URL that carries credentials
    is checked without them and reported as ``error`` (``broken`` if it is broken), its userinfo
    shown as ``***`` (see :mod:`.credentials`).

    Args:
        links: Link occurrences; relative links are reported ``skipped`` here (internal links are
            checked against the built site by :func:`archkb.linkcheck.internal.check_internal`).
        settings: The run's options.
        progress: Show a progress display on a terminal (never when not a TTY or when ``CI`` is set).
        resolver: Replace the system resolver (tests use this; no real DNS is needed).
        tls: Verify servers with this context instead of the system's trust store (tests use it
            for a local certificate authority). It must verify certificates and host names.
        known: Documents already fetched in this run (:func:`fetch_pages`' pages, their body read),
            by their URL: a link to one is judged from it, fragment and all, and not asked again.
        deadline: When the run's budget ends, as a ``time.monotonic()`` value: what is left of a
            budget that fetching those documents began (``Inputs.deadline``). Default:
            ``settings.run_budget`` seconds from the start of the check.

    Raises:
        SettingsError: when the settings are invalid.
    """
    todo = list(links)
    return _finish(
        lambda: check_urls_async(
            todo, settings, progress=progress, resolver=resolver, tls=tls, known=known, deadline=deadline
        )
    )


def _finish(make: Callable[[], Coroutine[Any, Any, _T]]) -> _T:
    """Run the coroutine ``make()`` to its end from synchronous code: on a new event loop, or, when
    called from a running one (a plugin inside an async host), on a loop of its own in a thread.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make())
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, make()).result()


async def check_urls_async(
    links: Iterable[Link],
    settings: Settings,
    *,
    progress: bool = False,
    resolver: AbstractResolver | None = None,
    tls: ssl.SSLContext | None = None,
    known: Mapping[str, Outcome] | None = None,
    deadline: float | None = None,
) -> Report:
    """The asynchronous form of :func:`check_urls`."""
    fetched = {normalize_url(url): outcome for url, outcome in (known or {}).items() if is_http(url)}
    problems = settings.validate() + _policy_problems(settings)
    if problems:
        raise SettingsError("; ".join(problems))
    started = time.monotonic()
    sources = grouped_sources(links)
    report = Report()
    cache: LinkCache | None = None
    if settings.cache_path and not settings.no_cache:
        cache = LinkCache(settings.cache_path, settings.fingerprint(), settings.max_age_days).load()
        if cache.warning:
            report.warnings.append(cache.warning)
    plan = _Plan.make(sources, settings, fetched, cache)
    results, targets, documents = plan.results, plan.targets, plan.documents

    client_stats = None
    threshold = gc.get_threshold()
    if deadline is None:
        deadline = started + settings.run_budget
    needs_client = _needs_client(settings, documents, results, targets)
    if needs_client and (problems := _client_problems(settings)):
        raise SettingsError("; ".join(problems))
    try:
        if needs_client:
            from .client import Client

            # Thousands of requests in flight keep many young objects alive, and the collector would
            # walk them again and again (about 15% of the CPU time of a run); collect less often.
            gc.set_threshold(max(threshold[0], 20_000), *threshold[1:])
            async with Client(settings, resolver=resolver, tls=tls) as client:
                if documents:
                    remember = None if cache is None else _remembering(cache, targets)
                    await _fetch_all(
                        client, documents, targets, sources, results, settings, deadline, progress, remember
                    )
                await _second_asks(client, targets, results, cache, settings, deadline)
                client_stats = client.stats
                report.hosts = client.host_stats()
    finally:
        gc.set_threshold(*threshold)
        # Even when the run is interrupted, keep what was learned (written atomically).
        if cache is not None:
            _save(cache, report)

    report.results = [_without_credentials(results[u]) for u in sources]
    report.sort()
    report.stats = {
        "links": float(sum(len(s) for s in sources.values())),
        "unique": float(len(sources)),
        "from_cache": float(plan.from_cache),
        "requests": float(client_stats.requests if client_stats else 0),
        "retries": float(client_stats.retries if client_stats else 0),
        "peak_in_flight": float(client_stats.peak_in_flight if client_stats else 0),
        "peak_per_host": float(client_stats.peak_per_host if client_stats else 0),
        "seconds": round(time.monotonic() - started, 3),
    }
    return report


@dataclasses.dataclass
class _Plan:
    """What a check does with each URL before a request: the verdicts known already (excluded,
    fetched in this run, cached, offline), where each URL is sent (``targets``, after remaps), and
    the documents still to fetch (normalized document -> its URL and the written URLs on it).
    """

    results: dict[str, Result] = dataclasses.field(default_factory=dict)
    targets: dict[str, str] = dataclasses.field(default_factory=dict)
    documents: dict[str, tuple[str, list[str]]] = dataclasses.field(default_factory=dict)
    from_cache: int = 0

    @classmethod
    def make(
        cls,
        sources: dict[str, list[str]],
        settings: Settings,
        fetched: Mapping[str, Outcome],
        cache: LinkCache | None,
    ) -> _Plan:
        plan = cls()
        excludes = [re.compile(p) for p in settings.excludes]
        includes = [re.compile(p) for p in settings.includes]
        for url, where in sources.items():
            # The target is never sent with credentials, nor keyed by them (the report flags them).
            target, verdict = plan_link(url, where, settings.rewrites, excludes, includes)
            plan.targets[url] = target
            if verdict is None:
                verdict = plan._known(url, target, where, settings, fetched, cache)
            if verdict is not None:
                plan.results[url] = verdict
                continue
            doc = split_fragment(target)[0]
            plan.documents.setdefault(normalize_url(doc), (doc, []))[1].append(url)
        return plan

    def _known(
        self,
        url: str,
        target: str,
        where: list[str],
        settings: Settings,
        fetched: Mapping[str, Outcome],
        cache: LinkCache | None,
    ) -> Result | None:
        """The verdict on ``url`` without a request: fetched already in this run (a page given as
        a URL, or crawled), cached, or skipped offline; None when it has to be asked.
        """
        doc, fragment = split_fragment(target)
        page = fetched.get(normalize_url(doc)) if fetched and is_http(doc) else None
        if page is not None:
            return _verdict(url, fragment, page, settings, where, now_iso())
        cached = cache.get(target) if cache else None
        if cached is not None:
            cached.url, cached.sources = url, where
            self.from_cache += 1
            return cached
        if settings.offline:
            return Result(url, State.SKIPPED, sources=where, message="offline, and not in the cache")
        return None


def fetch_pages(
    urls: list[str],
    settings: Settings,
    *,
    follow: Callable[[str, Outcome], Iterable[str]] | None = None,
    max_pages: int | None = None,
    robots: bool = False,
    kept_out: list[str] | None = None,
    late: list[str] | None = None,
    deadline: float | None = None,
    resolver: AbstractResolver | None = None,
    tls: ssl.SSLContext | None = None,
) -> dict[str, Outcome]:
    """Fetch pages given as URLs (a run's inputs, whose own links are then checked), and with
    ``follow`` the pages they lead to (a crawl: each page's links queued as soon as it is read).

    Each goes through the same client as every check: the private-address policy, the host's
    politeness, retries, redirects and the body cap (``settings.max_body_bytes``). Pages are not
    cached: a run asks for its inputs afresh. Each page is fetched once, however often it is linked.

    Args:
        urls: Absolute http(s) URLs (a fragment is dropped: it names a place in the page).
        settings: The run's options.
        follow: Given a fetched page's URL and outcome, the URLs to fetch next (without fragments).
        max_pages: Fetch at most this many pages in all (None: no limit).
        robots: Read no page that ``follow`` leads to where its host's ``robots.txt`` (asked once per
            host, through the same client) disallows it to this checker, as RFC 9309 reads it: a
            4xx means no rules, a 5xx or no answer that nothing is to be read. The pages given are
            always read.
        kept_out: Filled with the pages ``robots.txt`` kept out (they are links still, to check).
        late: Filled with the pages not read when the run's budget (``settings.run_budget``) ended:
            the fetching stops then, as the checking does.
        deadline: When the budget ends, as a ``time.monotonic()`` value (default: ``run_budget``
            seconds from now); give the same to :func:`check_urls` to make the pages and the check
            of their links one budget.
        resolver: Replace the system resolver (tests).
        tls: Verify servers with this context (tests).

    Returns:
        Each fetched URL's outcome, in the order they were read; ``Outcome.page`` holds its HTML when
        it is an HTML page that answered.

    Raises:
        SettingsError: when the settings are invalid, or the run is offline.
    """
    problems = settings.validate() + _policy_problems(settings)
    if settings.offline:
        problems.append("a page given as a URL is fetched over the network; --offline sends nothing")
    if problems or (problems := _client_problems(settings)):
        raise SettingsError("; ".join(problems))
    start = list(dict.fromkeys(split_fragment(u)[0] for u in urls))
    limit = max_pages if max_pages is not None else sys.maxsize
    ends = time.monotonic() + settings.run_budget if deadline is None else deadline

    async def run() -> dict[str, Outcome]:
        from .client import Client

        async with Client(settings, resolver=resolver, tls=tls) as client:
            crawl = _Crawl(client, settings, follow, limit, robots, kept_out, late)
            return await crawl.run(start, ends)

    return _finish(run)


class _Crawl:
    """:func:`fetch_pages`' reading: each page's links queued as soon as it is read (no rounds;
    the hosts' gates keep the politeness, so a host is never idle while a slow page loads).
    """

    def __init__(
        self,
        client: Client,
        settings: Settings,
        follow: Callable[[str, Outcome], Iterable[str]] | None,
        limit: int,
        robots: bool,
        kept_out: list[str] | None,
        late: list[str] | None,
    ) -> None:
        self.client, self.follow, self.limit, self.robots = client, follow, limit, robots
        self.kept_out, self.late = kept_out, late
        self.agent = settings.user_agent.split("/", 1)[0]
        self.rules: dict[str, asyncio.Future[Callable[[str], bool]]] = {}  # origin -> its robots.txt
        self.fetched: dict[str, Outcome] = {}
        self.seen: set[str] = set()
        self.asked: dict[asyncio.Future[tuple[str, Outcome | None]], str] = {}

    async def run(self, start: list[str], ends: float) -> dict[str, Outcome]:
        """Read ``start`` (given: never kept out by robots.txt) and what they lead to, until ``ends``."""
        self.seen = {normalize_url(u) if is_http(u) else u for u in start}
        pending = {self._ask(u, given=True) for u in start[: self.limit]}
        while pending:
            done, pending = await asyncio.wait(
                pending, timeout=max(0.0, ends - time.monotonic()), return_when=asyncio.FIRST_COMPLETED
            )
            if not done:  # the run's budget is spent: what is still being fetched is not read
                await self._stop(pending)
                break
            for task in done:
                pending |= self._read(*task.result())
        return self.fetched

    def _ask(self, url: str, given: bool = False) -> asyncio.Future[tuple[str, Outcome | None]]:
        task = asyncio.ensure_future(self._one(url, given))
        self.asked[task] = url
        return task

    async def _one(self, url: str, given: bool) -> tuple[str, Outcome | None]:
        if self.robots and not given and not await self._allowed(url):
            return url, None
        return url, await self.client.check(url, keep_page=True)

    async def _allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self.rules:
            self.rules[origin] = asyncio.ensure_future(_robots(self.client, origin, self.agent))
        return (await self.rules[origin])(url)

    def _read(self, url: str, outcome: Outcome | None) -> set[asyncio.Future[tuple[str, Outcome | None]]]:
        """Keep a page read (None: robots.txt kept it out); return the requests for where it leads."""
        if outcome is None:
            if self.kept_out is not None:
                self.kept_out.append(url)
            return set()
        self.fetched[url] = outcome
        asked = set()
        for nxt in self.follow(url, outcome) if self.follow is not None else ():
            key = normalize_url(nxt)
            if key not in self.seen and len(self.seen) < self.limit:
                self.seen.add(key)
                asked.add(self._ask(nxt))
        return asked

    async def _stop(self, pending: set[asyncio.Future[tuple[str, Outcome | None]]]) -> None:
        for task in pending:
            task.cancel()
            if self.late is not None:
                self.late.append(self.asked[task])
        await asyncio.gather(*pending, return_exceptions=True)


async def _robots(client: Client, origin: str, agent: str) -> Callable[[str], bool]:
    """What an origin's ``robots.txt`` lets ``agent`` read, as RFC 9309 reads the answer."""
    from urllib.robotparser import RobotFileParser

    outcome = await client.check(f"{origin}/robots.txt", keep_page=True)
    status = outcome.status or 0
    if 400 <= status < 500:  # no robots.txt: no rules
        return lambda _url: True
    if not 200 <= status < 300:  # a server error, or no answer: read nothing
        return lambda _url: False
    if outcome.page is None:  # an answer, but not text: no rules to read
        return lambda _url: True
    parser = RobotFileParser()
    parser.parse(outcome.page.splitlines())
    return lambda url: parser.can_fetch(agent, _as_sent(url))


def _as_sent(url: str) -> str:
    """``url`` as the HTTP client will send it: dot segments removed, percent-encoded ones too, so
    that ``robots.txt`` is judged on the path the server is asked for (``/docs/%2e%2e/private/``
    asks for ``/private/``).
    """
    from .hosts import client_url

    try:
        return str(client_url(url))
    except ValueError:
        return url


async def _suggest(client: Client, targets: dict[str, str], results: dict[str, Result], budget: float) -> None:
    """Ask the archive API about every broken external URL (and nothing else): fill ``suggestion``.

    Each document is asked about once, through the same client as every other request, so the
    API's host gets the same politeness (per-host limit, interval, ``Retry-After``) as any host.
    """
    asks: dict[str, tuple[str, list[str]]] = {}  # normalized document -> (document, written URLs)
    for url, result in results.items():
        target = targets.get(url)
        if result.state is not State.BROKEN or target is None:
            continue
        # The archive is asked about the link as written (its credentials dropped), which is what
        # readers follow, not the address a remap checks instead (a mirror's, a staging host's,
        # which is not to be sent to a third party); a link written without a scheme, as its target.
        written = strip_credentials(url.strip())
        asked = written if is_http(written) else target
        if not is_http(asked) or malformed(asked):
            continue
        doc = split_fragment(asked)[0]
        asks.setdefault(normalize_url(doc), (doc, []))[1].append(url)

    async def one(doc: str, urls: list[str]) -> None:
        snapshot = await client.closest_snapshot(doc)
        for u in urls:
            results[u].suggestion = snapshot

    await _all_within([one(doc, urls) for doc, urls in asks.values()], budget)


async def _second_asks(
    client: Client,
    targets: dict[str, str],
    results: dict[str, Result],
    cache: LinkCache | None,
    settings: Settings,
    deadline: float,
) -> None:
    """What is asked once the links are judged: the HTTPS form of working ``http://`` links
    (``require_https``), then the archive, about broken ones (``suggest``), within the run's budget.
    """
    if settings.require_https:
        await _require_https(client, targets, results, cache, settings, max(1.0, deadline - time.monotonic()))
    if settings.suggest and not settings.offline:
        await _suggest(client, targets, results, max(1.0, deadline - time.monotonic()))


def _needs_client(settings: Settings, documents: dict, results: dict[str, Result], targets: dict[str, str]) -> bool:
    """Whether anything is to be sent: documents to fetch, archives to ask, or (``require_https``)
    the HTTPS form of a working ``http://`` link, which a run that found every link in the cache
    still asks for.
    """
    if settings.offline:
        return False
    if documents or settings.suggest:
        return True
    return settings.require_https and any(r.state is State.OK and https_variant(targets[u]) for u, r in results.items())


async def _require_https(
    client: Client,
    targets: dict[str, str],
    results: dict[str, Result],
    cache: LinkCache | None,
    settings: Settings,
    budget: float,
) -> None:
    """``require_https``: for each ``http://`` link judged ``ok``, ask its ``https://`` form; where that
    answers ``ok`` too (its certificate verified, as always), the link is ``redirected`` to it, with a
    message saying so (the reader's fix: link to the HTTPS address). Hosts whose rule sets
    ``require_https = false`` are passed over. Each document is asked once, through the same client
    (the same politeness as every request), and its verdict is cached as any other.
    """
    asks: dict[str, tuple[str, list[str]]] = {}  # normalized https document -> (document, written URLs)
    for url, result in results.items():
        target = targets.get(url)
        secure = https_variant(target) if target and result.state is State.OK else None
        if secure is None or client.rule(host_key(target).rsplit(":", 1)[0]).require_https is False:
            continue
        if result.final_url and normalize_url(result.final_url) == normalize_url(split_fragment(secure)[0]):
            _upgrade(result, secure)  # it sent us there itself (a temporary redirect): nothing to ask
            continue
        doc = split_fragment(secure)[0]
        asks.setdefault(normalize_url(doc), (doc, []))[1].append(url)

    async def one(doc: str, urls: list[str]) -> None:
        verdict = cache.get(doc) if cache is not None else None
        if verdict is None:
            verdict = _verdict(doc, "", await client.check(doc), settings, [], now_iso())
            if cache is not None:
                cache.put(verdict)
        if verdict.state is State.OK and not (verdict.final_url or doc).lower().startswith("http://"):
            for u in urls:
                _upgrade(results[u], https_variant(targets[u]) or doc)

    await _all_within([one(doc, urls) for doc, urls in asks.values()], budget)


async def _all_within(coroutines: list[Coroutine[Any, Any, None]], budget: float) -> None:
    """Run ``coroutines`` together for at most ``budget`` seconds; what is left then is cancelled."""
    tasks = [asyncio.ensure_future(c) for c in coroutines]
    if not tasks:
        return
    try:
        await asyncio.wait(tasks, timeout=budget)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def _upgrade(result: Result, secure: str) -> None:
    result.state = State.REDIRECTED
    result.final_url = secure
    result.message = _join(result.message, f"served over HTTPS too: link to {secure}")


async def _fetch_all(
    client: Client,
    documents: dict[str, tuple[str, list[str]]],
    targets: dict[str, str],
    sources: dict[str, list[str]],
    results: dict[str, Result],
    settings: Settings,
    deadline: float,
    progress: bool,
    remember: Callable[[str, Result], None] | None = None,
) -> None:
    """Fetch every document once (until ``deadline``, the run budget's end) and fill ``results``.

    ``remember`` is called with each written URL and its verdict as soon as it is known: the cache
    is filled while the run waits on the network, not after it.
    """
    from .client import Outcome

    total = sum(len(urls) for _doc, urls in documents.values())
    with _Progress(total, enabled=progress) as bar:

        async def one(doc: str, urls: list[str]) -> None:
            fragments = {u: split_fragment(targets[u])[1] for u in urls}
            need_body = settings.check_fragments and any(fragment_is_checkable(f) for f in fragments.values())
            try:
                outcome = await client.check(doc, need_body=need_body)
            except Exception as exc:  # noqa: BLE001 - one odd URL must not end the run
                outcome = Outcome(State.ERROR, message=f"could not check: {exc.__class__.__name__}: {exc}")
            stamp = now_iso()
            for u in urls:
                result = _verdict(u, fragments[u], outcome, settings, sources[u], stamp)
                results[u] = result
                bar.advance(result.state)
                if remember is not None:
                    remember(u, result)

        # One queue per host and as many workers for it as it may have requests in flight: a worker
        # never waits behind its own host, and 2,000 links cost a few hundred tasks, not 2,000 (whose
        # first steps alone would hold the event loop for tens of milliseconds before the first
        # request). Workers are started round-robin over the hosts, so every host begins at once.
        queues: dict[str, deque[tuple[str, list[str]]]] = {}
        for doc, urls in documents.values():
            queues.setdefault(host_key(doc), deque()).append((doc, urls))

        # Each host's gate knows how many of its checks are still queued: the global slots go
        # first to the host with the most (longest queue first, see client.Slots).
        gates = {host: client.gate(queue[0][0]) for host, queue in queues.items()}

        async def worker(host: str, queue: deque[tuple[str, list[str]]]) -> None:
            gate = gates[host]
            while queue:
                gate.backlog = len(queue)  # the check about to start counts: the host's work left
                doc, urls = queue.popleft()
                await one(doc, urls)

        counts = {host: min(gates[host].limit, len(queue)) for host, queue in queues.items()}
        tasks = [
            asyncio.ensure_future(worker(host, queues[host]))
            for n in range(max(counts.values()))
            for host in queues
            if n < counts[host]
        ]
        await _until(tasks, deadline)
        stamp = now_iso()
        message = f"not checked within the run budget of {settings.run_budget:g}s"
        for u in (u for _doc, urls in documents.values() for u in urls if u not in results):
            results[u] = Result(u, State.ERROR, sources=sources[u], message=message, checked_at=stamp)
            bar.advance(State.ERROR)


async def _until(tasks: Sequence[asyncio.Future[None]], deadline: float) -> None:
    """Wait for ``tasks`` until ``deadline`` (a ``time.monotonic()`` time); on the deadline, or
    on an interruption, cancel what is still running and wait for it to stop.
    """
    try:
        await asyncio.wait(tasks, timeout=max(0.0, deadline - time.monotonic()))
    finally:
        unfinished = [task for task in tasks if not task.done()]
        for task in unfinished:
            task.cancel()
        if unfinished:
            await asyncio.gather(*unfinished, return_exceptions=True)


def _remembering(cache: LinkCache, targets: dict[str, str]) -> Callable[[str, Result], None]:
    """A callback that puts a verdict in the cache, under the URL as requested (rewritten); the
    cache keeps only cacheable verdicts, and no sources.
    """

    def remember(url: str, result: Result) -> None:
        cache.put(result, url=targets[url])

    return remember


def _save(cache: LinkCache, report: Report) -> None:
    """Save the cache; a failure to write it is a warning of the report, not an error."""
    try:
        cache.save()
    except OSError as exc:
        report.warnings.append(f"{cache.path}: cannot write the link cache ({exc})")


def _policy_problems(settings: Settings) -> list[str]:
    """Problems with the address policy of ``settings`` in this environment (see :mod:`.guard`).

    An offline run sends nothing, so this does not concern it.
    """
    problems: list[str] = []
    if settings.offline:
        return problems
    from .guard import FORCE_GUARD_ENV, guard_forced

    if guard_forced() and (settings.allow_private or settings.allow_hosts):
        asked = "--allow-private (link_check.allow_private)" if settings.allow_private else "--allow-host"
        problems.append(
            f"{asked} is refused here: {FORCE_GUARD_ENV} is set, so the private-address policy "
            "cannot be turned off (CI sets it where it checks links from pull requests)"
        )
    if guard_forced() and settings.github_token:
        from .hosts import normalize_host
        from .settings import GITHUB_HOSTS

        # The hosts come from project files a pull request can change; the token is the workflow's.
        others = sorted({normalize_host(h) for h in settings.github_hosts} - set(GITHUB_HOSTS))
        if others or not settings.github_https_only:
            where = f"github_hosts {', '.join(others)}" if others else "sending the GitHub token over plain HTTP"
            problems.append(
                f"{where} is refused here: {FORCE_GUARD_ENV} is set, so GITHUB_TOKEN goes only to "
                f"{' and '.join(GITHUB_HOSTS)}, over HTTPS (unset GITHUB_TOKEN, or take the hosts out)"
            )
    return problems


def _client_problems(settings: Settings) -> list[str]:
    """Problems of the installed HTTP client with the address policy of ``settings``.

    Judged only when something is to be sent: a run that finds every link in the cache never
    imports the client (aiohttp, about 75 ms).
    """
    from .peer import peer_guard_supported

    problems: list[str] = []
    if not settings.allow_private and not peer_guard_supported():
        import aiohttp

        problems.append(
            f"aiohttp {aiohttp.__version__} cannot run the peer-address check of the private-address "
            "policy; install aiohttp 3.12 or newer"
        )
    return problems


def _without_credentials(result: Result) -> Result:
    """Redact every URL of ``result``; flag a link written with credentials (``error``, or ``broken``).

    The verdict of the link without its credentials is kept in the message, so the author learns
    both that the secret must go and whether the page itself works.
    """
    final_url = redact_credentials(result.final_url) if result.final_url else result.final_url
    message = redact_text(result.message)
    if not has_credentials(result.url):
        if final_url == result.final_url and message == result.message:
            return result
        return dataclasses.replace(result, final_url=final_url, message=message)
    detail = result.state.value + (f", {message}" if message else "")
    state = State.BROKEN if result.state is State.BROKEN else State.ERROR
    message = f"{CREDENTIALS_MESSAGE}; remove them from the link (without them: {detail})"
    return dataclasses.replace(
        result, url=redact_credentials(result.url), state=state, final_url=final_url, message=message
    )


def _verdict(url: str, fragment: str, outcome: Outcome, settings: Settings, where: list[str], stamp: str) -> Result:
    """Turn a document's outcome into the result of one written URL, judging its fragment."""
    result = Result(url, outcome.state, outcome.status, outcome.final_url, where, outcome.message, stamp)
    if outcome.state not in (State.OK, State.REDIRECTED):
        return result
    if not (settings.check_fragments and fragment_is_checkable(fragment)):
        return result
    if outcome.fragment is not None:  # a browser follows the redirect to its own fragment instead
        shown = f"#{outcome.fragment}" if outcome.fragment else "no fragment"
        result.message = _join(
            result.message, f"fragment #{fragment} not checked: the redirect replaces it with {shown}"
        )
        return result
    if outcome.ids is None:
        result.message = _join(result.message, f"fragment #{fragment} not checked: the target is not HTML")
    elif fragment in outcome.ids or f"user-content-{fragment}" in outcome.ids:
        pass
    elif outcome.complete:
        result.state = State.BROKEN
        result.message = _join(result.message, f"fragment #{fragment} is not on the page")
    else:
        result.state = State.ERROR
        limit = settings.max_body_bytes
        result.message = _join(result.message, f"fragment #{fragment} not in the first {limit} bytes read")
    return result


def _join(first: str, second: str) -> str:
    return f"{first}; {second}" if first else second


class _Progress:
    """A rich progress bar with counts per state, shown only on a terminal and never in CI."""

    def __init__(self, total: int, *, enabled: bool, stream=None) -> None:
        stream = stream or sys.stderr
        self._on = enabled and stream.isatty() and not os.environ.get("CI")
        self._counts = dict.fromkeys(STATE_ORDER, 0)
        self._total = total
        self._progress: Any = None  # a rich Progress, imported only when a terminal shows it
        self._task: Any = None
        self._stream = stream

    def __enter__(self) -> _Progress:
        if self._on:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._progress = Progress(
                TextColumn("[bold]Checking links"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.description}"),
                TimeElapsedColumn(),
                console=Console(file=self._stream),
                transient=True,
            )
            self._progress.start()
            self._task = self._progress.add_task("", total=self._total)
        return self

    def advance(self, state: State) -> None:
        """Count one finished link."""
        self._counts[state] += 1
        if self._progress is not None:
            text = " ".join(f"{s.value}={n}" for s, n in self._counts.items() if n)
            self._progress.update(self._task, advance=1, description=text)

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()
