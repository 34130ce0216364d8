"""Name lookups for the link checker: the system's resolver on threads of its own, and the guard.

:class:`SystemResolver` asks the system (``getaddrinfo``, so ``/etc/hosts``, search domains and
whatever the machine is set up to use) as aiohttp's ``ThreadedResolver`` does, but each lookup runs
on a daemon thread of its own rather than in the event loop's default pool. That pool has
``min(32, CPUs + 4)`` threads (6 on a 2-core runner): a reading list's dead domains, whose name
servers never answer, hold those threads for as long as the C library keeps retrying (10 s and
more), and every other host's lookup waits behind them until its own check times out. And
``asyncio.run`` waits for that pool's threads before it returns, so a run would end only when the
last hanging lookup did. A lookup thread here is abandoned when the check that waited for it gives
up, and the process never waits for it.

:class:`GuardedResolver` is the resolver half of the private-address policy (:mod:`.guard`): names
that resolve to a forbidden address are refused. It also knows which names are being looked up, so
that a check that times out during its lookup can say so.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from aiohttp.abc import AbstractResolver, ResolveResult

from .guard import BlockedAddressError, host_is_allowed, is_forbidden_address
from .peer import current_attempt

__all__ = ["GuardedResolver", "SystemResolver"]

_T = TypeVar("_T")

# The flags aiohttp's ThreadedResolver asks with and gives back (its resolver module's own values).
_NUMERIC_SOCKET_FLAGS = socket.AI_NUMERICHOST | socket.AI_NUMERICSERV
_NAME_SOCKET_FLAGS = socket.NI_NUMERICHOST | socket.NI_NUMERICSERV
_AI_ADDRCONFIG = socket.AI_ADDRCONFIG & getattr(socket, "AI_MASK", -1)


async def _on_own_thread(function: Callable[..., _T], *args: Any) -> _T:
    """Run ``function(*args)`` on a new daemon thread and wait for it without blocking the loop.

    If the waiting task is cancelled (its check timed out), the thread is left to finish on its own:
    its answer is dropped, even when the loop has closed by then, and an exit never waits for it.
    """
    loop = asyncio.get_running_loop()
    future: asyncio.Future[_T] = loop.create_future()

    def settle(result: Any, error: BaseException | None) -> None:
        if future.done():  # the waiter gave up
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)

    def work() -> None:
        try:
            result, error = function(*args), None
        except BaseException as exc:  # noqa: BLE001 - handed to the waiter, raised there
            result, error = None, exc
        with contextlib.suppress(RuntimeError):  # raised when the loop has closed: nobody waits any more
            loop.call_soon_threadsafe(settle, result, error)

    threading.Thread(target=work, name=f"lookup {args[0]!r}"[:64], daemon=True).start()
    return await future


class SystemResolver(AbstractResolver):
    """The system's resolver, as aiohttp's ``ThreadedResolver``, each lookup on a daemon thread of its own.

    Lookups in flight are bounded by the checks in flight (the run's ``concurrency``), since each
    one waits inside a check, plus those whose checks have given up and whose threads have not yet
    ended; aiohttp looks each name up once at a time and caches the answer.
    """

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        """Look ``host`` up and return its addresses in the form aiohttp's connector takes."""
        infos = await _on_own_thread(socket.getaddrinfo, host, port, family, socket.SOCK_STREAM, 0, _AI_ADDRCONFIG)
        results: list[ResolveResult] = []
        for found_family, _, proto, _, address in infos:
            if found_family == socket.AF_INET6:
                if len(address) < 3:  # IPv6 is not supported by this Python build or host
                    continue
                if address[3]:  # a scope id (link-local): let the system spell the address with it
                    resolved, service = await _on_own_thread(socket.getnameinfo, address, _NAME_SOCKET_FLAGS)
                    found_host, found_port = resolved, int(service)
                else:
                    found_host, found_port = str(address[0]), int(address[1])
            elif found_family == socket.AF_INET:
                found_host, found_port = str(address[0]), int(address[1])
            else:  # pragma: no cover - getaddrinfo was asked for IPv4 and IPv6 only
                continue
            results.append(
                ResolveResult(
                    hostname=host,
                    host=found_host,
                    port=found_port,
                    family=found_family,
                    proto=proto,
                    flags=_NUMERIC_SOCKET_FLAGS,
                )
            )
        return results

    async def close(self) -> None:
        """Nothing to close: each lookup's thread ends with its lookup."""


def _lookup_key(host: str) -> str:
    return host.rstrip(".").lower()


class GuardedResolver(AbstractResolver):
    """An aiohttp resolver that refuses forbidden addresses returned by an inner resolver.

    Args:
        inner: The resolver that does the real lookup (:class:`SystemResolver` by default, a fake
            one in tests).
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
        self._pending: Counter[str] = Counter()

    def looking_up(self, host: str) -> bool:
        """Whether a lookup of ``host`` is in flight (its trailing dots and case do not matter)."""
        return self._pending[_lookup_key(host)] > 0

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        """Resolve ``host`` and refuse it if any of its addresses is forbidden."""
        key = _lookup_key(host)
        self._pending[key] += 1
        try:
            results = await self._inner.resolve(host, port, family)
        finally:
            self._pending[key] -= 1
            if not self._pending[key]:
                del self._pending[key]
        attempt = current_attempt()
        if attempt is not None and attempt.proxy_host is not None and key == _lookup_key(attempt.proxy_host):
            return results  # the proxy's own name, looked up to reach the proxy the user named
        if not self._allow_private and not host_is_allowed(host, self._allow_hosts):
            for entry in results:
                if is_forbidden_address(entry["host"]):
                    raise BlockedAddressError(host, entry["host"])
        return results

    async def close(self) -> None:
        """Close the inner resolver."""
        await self._inner.close()
