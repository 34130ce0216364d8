"""Deprecated: this module moved to :mod:`archkb.site.spill`; import it from there."""

from __future__ import annotations

import warnings

from .site.spill import *  # noqa: F403 - the old import path keeps working
from .site.spill import __all__  # noqa: F401

warnings.warn("archkb.spill moved to archkb.site.spill", DeprecationWarning, stacklevel=2)
