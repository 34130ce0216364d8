"""Deprecated: this module moved to :mod:`archkb.exports.feed`; import it from there."""

from __future__ import annotations

import warnings

from .exports.feed import *  # noqa: F403 - the old import path keeps working
from .exports.feed import __all__  # noqa: F401

warnings.warn("archkb.feed moved to archkb.exports.feed", DeprecationWarning, stacklevel=2)
