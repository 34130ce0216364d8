"""Deprecated: this module moved to :mod:`archkb.catalog.cache`; import it from there."""

from __future__ import annotations

import warnings

from .catalog.cache import *  # noqa: F403 - the old import path keeps working
from .catalog.cache import __all__  # noqa: F401

warnings.warn("archkb.cache moved to archkb.catalog.cache", DeprecationWarning, stacklevel=2)
