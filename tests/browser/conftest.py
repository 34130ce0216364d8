"""Fixtures for the browser tests: the real site, built once, served on 127.0.0.1, in headless Chromium.

Every test here is marked ``browser``. None is skipped: when Chromium or axe-core is missing the tests
fail and say to run ``bash scripts/install-system-deps.sh``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .harness import (
    REPO,
    HarnessError,
    PageWatch,
    build_site,
    check_prerequisites,
    launch_chromium,
    new_context,
    serve,
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test under ``tests/browser/`` as ``browser`` (``-m "not browser"`` deselects them)."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def served_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """The real site (this repository's ``mkdocs.yml``), built once per session for the URL it is served at.

    The server starts first, so the build knows its address: with ``site_url`` pointing there, the
    theme's instant navigation works in the tests as it does on the published site.
    """
    site = tmp_path_factory.mktemp("browser-site") / "site"
    site.mkdir()
    with serve(site) as url:
        try:
            build_site(site, site_url=url)
        except HarnessError as error:
            pytest.fail(str(error), pytrace=False)
        yield site, url


@pytest.fixture(scope="session")
def site_dir(served_site: tuple[Path, str]) -> Path:
    """The built site's folder."""
    return served_site[0]


@pytest.fixture(scope="session")
def base_url(served_site: tuple[Path, str]) -> str:
    """Base URL (``http://127.0.0.1:<port>/archkb/``) of the built site, served by a local thread."""
    return served_site[1]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, launched once per session through Playwright."""
    try:
        check_prerequisites()
    except HarnessError as error:
        pytest.fail(f"browser tests cannot run: {error}", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        try:
            chromium = launch_chromium(playwright)
        except Exception as error:  # noqa: BLE001 - any launch failure means the same fix
            pytest.fail(
                f"could not launch /usr/bin/chromium ({error}); run `bash scripts/install-system-deps.sh`",
                pytrace=False,
            )
        yield chromium
        chromium.close()


class Visit:
    """One test's browser context, its page and what it watched (console errors, external requests)."""

    def __init__(self, browser: Any, base_url: str, color_scheme: str = "light") -> None:
        """Open a fresh context and page on the served site."""
        self.base_url = base_url
        self.context = new_context(browser, color_scheme=color_scheme)
        self.context.set_default_timeout(10_000)
        self.watch = PageWatch().attach(self.context)
        self.page = self.context.new_page()

    def goto(self, path: str) -> Any:
        """Open ``path`` (relative to the site root) and wait until the page has settled.

        Fails the test when the server answers with an error status.
        """
        response = self.page.goto(self.base_url + path.lstrip("/"), wait_until="networkidle")
        assert response is not None and response.ok, f"GET /{path} answered {response and response.status}"
        return response

    def url_path(self) -> str:
        """The current page's path relative to the site root (``patterns/x/``)."""
        return re.sub(r"[?#].*$", "", self.page.url[len(self.base_url) :])

    def close(self) -> None:
        """Close the context and everything in it."""
        self.context.close()


@pytest.fixture
def visit(browser: Any, base_url: str) -> Iterator[Visit]:
    """A fresh light-scheme browser context on the served site; fails the test on any external request."""
    v = Visit(browser, base_url)
    yield v
    external = list(v.watch.external_requests)
    v.close()
    assert not external, f"the site made external requests: {external}"


@pytest.fixture(scope="session")
def pattern_slugs() -> list[str]:
    """Slugs of the catalog's patterns (``patterns/*.md`` in the repository), sorted."""
    slugs = sorted(path.stem for path in (REPO / "patterns").glob("*.md"))
    assert slugs, "the repository has no patterns/*.md"
    return slugs


@pytest.fixture(scope="session")
def sample_pattern(pattern_slugs: list[str]) -> str:
    """The pattern page the tests open: circuit-breaker when present, else the first pattern."""
    return "circuit-breaker" if "circuit-breaker" in pattern_slugs else pattern_slugs[0]
