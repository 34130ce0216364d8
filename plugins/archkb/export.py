"""Deprecated: this module moved to :mod:`archkb.exports.json`; import it from there."""

from __future__ import annotations

import warnings

from .exports.json import *  # noqa: F403 - the old import path keeps working
from .exports.json import __all__  # noqa: F401

warnings.warn("archkb.export moved to archkb.exports.json", DeprecationWarning, stacklevel=2)
