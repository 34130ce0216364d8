"""Site generation, for any engine: every page and file the site derives from the catalog.

:mod:`.generator` makes them all (:class:`SiteGenerator`), one module per page type renders them
(:mod:`.pattern_page`, :mod:`.reading_list`, :mod:`.indexes`, :mod:`.path_page`, :mod:`.map_page`,
:mod:`.health`, :mod:`.fragments`), :mod:`.urls` says where everything lives, :mod:`.text` escapes
every field for where it lands, and :mod:`.html` places generated HTML (in place, or in an engine's
:class:`~archkb.site.html.HtmlSink`).
"""

from __future__ import annotations

from .._lazy import lazy_exports

_EXPORTS = {"GeneratedPage": ".generator", "SiteGenerator": ".generator", "SiteOptions": ".generator",
            "CSS_URI": ".urls", "FILTER_CSS_URI": ".urls", "JS_URI": ".urls"}
"""Public name -> its module, imported on first use (the page modules import :mod:`.urls` freely)."""

__all__ = [*_EXPORTS, "clear_caches"]


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)



def clear_caches() -> None:
    """Forget the URLs, escaped texts and map sizes cached while pages were rendered (frees their memory)."""
    from ..map import clear_caches as clear_map_caches
    from .text import clear_text_caches
    from .urls import page_href

    page_href.cache_clear()
    clear_text_caches()
    clear_map_caches()
