"""Deprecated: this module moved to :mod:`archkb.catalog.yamlload`; import it from there."""

from __future__ import annotations

import warnings

from .catalog.yamlload import *  # noqa: F403 - the old import path keeps working
from .catalog.yamlload import __all__  # noqa: F401

warnings.warn("archkb.yamlload moved to archkb.catalog.yamlload", DeprecationWarning, stacklevel=2)
