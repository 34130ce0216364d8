"""Deprecated: this module moved to :mod:`archkb.site.health`; import it from there."""

from __future__ import annotations

import warnings

from .site.health import *  # noqa: F403 - the old import path keeps working
from .site.health import __all__  # noqa: F401

warnings.warn("archkb.health moved to archkb.site.health", DeprecationWarning, stacklevel=2)
