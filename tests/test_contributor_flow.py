"""The "done when" of the contributor workflow, end to end.

A newcomer follows CONTRIBUTING.md on a copy of the real site: scaffolds a pattern,
adds a reference with `archkb new reference`, fills in the template with a relation
and two references, publishes it, and passes the checks CI runs (`archkb validate`,
`mkdocs build --strict`, and `archkb check-links --changed` for the links it adds). Every
command runs as a subprocess, exactly as typed in a terminal.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SITE_PARTS = ("mkdocs.yml", "docs", "patterns", "references", "paths")
RELATED = "queue-decoupling"
NEW_URL = "https://example.org/guides/priority-queues"

BODY = {
    "Context": "A queue feeds a pool of workers, and some messages matter more than others: a paying "
    "customer's export should not wait behind a nightly batch.",
    "Problem": "How do urgent messages overtake routine ones without a second system to run?",
    "Forces": "- Urgent work needs short, predictable waiting times.\n"
    "- Routine work must still finish eventually.\n"
    "- Every extra queue is one more thing to operate.",
    "Solution": "Give each message a priority and let consumers take the highest-priority message first, "
    "either from one queue that orders by priority or from one queue per priority level that "
    "consumers poll in order [@{existing}].",
    "Consequences": "### Benefits\n\n- Urgent work waits less.\n\n"
    "### Liabilities\n\n- Low-priority work can starve under sustained load [@{new}].",
    "When not to use it": "When all work is equally urgent, or when starvation of routine work is unacceptable "
    "and capacity cannot be added.",
    "Known uses": "- Task queues that offer per-queue priorities, as described in [@{new}].",
}


def run(cwd: Path, *command: str, ok: bool = True) -> subprocess.CompletedProcess:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    done = subprocess.run(list(command), cwd=cwd, capture_output=True, text=True, env=env, timeout=300)
    if ok:
        assert done.returncode == 0, f"$ {' '.join(command)}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def git(cwd: Path, *args: str) -> None:
    run(cwd, "git", "-c", "user.name=Newcomer", "-c", "user.email=new@example.com", *args)


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    """The site's files, copied and committed as a fresh repository (step 1 of CONTRIBUTING: clone)."""
    root = tmp_path / "archkb"
    root.mkdir()
    config = yaml.load((REPO / "mkdocs.yml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader)  # noqa: S506 - BaseLoader makes only strings, lists and dicts (!ENV read as text)
    custom_dir = (config.get("theme") or {}).get("custom_dir")
    for part in (*SITE_PARTS, *([custom_dir] if custom_dir else [])):
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, root / part)
        elif source.is_file():
            shutil.copy2(source, root / part)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "the site as cloned")
    return root


def existing_reference(root: Path) -> str:
    """A reference already on the reading list, as a contributor would find with `archkb export json`."""
    import json

    data = json.loads(run(root, "archkb", "export", "json").stdout)
    ids = [ref["id"] for ref in data["references"]]
    preferred = "hohpe-woolf-2003-enterprise-integration-patterns"
    return preferred if preferred in ids else ids[0]


def fill_in(text: str, existing: str, new: str) -> str:
    """Step 4 to 8: front matter, a relation, two references, the body under the scaffold's own headings."""
    head, body = re.match(r"^(---\n.*?\n---\n)(.*)$", text, re.S).groups()
    head = re.sub(
        r"^summary: .*$",
        "summary: Let consumers take urgent messages before routine ones, so important work waits less.",
        head,
        flags=re.M,
    )
    head = head.replace("tags: []", "tags: [messaging, asynchronous]")
    head = head.replace(
        "related: []",
        f"related:\n  - pattern: {RELATED}\n    type: refines\n"
        "    note: A task queue whose consumers take urgent work first.",
    )
    head = head.replace("references: []", f"references:\n  - {existing}\n  - {new}")
    head = head.replace("status: draft", "status: published")
    sections = re.findall(r"^## (.+)$", body, re.M)
    new_body = "".join(f"\n## {name}\n\n{BODY[name].format(existing=existing, new=new)}\n" for name in sections)
    return head + new_body


def test_a_newcomer_adds_a_pattern_with_a_relation_and_two_references(clone):
    root = clone
    # Step 3: scaffold.
    made = run(root, "archkb", "new", "pattern", "Work Stealing Queue")
    assert made.stdout.strip() == "patterns/work-stealing-queue.md"
    page = root / "patterns/work-stealing-queue.md"
    assert "status: draft" in page.read_text()
    run(root, "archkb", "validate")  # a fresh draft is valid as it stands

    # Step 6: one new reference through the validating scaffold (and a bad one is refused first).
    refs = root / "references/queues-and-messaging.yml"
    if not refs.exists():
        refs = sorted((root / "references").glob("*.yml"))[0]
    ref_file = refs.relative_to(root).as_posix()
    before = refs.read_bytes()
    add = [
        "archkb",
        "new",
        "reference",
        "--file",
        ref_file,
        "--no-input",
        "--title",
        "Priority Queues in Practice",
        "--author",
        "Ada Example",
        "--year",
        "2021",
        "--kind",
        "article",
        "--summary",
        "How task queues order work by priority, and how low-priority "
        "work starves when urgent work never stops arriving.",
        "--tag",
        "messaging",
    ]
    refused = run(root, *add, "--url", "not-a-url", ok=False)
    assert refused.returncode == 1 and "'url' must be an absolute http:// or https:// URL" in refused.stderr
    assert refs.read_bytes() == before
    added = run(root, *add, "--url", NEW_URL)
    new_id = re.search(r"added reference '([a-z0-9-]+)'", added.stdout).group(1)
    assert new_id == "example-2021-priority-queues-practice"
    assert refs.read_bytes().startswith(before)

    # Steps 4-8: front matter, relation, references, body, published.
    existing = existing_reference(root)
    page.write_text(fill_in(page.read_text(), existing, new_id), encoding="utf-8")

    # Step 9: the checks CI runs.
    checked = run(root, "archkb", "validate")
    assert "no problems" in checked.stderr
    run(root, sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(root / "site"))
    html = (root / "site/patterns/work-stealing-queue/index.html").read_text(encoding="utf-8")
    assert "Work Stealing Queue" in html and "Refines" in html
    assert f'href="../{RELATED}/' in html
    assert NEW_URL in html and "Priority Queues in Practice" in html
    inverse = (root / f"site/patterns/{RELATED}/index.html").read_text(encoding="utf-8")
    assert "Refined by" in inverse and 'href="../work-stealing-queue/' in inverse
    reading_list = (root / "site/reading-list/index.html").read_text(encoding="utf-8")
    assert f'id="ref-{new_id}"' in reading_list

    changed = run(root, "archkb", "changed-links", "--base", "main")
    assert changed.stdout.splitlines() == [NEW_URL]
    # What CI checks, and where it would annotate it: the reference's url line (nothing is sent).
    planned = run(root, "archkb", "check-links", "--changed", "main", "--dump", "--format", "json")
    [link] = json.loads(planned.stdout)["links"]
    assert link["url"] == NEW_URL and link["action"] == "check"
    [source] = link["sources"]
    path, line = source.rsplit(":", 1)
    assert path.startswith("references/") and NEW_URL in (root / path).read_text().splitlines()[int(line) - 1]


def test_contributing_describes_the_steps_this_test_takes():
    text = (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")
    for step in (
        'archkb new pattern "',
        "archkb new reference --file references/",
        "status: draft",
        "status: published",
        "archkb validate",
        "mkdocs serve --livereload",
        "mkdocs build --strict",
        "archkb check-links --changed origin/main",
        "type: refines",
        "[@",
    ):
        assert step in text, step
