"""The private-address policy: never let a link make us talk to our own network.

A link checker run in CI or on a build server must not become a way to probe that machine's network
(loopback services, the cloud metadata endpoint, the office LAN), least of all for links that a pull
request adds. The policy is enforced three times, each on what the connection really uses:

1. :func:`check_host_literal` judges a host **after** the normalisation the HTTP client applies
   (yarl's IDNA/UTS 46 mapping, see :mod:`.hosts`), so ``１２７.０.０.１`` and ``127。0。0。1`` are
   judged as ``127.0.0.1``, and the legacy numeric forms that the system resolver still maps onto an
   address (``0x7f.1``, ``127.1``, ``2130706433``, ``0177.0.0.1``) are judged as that address.
   IP literals never reach a resolver, so this is their check, on the first request and on every
   redirect hop.
2. :class:`~.resolver.GuardedResolver` wraps the real resolver and refuses a name when any address
   it resolves to is forbidden.
3. :class:`~.peer.PeerGuard` judges the socket address itself, just before the connection is made,
   so that no spelling of a host and no resolver can get past (the last line, see :mod:`.peer`).

``allow_private`` turns the whole policy off (tests, intranets); ``allow_hosts`` exempts named hosts
while every other host stays guarded. Setting the environment variable ``ARCHKB_FORCE_GUARD`` makes
the policy impossible to turn off (see :func:`guard_forced`): CI sets it where it checks links
from pull requests.

This module imports no HTTP client: the policy is judged before one is needed (and a run that sends
nothing, every link in the cache, never imports one).
"""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Iterable

from .hosts import normalize_host

__all__ = [
    "BlockedAddressError",
    "BlockedPeerError",
    "FORCE_GUARD_ENV",
    "guard_forced",
    "is_forbidden_address",
    "literal_address",
    "check_host_literal",
    "host_is_allowed",
]

#: The environment variable that forbids turning the policy off (any value but empty or ``0``).
FORCE_GUARD_ENV = "ARCHKB_FORCE_GUARD"

# Addresses that are not private by the ipaddress module's standards but must still be refused.
_EXTRA_FORBIDDEN = (
    ipaddress.ip_network("100.64.0.0/10"),  # carrier-grade NAT (shared address space)
    ipaddress.ip_network("fd00:ec2::254/128"),  # AWS IPv6 metadata endpoint (also in fc00::/7)
)


class BlockedAddressError(Exception):
    """Raised when a host is, or resolves to, an address the policy forbids.

    Deliberately not an ``OSError``: aiohttp wraps resolver ``OSError`` into DNS errors, and a
    policy refusal must not be mistaken for a name that does not resolve.

    Args:
        host: The host as written (or as handed to the resolver).
        address: The forbidden address.
        resolved: True when ``address`` came from name resolution, False when ``host`` is a
            spelling of the address itself (``１２７.０.０.１``, ``0x7f.1``).
    """

    def __init__(self, host: str, address: str, *, resolved: bool = True) -> None:
        bare = host.strip("[]")
        if bare == address:
            message = f"{address} is a non-public address"
        elif resolved:
            message = f"{host} resolves to the non-public address {address}"
        else:
            message = f"{host} is {address}, a non-public address"
        super().__init__(message)
        self.host = host
        self.address = address


class BlockedPeerError(BlockedAddressError, OSError):
    """Raised by the peer check when a connection is about to be made to a forbidden address.

    Also an ``OSError`` on purpose: the connection code (aiohappyeyeballs) then treats it as "this
    address failed", closes the socket and moves on to the next address, as it would for a refusal.
    """

    def __init__(self, host: str, address: str) -> None:
        BlockedAddressError.__init__(self, host, address)
        self.args = (f"the connection for {host or '?'} would go to the non-public address {address}",)

    def __str__(self) -> str:
        return str(self.args[0])


def guard_forced() -> bool:
    """Return True when ``ARCHKB_FORCE_GUARD`` is set: the policy cannot be turned off in this run."""
    return os.environ.get(FORCE_GUARD_ENV, "").strip() not in ("", "0")


def is_forbidden_address(address: str) -> bool:
    """Return True for private, loopback, link-local, metadata, reserved or unspecified addresses.

    IPv4-mapped IPv6 addresses (``::ffff:127.0.0.1``) and 6to4 addresses (``2002:7f00:1::``) are
    judged as the IPv4 address they carry too.
    """
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return True  # not an address we understand: refuse rather than guess
    candidates: list[ipaddress.IPv4Address | ipaddress.IPv6Address] = [ip]
    if isinstance(ip, ipaddress.IPv6Address):
        candidates += [v4 for v4 in (ip.ipv4_mapped, ip.sixtofour) if v4 is not None]
    return any(_forbidden(candidate) for candidate in candidates)


def _forbidden(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast or ip.is_reserved or ip.is_unspecified:
        return True
    return any(ip in net for net in _EXTRA_FORBIDDEN if net.version == ip.version)


def literal_address(host: str) -> str | None:
    """Return the IP address that ``host`` spells, as the client and the system resolver read it.

    The host is first normalised like yarl does (fullwidth digits and ideographic full stops become
    ASCII); then an IPv4 or IPv6 literal is recognised, and so is every legacy numeric IPv4 form the
    C library still accepts (``127.1``, ``0x7f.0.0.1``, ``2130706433``, ``017700000001``), asked of
    ``getaddrinfo`` itself with ``AI_NUMERICHOST`` (which never does a lookup). A name gives None.
    """
    bare = normalize_host(host)
    if not bare:
        return None
    address = bare.split("%", 1)[0]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        pass
    if not address.isascii() or not address.replace(".", "").isalnum():
        return None
    try:
        infos = socket.getaddrinfo(address, None, flags=socket.AI_NUMERICHOST)
    except (OSError, UnicodeError, ValueError):
        return None
    return str(infos[0][4][0]) if infos else None


def host_is_allowed(host: str, allow_hosts: Iterable[str]) -> bool:
    """Return True when ``host`` is one of ``allow_hosts``, both normalised like yarl does."""
    wanted = normalize_host(host)
    return bool(wanted) and wanted in {normalize_host(h) for h in allow_hosts}


def check_host_literal(host: str, allow_hosts: Iterable[str] = ()) -> None:
    """Raise :class:`BlockedAddressError` if ``host`` spells an IP address the policy forbids.

    ``host`` may be written in any form a URL allows (``１２７.０.０.１``, ``[::ffff:127.0.0.1]``,
    ``0x7f.1``): it is judged as the address the client would connect to (see
    :func:`literal_address`). Names are left to :class:`GuardedResolver`; hosts listed in
    ``allow_hosts`` pass.
    """
    if host_is_allowed(host, allow_hosts):
        return
    address = literal_address(host)
    if address is not None and is_forbidden_address(address):
        raise BlockedAddressError(host, address, resolved=False)
