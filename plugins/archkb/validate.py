"""Deprecated: this module moved to :mod:`archkb.catalog.validate`; import it from there."""

from __future__ import annotations

import warnings

from .catalog.validate import *  # noqa: F403 - the old import path keeps working
from .catalog.validate import __all__  # noqa: F401

warnings.warn("archkb.validate moved to archkb.catalog.validate", DeprecationWarning, stacklevel=2)
