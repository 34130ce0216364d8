"""Deprecated: this module moved to :mod:`archkb.mkdocs.docs_fragments`; import it from there."""

from __future__ import annotations

import warnings

from .mkdocs.docs_fragments import *  # noqa: F403 - the old import path keeps working
from .mkdocs.docs_fragments import __all__  # noqa: F401

warnings.warn("archkb.docs_fragments moved to archkb.mkdocs.docs_fragments", DeprecationWarning, stacklevel=2)


if __name__ == "__main__":
    import sys

    from .mkdocs.docs_fragments import main as _main

    sys.exit(_main())
