"""Content safety: what contributed text may hold, judged on what the browser receives.

:mod:`.text` reads every contributed file's text (controls, bidi, reserved markers, parser-breaking
marked sections); :mod:`.htmlpolicy` is the allow-list for rendered HTML, checked with an HTML5
parser and enforced with nh3; :mod:`.bodies` turns what it refuses into located problems.
"""

from __future__ import annotations

from .._lazy import lazy_exports

_EXPORTS = {
    "scan_text": ".text",
    "scan_markdown": ".text",
    "strip_reserved": ".text",
    "unsafe_url": ".text",
    "FORBIDDEN_TAGS": ".text",
    "FORBIDDEN_SCHEMES": ".text",
    "RESERVED_MARKERS": ".text",
    "BIDI_CONTROLS": ".chars",
    "UNPRINTABLE": ".chars",
    "printable": ".chars",
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


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
