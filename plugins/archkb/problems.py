"""Deprecated: this module moved to :mod:`archkb.catalog.problems`; import it from there."""

from __future__ import annotations

import warnings

from .catalog.problems import *  # noqa: F403 - the old import path keeps working
from .catalog.problems import __all__  # noqa: F401

warnings.warn("archkb.problems moved to archkb.catalog.problems", DeprecationWarning, stacklevel=2)
