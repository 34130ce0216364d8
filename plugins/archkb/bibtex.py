"""Deprecated: this module moved to :mod:`archkb.exports.bibtex`; import it from there."""

from __future__ import annotations

import warnings

from .exports.bibtex import *  # noqa: F403 - the old import path keeps working
from .exports.bibtex import __all__  # noqa: F401

warnings.warn("archkb.bibtex moved to archkb.exports.bibtex", DeprecationWarning, stacklevel=2)
