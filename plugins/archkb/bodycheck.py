"""Deprecated: this module was split into :mod:`archkb.safety.bodies`, :mod:`archkb.mkdocs.markdown`."""

from __future__ import annotations

import warnings

from .safety.bodies import *  # noqa: F401,F403
from .mkdocs.markdown import *  # noqa: F401,F403

warnings.warn("archkb.bodycheck was split into archkb.safety.bodies, archkb.mkdocs.markdown", DeprecationWarning, stacklevel=2)
