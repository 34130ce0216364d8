"""Deprecated: this module moved to :mod:`archkb.catalog.model`; import it from there."""

from __future__ import annotations

import warnings

from .catalog.model import *  # noqa: F403 - the old import path keeps working
from .catalog.model import __all__  # noqa: F401

warnings.warn("archkb.model moved to archkb.catalog.model", DeprecationWarning, stacklevel=2)
