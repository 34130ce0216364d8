"""Scaffolding new contributions from the page template."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path

from .model import TEMPLATE_SECTIONS

__all__ = ["slugify", "pattern_template", "new_pattern", "ScaffoldError"]


class ScaffoldError(Exception):
    """A scaffold that cannot be written (bad title, file exists)."""


def slugify(title: str) -> str:
    """Turn a title into a slug: ``"Some Title!"`` gives ``some-title``."""
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


_GUIDANCE = {
    "Context": "Where does this problem come up? Describe the situation and the system around it.",
    "Problem": "State the problem in one or two sentences, as a question if that helps.",
    "Forces": "- A force in tension with another.\n- Another force.",
    "Solution": "Describe the solution, specifically enough that a team could apply it.",
    "Consequences": "### Benefits\n\n- What gets better.\n\n### Liabilities\n\n- What it costs, what gets harder.",
    "When not to use it": "Name the situations where this pattern does more harm than good.",
    "Known uses": "- A system that uses it, with its source cited inline as [@reference-id].",
}


def pattern_template(title: str, *, today: dt.date | None = None) -> str:
    """Return the Markdown of a new draft pattern called ``title``."""
    today = today or dt.date.today()
    safe_title = title.replace('"', "'").strip()
    head = (
        "---\n"
        f'title: "{safe_title}"\n'
        f'summary: "One sentence on what {safe_title} does and when to use it."\n'
        "tags: []\n"
        "related: []\n"
        "references: []\n"
        "status: draft\n"
        f"added: {today.isoformat()}\n"
        "---\n"
    )
    body = "".join(f"\n## {section}\n\n{_GUIDANCE[section]}\n" for section in TEMPLATE_SECTIONS)
    return head + body


def new_pattern(root: Path | str, title: str, *, patterns_dir: str = "patterns") -> Path:
    """Write ``patterns/<slug>.md`` from the template, marked as a draft.

    Raises:
        ScaffoldError: When the title has no usable characters or the file exists.
    """
    slug = slugify(title)
    if not slug:
        raise ScaffoldError(f"the title {title!r} has no letters or digits to make a file name from")
    folder = Path(root) / patterns_dir
    path = folder / f"{slug}.md"
    if path.exists():
        raise ScaffoldError(f"{path.relative_to(root).as_posix()} already exists; pick another title "
                            "or edit that file")
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(pattern_template(title), encoding="utf-8")
    return path
