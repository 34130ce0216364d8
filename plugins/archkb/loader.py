"""Deprecated: this module moved to :mod:`archkb.catalog.loader`; import it from there."""

from __future__ import annotations

import warnings

from .catalog.loader import *  # noqa: F403 - the old import path keeps working
from .catalog.loader import __all__  # noqa: F401

warnings.warn("archkb.loader moved to archkb.catalog.loader", DeprecationWarning, stacklevel=2)
