"""`mkdocs serve --livereload` works offline: it serves the site and rebuilds when a pattern changes."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import pattern_text

STARTUP_SECONDS = 60
RELOAD_SECONDS = 30


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - a local test server
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, ""


def wait_for(url: str, predicate, seconds: float, proc: subprocess.Popen) -> str:
    """Poll ``url`` until ``predicate(html)`` holds; fail with the server's output otherwise."""
    deadline = time.monotonic() + seconds
    last = ""
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            status, last = fetch(url)
            if status == 200 and predicate(last):
                return last
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)
    proc.terminate()
    output = proc.communicate(timeout=10)[0]
    pytest.fail(f"{url} did not become ready within {seconds}s; server output:\n{output[-3000:]}")


@pytest.fixture
def served(site):
    """`mkdocs serve --livereload` on the fixture site, on a free local port, with no network needed."""
    port = free_port()
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    proc = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "--livereload", "-a", f"127.0.0.1:{port}"],
        cwd=site.root,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        start_new_session=True,
    )
    try:
        yield site, f"http://127.0.0.1:{port}", proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGINT)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)
        if proc.stdout:
            proc.stdout.close()


def test_serve_livereload_serves_and_rebuilds_on_pattern_edit(served):
    site, base, proc = served
    home = wait_for(f"{base}/", lambda html: "Fixture KB" in html, STARTUP_SECONDS, proc)
    assert "livereload" in home  # the reload script is injected: live reload is on
    page = wait_for(f"{base}/patterns/alpha/", lambda html: "Alpha does one thing well." in html, 10, proc)
    assert "Related patterns" in page

    site.write(
        "patterns/alpha.md", pattern_text("Alpha", summary="Alpha was edited while serving.", refs=("ref-a", "ref-b"))
    )
    edited = wait_for(
        f"{base}/patterns/alpha/", lambda html: "Alpha was edited while serving." in html, RELOAD_SECONDS, proc
    )
    assert "Alpha does one thing well." not in edited

    # References live outside docs/ too: editing them rebuilds the reading list.
    refs = site.root / "references/testing.yml"
    refs.write_text(
        refs.read_text().replace(
            "The second reference, about compilers.", "The second reference, edited while serving."
        )
    )
    wait_for(f"{base}/reading-list/", lambda html: "edited while serving" in html, RELOAD_SECONDS, proc)
    assert proc.poll() is None


def test_the_documented_command_is_the_tested_one():
    repo = Path(__file__).resolve().parent.parent
    for doc in ("CONTRIBUTING.md", "README.md"):
        assert "mkdocs serve --livereload" in (repo / doc).read_text(encoding="utf-8"), doc
