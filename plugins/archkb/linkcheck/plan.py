"""What a run does with each link before any request: the URL it asks for, or why it asks for none.

The runner (:mod:`.runner`) checks what :func:`plan_link` plans, and ``archkb check-links --dump``
prints the plan of every link (:func:`dump_links`, :func:`render_dump`) with no request sent and no
cache read, to see what the inputs hold and what the excludes and remaps make of it. This module
imports neither the HTTP client nor asyncio.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

from ..safety.chars import printable
from .credentials import redact_credentials, strip_credentials
from .states import Link, Result, State, now_iso
from .urls import has_scheme, is_http, malformed

__all__ = ["ACTIONS", "Planned", "plan_link", "grouped_sources", "dump_links", "render_dump", "DUMP_FORMATS"]

#: What a run does with a link, as ``--dump`` names it: asks for it over the network (``check``),
#: judges it against the built site's pages (``internal``), leaves it (``skip``), or finds it broken
#: as written, before any request (``broken``: a malformed URL).
ACTIONS = ("check", "internal", "skip", "broken")

#: The formats ``--dump`` writes.
DUMP_FORMATS = ("text", "json")


def _rewrite(url: str, rewrites: list[tuple[str, str]]) -> str:
    """Apply the remaps (``re.sub(pattern, replacement, url)``, in order) to ``url``."""
    for pattern, replacement in rewrites:
        url = re.sub(pattern, replacement, url)
    return url


def plan_link(
    url: str,
    sources: list[str],
    rewrites: list[tuple[str, str]],
    excludes: list[re.Pattern[str]],
    includes: list[re.Pattern[str]] = (),  # type: ignore[assignment]
) -> tuple[str, Result | None]:
    """The URL a run asks for in place of ``url`` (as written), and the verdict when it asks for none.

    The target is ``url`` with the remaps applied, a protocol-relative URL read as HTTPS (as a
    reader's browser on the HTTPS site would), and any credentials left out (they are never sent).
    The verdict is ``skipped`` for a link that is not absolute HTTP(S), that an exclude matches (as
    written or as remapped), or, when there are includes, that none of them matches (an include
    wins over an exclude); ``broken`` for a malformed URL; None when it is to be checked.
    """
    target = rewritten = _rewrite(url, rewrites)
    if target.startswith("//"):
        target = f"https:{target}"
    target = strip_credentials(target)
    if not is_http(target):
        if has_scheme(target):
            message = f"not an HTTP(S) link ({target.split(':', 1)[0].lower()}:)"
        else:
            message = "not an absolute URL (internal links are checked against the built site)"
        return target, Result(url, State.SKIPPED, sources=sources, message=message)
    problem = malformed(target)
    if problem is not None:
        # A remap can make a sound link malformed: say so, or the message names a host never written.
        remapped = f" after the remap to {target!r}" if rewritten != url else ""
        message = f"malformed URL{remapped}: {problem}"
        return target, Result(url, State.BROKEN, sources=sources, message=message, checked_at=now_iso())
    if includes:
        if any(p.search(url) or p.search(target) for p in includes):
            return target, None
        return target, Result(url, State.SKIPPED, sources=sources, message="not included (no --include matches it)")
    pattern = next((p.pattern for p in excludes if p.search(url) or p.search(target)), None)
    if pattern is not None:
        return target, Result(url, State.SKIPPED, sources=sources, message=f"excluded by {pattern!r}")
    return target, None


@dataclass
class Planned:
    """One unique link of a ``--dump``, and what a run would do with it.

    Attributes:
        url: The link as written (credentials shown as ``***``).
        action: One of :data:`ACTIONS`.
        sources: Every ``"path:line"`` that cites it, in first-seen order.
        target: The URL that would be asked for, when it is not ``url`` itself (a remap, a
            protocol-relative URL, credentials left out); None otherwise.
        reason: Why it is skipped or broken; empty for ``check`` and ``internal``.
    """

    url: str
    action: str
    sources: list[str]
    target: str | None = None
    reason: str = ""

    def to_json(self) -> dict[str, object]:
        """The JSON form: ``url``, ``action``, ``target``, ``reason``, ``sources``."""
        return {
            "url": self.url,
            "action": self.action,
            "target": self.target,
            "reason": self.reason,
            "sources": self.sources,
        }


def grouped_sources(links: Iterable[Link]) -> dict[str, list[str]]:
    """Each URL as written (trimmed), with the places that cite it, in order and once each."""
    sources: dict[str, list[str]] = {}
    for link in links:
        bucket = sources.setdefault(link.url.strip(), [])
        if link.source not in bucket:
            bucket.append(link.source)
    return sources


def dump_links(
    external: Iterable[Link],
    internal: Iterable[Link] = (),
    *,
    rewrites: list[tuple[str, str]] | None = None,
    excludes: Iterable[str] = (),
    includes: Iterable[str] = (),
) -> list[Planned]:
    """Plan every unique link, as a run would, without sending anything or reading the cache.

    Args:
        external: Links for the network checker (as :func:`archkb.linkcheck.check_urls` takes them).
        internal: Links of a built site that are judged against its pages (``internal``).
        rewrites: The remaps, ``(pattern, replacement)`` pairs.
        excludes: The exclude patterns (regular expressions).
        includes: The include patterns: when there are any, only what they match is checked.

    Raises:
        re.error: for an exclude that is not a regular expression.
    """
    compiled = [re.compile(p) for p in excludes]
    wanted = [re.compile(p) for p in includes]
    planned: list[Planned] = []
    for url, where in grouped_sources(external).items():
        target, verdict = plan_link(url, where, rewrites or [], compiled, wanted)
        shown = redact_credentials(url)
        changed = target if target != url and target != shown else None
        if verdict is None:
            planned.append(Planned(shown, "check", where, changed))
        else:
            action = "broken" if verdict.state is State.BROKEN else "skip"
            planned.append(Planned(shown, action, where, changed, verdict.message))
    planned += [Planned(url, "internal", where) for url, where in grouped_sources(internal).items()]
    return planned


def render_dump(planned: list[Planned], fmt: str) -> str:
    """Render a dump as ``text`` (a line a link: action, URL, ``-> target``, sources, reason) or ``json``.

    Raises:
        ValueError: for another format.
    """
    if fmt == "json":
        from .report import json_surrogates_escaped, without_runner_commands

        body = ",\n".join("    " + json.dumps(p.to_json(), ensure_ascii=False) for p in planned)
        text = json_surrogates_escaped('{\n  "links": [\n' + body + ("\n" if body else "") + "  ]\n}\n")
        return without_runner_commands(text, "json")
    if fmt != "text":
        raise ValueError(f"--dump writes {' or '.join(DUMP_FORMATS)}, not {fmt}")
    lines = []
    for p in planned:
        line = f"{p.action:<8} {printable(p.url)}"
        if p.target is not None:
            line += f" -> {printable(p.target)}"
        line += f"  ({printable(', '.join(p.sources))})"
        if p.reason:
            line += f"  {printable(p.reason)}"
        lines.append(line)
    from .report import without_runner_commands

    return without_runner_commands("".join(f"{line}\n" for line in lines), "text")
