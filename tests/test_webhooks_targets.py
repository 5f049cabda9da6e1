"""Which webhook URLs are accepted (SSRF rules), table-tested without a database or a network."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from relais.webhooks.targets import check_url, public_address

DNS = {
    "hooks.example.org": ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"],
    "internal.example.org": ["10.0.0.7"],
    "mixed.example.org": ["93.184.216.34", "192.168.1.20"],
    "rebind.example.org": ["127.0.0.1"],
    "metadata.example.org": ["169.254.169.254"],
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
    ("https://10.0.0.7/hook", False),  # development: private networks allowed over https
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
        ("fe80::1%eth0", False),
        ("not an address", False),
    ],
)
def test_public_addresses(address: str, public: bool) -> None:
    assert public_address(address) is public
