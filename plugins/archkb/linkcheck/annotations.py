"""A report as GitHub Actions workflow commands: ``archkb check-links --format github``.

Each problem becomes an annotation on every line that cites the link (``::error
file=patterns/x.md,line=12,title=...::...``), so a pull request shows it beside the line that added
it. Everything in a command comes from the link, the server's answer or a file name, none of it
ours, so all of it is escaped as the Actions runner reads it: data (``%``, CR, LF) and properties
(also ``:`` and ``,``), after :func:`~archkb.safety.chars.printable` has shown every control
character. The full text report follows between ``::stop-commands::`` and its random resume token,
so that no line of it can act as a workflow command, however a link is written.

GitHub shows at most 10 annotations of each kind per step; past that, one notice says how many
were left out, and the text report (and the job summary, which the command writes to
``$GITHUB_STEP_SUMMARY`` when it is set) lists them all.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass

from ..safety.chars import printable
from .report import Report, render
from .states import STATE_INFO, Result, State, split_source

__all__ = [
    "ANNOTATIONS_PER_KIND",
    "SUMMARY_LIMIT",
    "Annotation",
    "to_annotations",
    "escape_data",
    "escape_property",
    "source_location",
    "render_github",
    "step_summary",
]

ANNOTATIONS_PER_KIND = 10
"""Annotations of one kind (error, warning, notice) that GitHub shows per step."""

SUMMARY_LIMIT = 1_000_000
"""Bytes of job summary the command writes at most (GitHub's cap is 1 MiB per step)."""

Locate = Callable[[str], "tuple[str, int | None] | None"]


def escape_data(text: str) -> str:
    """A workflow command's message, as the runner unescapes it (``%``, CR and LF)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value (``file``, ``title``): data, and ``:`` and ``,`` too."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def source_location(source: str) -> tuple[str, int | None] | None:
    """``"path:line"`` as ``(path, line)``; a source without a line as ``(path, None)``."""
    return split_source(source) if source else None


@dataclass(frozen=True)
class Annotation:
    """One workflow command: an annotation of one link's problem at one place that cites it.

    Attributes:
        level: ``error``, ``warning`` or ``notice`` (``StateInfo.annotation``).
        title: A short title (the state).
        message: The link and what is wrong with it.
        file: The file, relative to the repository (``None``: shown on the run, not on a file).
        line: The line in it.
        state: The link's state (``broken``...), the rule it breaks.
    """

    level: str
    title: str
    message: str
    file: str | None = None
    line: int | None = None
    state: str = ""

    def command(self) -> str:
        """The workflow command, every field escaped."""
        props = []
        if self.file:
            props.append(f"file={escape_property(self.file)}")
            if self.line:
                props.append(f"line={self.line}")
        props.append(f"title={escape_property(self.title)}")
        return f"::{self.level} {','.join(props)}::{escape_data(self.message)}"


def _message(result: Result) -> str:
    parts = []
    redirected = result.state is State.REDIRECTED  # its status is the new page's, not news
    if result.status is not None and not redirected and str(result.status) not in result.message:
        parts.append(str(result.status))
    if result.message:
        parts.append(printable(result.message))
    if result.final_url and result.final_url != result.url and result.final_url not in result.message:
        parts.append(f"now {printable(result.final_url)}")
    if result.suggestion:
        parts.append(f"archived copy: {printable(result.suggestion)}")
    url = printable(result.url)
    return f"{url}: {'; '.join(parts)}" if parts else url


def to_annotations(report: Report, *, locate: Locate = source_location) -> list[Annotation]:
    """One annotation per problem and place that cites it, worst first (the report's order).

    Args:
        report: The checked links.
        locate: A source (``"path:line"``) as the file and line the annotation goes on, or None.
    """
    found = []
    for result in report.results:
        info = STATE_INFO[result.state]
        if info.annotation is None:
            continue
        title = f"Link {info.label[0].lower()}{info.label[1:]}"
        message = _message(result)
        for source in result.sources or [""]:
            where = locate(source) if source else None
            file, line = where if where else (None, None)
            found.append(
                Annotation(info.annotation, title, message, printable(file) if file else None, line, result.state.value)
            )
    return found


def render_github(report: Report, *, locate: Locate = source_location, token: str | None = None) -> str:
    """The report as workflow commands: annotations (at most :data:`ANNOTATIONS_PER_KIND` of each
    kind, then a notice of how many were left out), then the text report with commands stopped.

    Args:
        report: The checked links.
        locate: See :func:`to_annotations`.
        token: The token that resumes commands after the text report (random when None).
    """
    every = to_annotations(report, locate=locate)
    shown: list[Annotation] = []
    left_out = 0
    for level in ("error", "warning", "notice"):
        of_level = [a for a in every if a.level == level]
        room = ANNOTATIONS_PER_KIND - (1 if level == "notice" else 0)  # one notice says what was left out
        if level == "notice" and left_out == 0 and len(of_level) <= ANNOTATIONS_PER_KIND:
            room = ANNOTATIONS_PER_KIND
        shown += of_level[:room]
        left_out += max(0, len(of_level) - room)
    lines = [a.command() for a in shown]
    if left_out:
        lines.append(
            f"::notice title=More link problems::{left_out} more annotations were left out "
            f"(GitHub shows {ANNOTATIONS_PER_KIND} of each kind per step); the report below lists every link."
        )
    token = token or secrets.token_hex(16)
    lines += [f"::stop-commands::{token}", render(report, "text").rstrip("\n"), f"::{token}::"]
    return "\n".join(lines) + "\n"


def step_summary(markdown: str, limit: int = SUMMARY_LIMIT) -> str:
    """``markdown`` cut at a line to at most ``limit`` bytes (UTF-8), with a note when it is cut."""
    data = markdown.encode("utf-8")
    if len(data) <= limit:
        return markdown
    note = "\n\n_The rest of the report is left out here (the job summary holds 1 MiB); the log has it._\n"
    cut = data[: limit - len(note.encode("utf-8"))].decode("utf-8", "ignore")
    cut = cut[: cut.rfind("\n")] if "\n" in cut else ""
    return cut + note
