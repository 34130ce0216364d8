"""Credentials in URLs (``https://user:password@host/``): never sent, never stored, always reported.

A link that carries a user name or password is a leaked secret (every reader of the page can see it),
and an HTTP client would turn it into an ``Authorization: Basic`` header. The checker therefore:

- checks the URL with the userinfo removed (:func:`strip_credentials`), on the first request and on
  every redirect hop;
- keys the cache by the URL without userinfo, so no secret reaches the cache file;
- writes ``https://***@host/path`` in every report (:func:`redact_credentials`): the ``***`` says that
  the link carries credentials without repeating them.

The authority is found the way ``urllib.parse.urlsplit`` and yarl find it (up to the first ``/``,
``?`` or ``#``; the userinfo is everything before its last ``@``), so what is removed here is what
either parser would have taken as userinfo.
"""

from __future__ import annotations

import re

__all__ = ["has_credentials", "strip_credentials", "redact_credentials", "redact_text", "CREDENTIALS_MESSAGE"]

#: The start of every message about a link that carries credentials.
CREDENTIALS_MESSAGE = "URL carries credentials; they are never sent"

# scheme://userinfo@ or //userinfo@ at the start of a URL; the userinfo ends at the last "@" of the
# authority, and the authority ends at the first "/", "?" or "#".
_USERINFO = re.compile(r"^((?:[A-Za-z][A-Za-z0-9+.-]*:)?//)([^/?#]*)@")
# The same inside free text (messages): an authority also ends at white space and quotes there.
_USERINFO_IN_TEXT = re.compile(r"(\b[A-Za-z][A-Za-z0-9+.-]*://)([^/?#\s<>\"'`]*)@")


# How a browser reads a URL of a special scheme (WHATWG URL): tabs and line breaks anywhere are
# dropped, and any run of slashes and backslashes (none at all, too) after the scheme opens the
# authority, so "http:user:pw@host/" carries credentials as "http://user:pw@host/" does.
_SPECIAL_USERINFO = re.compile(r"^((?:https?|wss?|ftp):[/\\]*)([^/\\?#]*)@", re.IGNORECASE)
_TAB_OR_BREAK = re.compile(r"[\t\n\r]")


def _as_browser_reads(url: str) -> str:
    return _TAB_OR_BREAK.sub("", url.strip())


def has_credentials(url: str) -> bool:
    r"""Return True when ``url`` has a non-empty userinfo (``user@``, ``user:password@``, ``:pw@``),
    as written or as a browser reads it (``http:user:pw@host/``, a tab in ``ht\ttp://``).
    """
    match = _USERINFO.match(url.strip())
    if match is None and "@" in url:
        match = _SPECIAL_USERINFO.match(_as_browser_reads(url))
    return bool(match and match.group(2).strip(":"))


def strip_credentials(url: str) -> str:
    """Return ``url`` without its userinfo (an empty ``@`` included); unchanged when there is none."""
    if "@" not in url:  # no userinfo without one (most URLs: the expression is not run)
        return url
    return _USERINFO.sub(r"\1", url, count=1)


def redact_credentials(url: str) -> str:
    """Return ``url`` with its userinfo replaced by ``***`` (``https://***@host/``).

    A URL without credentials is returned unchanged.
    """
    if not has_credentials(url):
        return url
    if _USERINFO.match(url.strip()):
        return _USERINFO.sub(r"\1***@", url.strip(), count=1)
    return _SPECIAL_USERINFO.sub(r"\1***@", _as_browser_reads(url), count=1)


def redact_text(text: str) -> str:
    """Replace the userinfo of every URL inside ``text`` (a message) by ``***``."""
    if "@" not in text:
        return text
    return _USERINFO_IN_TEXT.sub(lambda m: f"{m.group(1)}***@" if m.group(2).strip(":") else m.group(1), text)
