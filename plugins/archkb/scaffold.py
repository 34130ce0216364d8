"""Deprecated: this module moved to :mod:`archkb.cli.scaffold`; import it from there."""

from __future__ import annotations

import warnings

from .cli.scaffold import *  # noqa: F403 - the old import path keeps working
from .cli.scaffold import __all__  # noqa: F401

warnings.warn("archkb.scaffold moved to archkb.cli.scaffold", DeprecationWarning, stacklevel=2)
