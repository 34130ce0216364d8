"""Deprecated: this module moved to :mod:`archkb.linkcheck.changed`; import it from there."""

from __future__ import annotations

import warnings

from .linkcheck.changed import *  # noqa: F403 - the old import path keeps working
from .linkcheck.changed import __all__  # noqa: F401

warnings.warn("archkb.changed_links moved to archkb.linkcheck.changed", DeprecationWarning, stacklevel=2)
