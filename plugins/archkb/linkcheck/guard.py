"""The private-address policy: never let a link make us talk to our own network.

A link checker run in CI or on a build server must not become a way to probe that machine's network
(loopback services, the cloud metadata endpoint, the office LAN). The address is judged after name
resolution, on every redirect hop, by a resolver wrapped around the real one: what is judged is what
the connection uses. IP literals never reach a resolver, so callers check them with
:func:`check_host_literal` too.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from typing import Any

from aiohttp.abc import AbstractResolver

__all__ = [
    "BlockedAddressError",
    "is_forbidden_address",
    "check_host_literal",
    "GuardedResolver",
]

# Addresses that are not private by the ipaddress module's standards but must still be refused.
_EXTRA_FORBIDDEN = (
    ipaddress.ip_network("100.64.0.0/10"),  # carrier-grade NAT (shared address space)
    ipaddress.ip_network("fd00:ec2::254/128"),  # AWS IPv6 metadata endpoint (also in fc00::/7)
)


class BlockedAddressError(Exception):
    """Raised when a host resolves to an address the policy forbids.

    Deliberately not an ``OSError``: aiohttp wraps resolver ``OSError`` into DNS errors, and a
    policy refusal must not be mistaken for a name that does not resolve.
    """

    def __init__(self, host: str, address: str) -> None:
        if host.strip("[]") == address:
            super().__init__(f"{address} is a non-public address")
        else:
            super().__init__(f"{host} resolves to the non-public address {address}")
        self.host = host
        self.address = address


def is_forbidden_address(address: str) -> bool:
    """Return True for private, loopback, link-local, metadata, reserved or unspecified addresses.

    IPv4-mapped IPv6 addresses (``::ffff:127.0.0.1``) are judged as the IPv4 address they carry.
    """
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return True  # not an address we understand: refuse rather than guess
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    ):
        return True
    return any(ip in net for net in _EXTRA_FORBIDDEN if net.version == ip.version)


def check_host_literal(host: str, allow_hosts: Iterable[str] = ()) -> None:
    """Raise :class:`BlockedAddressError` if ``host`` is an IP literal the policy forbids.

    Host names are left to :class:`GuardedResolver`; literals listed in ``allow_hosts`` pass.
    """
    bare = host.strip("[]")
    if bare.lower() in {h.lower().strip("[]") for h in allow_hosts}:
        return
    try:
        ipaddress.ip_address(bare.split("%", 1)[0])
    except ValueError:
        return
    if is_forbidden_address(bare):
        raise BlockedAddressError(host, bare)


class GuardedResolver(AbstractResolver):
    """An aiohttp resolver that refuses forbidden addresses returned by an inner resolver.

    Args:
        inner: The resolver that does the real lookup (aiohttp's ``ThreadedResolver`` by default,
            a fake one in tests).
        allow_private: When True, nothing is refused (the policy is off).
        allow_hosts: Host names exempt from the policy (exact, case-insensitive).
    """

    def __init__(
        self,
        inner: AbstractResolver,
        *,
        allow_private: bool = False,
        allow_hosts: Iterable[str] = (),
    ) -> None:
        self._inner = inner
        self._allow_private = allow_private
        self._allow_hosts = {h.lower().rstrip(".") for h in allow_hosts}

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[dict[str, Any]]:
        """Resolve ``host`` and refuse it if any of its addresses is forbidden."""
        results = await self._inner.resolve(host, port, family)
        if not self._allow_private and host.lower().rstrip(".") not in self._allow_hosts:
            for entry in results:
                if is_forbidden_address(entry["host"]):
                    raise BlockedAddressError(host, entry["host"])
        return results

    async def close(self) -> None:
        """Close the inner resolver."""
        await self._inner.close()
