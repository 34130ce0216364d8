"""Which proxy a link goes through: the ``*_proxy`` environment variables, as curl reads them.

A machine behind a proxy (a company network, a self-hosted CI runner) names it in the environment:
``https_proxy`` for HTTPS links, ``http_proxy`` for plain HTTP ones, ``all_proxy`` for both (each
also in capitals), and ``no_proxy`` for the hosts reached directly: a comma-separated list of host
names (``example.org`` matches it and every host under it; a leading dot is the same), IP
addresses and ranges (``10.0.0.0/8``), or ``*`` for every host. ``archkb check-links --proxy URL`` names one for both schemes.
Only ``http://`` and ``https://`` proxies are spoken to (aiohttp has no SOCKS).

This module only chooses; the client (:mod:`.client`) sends through the proxy, and the
private-address policy still judges every link's host before it goes there (see
``docs/reference/commands.md``, "Proxies").
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

from .hosts import normalize_host

__all__ = ["proxies_from_environment", "proxy_for", "proxy_problems", "redact_proxy", "with_scheme", "PROXY_SCHEMES"]

#: The schemes a proxy's own URL may have.
PROXY_SCHEMES = ("http", "https")


def _first(environ: Mapping[str, str], *names: str) -> str | None:
    for name in names:
        value = environ.get(name, "").strip()
        if value:
            return value
    return None


def with_scheme(proxy: str) -> str:
    """A proxy URL written without a scheme (``proxy.corp:3128``) is an HTTP proxy's, as curl reads it."""
    proxy = proxy.strip()
    return proxy if "://" in proxy else f"http://{proxy}"


def proxies_from_environment(environ: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """The proxies the environment names, by link scheme, and its ``no_proxy`` entries.

    The lower-case name wins over the capitalised one, as in curl; ``all_proxy`` stands in for a
    scheme with none of its own.
    """
    every = _first(environ, "all_proxy", "ALL_PROXY")
    proxies = {}
    for scheme in ("http", "https"):
        chosen = _first(environ, f"{scheme}_proxy", f"{scheme.upper()}_PROXY") or every
        if chosen:
            proxies[scheme] = chosen
    proxies = {scheme: with_scheme(proxy) for scheme, proxy in proxies.items()}
    bypass = _first(environ, "no_proxy", "NO_PROXY") or ""
    return proxies, [entry.strip() for entry in bypass.split(",") if entry.strip()]


def _in_range(host: str, entry: str) -> bool:
    """Whether ``host`` is an IP address inside the range ``entry`` (``10.0.0.0/8``, ``fd00::/8``)."""
    try:
        return ipaddress.ip_address(host.split("%", 1)[0]) in ipaddress.ip_network(entry.strip("[]"), strict=False)
    except ValueError:
        return False


def _bypassed(host: str, no_proxy: Iterable[str]) -> bool:
    """Whether ``host`` is reached directly: it is, or is under, a ``no_proxy`` entry (or one is ``*``).

    An entry's port, if it has one, is ignored; an address range (``10.0.0.0/8``) holds the
    addresses in it, as curl reads one.
    """
    name = normalize_host(host)
    for entry in no_proxy:
        entry = entry.strip()
        if entry == "*":
            return True
        if "/" in entry:
            if _in_range(name, entry):
                return True
            continue
        if entry.startswith("["):  # [::1] or [::1]:8080
            entry = entry[1:].split("]", 1)[0]
        elif entry.count(":") == 1:  # host:port
            entry = entry.split(":", 1)[0]
        wanted = normalize_host(entry.lstrip("."))
        if wanted and (name == wanted or name.endswith("." + wanted)):
            return True
    return False


def proxy_for(scheme: str, host: str, proxies: Mapping[str, str], no_proxy: Iterable[str]) -> str | None:
    """The proxy URL a link with ``scheme`` and ``host`` goes through, or None to go directly."""
    proxy = proxies.get(scheme.lower())
    if proxy is None or _bypassed(host, no_proxy):
        return None
    return proxy


def redact_proxy(proxy: str) -> str:
    """A proxy URL as it may be shown: everything between ``://`` and the last ``@`` is ``***``.

    A proxy's password is often random, and ``#``, ``/`` or ``?`` in it (which a URL's userinfo
    may not hold unencoded, but an environment variable can) would end a link's userinfo early
    for :func:`.credentials.redact_credentials`: here the last ``@`` is what counts, since a proxy
    URL has no path worth keeping.
    """
    if "@" not in proxy:
        return proxy
    head, sep, _ = proxy.partition("://")
    start = len(head) + len(sep) if sep else 0
    return proxy[:start] + "***" + proxy[proxy.rindex("@") :]


def proxy_problems(proxies: Mapping[str, str]) -> list[str]:
    """What is wrong with each proxy URL (shown with its credentials as ``***``); empty when all are usable."""
    problems = []
    for scheme, proxy in sorted(proxies.items()):
        shown = redact_proxy(proxy)
        try:
            parts = urlsplit(proxy)
            parts.port  # noqa: B018 - raises ValueError for a port that is not a number
        except ValueError as exc:
            problems.append(f"{scheme} proxy {shown!r} is not a URL: {exc}")
            continue
        if parts.scheme.lower() not in PROXY_SCHEMES:
            problems.append(
                f"{scheme} proxy {shown!r}: only http:// and https:// proxies are supported"
                + (f" ({parts.scheme}:// is not)" if parts.scheme else "")
            )
        elif not parts.hostname:
            problems.append(f"{scheme} proxy {shown!r} names no host")
    return problems
