"""The resolver half of the private-address policy (:mod:`.guard`): names that resolve to a forbidden address are refused."""

from __future__ import annotations

import socket
from collections.abc import Iterable

from aiohttp.abc import AbstractResolver, ResolveResult

from .guard import BlockedAddressError, host_is_allowed, is_forbidden_address

__all__ = ["GuardedResolver"]


class GuardedResolver(AbstractResolver):
    """An aiohttp resolver that refuses forbidden addresses returned by an inner resolver.

    Args:
        inner: The resolver that does the real lookup (aiohttp's ``ThreadedResolver`` by default,
            a fake one in tests).
        allow_private: When True, nothing is refused (the policy is off).
        allow_hosts: Host names exempt from the policy (exact after normalisation, case-insensitive).
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
        self._allow_hosts = list(allow_hosts)

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        """Resolve ``host`` and refuse it if any of its addresses is forbidden."""
        results = await self._inner.resolve(host, port, family)
        if not self._allow_private and not host_is_allowed(host, self._allow_hosts):
            for entry in results:
                if is_forbidden_address(entry["host"]):
                    raise BlockedAddressError(host, entry["host"])
        return results

    async def close(self) -> None:
        """Close the inner resolver."""
        await self._inner.close()
