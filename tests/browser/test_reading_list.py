"""The reading-list filter narrows the list in place."""

from __future__ import annotations

from .conftest import Visit

VISIBLE_JS = """
() => Array.from(document.querySelectorAll('.archkb-ref'))
  .filter((el) => el.offsetParent !== null || el.getClientRects().length > 0)
  .map((el) => ({id: el.id, kind: el.dataset.kind || '', year: el.dataset.year || '', tags: el.dataset.tags || ''}))
"""


def test_kind_filter_narrows_the_list(visit: Visit) -> None:
    """Choosing a kind hides the entries of other kinds and keeps the ones of that kind."""
    visit.goto("reading-list/")
    page = visit.page
    before = page.evaluate(VISIBLE_JS)
    assert before, "the reading list shows no .archkb-ref entries"
    control = page.locator("#archkb-filter-kind")
    assert control.count() == 1, "the reading list has no #archkb-filter-kind control"
    assert control.evaluate("(el) => el.tagName") == "SELECT", "#archkb-filter-kind is expected to be a <select>"

    kinds = sorted({entry["kind"] for entry in before if entry["kind"]})
    values = [v for v in control.evaluate("(el) => Array.from(el.options).map((o) => o.value)") if v in kinds]
    assert values, f"#archkb-filter-kind offers none of the listed kinds {kinds}"
    # The least common kind narrows the list the most.
    kind = min(values, key=lambda v: sum(entry["kind"] == v for entry in before))
    control.select_option(kind)
    page.wait_for_function(
        "(n) => Array.from(document.querySelectorAll('.archkb-ref'))"
        ".filter((el) => el.getClientRects().length > 0).length < n",
        arg=len(before),
    )
    after = page.evaluate(VISIBLE_JS)
    expected = {entry["id"] for entry in before if entry["kind"] == kind}
    assert 0 < len(after) < len(before)
    assert {entry["id"] for entry in after} == expected, f"filtering by kind {kind!r} showed the wrong entries"
    assert not visit.watch.console_errors, visit.watch.console_errors
