"""Keep one "link health" tracking issue in step with the latest link report.

Run by ``.github/workflows/link-health.yml`` after ``archkb check-links``:

* broken or redirected links: update the open tracking issue, or open one;
* a clean report: comment on and close the open tracking issue, if any;
* a clean report with no open issue: do nothing (a clean run never opens an issue).

It talks to GitHub through the ``gh`` command (``GH_TOKEN`` and ``GH_REPO`` set by the
workflow), so the same script runs locally with ``--dry-run`` to show what it would do::

    python .github/scripts/link_health_issue.py --report .cache/archkb/link-report.json --dry-run
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from archkb.linkcheck.report import markdown_code, markdown_url

LABEL = "link-health"
"""The label that marks the tracking issue (the script only ever touches issues with it)."""
TITLE_PREFIX = "Link health:"
ATTENTION = ("broken", "redirected")
"""Link states that need a person: a dead link, or a permanent redirect to update."""
MAX_ROWS = 200
MAX_BODY = 60_000


class ReportError(Exception):
    """The report is missing or not a link report."""


def load_results(path: Path) -> list[dict]:
    """Return the report's results.

    Raises:
        ReportError: When the file is missing or is not ``{"results": [...]}``.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ReportError(f"{path}: cannot read the link report ({exc.strerror or exc})") from None
    except ValueError as exc:
        raise ReportError(f"{path}: not JSON ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("results"), list):
        raise ReportError(f'{path}: not a link report (expected {{"results": [...]}})')
    return [r for r in data["results"] if isinstance(r, dict)]


def needing_attention(results: list[dict]) -> list[dict]:
    """The results whose state is broken or redirected, broken first."""
    order = {state: i for i, state in enumerate(ATTENTION)}
    picked = [r for r in results if r.get("state") in order]
    return sorted(picked, key=lambda r: (order[r["state"]], str(r.get("url"))))


def title_for(problems: list[dict]) -> str:
    """The issue title, with the counts."""
    broken = sum(1 for r in problems if r.get("state") == "broken")
    moved = len(problems) - broken
    return f"{TITLE_PREFIX} {broken} broken, {moved} redirected"


def body_for(problems: list[dict], run_url: str | None) -> str:
    """The issue body: one table row per link that needs attention, with where it is cited."""
    lines = [
        "The weekly link check found links that need attention. This issue is updated by every run "
        "and closed automatically when all links are healthy again.",
        "",
        "Fix a **broken** link by replacing the URL (or adding an `archived_url`); fix a **redirected** "
        "one by updating it to the new address. Then run `archkb check-links` locally.",
        "",
        "| State | Link | Detail | Cited in |",
        "| --- | --- | --- | --- |",
    ]
    for result in problems[:MAX_ROWS]:
        detail = [str(result["status"])] if result.get("status") is not None else []
        if result.get("message"):
            detail.append(str(result["message"]))
        if result.get("state") == "redirected" and result.get("final_url"):
            detail.append(f"now {result['final_url']}")
        # The URL, the server's answer and the sources are not ours: none of it is Markdown, HTML or
        # an @-mention in the issue.
        sources = ", ".join(markdown_code(str(s)) for s in (result.get("sources") or [])[:5])
        url = markdown_url(str(result.get("url") or ""))
        lines.append(f"| {result.get('state')} | {url} | {markdown_code('; '.join(detail))} | {sources} |")
    if len(problems) > MAX_ROWS:
        lines.append(f"\n... and {len(problems) - MAX_ROWS} more; see the run's link report.")
    if run_url:
        lines += ["", f"Latest run: {run_url}"]
    text = "\n".join(lines) + "\n"
    return text if len(text) <= MAX_BODY else text[:MAX_BODY] + "\n\n(truncated)\n"


class GitHub:
    """The few ``gh`` calls the script needs; with ``dry_run`` it prints them instead of writing."""

    def __init__(self, *, dry_run: bool = False, gh: str = "gh") -> None:
        self.dry_run = dry_run
        self.gh = gh

    def _run(self, *args: str, write: bool) -> str:
        if write and self.dry_run:
            print("would run: gh " + " ".join(args))
            return ""
        done = subprocess.run([self.gh, *args], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"gh {' '.join(args[:2])} failed: {done.stderr.strip() or done.stdout.strip()}")
        return done.stdout

    def open_issues(self) -> list[int]:
        """Numbers of the open tracking issues, oldest first."""
        out = self._run(
            "issue", "list", "--label", LABEL, "--state", "open", "--json", "number", "--limit", "20", write=False
        )
        return sorted(item["number"] for item in json.loads(out or "[]"))

    def create(self, title: str, body_file: str) -> None:
        """Open the tracking issue (creating its label first, if missing)."""
        self._run(
            "label",
            "create",
            LABEL,
            "--color",
            "d73a4a",
            "--force",
            "--description",
            "Broken or redirected links found by the weekly check",
            write=True,
        )
        self._run("issue", "create", "--title", title, "--label", LABEL, "--body-file", body_file, write=True)

    def update(self, number: int, title: str, body_file: str) -> None:
        """Replace the tracking issue's title and body."""
        self._run("issue", "edit", str(number), "--title", title, "--body-file", body_file, write=True)

    def close(self, number: int, comment: str) -> None:
        """Comment on and close a tracking issue."""
        self._run("issue", "comment", str(number), "--body", comment, write=True)
        self._run("issue", "close", str(number), "--reason", "completed", write=True)


def sync(results: list[dict], github: GitHub, *, run_url: str | None = None) -> str:
    """Bring the tracking issue in line with ``results``; return what was done.

    Returns:
        One of ``"opened"``, ``"updated"``, ``"closed"`` or ``"nothing"``.
    """
    problems = needing_attention(results)
    open_numbers = github.open_issues()
    if not problems:
        if not open_numbers:
            return "nothing"
        where = f" ({run_url})" if run_url else ""
        for number in open_numbers:
            github.close(number, f"All links are healthy again{where}. Closing.")
        return "closed"
    with tempfile.NamedTemporaryFile("w", suffix=".md", delete=False, encoding="utf-8") as handle:
        handle.write(body_for(problems, run_url))
        body_file = handle.name
    try:
        title = title_for(problems)
        if open_numbers:
            github.update(open_numbers[0], title, body_file)
            for extra in open_numbers[1:]:
                github.close(extra, f"Superseded by #{open_numbers[0]}.")
            return "updated"
        github.create(title, body_file)
        return "opened"
    finally:
        Path(body_file).unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--report",
        type=Path,
        default=Path(".cache/archkb/link-report.json"),
        help="The JSON link report written by 'archkb check-links'.",
    )
    parser.add_argument("--run-url", default=None, help="The workflow run to link from the issue.")
    parser.add_argument("--dry-run", action="store_true", help="Print the writes instead of making them.")
    parser.add_argument("--gh", default="gh", help="The gh executable.")
    args = parser.parse_args(argv)
    try:
        results = load_results(args.report)
        action = sync(results, GitHub(dry_run=args.dry_run, gh=args.gh), run_url=args.run_url)
    except (ReportError, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"tracking issue: {action}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
