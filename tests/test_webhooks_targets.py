"""Which webhook URLs are accepted (SSRF rules), table-tested without a database or a network."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from relais.webhooks.targets import addresses_to_connect, check_url, public_address

DNS = {
    "hooks.example.org": ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"],
    "internal.example.org": ["10.0.0.7"],
    "mixed.example.org": ["93.184.216.34", "192.168.1.20"],
    "rebind.example.org": ["127.0.0.1"],
    "metadata.example.org": ["169.254.169.254"],
    "nat64.example.org": ["64:ff9b::7f00:1"],
    "localhost": ["127.0.0.1", "::1"],
}


def fake_dns(host: str) -> Iterable[str]:
    if host not in DNS:
        raise OSError("Name or service not known")
    return DNS[host]


ACCEPTED = [
    ("https://hooks.example.org/relais", True),
    ("https://hooks.example.org:8443/relais?tenant=1", True),
    ("https://93.184.216.34/hook", True),
    ("http://127.0.0.1:8080/hook", False),
    ("http://localhost:8080/hook", False),
    ("http://[::1]:8080/hook", False),
    ("https://127.0.0.1/hook", False),
    ("https://[64:ff9b::5db8:d822]/hook", True),  # NAT64 of a public address
    ("https://[2002:5db8:d822::1]/hook", True),  # 6to4 of a public address
]


@pytest.mark.parametrize(("url", "production"), ACCEPTED)
def test_accepted(url: str, production: bool) -> None:
    assert check_url(url, production=production, resolve=fake_dns) == url


REFUSED = [
    ("ftp://hooks.example.org/x", False, "https://"),
    ("hooks.example.org/x", False, "https://"),
    ("http://hooks.example.org/x", False, "only for 127.0.0.1"),
    ("http://hooks.example.org/x", True, "https://"),
    ("http://127.0.0.1:8080/hook", True, "https://"),
    ("https://127.0.0.1/hook", True, "local"),
    ("https://localhost/hook", True, "local"),
    ("https://[::1]/hook", True, "local"),
    ("https://10.1.2.3/hook", True, "private"),
    ("https://172.16.0.1/hook", True, "private"),
    ("https://192.168.0.1/hook", True, "private"),
    ("https://169.254.169.254/latest/meta-data", True, "private"),
    ("https://100.64.0.1/hook", True, "private"),
    ("https://[fd00::1]/hook", True, "private"),
    ("https://[::ffff:10.0.0.1]/hook", True, "private"),
    ("https://0.0.0.0/hook", True, "private"),
    ("https://2130706433/hook", True, "local"),  # 127.0.0.1 written as one number
    ("https://internal.example.org/hook", True, "private"),
    ("https://mixed.example.org/hook", True, "private"),
    ("https://rebind.example.org/hook", True, "private"),
    ("https://metadata.example.org/hook", True, "private"),
    ("https://printer.local/hook", True, "local"),
    ("https://intranet/hook", True, "local"),
    ("https://unknown.example.org/hook", True, "does not resolve"),
    ("https://user:pw@hooks.example.org/hook", False, "user name"),
    ("https://hooks.example.org/hook#frag", False, "fragment"),
    ("https:///hook", False, "host"),
    ("https://hooks.example.org:99999/hook", False, "valid"),
    ("https://hooks.example.org/" + "a" * 2048, False, "2048"),
    # Development allows this machine by name, and nothing else that is not public (issue 16).
    ("https://169.254.169.254/latest/meta-data", False, "private"),
    ("https://10.0.0.1/hook", False, "private"),
    ("https://10.0.0.7/hook", False, "private"),
    ("https://[fd00::1]/hook", False, "private"),
    ("https://internal.example.org/hook", False, "private"),
    ("https://rebind.example.org/hook", False, "private"),  # a name for loopback is not "localhost"
    ("https://printer.local/hook", False, "local"),
    ("http://10.0.0.1/hook", False, "only for 127.0.0.1"),
    # IPv6 forms of IPv4 addresses are judged by the IPv4 address they carry, in both modes.
    *[
        (f"https://[{address}]/hook", production, "private")
        for address in (
            "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
            "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
            "64:ff9b:1::7f00:1",  # local-use NAT64
            "2002:7f00:1::",  # 6to4 of 127.0.0.1
            "2002:a9fe:a9fe::1",  # 6to4 of 169.254.169.254
            "::127.0.0.1",  # IPv4-compatible
            "::ffff:127.0.0.1",  # IPv4-mapped
            "::ffff:169.254.169.254",
            "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo, client 127.0.0.1
            "2001:0:a00:1:8000:63bf:3fff:fdd2",  # Teredo, server 10.0.0.1
        )
        for production in (True, False)
    ],
    ("https://nat64.example.org/hook", True, "private"),
]


@pytest.mark.parametrize(("url", "production", "reason"), REFUSED)
def test_refused_with_a_reason(url: str, production: bool, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        check_url(url, production=production, resolve=fake_dns)


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("2606:2800:220:1:248:1893:25c8:1946", True),
        ("127.0.0.1", False),
        ("10.0.0.1", False),
        ("224.0.0.1", False),
        ("::ffff:127.0.0.1", False),
        ("::ffff:93.184.216.34", True),
        ("64:ff9b::7f00:1", False),
        ("64:ff9b::5db8:d822", True),
        ("64:ff9b:1::5db8:d822", False),
        ("2002:7f00:1::", False),
        ("2002:5db8:d822::", True),
        ("::127.0.0.1", False),
        ("::93.184.216.34", False),  # IPv4-compatible addresses are deprecated: none is accepted
        ("2001:0:4136:e378:8000:63bf:80ff:fffe", False),
        ("fe80::1%eth0", False),
        ("not an address", False),
    ],
)
def test_public_addresses(address: str, public: bool) -> None:
    assert public_address(address) is public


# --- where a request may connect, resolved once just before it (DNS rebinding) ---


@pytest.mark.parametrize(
    ("url", "production", "addresses"),
    [
        ("https://hooks.example.org/relais", True, ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"]),
        ("https://hooks.example.org/relais", False, ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"]),
        ("https://93.184.216.34/hook", True, ["93.184.216.34"]),
        ("http://localhost:8080/hook", False, ["127.0.0.1", "::1"]),
        ("http://127.0.0.1:8080/hook", False, ["127.0.0.1"]),
        ("http://[::1]:8080/hook", False, ["::1"]),
    ],
)
def test_a_request_connects_to_the_addresses_checked(url: str, production: bool, addresses: list[str]) -> None:
    assert addresses_to_connect(url, production=production, resolve=fake_dns) == addresses


def rebound(host: str) -> Iterable[str]:
    """A name registered while public, pointed since at the cloud's metadata address and a public one."""
    return {"hooks.example.org": ["93.184.216.34", "169.254.169.254"], "localhost": ["10.0.0.1"]}[host]


@pytest.mark.parametrize(
    ("url", "production", "reason"),
    [
        ("https://hooks.example.org/relais", True, "non-public"),
        ("https://hooks.example.org/relais", False, "non-public"),
        ("http://localhost:8080/hook", False, "non-loopback"),
        ("https://localhost/hook", True, "local"),
        ("https://[64:ff9b::7f00:1]/hook", False, "non-public"),
        ("https://unknown.example.org/hook", True, "does not resolve"),
    ],
)
def test_a_host_that_resolves_elsewhere_now_is_refused_before_connecting(
    url: str, production: bool, reason: str
) -> None:
    with pytest.raises(ValueError, match=reason):
        addresses_to_connect(url, production=production, resolve=rebound if "unknown" not in url else fake_dns)
