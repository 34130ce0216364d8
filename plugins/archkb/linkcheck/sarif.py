"""A report as SARIF 2.1.0: ``archkb check-links --format sarif``.

SARIF is the OASIS format that code-scanning services read (GitHub's code scanning, and the SARIF
viewers of other CI systems and editors). Where GitHub shows 10 workflow-command annotations of a
kind per step (:mod:`.annotations`), an uploaded SARIF file has no such cap, and its alerts stay
open until a later run no longer reports them. lychee's users have asked for it since 2022
(lycheeverse/lychee#614); what it needs is the file and line of every link, which archkb keeps.

Each problem is one result per place that cites it, with the rule of its state (``link/broken``,
``link/redirected``, ``link/blocked``, ``link/error``), its level (``error``, ``warning``,
``note``), the file relative to the repository and the line, and a fingerprint of the rule, the URL
and the file, so that an alert follows its link when lines move. A problem cited by no file (a page
given as a URL) cannot be a result, which must have a place in the repository: it is a notification
of the run instead, so nothing is lost. Everything is written by the JSON encoder, so no link or
server answer can change the file's structure.
"""

from __future__ import annotations

import hashlib
import json
from urllib.parse import quote

from .annotations import Locate, source_location, to_annotations
from .report import Report, json_surrogates_escaped, without_runner_commands
from .states import STATE_INFO, STATE_ORDER, State

__all__ = ["SARIF_SCHEMA", "RULES", "render_sarif"]

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
"""The schema the file names (SARIF 2.1.0)."""

#: A rule for each state that is a problem: what it means, for the code-scanning alert's page.
RULES: dict[str, tuple[str, str]] = {
    "broken": ("BrokenLink", "The link is dead: a 404 or 410, a host that does not resolve, or a missing fragment."),
    "redirected": ("MovedLink", "The link redirects permanently: update it to where it now leads."),
    "blocked": ("RefusedLink", "The server refused the checker (401, 403, a bot wall): not necessarily dead."),
    "error": ("UncheckedLink", "The link could not be judged: a timeout, a reset, a server error after retries."),
}

_LEVELS = {"error": "error", "warning": "warning", "notice": "note"}


def _plain(text: str) -> str:
    r"""A message's text with no embedded link: SARIF viewers read ``[text](target)`` in a plain-text
    message as a link (SARIF 2.1.0's embedded links), and a server's text (a redirect's target) is
    not to become one; a backslash before each bracket, and before a backslash, keeps them literal.
    """
    if not any(c in text for c in "[]\\"):
        return text
    return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")


def _fingerprint(rule: str, message: str, file: str) -> str:
    url = message.split(": ", 1)[0]
    return hashlib.sha256(f"{rule}\0{url}\0{file}".encode()).hexdigest()[:32]


def render_sarif(report: Report, *, locate: Locate = source_location, version: str = "") -> str:
    """The report as a SARIF 2.1.0 log (one run), as JSON text.

    Args:
        report: The checked links.
        locate: A source (``"path:line"``) as the file, relative to the repository, and line.
        version: The tool's version, for the log's driver.
    """
    states: list[str] = [s.value for s in STATE_ORDER if s.value in RULES]
    rules = []
    for state in states:
        name, text = RULES[state]
        info = STATE_INFO[State(state)]
        rules.append(
            {
                "id": f"link/{state}",
                "name": name,
                "shortDescription": {"text": f"Link {info.label[0].lower()}{info.label[1:]}"},
                "fullDescription": {"text": text},
                "defaultConfiguration": {"level": _LEVELS[info.annotation or "notice"]},
                "help": {"text": text},
            }
        )
    results, notifications = [], []
    for note in to_annotations(report, locate=locate):
        level = _LEVELS[note.level]
        if not note.file:
            notifications.append({"level": level, "message": {"text": _plain(note.message)}})
            continue
        region = {"startLine": note.line or 1}
        results.append(
            {
                "ruleId": f"link/{note.state}",
                "ruleIndex": states.index(note.state),
                "level": level,
                "message": {"text": _plain(note.message)},
                "locations": [
                    {"physicalLocation": {"artifactLocation": {"uri": quote(note.file, safe="/")}, "region": region}}
                ],
                "partialFingerprints": {"archkbLink/v1": _fingerprint(note.state, note.message, note.file)},
            }
        )
    driver = {"name": "archkb check-links", "rules": rules}
    if version:
        driver["version"] = version
    run = {
        "tool": {"driver": driver},
        "results": results,
        "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": notifications}],
        "columnKind": "unicodeCodePoints",
    }
    document = json.dumps({"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}, ensure_ascii=False, indent=1)
    return without_runner_commands(json_surrogates_escaped(document + "\n"), "sarif")
