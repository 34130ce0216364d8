"""New and updated patterns: the Atom feed (``feed.xml``) and the home page's recent changes.

A pattern's dates come from its front matter (``added``, ``updated``); a pattern
without them falls back to git's last commit date for its file, then to the build
date. The feed and the "Recent changes" list are made from the same data.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..catalog.graph import Catalog
from ..site.text import md_escape
from ..site.urls import FEED_URI, page_url, pattern_uri, relative

__all__ = [
    "FEED_URI",
    "ATOM_NS",
    "Change",
    "git_last_commit_dates",
    "pattern_changes",
    "render_atom",
    "render_recent_changes",
]

ATOM_NS = "http://www.w3.org/2005/Atom"
"""The Atom namespace."""


@dataclass(frozen=True)
class Change:
    """A pattern as the feed announces it.

    Attributes:
        slug: The pattern's slug.
        title: Its title.
        summary: Its one-sentence summary.
        tags: Its tags.
        published: When it was added.
        updated: When it last changed (equal to ``published`` for a new pattern).
        date_source: Where the dates came from: ``front matter``, ``git`` or ``build``.
    """

    slug: str
    title: str
    summary: str
    tags: tuple[str, ...]
    published: dt.datetime
    updated: dt.datetime
    date_source: str = "front matter"

    @property
    def is_new(self) -> bool:
        """Whether the pattern has not changed since it was added."""
        return self.updated.date() <= self.published.date()


def git_last_commit_dates(root: str | Path, folder: str) -> dict[str, dt.datetime]:
    """The last commit time of each file under ``folder``, keyed by path relative to ``root``.

    One ``git log`` call for the whole folder. Returns ``{}`` when git is missing, the
    folder is not in a repository, or git fails; never raises.
    """
    try:
        proc = subprocess.run(  # noqa: S603 - git, with fixed arguments
            ["git", "-C", str(root), "log", "--relative", "--format=%x1e%cI", "--name-only", "--", folder],  # noqa: S607 - git from PATH, as a person runs it
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return {}
    if proc.returncode != 0:
        return {}
    dates: dict[str, dt.datetime] = {}
    for block in proc.stdout.split("\x1e"):
        lines = [line.strip() for line in block.strip().splitlines() if line.strip()]
        if not lines:
            continue
        try:
            when = dt.datetime.fromisoformat(lines[0])
        except ValueError:
            continue
        for path in lines[1:]:
            dates.setdefault(path, when.astimezone(dt.UTC))
    return dates


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def pattern_changes(
    catalog: Catalog, *, git_dates: Mapping[str, dt.datetime] | None = None, now: dt.datetime | None = None
) -> list[Change]:
    """Every pattern with valid front matter as a :class:`Change`, most recently updated first.

    Args:
        catalog: The catalog.
        git_dates: Last commit times by file path relative to the project root (see
            :func:`git_last_commit_dates`); used for patterns without front-matter dates.
        now: The build time, the last fallback (default: now, UTC).
    """
    now = now or dt.datetime.now(dt.UTC)
    git_dates = git_dates or {}
    changes = []
    for slug, entry in catalog.patterns.items():
        meta = entry.meta
        if meta is None:
            continue
        if meta.added or meta.updated:
            updated = _midnight(meta.updated or meta.added)  # type: ignore[arg-type]
            published = _midnight(meta.added) if meta.added else updated
            source = "front matter"
        elif entry.path in git_dates:
            updated = published = git_dates[entry.path]
            source = "git"
        else:
            updated = published = now
            source = "build"
        changes.append(
            Change(slug, meta.title, meta.summary, tuple(meta.tags), min(published, updated), updated, source)
        )
    changes.sort(key=lambda c: (-c.updated.timestamp(), c.title.lower()))
    return changes


def _iso(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def render_atom(
    changes: Sequence[Change],
    *,
    site_url: str | None,
    title: str,
    subtitle: str | None = None,
    directory_urls: bool = True,
    limit: int = 50,
    now: dt.datetime | None = None,
) -> str:
    """An Atom 1.0 feed (RFC 4287) of new and updated patterns.

    Args:
        changes: From :func:`pattern_changes`, most recent first.
        site_url: The site's absolute URL; without one, ids are URNs and links are
            relative to the feed (which sits at the site root).
        title: The feed title (the site name).
        subtitle: An optional subtitle.
        directory_urls: The site's ``use_directory_urls``.
        limit: At most this many entries.
        now: The feed's ``updated`` when there are no entries.
    """
    ET.register_namespace("", ATOM_NS)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
        if text is not None:
            element.text = text
        return element

    base = (site_url.rstrip("/") + "/") if site_url else ""
    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    sub(feed, "title", f"{title}: new and updated patterns")
    if subtitle:
        sub(feed, "subtitle", subtitle)
    sub(feed, "id", base + FEED_URI if base else "urn:archkb:feed")
    entries = list(changes)[:limit]
    newest = entries[0].updated if entries else (now or dt.datetime.now(dt.UTC))
    sub(feed, "updated", _iso(newest))
    sub(sub(feed, "author"), "name", f"{title} contributors")
    sub(feed, "link", rel="self", type="application/atom+xml", href=base + FEED_URI)
    sub(feed, "link", rel="alternate", type="text/html", href=base or "./")
    sub(feed, "generator", "archkb")
    for change in entries:
        entry = sub(feed, "entry")
        sub(entry, "title", f"{'New' if change.is_new else 'Updated'}: {change.title}")
        url = base + page_url(pattern_uri(change.slug), directory_urls)
        sub(entry, "id", url if base else f"urn:archkb:pattern:{change.slug}")
        sub(entry, "link", rel="alternate", type="text/html", href=url)
        sub(entry, "published", _iso(change.published))
        sub(entry, "updated", _iso(change.updated))
        sub(entry, "summary", change.summary)
        for tag in change.tags:
            sub(entry, "category", term=tag)
    ET.indent(feed)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode") + "\n"


def render_recent_changes(
    changes: Sequence[Change], *, from_uri: str, limit: int = 6, feed_href: str | None = None
) -> str:
    """A Markdown list of the most recent changes, for the home page."""
    if not changes:
        return "No patterns yet.\n"
    lines = []
    for change in list(changes)[:limit]:
        day = change.updated.date().isoformat()
        what = "New" if change.is_new else "Updated"
        lines.append(
            f'- <time datetime="{day}">{day}</time> · {what}: '
            f"[{md_escape(change.title)}]({relative(from_uri, pattern_uri(change.slug))})"
            + (f": {md_escape(change.summary)}" if change.summary else "")
        )
    if feed_href:
        lines += ["", f"Follow new and updated patterns with the [Atom feed]({feed_href})."]
    return "\n".join(lines) + "\n"
