"""Which URLs a tenant may register as a webhook endpoint, and which addresses a request may connect
to. Pure: the DNS resolver is passed in.

A webhook URL is chosen by someone outside Relais and then called from inside it, which is the textbook
server-side request forgery. In every mode an endpoint must be HTTPS and must not point at a loopback,
private, link-local or otherwise non-public address — neither as a literal, nor through its DNS name, nor
as an IPv4 address wrapped in an IPv6 one (mapped, IPv4-compatible, NAT64, 6to4, Teredo) — and the name is
resolved again before every attempt (a name can be changed after registration); the request then connects
to the address that was checked (transport.py), not to whatever the name resolves to a moment later.
Development alone adds one explicit allowance: this machine by name (127.0.0.1, localhost, [::1]), over
`http://` too, which is what the tests' local receivers use. It does not extend to other private
addresses: a development server reachable from a network must not become a way into it.

An operator whose receivers live inside their own network lists those networks, and only those, in
`RELAIS_WEBHOOK_ALLOWED_NETWORKS` (ADR 0035): an address inside one of them passes as a public one would,
over `http://` too when every address of the host is inside. It is judged on the same resolved, pinned
address as everything else, and the cloud metadata addresses are refused whatever is listed (a listed
network that contains one is refused at start-up, `metadata_overlap`).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

MAX_URL_LENGTH = 2048
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
INTERNAL_SUFFIXES = (".localhost", ".local", ".internal", ".lan", ".home.arpa")

Resolver = Callable[[str], Iterable[str]]
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Networks = tuple[Network, ...]
# The instance metadata services of AWS, GCP, Azure, OpenStack... (IPv4) and AWS's IPv6 one: the address an
# SSRF is usually after (credentials). Never reachable through an allowance, whatever an operator lists.
METADATA_ADDRESSES = (ipaddress.IPv4Address("169.254.169.254"), ipaddress.IPv6Address("fd00:ec2::254"))


def parse_networks(text: str) -> Networks:
    """`RELAIS_WEBHOOK_ALLOWED_NETWORKS` as networks: CIDRs separated by commas or spaces. ValueError naming
    the entry that is not one (host bits set, `10.0.0.1/8`, count as a mistake, not as `10.0.0.0/8`)."""
    found: list[Network] = []
    for entry in text.replace(",", " ").split():
        try:
            found.append(ipaddress.ip_network(entry, strict=True))
        except ValueError as exc:
            raise ValueError(f"{entry!r} is not a network in CIDR form ({exc})") from None
    return tuple(found)


def metadata_overlap(networks: Networks) -> list[str]:
    """The listed networks that contain a cloud metadata address (refused at start-up)."""
    return [str(n) for n in networks if any(m.version == n.version and m in n for m in METADATA_ADDRESSES)]


def allowed_address(address: str, networks: Networks) -> bool:
    """True when `address` (or the IPv4 address an IPv6 form stands for) is inside a listed network and is not
    a metadata address. Every IPv4 form it carries must be inside too, so a mapped address cannot smuggle
    one that is not."""
    if not networks:
        return False
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    forms: list[ipaddress.IPv4Address | ipaddress.IPv6Address] = [ip]
    if isinstance(ip, ipaddress.IPv6Address):
        carried = embedded_ipv4(ip)
        if ip.ipv4_mapped is not None:
            forms = [ip.ipv4_mapped]  # the same host: judge it as the IPv4 address
        else:
            forms.extend(carried)
    if any(form in METADATA_ADDRESSES for form in forms):
        return False
    return all(any(form.version == n.version and form in n for n in networks) for form in forms)


def system_resolver(host: str) -> list[str]:
    """Every address `host` resolves to (A and AAAA)."""
    return sorted({str(info[4][0]) for info in socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)})


NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # RFC 6052: the IPv4 address is the last 32 bits
LOCAL_NAT64 = ipaddress.IPv6Network("64:ff9b:1::/48")  # RFC 8215: where the IPv4 sits is the operator's choice
IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")  # deprecated (RFC 4291); `::127.0.0.1` reaches 127.0.0.1


def embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address stands for, where a translator or tunnel may deliver it.

    Python's `is_global` judges these by their IPv6 prefix alone (`64:ff9b::7f00:1` and `2002:7f00:1::`
    count as global), so each is checked again as the IPv4 address it carries."""
    found = []
    if ip.ipv4_mapped is not None:
        found.append(ip.ipv4_mapped)
    if ip in NAT64 or ip in IPV4_COMPATIBLE:
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    if ip.sixtofour is not None:
        found.append(ip.sixtofour)
    if ip.teredo is not None:
        found.extend(ip.teredo)  # the Teredo server and the (de-obfuscated) client
    return found


def public_address(address: str) -> bool:
    """True for an address anyone on the internet could reach: not loopback, private, link-local,
    reserved, multicast, nor an IPv6 form of such an IPv4 address."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in LOCAL_NAT64 or ip in IPV4_COMPATIBLE:
            return False
        if not all(v4.is_global and not v4.is_multicast for v4 in embedded_ipv4(ip)):
            return False
    return ip.is_global and not ip.is_multicast


def loopback_address(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def check_url(url: str, *, production: bool, resolve: Resolver | None = None, allowed: Networks = ()) -> str:
    """The URL as it will be called; ValueError with a reason a client can act on otherwise."""
    url = url.strip()
    if len(url) > MAX_URL_LENGTH:
        raise ValueError(f"must be at most {MAX_URL_LENGTH} characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise ValueError("is not a valid URL") from None
    if parts.scheme not in ("https", "http"):
        raise ValueError("must start with https://")
    host = (parts.hostname or "").lower()
    if not host:
        raise ValueError("needs a host name")
    if parts.username is not None or parts.password is not None:
        raise ValueError("must not contain a user name or password (the signature authenticates us)")
    if parts.fragment:
        raise ValueError("must not contain a #fragment")
    if port == 0:
        raise ValueError("needs a valid port")
    if not production and host.strip("[]") in LOCAL_HOSTS:
        return url  # the development allowance: this machine, by name
    resolve = resolve or system_resolver
    if allowed and _inside_allowed(host, resolve, allowed):
        return url  # the operator's own network, over http:// too (ADR 0035)
    if parts.scheme != "https":
        if production:
            raise ValueError("must start with https://")
        raise ValueError("must start with https:// (http:// is allowed only for 127.0.0.1 or localhost)")
    check_host(host, resolve=resolve, allowed=allowed)
    return url


def _inside_allowed(host: str, resolve: Resolver, allowed: Networks) -> bool:
    """True when the host is, or resolves only to, addresses inside the operator's listed networks."""
    try:
        addresses = _resolved(host.strip("[]"), resolve)
    except ValueError:
        return False
    return all(allowed_address(a, allowed) for a in addresses)


def addresses_to_connect(url: str, *, production: bool, resolve: Resolver, allowed: Networks = ()) -> list[str]:
    """The addresses a request to `url` may connect to now, resolved once: the request must connect to
    one of these and resolve nothing itself (a second look-up is where DNS rebinding happens).

    ValueError when the host now resolves to anything it may not reach: in development the allowance
    for 127.0.0.1 / localhost / [::1] holds only while they resolve to loopback addresses."""
    host = host_of(url).strip("[]")
    if not production and host in LOCAL_HOSTS:
        addresses = _resolved(host, resolve)
        if not all(loopback_address(a) for a in addresses):
            raise ValueError(f"{host} resolves to a non-loopback address")
        return addresses
    if not allowed:
        _check_form(host)  # before any look-up, as a refusal (not a DNS failure)
    addresses = _resolved(host, resolve)
    if allowed and all(allowed_address(a, allowed) for a in addresses):
        return addresses  # inside the operator's own network (ADR 0035), http:// included
    if production and urlsplit(url).scheme != "https":  # (development's http:// is its own business)
        raise ValueError(f"{host} is reached over http:// outside RELAIS_WEBHOOK_ALLOWED_NETWORKS")
    _check_form(host)
    if not all(public_address(a) or allowed_address(a, allowed) for a in addresses):
        raise ValueError(f"{host} resolves to a non-public address")
    return addresses


def _check_form(host: str) -> None:
    """Names that are local by their form alone (and integers such as 2130706433, which is 127.0.0.1)."""
    if host in LOCAL_HOSTS or host.endswith(INTERNAL_SUFFIXES) or "." not in host.strip("[]").replace(":", "."):
        raise ValueError("must not point at a local or internal host")


def _resolved(host: str, resolve: Resolver) -> list[str]:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return [host]
    try:
        addresses = list(resolve(host))
    except OSError as exc:
        raise ValueError(f"host {host} does not resolve ({exc})") from None
    if not addresses:
        raise ValueError(f"host {host} does not resolve")
    return addresses


def check_host(host: str, *, resolve: Resolver, allowed: Networks = ()) -> None:
    """ValueError unless `host` is, or resolves only to, public addresses (or, for a host that is not
    wholly inside them, addresses of the operator's listed networks)."""
    _check_form(host)
    literal = host.strip("[]")
    try:
        ipaddress.ip_address(literal)
    except ValueError:
        pass
    else:
        if not public_address(literal):
            raise ValueError("must not point at a private, loopback or reserved address")
        return
    try:
        addresses = list(resolve(host))
    except OSError:
        raise ValueError(f"host {host} does not resolve") from None
    if not addresses:
        raise ValueError(f"host {host} does not resolve")
    if not all(public_address(a) or allowed_address(a, allowed) for a in addresses):
        raise ValueError("must not point at a private, loopback or reserved address")
