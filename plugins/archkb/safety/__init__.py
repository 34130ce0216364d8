"""Content safety: what contributed text may hold, judged on what the browser receives.

:mod:`.text` reads every contributed file's text (controls, bidi, reserved markers, parser-breaking
marked sections); :mod:`.htmlpolicy` is the allow-list for rendered HTML, checked with an HTML5
parser and enforced with nh3; :mod:`.bodies` turns what it refuses into located problems.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "scan_text": ".text",
    "scan_markdown": ".text",
    "strip_reserved": ".text",
    "unsafe_url": ".text",
    "FORBIDDEN_TAGS": ".text",
    "FORBIDDEN_SCHEMES": ".text",
    "RESERVED_MARKERS": ".text",
    "BIDI_CONTROLS": ".text",
    "check_html": ".htmlpolicy",
    "sanitize_html": ".htmlpolicy",
    "render_policy": ".htmlpolicy",
    "url_scheme": ".htmlpolicy",
    "HtmlViolation": ".htmlpolicy",
    "check_entry": ".bodies",
    "violation_problems": ".bodies",
}
"""Public name -> the module that defines it (imported on first use)."""

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    """Import a public name's module on first use, so that importing the package costs nothing."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The public names, for completion."""
    return sorted(set(globals()) | set(_EXPORTS))
