"""The links the floors check: every ``href="http..."`` of the farm's pages, found by a regular expression.

Its own module, importing nothing heavy, so that each floor pays only for what it measures (the
asyncio floor for asyncio, the libcurl floor for pycurl and not asyncio).
"""

from __future__ import annotations

import re
from pathlib import Path

_HREF = re.compile(r'href="(https?://[^"]+)"')


def site_urls(site: Path) -> list[str]:
    """The unique ``href="http..."`` values of every HTML file under ``site``, in file order."""
    return list(dict.fromkeys(u for f in sorted(site.rglob("*.html")) for u in _HREF.findall(f.read_text())))
