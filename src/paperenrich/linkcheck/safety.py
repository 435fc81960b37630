"""What the checker refuses to request: non-http schemes, and private, loopback, link-local or
cloud-metadata addresses, whether written in the URL or reached through DNS.

The DNS case is enforced where the connection is made: `GuardedBackend` resolves the name
itself, refuses if any address is not public, and connects to the address it checked, so a
name cannot resolve to a public address for a check and a private one for the connection
(DNS rebinding). Every redirect hop opens its connection through the same backend.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from typing import Any, Iterable

import httpcore

UNSAFE_SCHEMES = frozenset({"javascript", "file", "data", "vbscript", "blob", "about", "chrome"})


class ForbiddenAddress(httpcore.ConnectError):
    """A connection to a private/loopback/link-local/metadata address was refused by us."""


def is_forbidden_ip(address: str) -> bool:
    """True for every address that is not globally routable (10/8, 172.16/12, 192.168/16, 127/8,
    169.254/16 incl. cloud metadata, ::1, fc00::/7, 0/8, 100.64/10, multicast, reserved...)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def literal_ip(host: str) -> str | None:
    """The host if it is an IP literal (brackets stripped), else None."""
    bare = host.strip("[]")
    try:
        ipaddress.ip_address(bare.split("%", 1)[0])
    except ValueError:
        return None
    return bare


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore network backend that refuses non-public addresses after resolving the name."""

    def __init__(self, inner: httpcore.AsyncNetworkBackend):
        self._inner = inner

    async def _resolve(self, host: str, port: int) -> list[str]:
        if literal_ip(host):
            return [literal_ip(host) or host]
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise httpcore.ConnectError(f"DNS lookup failed for {host}: {exc.strerror or exc}") from None
        return list(dict.fromkeys(str(info[4][0]) for info in infos))

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None,
                          socket_options: Iterable[Any] | None = None) -> httpcore.AsyncNetworkStream:
        addresses = await self._resolve(host, port)
        refused = [a for a in addresses if is_forbidden_ip(a)]
        if refused:
            raise ForbiddenAddress(f"{host} resolves to non-public address {refused[0]}")
        last: Exception | None = None
        for address in addresses:  # TLS still verifies `host`: httpcore passes it as server_hostname
            try:
                return await self._inner.connect_tcp(address, port, timeout=timeout, local_address=local_address,
                                                     socket_options=socket_options)
            except httpcore.ConnectError as exc:
                last = exc
        raise last or httpcore.ConnectError(f"no address for {host}")

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Iterable[Any] | None = None) -> httpcore.AsyncNetworkStream:
        raise ForbiddenAddress("unix sockets are not link targets")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)
