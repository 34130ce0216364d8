"""The last line of the private-address policy: judge the address a socket is about to connect to.

The host check and the resolver guard (:mod:`.guard`) judge what a URL *says*; this judges what the
connection *does*. Whatever the spelling of the host, whatever the resolver answered, the address
handed to ``connect()`` is judged here, so a host that slipped past the earlier checks still cannot
reach loopback, the metadata endpoint or the LAN.

How it hooks into aiohttp, and why this way (aiohttp 3.12 to 3.14):

- ``TCPConnector(socket_factory=...)`` is public API (aiohttp 3.12+). aiohttp (through
  aiohappyeyeballs) calls the factory with the ``getaddrinfo``-style tuple of the exact address it is
  about to connect to, for every new connection and every address it tries. Refusing there means
  nothing at all is sent to a forbidden address: not a request, not even a TCP handshake.
- Checking ``resp.connection.transport.get_extra_info("peername")`` is too late: by the time there
  is a response the request has been delivered, and a request is all an SSRF needs.
- A ``TraceConfig`` hook (``on_connection_create_end``) runs after the connection exists and is not
  given the transport, and overriding ``TCPConnector._wrap_create_connection`` relies on a private
  method whose signature has changed between releases.

The factory is not told which host the connection is for, and ``allow_hosts`` exempts hosts by name,
so :meth:`PeerGuard.attempt` puts the host of the request in a context variable around each request;
the tasks aiohttp starts to race addresses (happy eyeballs) inherit it. A connection made outside an
attempt is judged with no host, that is without exemptions: the guard fails closed.

The refusal is raised as :class:`~.guard.BlockedPeerError`, an ``OSError``, so that aiohappyeyeballs
closes the socket and tries the host's next address as it would after a refused connection; the
first refusal is also kept on the attempt, because aiohttp may fold several failed addresses into one
generic error.
"""

from __future__ import annotations

import contextlib
import inspect
import socket
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass

from .guard import BlockedPeerError, host_is_allowed, is_forbidden_address

__all__ = ["PeerAttempt", "PeerGuard", "current_attempt", "peer_guard_supported"]


@dataclass
class PeerAttempt:
    """One request's view of the peer check.

    Attributes:
        host: The request's host, normalised as the client uses it.
        refused: The first refusal of a connection made for this request, or None.
        proxy_host: The host of the proxy the request goes through, or None when it goes directly.
            A proxied request's only connection is to the proxy, which the user named: it is not
            judged (the link's own host was, before the request; see :mod:`.client`).
    """

    host: str
    refused: BlockedPeerError | None = None
    proxy_host: str | None = None


_ATTEMPT: ContextVar[PeerAttempt | None] = ContextVar("archkb_linkcheck_peer_attempt", default=None)


class PeerGuard:
    """Judges every address a new connection is about to be made to.

    Pass :meth:`socket_factory` to ``aiohttp.TCPConnector(socket_factory=...)`` and make each request
    inside ``with guard.attempt(host):``.

    Args:
        allow_private: When True, nothing is refused (the policy is off).
        allow_hosts: Host names exempt from the policy, as in :class:`~.resolver.GuardedResolver`.

    Attributes:
        connections: How many sockets the factory was asked for (tests use it to prove it is used).
    """

    def __init__(self, *, allow_private: bool = False, allow_hosts: Iterable[str] = ()) -> None:
        self._allow_private = allow_private
        self._allow_hosts = list(allow_hosts)
        self.connections = 0

    def allows(self, host: str, address: str) -> bool:
        """Return True when a connection for ``host`` may go to ``address``."""
        if self._allow_private:
            return True
        if host and host_is_allowed(host, self._allow_hosts):
            return True
        return not is_forbidden_address(address)

    @contextlib.contextmanager
    def attempt(self, host: str, *, proxy_host: str | None = None) -> Iterator[PeerAttempt]:
        """Mark the connections made inside the block as made for ``host`` (through ``proxy_host``)."""
        current = PeerAttempt(host, proxy_host=proxy_host)
        token = _ATTEMPT.set(current)
        try:
            yield current
        finally:
            _ATTEMPT.reset(token)

    def socket_factory(self, addr_info: tuple) -> socket.socket:
        """Create the socket for ``addr_info``, or raise :class:`BlockedPeerError` if it is forbidden."""
        family, type_, proto, _canonname, sockaddr = addr_info
        self.connections += 1
        address = str(sockaddr[0])
        attempt = _ATTEMPT.get()
        host = attempt.host if attempt is not None else ""
        proxied = attempt is not None and attempt.proxy_host is not None
        if not proxied and not self.allows(host, address):
            error = BlockedPeerError(host, address.split("%", 1)[0])
            if attempt is not None and attempt.refused is None:
                attempt.refused = error
            raise error
        return socket.socket(family=family, type=type_, proto=proto)


def current_attempt() -> PeerAttempt | None:
    """The request whose connections are being made here, or None outside any."""
    return _ATTEMPT.get()


def peer_guard_supported() -> bool:
    """Return True when the installed aiohttp accepts ``TCPConnector(socket_factory=...)`` (3.12+)."""
    import aiohttp

    try:
        return "socket_factory" in inspect.signature(aiohttp.TCPConnector.__init__).parameters
    except (TypeError, ValueError):  # pragma: no cover - a C-implemented signature
        return False
