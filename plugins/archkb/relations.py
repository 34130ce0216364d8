"""Deprecated: this module moved to :mod:`archkb.catalog.relations`; import it from there."""

from __future__ import annotations

import warnings

from .catalog.relations import *  # noqa: F403 - the old import path keeps working
from .catalog.relations import __all__  # noqa: F401

warnings.warn("archkb.relations moved to archkb.catalog.relations", DeprecationWarning, stacklevel=2)
