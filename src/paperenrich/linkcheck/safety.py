"""What the checker refuses to request: non-http schemes, and private, loopback, link-local or
cloud-metadata addresses, whether written in the URL or reached through DNS.

The DNS case is enforced where the connection is made (transport.py): the connector's resolver
refuses a name with any non-public address, and the factory of every socket refuses a
non-public address, so a name cannot resolve to a public address for a check and a private one
for the connection (DNS rebinding). Every redirect hop opens its connection the same way.
"""

from __future__ import annotations

import ipaddress

UNSAFE_SCHEMES = frozenset({"javascript", "file", "data", "vbscript", "blob", "about", "chrome"})


class ForbiddenAddress(OSError):
    """A connection to a private/loopback/link-local/metadata address was refused by us (an
    OSError, as the connector expects of a failed lookup or socket)."""


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
