"""URL helpers: classification, normalization (the cache key) and fragment handling."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import unquote, urlsplit, urlunsplit

from .hosts import client_host

__all__ = [
    "malformed",
    "is_http",
    "has_scheme",
    "split_fragment",
    "normalize_url",
    "host_key",
    "fragment_is_checkable",
    "https_variant",
]

_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_DEFAULT_PORTS = {"http": 80, "https": 443}


_ESCAPE = re.compile(r"%([0-9a-fA-F]{2})")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def _normalize_escapes(text: str) -> str:
    """Uppercase percent-escapes and decode the ones that stand for unreserved characters."""
    if "%" not in text:
        return text

    def fix(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else f"%{match.group(1).upper()}"

    return _ESCAPE.sub(fix, text)


# Line anchors of code viewers (``#L10``, ``#L10-L20``, ``#L3C5``) are made by scripts, not ids.
_LINE_ANCHOR = re.compile(r"^L\d+(C\d+)?(-L\d+(C\d+)?)?$")


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def malformed(url: str) -> str | None:
    """Return why an http(s) URL cannot work (no browser could follow it), or None if it can.

    Spaces in the path or query are tolerated (browsers encode them); a bad host or port is not.
    """
    if _CONTROL.search(url):
        return "it contains control characters"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        return str(exc)
    return _authority_problem(parts.scheme, parts.netloc, parts.hostname, port)


@lru_cache(maxsize=4096)
def _authority_problem(scheme: str, netloc: str, host: str | None, port: int | None) -> str | None:
    """The part of :func:`malformed` that depends on the authority only (hosts repeat: cached)."""
    if not host:
        return "it has no host"
    if any(ch in host for ch in ' <>"^`{|}%'):
        return f"the host {host!r} has characters a host name cannot have"
    if port == 0:
        return "port 0 is not a port"
    try:
        if not host.startswith("["):
            host.encode("idna")
    except UnicodeError:
        return f"the host {host!r} is not a valid international domain name"
    try:
        client_host(f"{scheme}://{netloc}/")  # what the HTTP client (yarl) makes of it: it must accept it too
    except (ValueError, UnicodeError) as exc:
        return str(exc)
    return None


def has_scheme(url: str) -> bool:
    """Return True when ``url`` starts with a scheme (``https:``, ``mailto:``...)."""
    return bool(_SCHEME.match(url))


def is_http(url: str) -> bool:
    """Return True for absolute ``http``/``https`` URLs (including protocol-relative is False)."""
    return url[:7].lower() == "http://" or url[:8].lower() == "https://"


def split_fragment(url: str) -> tuple[str, str]:
    """Split ``url`` into (document URL, fragment); the fragment is percent-decoded, '' if none."""
    base, sep, fragment = url.partition("#")
    return base, unquote(fragment) if sep else ""


@lru_cache(maxsize=32768)  # a run asks about each URL three or four times (dedupe, cache, request)
def normalize_url(url: str) -> str:
    """Return the canonical form of an http(s) URL, used to dedupe requests and key the cache.

    Normalizes the host exactly as the HTTP client does (yarl: lowercase, IDNA, so ``１２７.０.０.１``
    is ``127.0.0.1`` and ``Bücher.example`` is ``xn--bcher-kva.example``), lowercases the scheme, drops
    default ports, any userinfo (credentials are never part of a key, see :mod:`.credentials`) and an
    empty fragment, makes an empty path ``/``, and normalizes percent-escapes as RFC 3986 section 6.2.2 allows: hex digits uppercased, unreserved
    characters decoded (so ``%7e`` and ``~`` match), reserved ones left alone (``%2F`` is not ``/``). The
    fragment is kept: a verdict on ``page#a`` is not a verdict on ``page#b``.
    """
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url.strip()  # malformed: left as written (never fetched, see malformed())
    scheme = parts.scheme.lower()
    host = _authority_host(parts.scheme, parts.netloc, parts.hostname)
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        netloc = f"{host}:{port}"
    path = _normalize_escapes(parts.path) or "/"
    query = _normalize_escapes(parts.query)
    fragment = parts.fragment
    return urlunsplit((scheme, netloc, path, query, fragment))


def _host(url: str, written: str | None) -> str:
    """The host of ``url`` as the HTTP client uses it, or as written (lowercased) if yarl refuses it."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return (written or "").lower()
    return _authority_host(parts.scheme, parts.netloc, written)


@lru_cache(maxsize=4096)
def _authority_host(scheme: str, netloc: str, written: str | None) -> str:
    """:func:`_host` for one authority (hosts repeat: cached)."""
    try:
        return client_host(f"{scheme}://{netloc}/")
    except (ValueError, UnicodeError):
        return (written or "").lower()


@lru_cache(maxsize=32768)  # asked for each URL twice: its host's queue, and its check's gate
def host_key(url: str) -> str:
    """Return the ``host:port`` that per-host limits and pauses apply to (host normalized as the
    client uses it, so two spellings of one host share one queue).
    """
    parts = urlsplit(url)
    host = _authority_host(parts.scheme, parts.netloc, parts.hostname)
    try:
        port = parts.port or _DEFAULT_PORTS.get(parts.scheme.lower(), 0)
    except ValueError:
        port = 0
    return f"{host}:{port}"


def fragment_is_checkable(fragment: str) -> bool:
    """Return False for fragments that are not element ids.

    Text fragments (``:~:text=``), PDF-style parameters (``page=2``), hash-bang routes (``!/x``)
    routes of single-page apps (``/x``) and code viewers' line anchors (``L10-L20``) are not checked
    against ids.
    """
    if not fragment:
        return False
    if fragment.startswith((":~:", "!", "/")) or "=" in fragment:
        return False
    return not _LINE_ANCHOR.match(fragment)


def https_variant(url: str) -> str | None:
    """The ``https://`` form of an ``http://`` URL, its fragment kept, or None for another scheme or
    a URL that cannot be read. HTTP's default port, when written (``:80``), is dropped, since it is
    not HTTPS's; any other port is kept, as lychee keeps it (a server may speak both on one port).
    """
    if url[:7].lower() != "http://":
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    authority, rest = url[7 : 7 + len(parts.netloc)], url[7 + len(parts.netloc) :]  # as written
    if authority != parts.netloc:  # urlsplit dropped a tab or line break: not as written
        return None
    if port == 80:
        authority = authority.rsplit(":", 1)[0]
    return f"https://{authority}{rest}"
