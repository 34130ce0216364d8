"""Deprecated: this module moved to :mod:`archkb.site.incremental`; import it from there."""

from __future__ import annotations

import warnings

from .site.incremental import *  # noqa: F403 - the old import path keeps working
from .site.incremental import __all__  # noqa: F401

warnings.warn("archkb.incremental moved to archkb.site.incremental", DeprecationWarning, stacklevel=2)
