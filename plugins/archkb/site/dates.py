"""When each pattern and reference joined the catalog, and when a pattern last changed.

A pattern's dates come from its front matter (``added``, ``updated``); without them, from
git: the first and the last commit of its file. A reference's date comes from its
optional ``added`` field; without one, from git: the commit that last wrote the line
on which its entry starts (``git blame`` of the ``- id:`` line). That line changes when
an entry is written or its id is renamed, not when its summary or URL is edited, so it
dates the entry's arrival; an entry moved to another file keeps its date when git sees
the move (``blame -C``). Lines not committed yet are dated today: they are being added.

"Recently added", the reading list's filter, is defined from these dates alone, so the
same catalog always gives the same list: the references added in the
:data:`RECENT_DAYS` days up to the catalog's latest addition (of a pattern or a reference).
No clock is involved, so a catalog that stops growing keeps showing its last additions,
with the date they count from.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import subprocess
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Iterable, Mapping

from ..catalog.graph import Catalog

__all__ = ["RECENT_DAYS", "PatternDates", "CatalogDates", "catalog_dates", "git_file_dates", "git_line_dates",
           "render_pattern_dates"]

RECENT_DAYS = 30
"""How many days before the catalog's latest addition count as "recently added"."""

_GIT_TIMEOUT = 30


@dataclass(frozen=True)
class PatternDates:
    """When a pattern was added and last updated, and where each date came from.

    Attributes:
        added: The day it was first published, if known.
        updated: The day of its last change, if known (never before ``added``).
        added_source: ``front matter`` or ``git``.
        updated_source: ``front matter`` or ``git``.
    """

    added: dt.date | None = None
    updated: dt.date | None = None
    added_source: str = ""
    updated_source: str = ""


@dataclass(frozen=True)
class CatalogDates:
    """The dates of a catalog's patterns and references.

    Attributes:
        patterns: Each pattern's dates, by slug.
        references: The day each reference was added, by id (references without a known date are absent).
        reference_sources: Where each reference's date came from (``added`` or ``git``), by id.
    """

    patterns: dict[str, PatternDates] = field(default_factory=dict)
    references: dict[str, dt.date] = field(default_factory=dict)
    reference_sources: dict[str, str] = field(default_factory=dict)
    _fingerprint: str | None = field(default=None, repr=False, compare=False)

    @cached_property
    def latest(self) -> dt.date | None:
        """The catalog's latest addition: the newest ``added`` date of any pattern or reference."""
        days = [d.added for d in self.patterns.values() if d.added] + list(self.references.values())
        return max(days) if days else None

    @cached_property
    def recent_since(self) -> dt.date | None:
        """The first day that counts as recent (``None`` when no date is known)."""
        latest = self.latest
        return latest - dt.timedelta(days=RECENT_DAYS) if latest else None

    def is_recent(self, ref_id: str) -> bool:
        """Whether a reference was added in the :data:`RECENT_DAYS` days up to the latest addition."""
        since, day = self.recent_since, self.references.get(ref_id)
        return since is not None and day is not None and day >= since

    def fingerprint(self) -> str:
        """A digest of everything here, for render caches."""
        if self._fingerprint is None:
            text = repr((sorted(self.patterns.items()), sorted(self.references.items())))
            object.__setattr__(self, "_fingerprint", hashlib.blake2b(text.encode(), digest_size=16).hexdigest())
        return self._fingerprint  # type: ignore[return-value]


def _git(root: Path, *args: str) -> str | None:
    try:
        proc = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True,
                              timeout=_GIT_TIMEOUT, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return proc.stdout if proc.returncode == 0 else None


def git_file_dates(root: str | Path, folder: str) -> dict[str, tuple[dt.date, dt.date]]:
    """The first and last commit day (UTC) of each file under ``folder``, by path relative to ``root``.

    One ``git log`` for the whole folder, following no renames. ``{}`` when git is missing,
    the folder is not in a repository or git fails; never raises.
    """
    out = _git(Path(root), "log", "--relative", "--format=%x1e%ct", "--name-only", "--", folder)
    if out is None:
        return {}
    dates: dict[str, tuple[dt.date, dt.date]] = {}
    for block in out.split("\x1e"):
        lines = [line.strip() for line in block.strip().splitlines() if line.strip()]
        if not lines or not lines[0].isdigit():
            continue
        day = dt.datetime.fromtimestamp(int(lines[0]), dt.timezone.utc).date()
        for path in lines[1:]:
            first, last = dates.get(path, (day, day))  # newest commits come first
            dates[path] = (min(first, day), max(last, day))
    return dates


def git_line_dates(root: str | Path, path: str, *, today: dt.date | None = None) -> dict[int, dt.date]:
    """The day (UTC) of the commit that last wrote each line of ``path`` (``git blame -w -C``).

    Lines not committed yet get ``today`` (default: today's UTC date). ``{}`` when the
    file is not tracked or git fails; never raises.
    """
    out = _git(Path(root), "blame", "-w", "-C", "--porcelain", "--", path)
    if out is None:
        return {}
    today = today or dt.datetime.now(dt.timezone.utc).date()
    times: dict[str, int] = {}
    lines: dict[int, str] = {}
    sha = ""
    expect_header = True
    for line in out.splitlines():
        if line.startswith("\t"):
            expect_header = True
            continue
        if expect_header:
            parts = line.split()
            if len(parts) >= 3 and len(parts[0]) >= 40:
                sha = parts[0]
                lines[int(parts[2])] = sha
                expect_header = False
            continue
        if line.startswith("committer-time "):
            times[sha] = int(line.split()[1])
    dates = {}
    for number, commit in lines.items():
        if commit.strip("0") == "":
            dates[number] = today
        elif commit in times:
            dates[number] = dt.datetime.fromtimestamp(times[commit], dt.timezone.utc).date()
    return dates


def _tracked(root: Path, paths: Iterable[str]) -> set[str]:
    wanted = sorted(set(paths))
    if not wanted:
        return set()
    out = _git(root, "ls-files", "-z", "--", *wanted)
    return set(out.split("\0")) - {""} if out is not None else set()


def catalog_dates(catalog: Catalog, *, patterns_dir: str = "patterns", git: bool = True,
                  today: dt.date | None = None,
                  file_dates: Mapping[str, tuple[dt.date, dt.date]] | None = None) -> CatalogDates:
    """The dates of every pattern and reference, from the files first and git second.

    Git is asked only for what the files leave out: one ``git log`` when a pattern lacks
    a front-matter date, one ``git blame`` per tracked references file holding an entry
    without ``added``.

    Args:
        catalog: The loaded catalog.
        patterns_dir: The patterns folder, relative to the catalog root.
        git: Whether to ask git at all.
        today: The date of lines not committed yet (default: today, UTC).
        file_dates: First and last commit days by file, instead of asking git (tests).
    """
    root = Path(catalog.root)
    patterns: dict[str, PatternDates] = {}
    needs_git = git and any(e.meta is not None and not (e.meta.added and e.meta.updated)
                            for e in catalog.patterns.values())
    files = dict(file_dates) if file_dates is not None else (git_file_dates(root, patterns_dir) if needs_git else {})
    for slug, entry in catalog.patterns.items():
        meta = entry.meta
        if meta is None:
            continue
        first, last = files.get(entry.path, (None, None))
        added, added_source = (meta.added, "front matter") if meta.added else (first, "git" if first else "")
        updated, updated_source = (meta.updated, "front matter") if meta.updated else (last, "git" if last else "")
        if added and updated and updated < added:
            updated, updated_source = added, added_source
        if updated is None and added is not None:
            updated, updated_source = added, added_source
        patterns[slug] = PatternDates(added, updated, added_source, updated_source)

    references: dict[str, dt.date] = {}
    sources: dict[str, str] = {}
    undated: dict[str, list[tuple[str, int]]] = {}
    for ref_id, ref_entry in catalog.references.items():
        added_day = ref_entry.data.added
        if added_day is not None:
            references[ref_id], sources[ref_id] = added_day, "added"
        else:
            undated.setdefault(ref_entry.path, []).append((ref_id, ref_entry.line))
    if git and undated:
        for path in sorted(_tracked(root, undated)):
            lines = git_line_dates(root, path, today=today)
            for ref_id, line in undated[path]:
                if line in lines:
                    references[ref_id], sources[ref_id] = lines[line], "git"
    return CatalogDates(patterns, references, sources)


def _time(day: dt.date) -> str:
    iso = day.isoformat()
    return f'<time datetime="{iso}">{iso}</time>'


def render_pattern_dates(dates: PatternDates | None) -> str:
    """A pattern's dates as an HTML paragraph of ``<time>`` elements ("" when none is known).

    Only dates (digits and hyphens) reach the HTML, so it needs no escaping and reads the
    same as raw HTML in Markdown and in any other page.
    """
    if dates is None or not (dates.added or dates.updated):
        return ""
    parts = []
    if dates.added:
        parts.append(f"Added {_time(dates.added)}")
    if dates.updated:
        parts.append(f"last updated {_time(dates.updated)}" if parts else f"Last updated {_time(dates.updated)}")
    return f'<p class="archkb-dates">{" · ".join(parts)}</p>'
