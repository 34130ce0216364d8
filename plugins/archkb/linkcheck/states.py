"""Result states and the small value types shared by every part of the link checker."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import UTC, datetime

__all__ = ["State", "StateInfo", "STATE_INFO", "Link", "Result", "STATE_ORDER", "split_source"]


class State(enum.StrEnum):
    """The outcome of checking one link. Every result is exactly one of these.

    Attributes:
        OK: Reachable (temporary redirects allowed) and the fragment, if any, is on the page.
        REDIRECTED: A permanent redirect (301/308) to a reachable target; update the link.
        BROKEN: Definitely dead: 404/410, a host name that does not resolve, a missing fragment,
            or a missing internal page.
        BLOCKED: Refused to us, not dead: 401, 403, 999, bot walls, a 429 that persists.
        ERROR: Inconclusive: timeouts, resets, refusals, 5xx after retries, too many redirects.
        SKIPPED: Not checked, by policy (private address, non-HTTP scheme, exclude, offline).
    """

    OK = "ok"
    REDIRECTED = "redirected"
    BROKEN = "broken"
    BLOCKED = "blocked"
    ERROR = "error"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class StateInfo:
    """Everything each output needs to know about one link state: the one place it is defined.

    Attributes:
        label: The reader's name for it, on the Link health page.
        css_class: The class of a reference's inline link state (coloured and marked by the stylesheet).
        problem_rank: Its place among the problems the Link health page lists (worst first),
            or ``None`` when it is no problem.
        exit_broken: Whether it makes ``archkb check-links`` exit with status 2.
        may_fail_build: Whether ``link_check.fail_on`` may name it: someone else's outage
            (an error, a refusal) must never fail our CI.
        annotation: The kind of GitHub Actions annotation it gets (``error``, ``warning`` or
            ``notice``; ``archkb check-links --format github``), or ``None`` for none.
    """

    label: str
    css_class: str
    problem_rank: int | None
    exit_broken: bool
    may_fail_build: bool
    annotation: str | None


STATE_INFO: dict[State, StateInfo] = {
    State.OK: StateInfo("Verified", "archkb-link-state--ok", None, False, False, None),
    State.REDIRECTED: StateInfo("Moved", "archkb-link-state--redirected", 1, False, True, "warning"),
    State.BROKEN: StateInfo("Broken", "archkb-link-state--broken", 0, True, True, "error"),
    State.BLOCKED: StateInfo("Could not be checked (refused)", "archkb-link-state--blocked", 3, False, False, "notice"),
    State.ERROR: StateInfo("Could not be checked (error)", "archkb-link-state--error", 2, False, False, "notice"),
    State.SKIPPED: StateInfo("Not checked (excluded)", "archkb-link-state--skipped", None, False, False, None),
}
"""Every link state's reader text, CSS class and meaning for exit codes and builds."""


#: Display and summary order: worst news first after the good news.
STATE_ORDER: tuple[State, ...] = (
    State.BROKEN,
    State.ERROR,
    State.BLOCKED,
    State.REDIRECTED,
    State.OK,
    State.SKIPPED,
)


@dataclass(frozen=True)
class Link:
    """One occurrence of a link in a source file.

    Attributes:
        url: The link exactly as written (fragment included).
        source: Where it was written, as ``"path:line"``.
    """

    url: str
    source: str


def split_source(source: str) -> tuple[str, int | None]:
    """A :attr:`Link.source` as ``(path, line)``: ``"docs/a.md:12"`` is ``("docs/a.md", 12)``, and a
    source without a line (``"(input)"``) is itself with ``None``.
    """
    path, colon, line = source.rpartition(":")
    if colon and path and line.isdigit():
        return path, int(line)
    return source, None


@dataclass
class Result:
    """The verdict for one unique link, with every place that cites it.

    Attributes:
        url: The link as written, fragment included.
        state: The outcome.
        status: The last HTTP status seen, or ``None`` (no HTTP exchange, or internal link).
        final_url: Where the redirects ended, or ``None`` when there were none.
        sources: Every ``"path:line"`` that cites the link, in first-seen order.
        message: A short human explanation (empty when there is nothing to add).
        checked_at: ISO 8601 UTC time of the check (from the cache when the result came from it).
        suggestion: For a broken link checked with ``--suggest``, the closest archived snapshot the
            Wayback Machine knows (an http(s) URL), else ``None``.
    """

    url: str
    state: State
    status: int | None = None
    final_url: str | None = None
    sources: list[str] = field(default_factory=list)
    message: str = ""
    checked_at: str | None = None
    suggestion: str | None = None

    def to_json(self) -> dict:
        """Return this result as a JSON-ready dict in the documented report format."""
        return {
            "url": self.url,
            "state": self.state.value,
            "status": self.status,
            "final_url": self.final_url,
            "sources": list(self.sources),
            "message": self.message,
            "checked_at": self.checked_at,
            "suggestion": self.suggestion,
        }

    @classmethod
    def from_json(cls, data: dict) -> Result:
        """Build a result from one entry of a JSON report.

        Raises:
            ValueError: if the entry is malformed.
        """
        if not isinstance(data, dict) or not isinstance(data.get("url"), str):
            raise ValueError("result entry must be an object with a string 'url'")
        status = data.get("status")
        if status is not None and not isinstance(status, int):
            raise ValueError("'status' must be an integer or null")
        sources = data.get("sources") or []
        if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
            raise ValueError("'sources' must be a list of strings")
        return cls(
            url=data["url"],
            state=State(data.get("state", "")),
            status=status,
            final_url=data.get("final_url"),
            sources=list(sources),
            message=str(data.get("message") or ""),
            checked_at=data.get("checked_at"),
            suggestion=suggestion
            if isinstance(suggestion := data.get("suggestion"), str)
            and suggestion.lower().startswith(("http://", "https://"))
            else None,
        )


def now_iso() -> str:
    """Return the current UTC time in ISO 8601, to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")
