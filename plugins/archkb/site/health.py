"""Link health for readers: each reference's last known state, and the "Link health" page.

The state comes from the latest link report (``archkb check-links`` writes it, by
default to ``.cache/archkb/link-report.json``). The report is read leniently: a
missing or unreadable report means every link is "not checked yet", and one
malformed entry is skipped without losing the others.
"""

from __future__ import annotations

import datetime
import html
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Collection
from urllib.parse import quote

from ..catalog.graph import Catalog
from ..linkcheck.states import split_source
from ..catalog.model import Reference
from .urls import LINK_HEALTH_PAGE_URI, READING_LIST_URI, pattern_uri, reference_anchor, relative
from ..safety.chars import printable
from .text import md_attr, md_escape

from ..linkcheck.states import STATE_INFO, State

__all__ = [
    "UNCHECKED", "PROBLEM_STATES", "STATE_LABELS", "LinkStatus", "LinkHealth",
    "wayback_url", "archive_url_for", "snapshot_date", "render_link_state", "render_link_health_page",
    "LINK_HEALTH_URI",
]

UNCHECKED = "unchecked"
"""The state of a link that no report mentions."""
PROBLEM_STATES = tuple(state.value for state, info in sorted(
    ((s, i) for s, i in STATE_INFO.items() if i.problem_rank is not None), key=lambda item: item[1].problem_rank or 0))
"""States listed as problems on the "Link health" page, worst first (from the state vocabulary)."""
STATE_LABELS: dict[str, str] = {state.value: info.label for state, info in STATE_INFO.items()} | {
    UNCHECKED: "Not checked yet"}
"""Reader-facing names of the states (from the state vocabulary), and of a link no report mentions."""
LINK_HEALTH_URI = LINK_HEALTH_PAGE_URI
"""Source URI of the generated "Link health" page."""

_KNOWN_STATES = frozenset(STATE_LABELS) - {UNCHECKED}


@dataclass(frozen=True)
class LinkStatus:
    """The last known state of one URL.

    Attributes:
        url: The URL as written.
        state: ``ok``, ``redirected``, ``broken``, ``error``, ``blocked``, ``skipped`` or ``unchecked``.
        checked_at: ISO 8601 time of the check, if known.
        final_url: Where a redirect leads, if it does.
        status: The last HTTP status, if any.
        message: The checker's explanation.
        sources: ``path:line`` places that cite the URL, as the report gives them.
        suggestion: The closest archived snapshot of a broken URL (``archkb check-links --suggest``),
            an http(s) URL from the archive's answer, or ``None``.
    """

    url: str
    state: str = UNCHECKED
    checked_at: str | None = None
    final_url: str | None = None
    status: int | None = None
    message: str = ""
    sources: tuple[str, ...] = ()
    suggestion: str | None = None

    @property
    def date(self) -> str | None:
        """The day of the check, ``YYYY-MM-DD``, or ``None``."""
        return self.checked_at[:10] if self.checked_at and len(self.checked_at) >= 10 else None


def _status_from_json(item: Any) -> LinkStatus | None:
    if not isinstance(item, dict) or not isinstance(item.get("url"), str):
        return None
    state = item.get("state")
    if state not in _KNOWN_STATES:
        return None
    status = item.get("status")
    sources = item.get("sources")
    return LinkStatus(
        url=item["url"],
        state=state,
        checked_at=item["checked_at"] if isinstance(item.get("checked_at"), str) else None,
        final_url=item["final_url"] if isinstance(item.get("final_url"), str) else None,
        status=status if isinstance(status, int) and not isinstance(status, bool) else None,
        message=item["message"] if isinstance(item.get("message"), str) else "",
        sources=tuple(s for s in sources if isinstance(s, str)) if isinstance(sources, list) else (),
        suggestion=_http_url(item.get("suggestion")),
    )


def _http_url(value: Any) -> str | None:
    """``value`` if it is an http(s) URL (a remote server sent it: nothing else may become a link)."""
    if isinstance(value, str) and value.lower().startswith(("http://", "https://")) and value.isprintable():
        return value
    return None


def _url_key(url: str) -> str:
    return url.rstrip("/")


@dataclass
class LinkHealth:
    """The link states of one report, looked up by URL.

    Attributes:
        results: Known states by URL as written.
        loaded: Whether a report was found and read.
        source: The report file it came from, if any.
    """

    results: dict[str, LinkStatus] = field(default_factory=dict)
    loaded: bool = False
    source: str | None = None

    @classmethod
    def load(cls, path: str | Path) -> LinkHealth:
        """Read a JSON link report; a missing or corrupt report gives an empty, unloaded health. Never raises."""
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls(source=str(path))
        if not isinstance(data, dict) or not isinstance(data.get("results"), list):
            return cls(source=str(path))
        return cls.from_results(data["results"], source=str(path))

    @classmethod
    def from_results(cls, items: list[Any], *, source: str | None = None) -> LinkHealth:
        """Build from the ``results`` list of a report, skipping malformed entries."""
        results = {}
        for item in items:
            status = _status_from_json(item)
            if status is not None:
                results[status.url] = status
        return cls(results=results, loaded=True, source=source)

    def status(self, url: str) -> LinkStatus:
        """The last known state of ``url`` (a trailing slash does not matter)."""
        found = self.results.get(url)
        if found is None:
            key = _url_key(url)
            found = next((r for u, r in self.results.items() if _url_key(u) == key), None)
        return found or LinkStatus(url)

    @property
    def last_checked(self) -> str | None:
        """The most recent check time in the report, ISO 8601, or ``None``."""
        times = [r.checked_at for r in self.results.values() if r.checked_at]
        return max(times) if times else None

    def problems(self) -> list[LinkStatus]:
        """Results in a problem state, worst state first, then by URL."""
        rank = {s: i for i, s in enumerate(PROBLEM_STATES)}
        return sorted((r for r in self.results.values() if r.state in rank),
                      key=lambda r: (rank[r.state], r.url))


def wayback_url(url: str) -> str:
    """The Wayback Machine's listing of archived copies of ``url``."""
    return "https://web.archive.org/web/*/" + quote(url, safe=":/?&=#%~+@!$,;'()*[]")


_SNAPSHOT_TIME = re.compile(r"/web/(\d{4})(\d{2})(\d{2})\d{0,6}(?:[a-z]{2}_)?/", re.I)


def snapshot_date(url: str) -> str | None:
    """The day of a Wayback Machine snapshot, ``YYYY-MM-DD``, read from its URL
    (``https://web.archive.org/web/20130919044612/http://example.com/``), or ``None``."""
    match = _SNAPSHOT_TIME.search(url)
    if match is None:
        return None
    year, month, day = match.groups()
    try:
        return datetime.date(int(year), int(month), int(day)).isoformat()  # a day of the calendar: not 2023-02-31
    except ValueError:
        return None


def _archived(ref: Reference, health: LinkHealth | None) -> tuple[str, str | None]:
    """Where to read a reference whose link is broken, and the snapshot's day when one is known.

    Its ``archived_url``, unless the latest check found that dead too; else the closest snapshot the
    checker was told of (``--suggest``); else the Wayback Machine's listing of every copy.
    """
    fallback = ref.archived_url
    if fallback and (health is None or health.status(fallback).state != "broken"):
        return fallback, None
    suggestion = health.status(ref.url).suggestion if health is not None else None
    if suggestion:
        return suggestion, snapshot_date(suggestion)
    return wayback_url(ref.url), None


def archive_url_for(ref: Reference, health: LinkHealth | None = None) -> str:
    """Where to read a reference whose link is broken: its ``archived_url`` (unless ``health`` knows
    it is dead too), else the closest known snapshot, else the Wayback listing."""
    return _archived(ref, health)[0]


def _archived_label(day: str | None) -> str:
    """"archived copy", with the snapshot's day (digits and dashes only) when known."""
    return f"archived copy from {_time(day)}" if day else "archived copy"


def _time(date: str) -> str:
    return f'<time datetime="{html.escape(date)}">{html.escape(date)}</time>'


def render_link_state(ref: Reference, health: LinkHealth | None) -> str:
    """The inline HTML that tells a reader the state of a reference's link.

    It is plain HTML, so it reads the same inside Markdown and in raw HTML blocks.

    Returns a ``<span class="archkb-link-state archkb-link-state--STATE">`` holding
    "Link verified DATE", "Moved: now at URL", "Link broken: archived copy",
    "Could not be checked" or "Link not checked yet".
    """
    status = health.status(ref.url) if health is not None else LinkStatus(ref.url)
    state = status.state
    when = f" {_time(status.date)}" if status.date else ""
    if state == "ok":
        text = f"Link verified{when}"
    elif state == "redirected":
        target = status.final_url or ref.url  # a remote server's answer: shown, linked only if http(s)
        label = md_escape(printable(target))  # HTML text, and Markdown-inert where it lands in Markdown
        if target.lower().startswith(("http://", "https://")):
            label = f'<a href="{md_attr(target)}">{label}</a>'
        text = f"Link moved{' (checked' + when + ')' if when else ''}: now at {label}"
    elif state == "broken":
        href, day = _archived(ref, health)
        text = (f"Link broken{' (checked' + when + ')' if when else ''}: "
                f'<a href="{md_attr(href)}">{_archived_label(day)}</a>')
    elif state in ("error", "blocked"):
        reason = "the site refused the checker" if state == "blocked" else "the check failed"
        text = f"Link not verified{' on' + when if when else ''}: {reason}"
    elif state == "skipped":
        text = "Link not checked (excluded from checks)"
    else:
        text = "Link not checked yet"
    css = STATE_INFO[State(state)].css_class if state in _KNOWN_STATES else "archkb-link-state--unchecked"
    return f'<span class="archkb-link-state {css}">{text}</span>'


def _cell(text: str) -> str:
    return md_escape(printable(text.replace("\n", " ")))  # a server's text: no control or bidi character shown


def _url_cell(url: str, text: str | None = None) -> str:
    """A link for a table cell, as inline HTML escaped for its context.

    The URLs come from the link report: a redirect's target is whatever a remote server
    sent, so it is never written into Markdown, where ``<`` would open raw HTML. Only
    http(s) URLs become links; anything else is shown as text.
    """
    label = md_escape(printable(text if text is not None else url))  # between inline tags, text is still Markdown
    if not url.lower().startswith(("http://", "https://")):
        return label
    return f'<a href="{md_attr(url)}">{label}</a>'


def _archived_cell(href: str, day: str | None) -> str:
    """The "archived copy (from DAY)" link of a table cell; only an http(s) URL becomes a link."""
    if not href.lower().startswith(("http://", "https://")):
        return md_escape(_archived_label(None))
    return f'<a href="{md_attr(href)}">{_archived_label(day)}</a>'


def _citing_pages(status: LinkStatus, catalog: Catalog, from_uri: str,
                  existing_pages: Collection[str] | None, docs_dir: str) -> list[str]:
    """Links to the pages where ``status.url`` appears: reading-list entries, patterns, docs pages."""
    out: dict[str, str] = {}
    key = _url_key(status.url)
    to_list = relative(from_uri, READING_LIST_URI)
    for ref_entry in catalog.references.values():
        if _url_key(ref_entry.url) == key or (ref_entry.archived_url and _url_key(ref_entry.archived_url) == key):
            out[f"ref:{ref_entry.id}"] = f"[Reading list: {_cell(ref_entry.data.title)}]" \
                                         f"({to_list}#{reference_anchor(ref_entry.id)})"
            for slug in catalog.cited_by.get(ref_entry.id, []):
                out[f"pattern:{slug}"] = f"[{_cell(catalog.patterns[slug].title)}]" \
                                         f"({relative(from_uri, pattern_uri(slug))})"
    prefix = docs_dir.strip("/") + "/"
    for source in status.sources:
        path = split_source(source)[0]
        slug = Path(path).stem
        if path.startswith("patterns/") and slug in catalog.patterns:
            out.setdefault(f"pattern:{slug}", f"[{_cell(catalog.patterns[slug].title)}]"
                                              f"({relative(from_uri, pattern_uri(slug))})")
        elif path.startswith(prefix) and path.endswith(".md") and existing_pages is not None \
                and path[len(prefix):] in existing_pages:
            out.setdefault(f"doc:{path}", f"[{_cell(path[len(prefix):])}]({relative(from_uri, path[len(prefix):])})")
        elif not path.startswith("references/") and not path.startswith("patterns/"):
            out.setdefault(f"file:{path}", f"`{path}`")
    return list(out.values())


def render_link_health_page(catalog: Catalog, health: LinkHealth, *,
                            existing_pages: Collection[str] | None = None, docs_dir: str = "docs") -> str:
    """The "Link health" page: summary counts, date of the last check, and the problem links.

    Args:
        catalog: The catalog (to find the pages that cite each link).
        health: The latest link report.
        existing_pages: Source URIs of pages in the site, so that links only point at real pages.
        docs_dir: The docs folder, relative to the project root (report sources use project paths).
    """
    uri = LINK_HEALTH_URI
    out = ["---\ntitle: Link health\ndescription: Which links of the knowledge base still work, "
           "as of the latest link check.\n---\n", "# Link health\n"]
    ref_states = Counter(health.status(r.url).state for r in catalog.references.values())
    if not health.loaded:
        out.append(f"No link check has run yet, so the {len(catalog.references)} references are shown as "
                   "*not checked yet*. Run `archkb check-links` to check them; the next build shows the "
                   "results here and next to every reference.\n")
        return "\n".join(out)
    last = health.last_checked
    out.append(f"Last check: {_time(last[:10]) if last else 'date unknown'}. "
               f"{len(health.results)} links were checked, {len(catalog.references)} of them from the "
               "[reading list](" + relative(uri, READING_LIST_URI) + ").\n")
    out += ["## Summary\n", "| State | All links | Reading-list references |", "| --- | ---: | ---: |"]
    all_states = Counter(r.state for r in health.results.values())
    for state in ("ok", "redirected", "broken", "error", "blocked", "skipped", UNCHECKED):
        count = all_states.get(state, 0)
        refs = ref_states.get(state, 0)
        if state == UNCHECKED:
            count = "–"  # type: ignore[assignment]
        out.append(f"| {STATE_LABELS[state]} | {count} | {refs} |")
    out.append("")
    problems = health.problems()
    out.append("## Problem links\n")
    if not problems:
        out.append("No problem links: every checked link works.\n")
        return "\n".join(out)
    out += ["| State | Link | Detail | Cited on |", "| --- | --- | --- | --- |"]
    for status in problems:
        detail = []
        if status.final_url:
            detail.append(f"now at {_url_cell(status.final_url)}")
        if status.status is not None:
            detail.append(f"HTTP {status.status}")
        if status.message:
            detail.append(_cell(status.message))
        if status.state == "broken":
            ref = next((r.data for r in catalog.references.values() if _url_key(r.url) == _url_key(status.url)), None)
            carrier = next((r for r in catalog.references.values()
                            if r.archived_url and _url_key(r.archived_url) == _url_key(status.url)), None)
            if carrier is not None:  # a dead fallback: say whose it is
                detail.append(f"the archived_url of {_cell(carrier.data.title)}")
            elif ref is not None:
                href, day = _archived(ref, health)
                detail.append(_archived_cell(href, day))
            else:
                suggestion = status.suggestion
                detail.append(_archived_cell(suggestion or wayback_url(status.url),
                                             snapshot_date(suggestion) if suggestion else None))
        pages = _citing_pages(status, catalog, uri, existing_pages, docs_dir)
        out.append(f"| {STATE_LABELS[status.state]} | {_url_cell(status.url)} | {'; '.join(detail) or '–'} | "
                   f"{', '.join(pages) or '–'} |")
    out.append("")
    return "\n".join(out)

