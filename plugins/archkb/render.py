"""Deprecated: this module was split into :mod:`archkb.site.urls`, :mod:`archkb.site.text`, :mod:`archkb.site.html`, :mod:`archkb.site.pattern_page`, :mod:`archkb.site.reading_list`, :mod:`archkb.site.indexes`, :mod:`archkb.site.path_page`, :mod:`archkb.site.map_page`, :mod:`archkb.site.fragments`, :mod:`archkb.mkdocs.deferred`."""

from __future__ import annotations

import warnings

from .mkdocs.deferred import *  # noqa: F403
from .site.fragments import *  # noqa: F403
from .site.html import *  # noqa: F403
from .site.indexes import *  # noqa: F403
from .site.map_page import *  # noqa: F403
from .site.path_page import *  # noqa: F403
from .site.pattern_page import *  # noqa: F403
from .site.reading_list import *  # noqa: F403
from .site.text import *  # noqa: F403
from .site.urls import *  # noqa: F403

warnings.warn(
    "archkb.render was split into archkb.site.urls, archkb.site.text, archkb.site.html, archkb.site.pattern_page, archkb.site.reading_list, archkb.site.indexes, archkb.site.path_page, archkb.site.map_page, archkb.site.fragments, archkb.mkdocs.deferred",
    DeprecationWarning,
    stacklevel=2,
)
