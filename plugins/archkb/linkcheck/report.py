"""The report of a run and its four renderings: text, JSON, JUnit XML and Markdown."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..safety.chars import UNPRINTABLE, printable
from .atomic import write_atomic
from .states import STATE_ORDER, Result, State, split_source

__all__ = [
    "Report",
    "HostStats",
    "HOST_ANSWERS",
    "FORMATS",
    "render",
    "render_host_stats",
    "markdown_code",
    "markdown_url",
]

#: Output formats of ``--format``.
FORMATS = ("text", "json", "junit", "markdown", "github", "sarif")


@dataclass
class HostStats:
    """What one host (``host:port``) was asked in a run, and how it answered.

    Attributes:
        host: The host and port, as the client's queues key them.
        requests: Requests sent (every hop and retry counts).
        answers: Requests per outcome: ``2xx`` to ``5xx`` by status class, ``timeout``, and
            ``no answer`` (refused, reset, a TLS or DNS failure).
        median_ms: The median time of the requests that were answered, in milliseconds (None: none were).
        slowest_ms: The slowest of them.
        pauses: How many times the host asked for a pause (``Retry-After``, or no requests left).
        closed: True when it asked for a pause longer than a run waits, and was sent nothing more.
    """

    host: str
    requests: int = 0
    answers: dict[str, int] = field(default_factory=dict)
    median_ms: float | None = None
    slowest_ms: float | None = None
    pauses: int = 0
    closed: bool = False


#: The outcome columns of :func:`render_host_stats`, in order.
HOST_ANSWERS = ("2xx", "3xx", "4xx", "5xx", "timeout", "no answer")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def render_host_stats(hosts: list[HostStats], fmt: str = "text") -> str:
    """A table of the hosts asked, most requests first: ``--host-stats`` as ``text`` or ``markdown``."""
    asked = sorted((h for h in hosts if h.requests), key=lambda h: (-h.requests, h.host))
    total = sum(h.requests for h in asked)
    title = f"Per host ({_count(len(asked), 'host')}, {_count(total, 'request')})"
    header = ["host", "requests", "median ms", "slowest ms", *HOST_ANSWERS, "pauses"]
    shown = markdown_code if fmt == "markdown" else printable  # a host name is not ours: never Markdown
    rows = [
        [
            shown(h.host) + (" (closed)" if h.closed else ""),
            str(h.requests),
            "-" if h.median_ms is None else f"{h.median_ms:.0f}",
            "-" if h.slowest_ms is None else f"{h.slowest_ms:.0f}",
            *(str(h.answers.get(kind, 0)) for kind in HOST_ANSWERS),
            str(h.pauses),
        ]
        for h in asked
    ]
    if fmt == "markdown":
        lines = [f"## {title}", "", "| " + " | ".join(header) + " |", "| --- |" + " ---: |" * (len(header) - 1)]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        return "\n".join(lines) + "\n"
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [f"{title}:"]
    for row in [header, *rows]:
        cells = [row[0].ljust(widths[0]), *(cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True))]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines) + "\n"


@dataclass(repr=False)
class Report:
    """The results of one run.

    Attributes:
        results: One result per unique link, sorted by state (worst first) then URL.
        warnings: Problems met on the way that are not link verdicts (e.g. a corrupt cache rebuilt).
        stats: Run counters (requests sent, retries, peak in flight, seconds); not part of the JSON.
        hosts: What each host was asked and how it answered (:class:`HostStats`); not part of the JSON.
    """

    results: list[Result] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    stats: dict[str, float] = field(default_factory=dict)
    hosts: list[HostStats] = field(default_factory=list)

    def __repr__(self) -> str:
        """A short summary, not every result: asyncio formats the finished main task, result included,
        when it restores the interrupt handler at the end of ``asyncio.run`` (twice, about 3 ms each
        for 2,000 results with the dataclass's full form).
        """
        counts = ", ".join(f"{n} {state}" for state, n in self.summary.items() if n)
        return f"<Report: {len(self.results)} results ({counts or 'none'}), {len(self.warnings)} warnings>"

    @property
    def summary(self) -> dict[str, int]:
        """Count of results per state, every state present (0 when none)."""
        counts = Counter(r.state for r in self.results)
        return {state.value: counts.get(state, 0) for state in STATE_ORDER}

    @property
    def broken(self) -> list[Result]:
        """The results that are ``broken``."""
        return [r for r in self.results if r.state is State.BROKEN]

    def by_url(self) -> dict[str, Result]:
        """Map each URL as written to its result (the site build looks references up this way)."""
        return {r.url: r for r in self.results}

    def sort(self) -> None:
        """Order results worst first, then by URL."""
        rank = {state: i for i, state in enumerate(STATE_ORDER)}
        self.results.sort(key=lambda r: (rank[r.state], r.url))

    def to_json(self) -> dict:
        """Return the report in the documented format: ``{"results": [...], "summary": {...}}``."""
        return {"results": [r.to_json() for r in self.results], "summary": self.summary}

    def save(self, path: str | Path) -> None:
        """Write the JSON report to ``path`` atomically (folders created)."""
        write_atomic(path, to_json_text(self))

    @classmethod
    def load(cls, path: str | Path) -> Report | None:
        """Read a JSON report; return None if it is missing or not a valid report. Never raises."""
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            if not isinstance(data, dict) or not isinstance(data.get("results"), list):
                return None
            return cls(results=[Result.from_json(item) for item in data["results"]])
        except (OSError, ValueError, TypeError, KeyError):
            return None


def to_json_text(report: Report) -> str:
    """The JSON report as text: one result per line.

    ``json.dumps(..., indent=2)`` uses the pure-Python encoder (about 25 ms for 2,000 results); each
    result encoded on one line by the C encoder reads as well in a diff and costs a tenth of that.
    """
    results = ",\n".join("    " + json.dumps(r.to_json(), ensure_ascii=False) for r in report.results)
    summary = json.dumps(report.summary)
    body = f"[\n{results}\n  ]" if results else "[]"
    return json_surrogates_escaped(f'{{\n  "results": {body},\n  "summary": {summary}\n}}\n')


_SURROGATE = re.compile("[\ud800-\udfff]")


def json_surrogates_escaped(text: str) -> str:
    r"""JSON text written with ``ensure_ascii=False``, its lone surrogates (which UTF-8 cannot
    hold: a server's header decoded with ``surrogateescape``) written as ``\udXXX`` escapes, as
    ``ensure_ascii=True`` would write them; JSON readers read them back as they were.
    """
    if _SURROGATE.search(text) is None:
        return text
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


def markdown_code(text: str) -> str:
    """``text`` as an inline code span for a GitHub Markdown table cell: nothing in it is Markdown,
    HTML or an @-mention; its ``|`` cannot end the cell, and a fence longer than any run of
    backticks in it keeps it whole.
    """
    text = printable(text).replace("|", "\\|")
    if not text:
        return ""
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


_MD_URL_UNSAFE = frozenset("<>|\\`\"' ")


def _url_char(char: str) -> str:
    """``char`` as it may stand in an autolink: percent-encoded (as UTF-8) when unsafe there."""
    if char in _MD_URL_UNSAFE or UNPRINTABLE.match(char):
        return "".join(f"%{byte:02X}" for byte in char.encode("utf-8"))
    return char


def markdown_url(url: str) -> str:
    """A link for a Markdown table cell: an http(s) URL as an autolink, every character that could
    end the autolink or the cell, and every control character, percent-encoded (as a browser
    encodes them); anything else as a code span.
    """
    if not url.lower().startswith(("http://", "https://")):
        return markdown_code(url)
    return "<" + "".join(_url_char(c) for c in url) + ">"


def escape(data: str) -> str:
    """``xml.sax.saxutils.escape`` (that module imports ``urllib.request``, 15 ms at start-up)."""
    return data.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


def quoteattr(data: str) -> str:
    """``xml.sax.saxutils.quoteattr``: an XML attribute value, quoted and escaped."""
    data = escape(data).replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    if '"' not in data:
        return f'"{data}"'
    if "'" not in data:
        return f"'{data}'"
    return '"{}"'.format(data.replace('"', "&quot;"))


#: How each format writes ``#`` where it must not be read as a runner command, meaning the same to
#: what reads the format: a JSON escape, an XML character reference, a percent-escape in text.
_HASH = {"json": "\\u0023", "sarif": "\\u0023", "junit": "&#35;"}


def without_runner_commands(text: str, fmt: str) -> str:
    """``text`` (a report in ``fmt``) with no ``##[`` in it.

    GitHub's runner still reads the old form of a workflow command, ``##[command]``, anywhere in a
    line of a step's log (``##[stop-commands]`` would hide every annotation after it, ``##[set-output
    ...]`` set a step's output); a URL (``https://x.example/a##[warning]...``) or a server's text
    printed to the log could carry one. Its second ``#`` is written as the format writes it
    otherwise, so what reads the report reads the same text.
    """
    if "##[" not in text:
        return text
    return text.replace("##[", f"#{_HASH.get(fmt, '%23')}[")


def render(report: Report, fmt: str) -> str:
    """Render a report as ``text``, ``json``, ``junit``, ``markdown``, ``github`` (workflow
    commands: :func:`.annotations.render_github`) or ``sarif`` (:func:`.sarif.render_sarif`), the
    last two with sources taken as paths from the working folder.

    Raises:
        ValueError: for an unknown format.
    """
    if fmt in _PLAIN_RENDERERS:
        return without_runner_commands(_PLAIN_RENDERERS[fmt](report), fmt)
    if fmt == "github":
        from .annotations import render_github

        return render_github(report)
    if fmt == "sarif":
        from .sarif import render_sarif

        return render_sarif(report)
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")


def _detail(result: Result) -> str:
    parts = []
    if result.status is not None:
        parts.append(str(result.status))
    if result.message:
        parts.append(result.message)
    if result.final_url and result.state is State.REDIRECTED and result.final_url not in result.message:
        parts.append(f"now {result.final_url}")
    return "; ".join(parts)


def _summary_line(report: Report) -> str:
    counts = report.summary
    return ", ".join(f"{counts[s.value]} {s.value}" for s in STATE_ORDER)


def _text(report: Report) -> str:
    lines = []
    for result in report.results:
        if result.state in (State.OK, State.SKIPPED):
            continue
        lines.append(f"{result.state.value.upper():<10} {printable(result.url)}")
        detail = _detail(result)
        if detail:
            lines.append(f"           {printable(detail)}")
        if result.suggestion:
            lines.append(f"           archived copy: {printable(result.suggestion)}")
        for source in result.sources[:5]:
            lines.append(f"           in {printable(source)}")
        if len(result.sources) > 5:
            lines.append(f"           ... and {len(result.sources) - 5} more")
    lines.append(f"{len(report.results)} links: {_summary_line(report)}")
    return "\n".join(lines) + "\n"


def _junit(report: Report) -> str:
    failures = sum(1 for r in report.results if r.state is State.BROKEN)
    skipped = sum(1 for r in report.results if r.state is State.SKIPPED)
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<testsuites name="archkb check-links" tests="{len(report.results)}" failures="{failures}">',
        f'  <testsuite name="links" tests="{len(report.results)}" failures="{failures}" skipped="{skipped}">',
    ]
    for result in report.results:
        classname = printable(split_source(result.sources[0])[0]) if result.sources else "links"
        out.append(f"    <testcase classname={quoteattr(classname)} name={quoteattr(printable(result.url))}>")
        detail = printable(_detail(result))
        suggestion = f"\narchived copy: {printable(result.suggestion)}" if result.suggestion else ""
        text = escape(f"{detail}{suggestion}\ncited in: " + ", ".join(printable(s) for s in result.sources))
        if result.state is State.BROKEN:
            out.append(f"      <failure message={quoteattr(detail or 'broken')}>{text}</failure>")
        elif result.state is State.SKIPPED:
            out.append(f"      <skipped message={quoteattr(printable(result.message) or 'skipped')}/>")
        elif result.state is not State.OK:
            out.append(f"      <system-out>{escape(result.state.value)}: {text}</system-out>")
        out.append("    </testcase>")
    out += ["  </testsuite>", "</testsuites>"]
    return "\n".join(out) + "\n"


def _markdown(report: Report) -> str:
    lines = ["# Link check", "", "| State | Count |", "| --- | ---: |"]
    lines += [f"| {state} | {count} |" for state, count in report.summary.items()]
    problems = [r for r in report.results if r.state not in (State.OK, State.SKIPPED)]
    if problems:
        lines += ["", "| State | URL | Detail | Cited in |", "| --- | --- | --- | --- |"]
        for r in problems:
            # The URL, the server's answer and the sources are not ours: none of it is Markdown here.
            sources = ", ".join(markdown_code(s) for s in r.sources[:3])
            sources += f" (+{len(r.sources) - 3})" if len(r.sources) > 3 else ""
            detail = markdown_code(_detail(r))
            if r.suggestion:
                detail += ("; " if detail else "") + f"archived copy: {markdown_url(r.suggestion)}"
            lines.append(f"| {r.state.value} | {markdown_url(r.url)} | {detail} | {sources} |")
    return "\n".join(lines) + "\n"


#: The formats whose text :func:`render` makes here, each free of runner commands.
_PLAIN_RENDERERS = {"json": to_json_text, "text": _text, "junit": _junit, "markdown": _markdown}
