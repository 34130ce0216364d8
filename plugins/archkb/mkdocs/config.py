"""The plugin's typed configuration (the ``archkb`` entry under ``plugins:``)."""

from __future__ import annotations

from mkdocs.config import base
from mkdocs.config import config_options as c

from ..linkcheck.states import STATE_INFO

__all__ = ["ArchkbConfig", "LinkCheckConfig"]


class LinkCheckConfig(base.Config):
    """Options of ``link_check``: external link checking during builds."""

    external = c.Type(bool, default=False)
    """Check external links online during ``mkdocs build``. Off by default: CI runs
    ``archkb check-links`` instead, and previews never wait on the internet."""
    serve_external = c.Type(bool, default=False)
    """Also check online during ``mkdocs serve`` (otherwise serve reads only the cache)."""
    cache = c.Type(str, default=".cache/archkb/link-cache.json")
    """The persistent cache of link results, relative to the project root."""
    report = c.Type(str, default=".cache/archkb/link-report.json")
    """The latest link report, read to show each reference's link state to readers."""
    fail_on = c.ListOfItems(
        c.Choice(tuple(s.value for s, info in STATE_INFO.items() if info.may_fail_build)), default=["broken"]
    )
    """States that fail a strict build. ``error`` and ``blocked`` never do: someone
    else's outage must not fail our CI."""
    timeout = c.Type((int, float), default=10)
    """Seconds before one request times out."""
    concurrency = c.Type(int, default=32)
    """Requests in flight in total."""
    per_host = c.Type(int, default=4)
    """Requests in flight per host."""
    exclude = c.ListOfItems(c.Type(str), default=[])
    """Regular expressions of URLs never to check."""
    include = c.ListOfItems(c.Type(str), default=[])
    """Regular expressions: when there are any, only URLs matching one of them are checked
    (whether or not an exclude matches them too)."""
    allow_private = c.Type(bool, default=False)
    """Allow checking private, loopback and link-local addresses (tests, intranets)."""
    remap = c.ListOfItems(c.Type(str), default=[])
    """`"REGEX REPLACEMENT"` strings: a URL matching REGEX is checked with it replaced
    (`re.sub`); the cache is keyed by the result."""
    accept = c.ListOfItems(c.Type(int), default=[])
    """Extra HTTP statuses that count as ok for every host."""
    headers = c.Type(dict, default={})
    """Request headers sent to every host."""
    interval = c.Type((int, float), default=0)
    """Seconds at least between two requests to one host."""
    hosts = c.Type(dict, default={})
    """Per-host settings: host name (or `*.domain`) to a mapping of `accept`,
    `headers`, `per_host`, `interval` and `require_https`, as in `[tool.archkb.link_check.hosts]`."""
    require_https = c.Type(bool, default=False)
    """For each `http://` link that works, also ask its `https://` form; where that works
    too, the link is reported as moved there."""
    suggest = c.Type(bool, default=False)
    """Ask the Wayback Machine's availability API about each broken link, so that
    readers get the closest archived copy and its date."""
    archive_api = c.Type(str, default="https://archive.org/wayback/available")
    """The availability API that `suggest` asks."""
    github_hosts = c.ListOfItems(c.Type(str), default=["github.com", "api.github.com"])
    """The hosts that a `GITHUB_TOKEN` from the environment is sent to, and no other."""


class ArchkbConfig(base.Config):
    """Options of the ``archkb`` plugin."""

    enabled = c.Type(bool, default=True)
    """Turn the whole plugin off."""
    patterns_dir = c.Type(str, default="patterns")
    """Folder of pattern pages, relative to the project root (the folder of ``mkdocs.yml``)."""
    references_dir = c.Type(str, default="references")
    """Folder of reference YAML files, relative to the project root."""
    paths_dir = c.Type(str, default="paths")
    """Folder of reading path YAML files, relative to the project root."""
    link_check = c.SubConfig(LinkCheckConfig)
    """External link checking; see :class:`LinkCheckConfig`."""
    book = c.Type(bool, default=True)
    """Build the EPUB book (``exports/archkb.epub``). A one-off build makes it in a second
    process beside the pages (about 4.5 s of CPU at 1,000 patterns, 0.4 s for this catalog).
    Off, the build has no book: the reading list stops offering it, and a hand-written page's
    ``archkb:book-link`` marker (an HTML comment) says how to make one instead of linking to it. This project's ``mkdocs.yml`` turns it on with ``ARCHKB_BOOK=true``, as the
    Pages workflow does."""
