"""Local links in a repository: archkb check-links and lychee on a README's links to files and headings.

One command (from the project root, virtualenv active)::

    python bench/linkcheck/local.py

It writes a small git repository to ``bench/out/linkcheck-local/`` whose ``README.md`` links files
and headings in the ways READMEs do (a heading with punctuation, a repeated one, one with an emoji or
code, a raw HTML anchor, a percent-encoded space, a root-relative link), some of them broken; a
link inside a code block, which is no link; and an MkDocs project whose pages link a page its build
generates. Both checkers run offline on the whole folder, with the repository as their root
(``--root-dir``), and lychee with ``--include-fragments``. Each case is scored against the verdict a
maintainer wants: ``ok``, ``broken``, or ``not a problem`` (reporting it is a false alarm). It
then times each checker on this repository's own folder (medians of 7), where what git ignores
(``.venv/``, ``bench/out/``) must be left out. Results go to ``bench/linkcheck/local.md``.
"""

from __future__ import annotations

import json
import platform
import shutil
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
OUT = HERE.parent / "out" / "linkcheck-local"
BIN = Path(sys.executable).parent

GUIDE = """# Guide

## Install

## Set-up & configure

## FAQ

## FAQ

## 🚀 Launch

## The `cli` *command*

Setext heading
--------------

<a id="raw-anchor"></a>
"""

# (link as written in README.md, what a maintainer wants, what it is)
CASES = [
    ("docs/guide.md", "ok", "a file that exists"),
    ("docs/gone.md", "broken", "a file that does not"),
    ("docs/", "ok", "a folder"),
    ("docs/guide.md#install", "ok", "a heading"),
    ("docs/guide.md#renamed", "broken", "a heading that is not there (renamed)"),
    ("docs/guide.md#set-up--configure", "ok", "a heading with punctuation, as GitHub anchors it"),
    ("docs/guide.md#faq-1", "ok", "the second of two equal headings"),
    ("docs/guide.md#faq-2", "broken", "a third that is not there"),
    ("docs/guide.md#-launch", "ok", "a heading that starts with an emoji"),
    ("docs/guide.md#the-cli-command", "ok", "a heading with code and emphasis"),
    ("docs/guide.md#setext-heading", "ok", "an underlined (setext) heading"),
    ("docs/guide.md#raw-anchor", "ok", "an anchor in raw HTML"),
    ("#local-heading", "ok", "a heading of the README itself"),
    ("#nowhere", "broken", "a heading the README does not have"),
    ("docs/My%20Notes.md", "ok", "a file name with a space, percent-encoded"),
    ("images/logo.png", "ok", "an image that exists"),
    ("images/missing.png", "broken", "an image that does not"),
    ("/docs/guide.md#install", "ok", "root-relative, under the repository (--root-dir)"),
]
IN_CODE = ("docs/in-code.md", "not a problem", "a link in a fenced code block: no link at all")
GENERATED = ("reading-list.md", "not a problem", "an MkDocs page linking a page its build generates")


def write_repo() -> Path:
    """The fixture repository, afresh."""
    shutil.rmtree(OUT, ignore_errors=True)
    (OUT / "docs").mkdir(parents=True)
    (OUT / "images").mkdir()
    (OUT / "docs" / "guide.md").write_text(GUIDE, encoding="utf-8")
    (OUT / "docs" / "My Notes.md").write_text("# Notes\n", encoding="utf-8")
    (OUT / "images" / "logo.png").write_bytes(b"\x89PNG\r\n")
    links = "\n".join(f"- [case {i}]({url})" for i, (url, _, _) in enumerate(CASES))
    (OUT / "README.md").write_text(
        f"# Project\n\n## Local heading\n\n{links}\n\n```markdown\n[x]({IN_CODE[0]})\n```\n", encoding="utf-8"
    )
    site = OUT / "site-project"
    (site / "docs").mkdir(parents=True)
    (site / "mkdocs.yml").write_text("site_name: Example\n", encoding="utf-8")
    (site / "docs" / "index.md").write_text(f"# Home\n\nSee the [reading list]({GENERATED[0]}).\n", encoding="utf-8")
    subprocess.run(["git", "init", "-q", str(OUT)], check=True)
    return OUT


def archkb_problems(repo: Path) -> dict[str, str]:
    """archkb's verdict of each link that is a problem: the link as written -> its state."""
    done = subprocess.run(
        [str(BIN / "archkb"), "check-links", ".", "--root", ".", "--root-dir", ".", "--offline", "--format", "json"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )
    results = json.loads(done.stdout)["results"]
    return {r["url"]: r["state"] for r in results if r["state"] not in ("ok", "skipped")}


def lychee_problems(repo: Path) -> set[str]:
    """What lychee reports failed, as ``path#fragment`` relative to the repository."""
    args = ["--offline", "--no-progress", "--include-fragments", "--root-dir", str(repo), "--format", "json", "."]
    done = subprocess.run([str(BIN / "lychee"), *args], cwd=repo, capture_output=True, text=True, check=False)
    found = set()
    for errors in json.loads(done.stdout).get("error_map", {}).values():
        for error in errors:
            parts = urlsplit(error["url"])
            path = Path(unquote(parts.path)).resolve()
            try:
                shown = path.relative_to(repo.resolve()).as_posix()
            except ValueError:
                shown = str(path)
            if parts.path.endswith("/"):
                shown += "/"
            found.add(shown + (f"#{unquote(parts.fragment)}" if parts.fragment else ""))
    return found


def _target(url: str, page: str) -> str:
    """A case's link as lychee names it: the file relative to the repository, and its fragment."""
    path, _, fragment = url.partition("#")
    base = Path(page).parent
    resolved = (
        (Path(unquote(path.lstrip("/"))) if path.startswith("/") else base / unquote(path)) if path else Path(page)
    )
    shown = resolved.as_posix().removeprefix("./") + ("/" if path.endswith("/") else "")
    return shown + (f"#{fragment}" if fragment else "")


def score(repo: Path) -> list[tuple[str, str, str, str, str]]:
    ours = archkb_problems(repo)
    theirs = lychee_problems(repo)
    rows = []
    for url, wanted, what in [*CASES, IN_CODE]:
        a = ours.get(url, "ok")
        lychee = "broken" if _target(url, "README.md") in theirs else "ok"
        rows.append((url, what, wanted, a, lychee))
    url, wanted, what = GENERATED
    a = ours.get(url, "ok")
    lychee = "broken" if _target(url, "site-project/docs/index.md") in theirs else "ok"
    rows.append((url, what, wanted, a, lychee))
    return rows


def right(wanted: str, got: str) -> bool:
    return got == wanted or (wanted == "not a problem" and got == "ok")


def _marked(wanted: str, got: str) -> str:
    return got + ("" if right(wanted, got) else " ✗")


def timed(command: list[str], cwd: Path, rounds: int = 7) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        subprocess.run(command, cwd=cwd, capture_output=True, check=False)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    repo = write_repo()
    rows = score(repo)
    ours = sum(right(w, a) for _, _, w, a, _ in rows)
    theirs = sum(right(w, lyc) for _, _, w, _, lyc in rows)
    archkb_time = timed([str(BIN / "archkb"), "check-links", ".", "--offline", "--format", "json"], ROOT)
    lychee_cmd = [str(BIN / "lychee"), "--offline", "--no-progress", "--include-fragments", "--format", "json", "."]
    lychee_time = timed(lychee_cmd, ROOT)
    own = json.loads(
        subprocess.run(
            [str(BIN / "archkb"), "check-links", ".", "--offline", "--format", "json"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        ).stdout
    )["summary"]
    theirs_own = json.loads(subprocess.run(lychee_cmd, cwd=ROOT, capture_output=True, text=True, check=False).stdout)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Local links: archkb and lychee",
        "",
        f"Measured {stamp} on {platform.machine()}, Python {platform.python_version()}, "
        "`python bench/linkcheck/local.py`. Both offline, with the fixture repository as their root "
        "(`--root-dir`); lychee 0.24.2 with `--include-fragments`.",
        "",
        "| Link in README.md | What it is | Wanted | archkb | lychee |",
        "| --- | --- | --- | --- | --- |",
    ]
    for url, what, wanted, a, lyc in rows:
        lines.append(f"| `{url}` | {what} | {wanted} | {_marked(wanted, a)} | {_marked(wanted, lyc)} |")
    lines += [
        "",
        f"**archkb {ours}/{len(rows)} right, lychee {theirs}/{len(rows)}.**",
        "",
        "On this repository's own folder (`check-links .` / `lychee .`, offline, medians of 7; what git "
        "ignores is left out by both):",
        "",
        "| Checker | Time (s) | Problems reported |",
        "| --- | ---: | ---: |",
        f"| archkb | {archkb_time:.3f} | {own['broken'] + own['error']} |",
        f"| lychee | {lychee_time:.3f} | {theirs_own['errors']} |",
        "",
    ]
    (HERE / "local.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
