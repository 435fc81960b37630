"""What the checker refuses to request: non-http schemes, and private, loopback, link-local or
cloud-metadata addresses, whether written in the URL or reached through DNS.

The DNS case is enforced where the connection is made (transport.py): the connector's resolver
refuses a name with any non-public address, and the factory of every socket refuses a
non-public address, so a name cannot resolve to a public address for a check and a private one
for the connection (DNS rebinding). Every redirect hop opens its connection the same way.
"""

from __future__ import annotations

import functools
import ipaddress

UNSAFE_SCHEMES = frozenset({"javascript", "file", "data", "vbscript", "blob", "about", "chrome"})


class ForbiddenAddress(OSError):
    """A connection to a private/loopback/link-local/metadata address was refused by us (an
    OSError, as the connector expects of a failed lookup or socket)."""


# IPv6 forms that carry an IPv4 address in their last 32 bits: whoever routes them (the host's
# stack, a NAT64 gateway) delivers to that IPv4 address, so it is the one judged.
_EMBEDDING_V4 = tuple(ipaddress.IPv6Network(n) for n in (
    "::/96",            # IPv4-compatible (deprecated): ::10.0.0.1
    "::ffff:0:0/96",    # IPv4-mapped: ::ffff:10.0.0.1
    "::ffff:0:0:0/96",  # IPv4-translated (SIIT): ::ffff:0:10.0.0.1
    "64:ff9b::/96",     # NAT64 well-known prefix: 64:ff9b::10.0.0.1
    "64:ff9b:1::/48",   # NAT64 local-use prefix
))


def embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address in one of the forms above, which stands for that address alone."""
    if any(ip in net for net in _EMBEDDING_V4):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def tunnelled_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 end of a tunnel address: 6to4 (2002::/16) or Teredo's client (2001::/32)."""
    if ip.sixtofour is not None:
        return ip.sixtofour
    return ip.teredo[1] if ip.teredo is not None else None


def is_forbidden_ip(address: str) -> bool:
    """True for every address that is not globally routable (10/8, 172.16/12, 192.168/16, 127/8,
    169.254/16 incl. cloud metadata, ::1, fc00::/7, 0/8, 100.64/10, multicast, reserved...), and
    for an IPv6 address whose embedded IPv4 address is one of those."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.is_loopback or ip.is_unspecified:
            return True
        inner = embedded_ipv4(ip)
        if inner is not None:
            ip = inner
        else:
            tunnel_end = tunnelled_ipv4(ip)
            if tunnel_end is not None and is_forbidden_ip(str(tunnel_end)):
                return True
    return not ip.is_global or ip.is_multicast


@functools.lru_cache(maxsize=4096)  # asked per URL (a list's thousands of URLs share a few hosts): ipaddress takes ~10 us
def literal_ip(host: str) -> str | None:
    """The host if it is an IP literal (brackets stripped), else None."""
    bare = host.strip("[]")
    try:
        ipaddress.ip_address(bare.split("%", 1)[0])
    except ValueError:
        return None
    return bare
