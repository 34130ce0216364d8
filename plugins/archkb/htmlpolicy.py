"""Deprecated: this module moved to :mod:`archkb.safety.htmlpolicy`; import it from there."""

from __future__ import annotations

import warnings

from .safety.htmlpolicy import *  # noqa: F403 - the old import path keeps working
from .safety.htmlpolicy import __all__  # noqa: F401

warnings.warn("archkb.htmlpolicy moved to archkb.safety.htmlpolicy", DeprecationWarning, stacklevel=2)
