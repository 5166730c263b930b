"""Turn the TARGETs a user typed into a scope: the addresses to discover, and which were named.

Accepted forms (each raises TargetError with one full sentence when it is not one of them):

    192.168.1.20            an IPv4 or IPv6 address (fe80::1%eth0 keeps its zone)
    192.168.1.20:8080       an address and the HTTP port ([fe80::1]:8080 for IPv6)
    cam.local, cam.local:81 a host name, resolved once here
    192.168.1.0/24          a network, expanded to its host addresses (at most a /16, 65,536 addresses)
    https://cam.local:8443/ a URL: scheme, host and port are used; the path is ignored

Addresses named one by one are "given": the audit reports them even when nothing answers.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from auditor.errors import TargetError
from probes.discovery import Given

MAX_PREFIX_V4 = 16                 # a /16 is the largest IPv4 network one TARGET may expand to
MAX_PREFIX_V6 = 112                # the same 65,536 addresses for IPv6
MAX_ADDRESSES = 4 * 65_536         # all TARGETs of one run together
EXAMPLES = "examples: 192.168.1.20, 192.168.1.0/24, cam.local:8080"
_HOST_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
_NUMERIC = re.compile(r"^[0-9./]+$")

Resolver = Callable[[str], str]
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class ScopeEntry:
    """One TARGET as understood: its kind and what it expands to."""

    text: str
    kind: str                             # address | host | network | url
    addresses: tuple[str, ...]
    given: Given | None = None            # set for everything except networks
    network: IPNetwork | None = None


@dataclass(frozen=True)
class Scope:
    entries: tuple[ScopeEntry, ...]
    notes: tuple[str, ...] = field(default=())

    @property
    def addresses(self) -> tuple[str, ...]:
        """Every address to probe, in the order given, without duplicates."""
        return tuple(dict.fromkeys(a for e in self.entries for a in e.addresses))

    @property
    def given(self) -> tuple[Given, ...]:
        """Addresses named one by one (reported even when unreachable); the first mention wins."""
        seen: dict[str, Given] = {}
        for entry in self.entries:
            if entry.given and entry.given.address not in seen:
                seen[entry.given.address] = entry.given
        return tuple(seen.values())

    @property
    def has_non_loopback(self) -> bool:
        """True when multicast discovery could find something loopback unicast would not."""
        return any(not ipaddress.ip_address(a.split("%", 1)[0]).is_loopback for a in self.addresses)


def shown(text: str) -> str:
    """A TARGET as it may be echoed: any user:password@ masked, control characters replaced.

    Every message about a target goes through this, so a typo in a URL that carries a password
    (http://admin:pw@[cam/) is refused without printing the password.
    """
    masked = text.strip()
    if "@" in masked:                  # keep a scheme, hide everything up to the last @ (over-masking is safe)
        scheme, sep, _ = masked.partition("://")
        keep = f"{scheme}{sep}" if sep and "@" not in scheme else ""
        masked = f"{keep}***@{masked.rpartition('@')[2]}"
    return "".join(c if c.isprintable() else "?" for c in masked)


def _bad(text: str) -> TargetError:
    return TargetError(f"'{shown(text)}' is not an address, host name, CIDR or URL; {EXAMPLES}.")


def _port(text: str, value: str) -> int:
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise TargetError(f"'{shown(text)}' has port '{value}', which is not a number from 1 to 65535; {EXAMPLES}.")
    return int(value)


def _address(value: str) -> str | None:
    """Normalised numeric address, or None when `value` is not one."""
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def _is_host_name(value: str) -> bool:
    if not value or len(value) > 253 or _NUMERIC.match(value):
        return False
    return all(_HOST_LABEL.match(label) for label in value.rstrip(".").split("."))


def resolve_host(name: str) -> str:
    """The first address of `name` (IPv4 preferred); raises TargetError when it does not resolve."""
    try:
        infos = socket.getaddrinfo(name, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        reason = exc.strerror if isinstance(exc, socket.gaierror) and exc.strerror else str(exc)
        raise TargetError(f"The host name '{name}' could not be resolved ({reason}); check the name "
                          "or give the camera's address instead.") from exc
    addresses = [str(info[4][0]) for info in infos]
    v4 = [a for a in addresses if ":" not in a]
    return (v4 or addresses)[0]


def _network(text: str, value: str, notes: list[str]) -> ScopeEntry:
    try:
        network = ipaddress.ip_network(value, strict=False)
    except ValueError as exc:
        raise _bad(text) from exc
    limit = MAX_PREFIX_V4 if network.version == 4 else MAX_PREFIX_V6
    if network.prefixlen < limit:
        raise TargetError(f"'{shown(text)}' covers {network.num_addresses:,} addresses; camaudit scans at most a "
                          f"/{limit} ({2 ** ((32 if network.version == 4 else 128) - limit):,} addresses) per "
                          "target, so split it into smaller networks.")
    if str(network) != value:
        notes.append(f"'{shown(text)}' has host bits set; scanning the network {network}.")
    return ScopeEntry(text, "network", tuple(str(h) for h in network.hosts()), network=network)


def _host(text: str, host: str, port: int | None, scheme: str | None, resolve: Resolver, kind: str) -> ScopeEntry:
    address = _address(host)
    if address is None:
        if not _is_host_name(host):
            raise _bad(text)
        address = resolve(host)
        kind = "host" if kind == "address" else kind
    return ScopeEntry(text, kind, (address,), given=Given(address, port, scheme, text))


def _refuse_ambiguous_ipv6(text: str, value: str) -> None:
    """`::1:80` is a valid IPv6 address, but far more often meant as ::1 with port 80: make the user say which.

    Ambiguous: a compressed (::) address whose last group is a port number and whose rest is an address.
    """
    address = value.split("%", 1)[0]
    head, _, last = address.rpartition(":")
    if "::" not in address or not last.isdigit() or not 0 < int(last) < 65536 or _address(head) is None:
        return
    raise TargetError(f"'{shown(text)}' is ambiguous: write [{head}]:{last} for port {last} on {head}, "
                      f"or [{address}] for the IPv6 address {address}.")


def parse_target(text: str, *, resolve: Resolver = resolve_host, notes: list[str] | None = None) -> ScopeEntry:
    """One TARGET as a ScopeEntry. Raises TargetError with a sentence the user can act on."""
    notes = notes if notes is not None else []
    value = text.strip()
    if not value:
        raise TargetError(f"An empty target was given; {EXAMPLES}.")
    if "@" in value:                   # user:password@ in a URL or before a host; no target form has an @
        raise TargetError(f"'{shown(text)}' contains credentials; put them in the credentials file instead, "
                          "so they are not stored with the target or shown in reports.")
    if "://" in value:
        return _url(text, value, resolve, notes)
    if "/" in value:
        return _network(text, value, notes)
    if _address(value):
        _refuse_ambiguous_ipv6(text, value)
        return _host(text, value, None, None, resolve, "address")
    bracketed = re.fullmatch(r"\[([^\]]+)\](?::(.*))?", value)
    if bracketed:
        if not _address(bracketed[1]):
            raise _bad(text)
        port = _port(text, bracketed[2]) if bracketed[2] is not None else None
        return _host(text, bracketed[1], port, None, resolve, "address")
    host, sep, port_text = value.rpartition(":")
    if sep and ":" not in host:
        return _host(text, host, _port(text, port_text), None, resolve, "address")
    return _host(text, value, None, None, resolve, "address")


def _url(text: str, value: str, resolve: Resolver, notes: list[str]) -> ScopeEntry:
    try:
        parts = urlsplit(value)
    except ValueError as exc:          # "http://[" : an unclosed IPv6 bracket
        raise TargetError(f"'{shown(text)}' is not a usable URL ({exc}); {EXAMPLES}.") from exc
    if "@" in parts.netloc:
        raise TargetError(f"'{shown(text)}' contains credentials; put them in the credentials file instead, "
                          "so they are not stored with the target or shown in reports.")
    try:
        port = parts.port
    except ValueError as exc:
        raise TargetError(f"'{shown(text)}' is not a usable URL ({exc}); {EXAMPLES}.") from exc
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise TargetError(f"'{shown(text)}' is not an http:// or https:// URL with a host; {EXAMPLES}.")
    if parts.path not in ("", "/") or parts.query:
        notes.append(f"'{shown(text)}': only the scheme, host and port are used; the path is ignored.")
    scheme = parts.scheme.lower()
    return _host(text, parts.hostname, port or (443 if scheme == "https" else 80), scheme, resolve, "url")


def parse_targets(texts: Iterable[str], *, resolve: Resolver = resolve_host) -> Scope:
    """Every TARGET as one Scope; raises TargetError for the first one that is not usable."""
    notes: list[str] = []
    entries = tuple(parse_target(t, resolve=resolve, notes=notes) for t in texts)
    if not entries:
        raise TargetError(f"No target was given; {EXAMPLES}.")
    scope = Scope(entries, tuple(notes))
    total = len(scope.addresses)
    if total > MAX_ADDRESSES:
        raise TargetError(f"The targets cover {total:,} addresses together; camaudit scans at most "
                          f"{MAX_ADDRESSES:,} in one run, so audit the site in parts.")
    return scope
