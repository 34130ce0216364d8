"""Characters that text from outside may not carry as it is, defined once.

The checks on contributed text (:mod:`.text`) refuse them; :func:`printable` shows them as
escapes wherever text that is not ours is displayed (the link checker's reports, the Link health
page, the build's warnings). This module imports only :mod:`re`, so a link check pays nothing for it.
"""

from __future__ import annotations

import re

__all__ = ["BIDI_CONTROLS", "UNPRINTABLE", "printable"]

BIDI_CONTROLS = {
    "\u061c": "ARABIC LETTER MARK",
    "\u200e": "LEFT-TO-RIGHT MARK",
    "\u200f": "RIGHT-TO-LEFT MARK",
    "\u202a": "LEFT-TO-RIGHT EMBEDDING",
    "\u202b": "RIGHT-TO-LEFT EMBEDDING",
    "\u202c": "POP DIRECTIONAL FORMATTING",
    "\u202d": "LEFT-TO-RIGHT OVERRIDE",
    "\u202e": "RIGHT-TO-LEFT OVERRIDE",
    "\u2066": "LEFT-TO-RIGHT ISOLATE",
    "\u2067": "RIGHT-TO-LEFT ISOLATE",
    "\u2068": "FIRST STRONG ISOLATE",
    "\u2069": "POP DIRECTIONAL ISOLATE",
}
"""Unicode bidirectional controls, refused in contributed text: they can make text display in an
order other than the one it is read in (CVE-2021-42574, "Trojan Source")."""


UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f" + "".join(BIDI_CONTROLS) + "\ud800-\udfff\ufffe\uffff]")
"""What must never be displayed as it is: the C0 and C1 controls and DEL (a terminal reads escape
sequences in them, and XML 1.0 forbids most of them), the bidirectional controls, and what XML 1.0
and UTF-8 cannot hold at all: lone surrogates (a JSON ``\\ud800`` escape, a header decoded with
``surrogateescape``) and the noncharacters U+FFFE and U+FFFF."""


def _shown(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    r"""``text`` with every character of :data:`UNPRINTABLE` shown as an escape.

    An ESC character becomes the four characters ``\x1b``, a right-to-left override the six of
    ``\u202e``: a link cannot drive a maintainer's terminal, make a JUnit report invalid XML, or
    make what a reader sees read in another order than what is stored.
    """
    return UNPRINTABLE.sub(_shown, text)
