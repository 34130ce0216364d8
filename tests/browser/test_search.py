"""Material's search finds a pattern by a word that only its body contains."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from archkb.catalog.yamlload import split_front_matter

from .conftest import Visit
from .harness import REPO

WORD = re.compile(r"(?<![\w@/.-])[a-z]{8,}(?![\w/-])")


def body_words(path: Path) -> tuple[set[str], set[str]]:
    """Words (lower-case, 8+ letters) of a pattern's Markdown body, and of its front matter.

    Citation keys (``[@id]``), link targets and code are left out: search does not index them as prose.
    """
    parts = split_front_matter(path.read_text(encoding="utf-8"))
    body = parts.body
    body = re.sub(r"\[@[^\]]*\]", " ", body)
    body = re.sub(r"\]\([^)]*\)", "] ", body)
    body = re.sub(r"`[^`]*`", " ", body)
    return set(WORD.findall(body)), set(WORD.findall((parts.yaml_text or "").lower()))


def distinctive_word(patterns_dir: Path, slug: str) -> str:
    """A word from the body of ``slug`` that no other pattern uses and its front matter does not hold.

    Raises:
        AssertionError: When the pattern has no such word.
    """
    words = {path.stem: body_words(path) for path in sorted(patterns_dir.glob("*.md"))}
    counts = Counter(word for body, _ in words.values() for word in body)
    body, front = words[slug]
    candidates = sorted(word for word in body if counts[word] == 1 and word not in front)
    assert candidates, f"patterns/{slug}.md has no body word that other patterns lack"
    return candidates[0]


def test_search_finds_pattern_by_body_word(visit: Visit, sample_pattern: str) -> None:
    """Typing a word from the body into the search box lists a result that links to the pattern."""
    word = distinctive_word(REPO / "patterns", sample_pattern)
    visit.goto("")
    page = visit.page
    query = page.locator("input.md-search__input")
    if not query.is_visible():  # narrow layouts hide the box behind a header button
        page.locator("label.md-header__button[for='__search']").click()
    query.click()
    query.press_sequentially(word, delay=10)  # Material listens to key events, not to fill()
    result = page.locator(
        f".md-search-result__item a[href*='/patterns/{sample_pattern}/']", has=page.locator("mark", has_text=word)
    ).first
    result.wait_for(state="visible")
    result.click()
    page.wait_for_url(re.compile(rf"/patterns/{re.escape(sample_pattern)}/"))
    # The page's own heading: with instant navigation the search results (articles with an
    # <h1> each) stay in the document, hidden, and the new page is swapped in after the URL.
    page.locator(".md-content article h1").first.wait_for(state="visible")
