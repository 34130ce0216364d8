"""Which files of a folder a PATH run reads.

``archkb check-links .`` in a repository should read the repository's own pages, not the thousands
of files in ``.venv/``, ``node_modules/`` or a build folder. Below a folder that is named, as
ripgrep and lychee do:

- hidden files and folders (a name starting with ``.``) are left out, unless ``hidden`` is set;
- what git ignores there (``.gitignore``, ``.git/info/exclude``, the global excludes file) is left
  out, unless ``use_ignore`` is off; git itself is asked, so its rules are read exactly. Files that
  git tracks are read even when a pattern matches them, as git does;
- a file or folder whose path (as the report shows it, ``/``-separated, a folder's with a trailing
  ``/``) matches an ``exclude_paths`` regular expression (``re.search``) is left out.

The folder that is named is always read, even when it is hidden or ignored itself (``site/`` is
usually both built and ignored). Without git, or outside a work tree, nothing counts as ignored.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable, Iterable
from pathlib import Path

__all__ = ["walk_files", "ignored_by_git"]


def ignored_by_git(folder: Path) -> tuple[set[str], set[str]] | None:
    """What git ignores below ``folder``: ``(files, folders)`` relative to it, ``/``-separated.

    Returns None when nothing below it counts as ignored: git is missing, ``folder`` is not in a work
    tree, or ``folder`` is itself ignored (then everything in it is read, as it was named).
    """
    try:
        done = subprocess.run(
            ["git", "ls-files", "-z", "--others", "--ignored", "--exclude-standard", "--directory"],  # noqa: S607
            cwd=folder,
            capture_output=True,
            check=False,
            timeout=60,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    entries = [e for e in done.stdout.decode("utf-8", "surrogateescape").split("\0") if e]
    if "./" in entries:  # the folder itself is ignored
        return None
    files = {e for e in entries if not e.endswith("/")}
    folders = {e.rstrip("/") for e in entries if e.endswith("/")}
    return files, folders


def walk_files(
    folder: Path,
    *,
    suffixes: Iterable[str],
    display: Callable[[Path], str],
    exclude_paths: Iterable[str] = (),
    hidden: bool = False,
    use_ignore: bool = True,
) -> list[Path]:
    """The files below ``folder`` whose suffix (lower-cased) is one of ``suffixes``, sorted.

    Args:
        folder: The folder that was named.
        suffixes: The suffixes to keep (``".html"``).
        display: How a path is shown in the report; ``exclude_paths`` are matched against it.
        exclude_paths: Regular expressions (``re.search``) for files and folders to leave out.
        hidden: Also read hidden files and folders.
        use_ignore: Leave out what git ignores.
    """
    wanted = {s.lower() for s in suffixes}
    patterns = [re.compile(p) for p in exclude_paths]
    ignored = ignored_by_git(folder) if use_ignore else None
    ignored_files, ignored_folders = ignored or (set(), set())

    def excluded(path: Path, is_dir: bool) -> bool:
        shown = display(path) + ("/" if is_dir else "")
        return any(p.search(shown) for p in patterns)

    found: list[Path] = []
    for current, dirs, files in os.walk(folder):
        here = Path(current)
        rel = here.relative_to(folder).as_posix()
        prefix = "" if rel == "." else rel + "/"
        dirs[:] = [
            d
            for d in dirs
            if (hidden or not d.startswith("."))
            and prefix + d not in ignored_folders
            and not (patterns and excluded(here / d, True))
        ]
        for name in files:
            if os.path.splitext(name)[1].lower() not in wanted or (not hidden and name.startswith(".")):
                continue
            if prefix + name in ignored_files:
                continue
            path = here / name
            if (patterns and excluded(path, False)) or not path.is_file():  # a broken symbolic link, a socket
                continue
            found.append(path)
    return sorted(found)
