"""Deprecated: this module was split into :mod:`archkb.safety.bodies`, :mod:`archkb.mkdocs.markdown`."""

from __future__ import annotations

import warnings

from .mkdocs.markdown import *  # noqa: F403
from .safety.bodies import *  # noqa: F403

warnings.warn(
    "archkb.bodycheck was split into archkb.safety.bodies, archkb.mkdocs.markdown", DeprecationWarning, stacklevel=2
)
