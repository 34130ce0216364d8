"""Deprecated: this module moved to :mod:`archkb.mkdocs.plugin`; import it from there."""

from __future__ import annotations

import warnings

from .mkdocs.plugin import *  # noqa: F403 - the old import path keeps working
from .mkdocs.plugin import __all__  # noqa: F401

warnings.warn("archkb.plugin moved to archkb.mkdocs.plugin", DeprecationWarning, stacklevel=2)
