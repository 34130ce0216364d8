"""The EPUB book of a one-off MkDocs build, made by a worker process while MkDocs renders the pages.

The book converts every pattern body again, for XHTML; at a thousand patterns that is as
much work as a third of the build. A one-off build therefore runs ``archkb export epub`` in
a second process as soon as the catalog is known, and writes its result over the
placeholder MkDocs wrote, when the build is done; on a machine with two cores the book
costs the build almost no time. ``mkdocs serve`` keeps the book in process instead, where
its cache re-renders only the chapters an edit touched.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

__all__ = ["BookWorker"]

_RUN_CLI = "import sys; from archkb.cli import main; sys.argv[0] = 'archkb'; main()"


class BookWorker:
    """Builds ``exports/archkb.epub`` for a project in a child process.

    Args:
        root: The project folder.
        report: The link report whose link states the book shows.
    """

    def __init__(self, root: Path, report: Path) -> None:
        self._folder = Path(tempfile.mkdtemp(prefix="archkb-book-"))
        self.output = self._folder / "archkb.epub"
        command = [sys.executable, "-c", _RUN_CLI, "export", "epub", "--root", str(root), "--output", str(self.output)]
        if report.is_file():
            command += ["--report", str(report)]
        self._process = subprocess.Popen(  # noqa: S603 - our own command, with fixed arguments
            command, cwd=root, env=dict(os.environ), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )

    def finish(self, target: Path, timeout: float = 900) -> str | None:
        """Wait for the book and move it to ``target``; return why it failed, or ``None``."""
        try:
            _, errors = self._process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.communicate()
            return f"it took longer than {timeout:g} s"
        try:
            if self._process.returncode != 0 or not self.output.is_file():
                return (errors or "").strip().splitlines()[-1:][0] if (errors or "").strip() else "no book was written"
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(self.output), target)
            return None
        finally:
            shutil.rmtree(self._folder, ignore_errors=True)

    def cancel(self) -> None:
        """Stop the worker (a build that failed) and remove its folder."""
        if self._process.poll() is None:
            self._process.kill()
            self._process.communicate()
        shutil.rmtree(self._folder, ignore_errors=True)
