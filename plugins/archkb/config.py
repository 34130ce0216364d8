"""Deprecated: this module moved to :mod:`archkb.mkdocs.config`; import it from there."""

from __future__ import annotations

import warnings

from .mkdocs.config import *  # noqa: F403 - the old import path keeps working
from .mkdocs.config import __all__  # noqa: F401

warnings.warn("archkb.config moved to archkb.mkdocs.config", DeprecationWarning, stacklevel=2)
