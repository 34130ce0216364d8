"""Deprecated: this module was split into :mod:`archkb.map.layout`, :mod:`archkb.map.svg`."""

from __future__ import annotations

import warnings

from .map.layout import *  # noqa: F403
from .map.svg import *  # noqa: F403

warnings.warn("archkb.mapsvg was split into archkb.map.layout, archkb.map.svg", DeprecationWarning, stacklevel=2)
