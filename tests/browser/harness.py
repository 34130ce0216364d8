"""Browser harness: build the real site, serve it on 127.0.0.1, drive Debian's Chromium with Playwright.

Used by the browser test suite (``tests/browser/``) and by ``scripts/screenshots.py``, so that the
screenshots in the README come from exactly the pages the tests check.

Nothing here touches the network: the site is served from a local thread, and every request a page
makes to any other host is recorded and aborted (see :class:`PageWatch`).
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[2]
"""The repository root (the directory holding ``mkdocs.yml``)."""

CHROMIUM_PATH = Path("/usr/bin/chromium")
"""Debian's ``chromium`` package: the only browser these tests drive."""

CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)
"""Command-line switches: run as root in a container, quietly, and without talking to any service."""

AXE_PATH = REPO / "node_modules" / "axe-core" / "axe.min.js"
"""axe-core, installed from npm by ``scripts/install-system-deps.sh``."""

INSTALL_HINT = "run `bash scripts/install-system-deps.sh` (as root) to install it"

LOCAL_HOSTS = frozenset({"127.0.0.1"})
"""Hosts a page may request; anything else is an external request and a failure."""


class HarnessError(RuntimeError):
    """A prerequisite of the browser harness is missing or the site failed to build."""


def check_prerequisites() -> None:
    """Fail early, with the fix in the message, when Chromium, axe-core or Playwright is missing.

    Raises:
        HarnessError: Naming what is missing and how to install it.
    """
    missing = []
    if not (CHROMIUM_PATH.is_file() and os.access(CHROMIUM_PATH, os.X_OK)):
        missing.append(f"Chromium not found at {CHROMIUM_PATH}: {INSTALL_HINT}")
    if not AXE_PATH.is_file():
        missing.append(f"axe-core not found at {AXE_PATH.relative_to(REPO)}: {INSTALL_HINT}")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the Python package 'playwright' is not installed: pip install -r requirements-dev.txt")
    if missing:
        raise HarnessError("; ".join(missing))


_BUILD_AT_URL = """\
import sys
from mkdocs.commands.build import build
from mkdocs.config import load_config
cfg = load_config(config_file=sys.argv[1], site_dir=sys.argv[2], site_url=sys.argv[3])
cfg.plugins.on_startup(command="build", dirty=False)
try:
    build(cfg)
finally:
    cfg.plugins.on_shutdown()
"""


PUBLISHED_ADDRESSES = {"REPO_URL": "https://github.com/example-org/archkb", "EDIT_URI": "edit/main/docs/"}
"""What the Pages workflow adds to a build (docs/reference/platform.md, "Addresses"), with a made-up repository."""


def build_site(
    site_dir: Path, *, config_file: Path = REPO / "mkdocs.yml", site_url: str | None = None, published: bool = True
) -> Path:
    """Build the real site with ``mkdocs build`` into ``site_dir``.

    The build is not strict: content problems are the validator's business, not the browser's.

    Args:
        site_dir: Where to write the HTML.
        config_file: The MkDocs configuration to build.
        site_url: Build for this ``site_url`` instead of the configured one: where the tests serve
            the site, so that Material's instant navigation (which only takes over links to URLs
            of the sitemap, port included) runs as it does for readers.
        published: Build as the Pages workflow does, with a repository link and "edit this page"
            buttons (:data:`PUBLISHED_ADDRESSES`, unless the environment sets them), so the tests
            check what readers of the published site get, including that the repository link
            asks no API for stars and forks.

    Returns:
        ``site_dir``.

    Raises:
        HarnessError: When the build fails, with its output.
    """
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    if published:
        env = {**PUBLISHED_ADDRESSES, **env}
    if site_url is None:
        command = [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--quiet",
            "--config-file",
            str(config_file),
            "--site-dir",
            str(site_dir),
        ]
    else:
        command = [sys.executable, "-c", _BUILD_AT_URL, str(config_file), str(site_dir), site_url]
    proc = subprocess.run(command, cwd=config_file.parent, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0 or not (site_dir / "index.html").is_file():
        raise HarnessError(f"mkdocs build failed (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return site_dir


class _SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Static file handler for a site hosted under a path prefix (``/archkb/``), without an access log."""

    prefix = "/"

    def translate_path(self, path: str) -> str:
        """Map ``<prefix>rest`` to ``<site_dir>/rest``; anything outside the prefix maps to nothing (404)."""
        if not path.startswith(self.prefix):
            return os.path.join(self.directory, ".outside-site-prefix", "missing")
        return super().translate_path("/" + path[len(self.prefix) :])

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        """Discard the access log."""


def site_url_path(config_file: Path = REPO / "mkdocs.yml") -> str:
    """The path part of ``site_url`` in the MkDocs configuration (``/archkb/``), or ``/``.

    Pages that MkDocs renders with absolute URLs (the 404 page) only work when the site is served there.
    """
    text = config_file.read_text(encoding="utf-8")
    match = re.search(r"^site_url:\s*[\"']?([^\s\"'#]+)", text, flags=re.MULTILINE)
    path = urlsplit(match.group(1)).path if match else "/"
    return "/" + path.strip("/") + "/" if path.strip("/") else "/"


@contextlib.contextmanager
def serve(site_dir: Path, prefix: str | None = None) -> Iterator[str]:
    """Serve ``site_dir`` over HTTP on 127.0.0.1 and a free port, in a background thread.

    Args:
        site_dir: The built site.
        prefix: URL path the site lives under, as in its ``site_url``; defaults to :func:`site_url_path`.

    Yields:
        The base URL, ending in ``/`` (``http://127.0.0.1:<port>/archkb/``).
    """
    prefix = site_url_path() if prefix is None else prefix
    handler_class = type("SiteHandler", (_SiteHandler,), {"prefix": prefix})
    handler = functools.partial(handler_class, directory=str(site_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def launch_chromium(playwright: Any) -> Any:
    """Launch Debian's Chromium, headless, through Playwright.

    Playwright gives every ``launch`` a new temporary user-data directory, so no profile state
    leaks between runs; each test then gets its own browser context.

    Args:
        playwright: The object returned by ``sync_playwright().start()``.

    Returns:
        A Playwright ``Browser``.
    """
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM_PATH),
        headless=True,
        args=list(CHROMIUM_ARGS),
    )


@dataclass
class PageWatch:
    """What a browser context did that a reader would not want: console errors and external requests.

    Attach with :meth:`attach`; every request to a host outside :data:`LOCAL_HOSTS` is recorded and
    aborted, so a test never reaches the real network even when the site tries to.
    """

    console_errors: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)

    def attach(self, context: Any) -> PageWatch:
        """Start watching a Playwright ``BrowserContext`` (all its current and future pages)."""
        context.route(re.compile(r".*"), self._route)
        context.on("page", self._watch_page)
        for page in context.pages:
            self._watch_page(page)
        return self

    def _route(self, route: Any) -> None:
        url = route.request.url
        scheme = urlsplit(url).scheme
        host = urlsplit(url).hostname or ""
        if scheme in ("http", "https", "ws", "wss") and host not in LOCAL_HOSTS:
            self.external_requests.append(url)
            route.abort("blockedbyclient")
        else:
            route.continue_()

    def _watch_page(self, page: Any) -> None:
        def on_console(message: Any) -> None:
            if message.type == "error":
                location = message.location or {}
                self.console_errors.append(f"{message.text} ({location.get('url', '?')})")

        page.on("console", on_console)
        page.on("pageerror", lambda error: self.console_errors.append(f"uncaught: {error}"))

    def clear(self) -> None:
        """Forget what was recorded so far."""
        self.console_errors.clear()
        self.external_requests.clear()


def new_context(browser: Any, *, color_scheme: str = "light", width: int = 1280, height: int = 900) -> Any:
    """Open a fresh browser context (own storage, own cookies) with a fixed viewport.

    Args:
        browser: A Playwright ``Browser``.
        color_scheme: ``"light"`` or ``"dark"``: the ``prefers-color-scheme`` the pages see.
        width: Viewport width in CSS pixels.
        height: Viewport height in CSS pixels.

    Returns:
        A Playwright ``BrowserContext``.
    """
    return browser.new_context(
        viewport={"width": width, "height": height},
        color_scheme=color_scheme,
        service_workers="block",
        reduced_motion="reduce",
    )


def run_axe(page: Any) -> list[dict[str, Any]]:
    """Run axe-core on the page as it stands and return its violations.

    Args:
        page: A loaded Playwright ``Page``.

    Returns:
        axe-core's ``violations`` list (each with ``id``, ``impact``, ``help`` and ``nodes``).
    """
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_PATH))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return result["violations"]


def describe_violations(violations: list[dict[str, Any]]) -> str:
    """Render axe-core violations as readable lines: rule, impact, help, and the first offending nodes."""
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    {', '.join(map(str, node['target']))}: {summary[:300]}")
        if len(violation["nodes"]) > 5:
            lines.append(f"    ... and {len(violation['nodes']) - 5} more")
    return "\n".join(lines)


def set_dark_scheme(page: Any) -> None:
    """Switch Material's palette to the dark (``slate``) scheme with its toggle, as a reader would.

    Falls back to ``prefers-color-scheme: dark`` emulation, which Material follows on first visit.
    Waits until ``<body data-md-color-scheme="slate">``.
    """
    if page.get_attribute("body", "data-md-color-scheme") == "slate":
        return
    toggle = page.locator("form[data-md-component='palette'] label:visible").first
    if toggle.count():
        toggle.click()
    else:
        page.emulate_media(color_scheme="dark")
        page.reload()
    page.wait_for_function("() => document.body.getAttribute('data-md-color-scheme') === 'slate'")
