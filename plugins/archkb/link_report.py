"""Deprecated: this module moved to :mod:`archkb.linkcheck.project`; import it from there."""

from __future__ import annotations

import warnings

from .linkcheck.project import *  # noqa: F403 - the old import path keeps working
from .linkcheck.project import __all__  # noqa: F401

warnings.warn("archkb.link_report moved to archkb.linkcheck.project", DeprecationWarning, stacklevel=2)
