"""A private folder for large generated files, so that a build need not hold them in memory.

A catalog of a thousand patterns generates tens of megabytes of HTML and exports
before the site engine reads any of it. Kept here instead, each piece costs memory
only while it is read back. The folder is created per process and removed when the
build ends (or the process exits).

Two kinds of storage, both chosen to keep file creation (slow on some file systems)
to a handful per build:

* :meth:`SpillFolder.write` / :meth:`SpillFolder.write_with`: a whole file, for
  large exports that the site engine copies as they are;
* :meth:`SpillFolder.keep` / :meth:`SpillFolder.fetch`: byte ranges of one
  append-only store, for the many small HTML blocks that pages take back when they
  are written (see :meth:`archkb.mkdocs.deferred.DeferredHtml.spill`).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import weakref
from pathlib import Path
from typing import Callable, TextIO

__all__ = ["SpillFolder", "SPILL_THRESHOLD"]

SPILL_THRESHOLD = 64 * 1024
"""Generated files at least this many characters long are written to disk rather than kept in memory."""


def _cleanup(path: str, fd: int) -> None:
    try:
        os.close(fd)
    except OSError:
        pass
    shutil.rmtree(path, ignore_errors=True)


class SpillFolder:
    """A temporary folder of generated files and a store of byte ranges.

    Attributes:
        path: The folder.
        writes: Whole files written since creation (unchanged files are not rewritten).
        kept: Bytes appended to the store since creation.
    """

    def __init__(self, prefix: str = "archkb-") -> None:
        self.path = Path(tempfile.mkdtemp(prefix=prefix))
        self.writes = 0
        self.kept = 0
        self._digests: dict[str, bytes] = {}
        self._store = os.open(self.path / ".store", os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
        self._finalizer = weakref.finalize(self, _cleanup, str(self.path), self._store)

    def write(self, uri: str, content: str | bytes) -> Path:
        """Store ``content`` (text, or the bytes of a binary file) as the file ``uri`` (a site path such as
        ``exports/x.json``); return its path."""
        data = content.encode("utf-8") if isinstance(content, str) else content
        digest = hashlib.blake2b(data, digest_size=16).digest()
        path = self.path / uri
        if self._digests.get(uri) != digest or not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            self._digests[uri] = digest
            self.writes += 1
        return path

    def write_with(self, uri: str, writer: Callable[[TextIO], None]) -> Path:
        """Store the file ``uri`` by letting ``writer`` stream its text into it; return its path.

        For large exports: the text never exists in memory as a whole. The file is
        always rewritten.
        """
        path = self.path / uri
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8", newline="") as out:
            writer(out)
        self._digests.pop(uri, None)
        self.writes += 1
        return path

    def keep(self, data: bytes) -> int:
        """Append ``data`` to the store; return its offset for :meth:`fetch`."""
        offset = self.kept
        view = memoryview(data)
        while view:
            view = view[os.write(self._store, view):]
        self.kept += len(data)
        return offset

    def fetch(self, offset: int, size: int) -> bytes:
        """Read back ``size`` bytes kept at ``offset``.

        Raises:
            OSError: When the folder has been removed meanwhile.
        """
        if self.removed:
            raise OSError(2, "the spill folder was removed")
        return os.pread(self._store, size, offset)

    def remove(self) -> None:
        """Delete the folder and everything in it."""
        self._finalizer()

    @property
    def removed(self) -> bool:
        """Whether the folder has been deleted."""
        return not self._finalizer.alive
