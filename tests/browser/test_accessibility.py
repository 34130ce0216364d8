"""axe-core finds no serious or critical accessibility violations, in the light and the dark scheme."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Visit
from .harness import describe_violations, run_axe

BLOCKING_IMPACTS = {"serious", "critical"}

PAGES = {
    "home": "",
    "pattern": None,  # the sample pattern, filled in by the test
    "reading-list": "reading-list/",
    "map": "map/",
    "link-health": "link-health/",
    "paths": "paths/",
}


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", list(PAGES))
def test_no_serious_axe_violations(browser: Any, base_url: str, sample_pattern: str, name: str, scheme: str) -> None:
    """axe-core, injected into the served page, reports nothing serious or critical."""
    path = PAGES[name] if PAGES[name] is not None else f"patterns/{sample_pattern}/"
    visit = Visit(browser, base_url, color_scheme=scheme)
    try:
        visit.goto(path)
        expected = "slate" if scheme == "dark" else "default"
        assert visit.page.get_attribute("body", "data-md-color-scheme") == expected
        violations = run_axe(visit.page)
        external = list(visit.watch.external_requests)
    finally:
        visit.close()
    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"/{path} ({scheme}) has axe-core violations:\n{describe_violations(blocking)}"
    assert not external, f"/{path} made external requests: {external}"
