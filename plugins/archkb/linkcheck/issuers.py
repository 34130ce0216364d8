"""Missing intermediate certificates, fetched as browsers fetch them (Authority Information Access).

Some servers send their own certificate without the intermediate that signed it. Browsers open
such a site all the same: the certificate names where its issuer's certificate can be downloaded
(its Authority Information Access extension, "CA Issuers"), and they fetch it (or have it cached).
OpenSSL does not, so without this a checker reports "unable to get local issuer certificate" for
a page that every reader can open (lycheeverse/lychee#1684).

What this module holds, for :class:`~.client.Client`, which does the network part through its
own queues and the private-address policy:

- :func:`leaf_certificate`: the server's certificate, read from a TLS handshake that sends no
  request at all (nothing of the check, no header, no token crosses an unverified connection),
  directly or, behind a proxy, inside a ``CONNECT`` tunnel (:class:`Tunnel`);
- :func:`issuer_urls`: the http(s) "CA Issuers" addresses it names;
- :func:`issuers_in`: the certificates a download holds (DER, PEM or PKCS #7) that may sign it;
- :func:`issuer_context`: a verifying context that also knows those certificates;
- :func:`signed_by_store`: whether a fetched certificate's issuer is a root the context lists, so
  the walk up a chain with more than one certificate missing (at most :data:`MAX_MISSING`) stops
  there rather than fetching the root too.

Why the downloaded certificates cannot make a server trusted that is not: each is kept only if it
is a CA certificate, is not self-issued, and names the server certificate's issuer as its
subject; and the context is made without ``VERIFY_X509_PARTIAL_CHAIN``, so OpenSSL still
verifies every signature up to a self-signed root of the trust store, with the host name checked
as always. A certificate that is not self-issued can only ever be a link of that chain, never its
anchor. Parsing the certificates needs ``cryptography``.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "MAX_MISSING",
    "Tunnel",
    "TunnelRefused",
    "issuer_context",
    "issuer_urls",
    "issuers_in",
    "leaf_certificate",
    "signed_by_store",
]

_MAX_URLS = 2  # "CA Issuers" addresses tried per certificate
MAX_MISSING = 3  # intermediates fetched one above the other for one server, at most


def issuer_urls(der: bytes) -> list[str]:
    """The http(s) "CA Issuers" URLs of a DER certificate's Authority Information Access, at most two."""
    from cryptography import x509
    from cryptography.x509.oid import AuthorityInformationAccessOID

    try:
        cert = x509.load_der_x509_certificate(der)
        access = cert.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
    except Exception:  # noqa: BLE001 - a server's certificate: none, malformed, duplicate extensions...
        return []
    urls = [
        d.access_location.value
        for d in access
        if d.access_method == AuthorityInformationAccessOID.CA_ISSUERS
        and isinstance(d.access_location, x509.UniformResourceIdentifier)
        and d.access_location.value.lower().startswith(("http://", "https://"))
    ]
    return urls[:_MAX_URLS]


def issuers_in(body: bytes, leaf: bytes) -> list[bytes]:
    """The certificates in ``body`` (DER, PEM, or a PKCS #7 bundle) that may have signed ``leaf``,
    as DER: CA certificates, not self-issued, whose subject is the leaf's issuer.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding, pkcs7

    try:
        issuer = x509.load_der_x509_certificate(leaf).issuer
    except Exception:  # noqa: BLE001 - what a server sent: anything that cannot be read is no issuer
        return []
    found: list[Any] = []
    loaders: list[Callable[[bytes], list[Any]]] = [
        lambda b: [x509.load_der_x509_certificate(b)],
        x509.load_pem_x509_certificates,
        pkcs7.load_der_pkcs7_certificates,
        pkcs7.load_pem_pkcs7_certificates,
    ]
    for load in loaders:
        try:
            found = load(body)
            break
        except Exception:  # noqa: BLE001, S112 - not this encoding (or not a certificate at all)
            continue
    kept: list[bytes] = []
    for cert in found:
        try:
            constraints = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
            if constraints.ca and cert.subject == issuer and cert.subject != cert.issuer:
                kept.append(cert.public_bytes(Encoding.DER))
        except Exception:  # noqa: BLE001, S112 - not a CA certificate, or one that cannot be read
            continue
    return kept


def issuer_context(base: ssl.SSLContext | None) -> ssl.SSLContext:
    """A verifying context that trusts what ``base`` trusts (None: the system's store), for loading
    fetched intermediates into (``load_verify_locations(cadata=der)``) without partial chains.
    """
    if base is None:
        context = ssl.create_default_context()
    else:
        context = ssl.create_default_context(cadata=b"".join(base.get_ca_certs(binary_form=True)) or None)
    context.verify_flags &= ~ssl.VERIFY_X509_PARTIAL_CHAIN  # every chain ends at a root of the store
    return context


def signed_by_store(der: bytes, context: ssl.SSLContext) -> bool:
    """Whether the issuer ``der`` names is the subject of a CA certificate ``context`` lists.

    False also where the store cannot be listed (certificates in a directory are loaded only as
    they are needed): the walk then goes on until nothing more is named, which costs at most one
    download more, and OpenSSL's verification decides as always.
    """
    from cryptography import x509

    try:
        issuer = x509.load_der_x509_certificate(der).issuer
    except Exception:  # noqa: BLE001 - one that cannot be read is signed by nothing known
        return False
    for trusted in context.get_ca_certs(binary_form=True):
        try:
            if x509.load_der_x509_certificate(trusted).subject == issuer:
                return True
        except Exception:  # noqa: BLE001, S112 - a store entry cryptography cannot read
            continue
    return False


@dataclass(frozen=True)
class Tunnel:
    """The proxy a handshake goes through: its host and port, the headers its ``CONNECT`` carries
    (its credentials, ``Proxy-Authorization``), and for an ``https://`` proxy the verifying context
    it is spoken to with (None: plain TCP to it).
    """

    host: str
    port: int
    headers: Mapping[str, str] = field(default_factory=dict)
    tls: ssl.SSLContext | None = None


class TunnelRefused(OSError):
    """The proxy answered the ``CONNECT`` with a status other than 2xx (``status``)."""

    def __init__(self, status: int) -> None:
        super().__init__(f"the proxy answered its CONNECT with HTTP {status}")
        self.status = status


#: The most a proxy's answer to a ``CONNECT`` may hold before the tunnel is given up.
_CONNECT_ANSWER_LIMIT = 16 * 1024


async def leaf_certificate(
    host: str,
    port: int,
    addresses: list[dict[str, Any]],
    make_socket: Callable[[tuple], socket.socket],
    *,
    tunnel: Tunnel | None = None,
) -> bytes | None:
    """The DER certificate ``host`` presents on ``port``, from a TLS handshake and nothing more.

    ``addresses`` are the looked-up addresses (aiohttp's resolver dictionaries, from the guarded
    resolver) of the host, or of the proxy when ``tunnel`` is given, and ``make_socket`` the peer
    guard's socket factory, which refuses forbidden ones. Nothing is sent to the host but the
    handshake (and to a proxy only the ``CONNECT``); the connection is closed at once. None when no
    address gives a certificate; :class:`TunnelRefused` when the proxy will not open the tunnel.
    """
    unverified = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    unverified.check_hostname = False
    unverified.verify_mode = ssl.CERT_NONE  # only to read what is presented: nothing is sent on it
    loop = asyncio.get_running_loop()
    for info in addresses[:2]:
        family, address = info["family"], info["host"]
        to = info["port"] if tunnel else port  # behind a proxy, the addresses are the proxy's
        sockaddr: tuple[Any, ...] = (address, to) if family != socket.AF_INET6 else (address, to, 0, 0)
        try:
            sock = make_socket((family, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", sockaddr))
        except OSError:  # refused by the peer guard
            continue
        try:
            sock.setblocking(False)
            await loop.sock_connect(sock, sockaddr)
            transport: asyncio.BaseTransport
            if tunnel is None:
                transport, _protocol = await loop.create_connection(
                    asyncio.Protocol, sock=sock, ssl=unverified, server_hostname=host
                )
            else:
                transport = await _tunnelled(loop, sock, host, port, tunnel, unverified)
        except TunnelRefused:
            sock.close()
            raise
        except (OSError, ssl.SSLError):
            sock.close()
            continue
        except BaseException:  # cancelled (the time limit): the socket is not left open
            sock.close()
            raise
        try:
            tls = transport.get_extra_info("ssl_object")
            der = tls.getpeercert(binary_form=True) if tls is not None else None
        finally:
            transport.close()
        if der:
            return bytes(der)
    return None


async def _tunnelled(
    loop: asyncio.AbstractEventLoop,
    sock: socket.socket,
    host: str,
    port: int,
    tunnel: Tunnel,
    context: ssl.SSLContext,
) -> asyncio.BaseTransport:
    """Open a ``CONNECT`` tunnel to ``host:port`` on ``sock`` (connected to the proxy), and make
    the TLS handshake with ``host`` inside it; the transport of that TLS connection.
    """
    reader, writer = await asyncio.open_connection(
        sock=sock,
        ssl=tunnel.tls,
        server_hostname=tunnel.host if tunnel.tls is not None else None,
        limit=_CONNECT_ANSWER_LIMIT,
    )
    try:
        target = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        lines = [f"CONNECT {target} HTTP/1.1", f"Host: {target}", *(f"{k}: {v}" for k, v in tunnel.headers.items())]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        try:
            answer = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError) as exc:
            raise OSError(f"the proxy's answer to CONNECT could not be read ({exc.__class__.__name__})") from None
        status = _status_of(answer)
        if not status:
            raise OSError("the proxy's answer to CONNECT is not HTTP")
        if not 200 <= status < 300:
            raise TunnelRefused(status)
        transport = await loop.start_tls(
            writer.transport, writer.transport.get_protocol(), context, server_hostname=host
        )
        if transport is None:  # pragma: no cover - only a transport already closing gives None
            raise OSError("the tunnel closed before the handshake")
        return transport
    except BaseException:
        writer.close()
        raise


def _status_of(answer: bytes) -> int:
    """The status of an HTTP answer's first line (``HTTP/1.1 200 Connection established``), or 0."""
    parts = answer.split(b"\r\n", 1)[0].split(b" ", 2)
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/") or not parts[1].isdigit():
        return 0
    return int(parts[1])
