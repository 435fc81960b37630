"""The address guard and the IPv6 forms that carry an IPv4 address (issue 12, item 9): on a host
with NAT64, 6to4 or a stack that routes IPv4-compatible addresses, they reach that IPv4 address,
so it is the one judged."""

import pytest

from paperenrich.linkcheck.safety import is_forbidden_ip


@pytest.mark.parametrize("address", [
    "::10.0.0.1", "::127.0.0.1", "::169.254.169.254",          # ::/96, IPv4-compatible
    "::ffff:10.0.0.1", "::ffff:192.168.1.1",                    # ::ffff:0:0/96, IPv4-mapped
    "::ffff:0:10.0.0.1",                                        # ::ffff:0:0:0/96, IPv4-translated
    "64:ff9b::10.0.0.1", "64:ff9b::7f00:1", "64:ff9b::169.254.169.254",  # NAT64
    "64:ff9b:1::a00:1",                                         # NAT64 local-use
    "2002:a00:1::1", "2002:7f00:1::", "2002:a9fe:a9fe::1",      # 6to4 of 10.0.0.1, 127.0.0.1, 169.254.169.254
    "2001:0:4136:e378:8000:63bf:f5ff:fffe",                     # Teredo, client 10.0.0.1
    "::", "::1", "[::1]".strip("[]"),
])
def test_ipv6_forms_of_private_ipv4_addresses_are_refused(address):
    assert is_forbidden_ip(address)


@pytest.mark.parametrize("address", ["64:ff9b::8.8.8.8", "::ffff:8.8.8.8", "2002:808:808::1", "2606:4700::1111"])
def test_the_same_forms_of_public_addresses_pass(address):
    assert not is_forbidden_ip(address)
