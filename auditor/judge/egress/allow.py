"""The site's allow-list: destinations someone expects (the VMS, an NTP server, an approved cloud).

    # allow.toml
    [[allow]]
    destination = "203.0.113.10"        # an address, a CIDR, or a DNS name
    note = "Site VMS"                    # optional
    [[allow]]
    destination = "*.approved-cloud.example"   # a name matches itself and every name under it
    port = 443                           # optional: only this port
    transport = "tcp"                    # optional: tcp or udp

A bad file is refused with one sentence naming the file and what is wrong with it.
"""

from __future__ import annotations

import ipaddress
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from models.errors import UsageError

_NAME = re.compile(r"^(\*\.)?([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?\.)*[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$")


@dataclass(frozen=True)
class AllowEntry:
    destination: str
    network: ipaddress.IPv4Network | ipaddress.IPv6Network | None
    domain: str | None
    port: int | None = None
    transport: str | None = None
    note: str = ""

    def matches(self, address: str, names: list[str], port: int, transport: str) -> bool:
        if self.port is not None and self.port != port:
            return False
        if self.transport is not None and self.transport != transport:
            return False
        if self.network is not None:
            try:
                return ipaddress.ip_address(address) in self.network
            except ValueError:
                return False
        assert self.domain is not None
        return any(n == self.domain or n.endswith("." + self.domain) for n in names)


@dataclass(frozen=True)
class AllowList:
    entries: tuple[AllowEntry, ...] = ()
    path: str | None = None

    def match(self, address: str, names: list[str], port: int, transport: str) -> str | None:
        """The matching entry's destination (and note), or None."""
        for entry in self.entries:
            if entry.matches(address, names, port, transport):
                return entry.destination + (f" ({entry.note})" if entry.note else "")
        return None


def _entry(path: Path, index: int, raw: object) -> AllowEntry:
    where = f"Entry {index} of the allow-list {path}"
    if not isinstance(raw, dict):
        raise UsageError(f"{where} is not a table; write it as [[allow]] with destination = \"...\".")
    unknown = set(raw) - {"destination", "port", "transport", "note"}
    if unknown:
        raise UsageError(f"{where} has unknown keys ({', '.join(sorted(unknown))}); "
                         f"use destination, port, transport and note.")
    destination = raw.get("destination")
    if not isinstance(destination, str) or not destination.strip():
        raise UsageError(f"{where} has no destination (an address, a CIDR or a DNS name).")
    destination = destination.strip()
    port, transport, note = raw.get("port"), raw.get("transport"), raw.get("note", "")
    if port is not None and (not isinstance(port, int) or isinstance(port, bool) or not 0 < port < 65536):
        raise UsageError(f"{where} has port {port!r}; a port is a number from 1 to 65535.")
    if transport is not None and transport not in ("tcp", "udp"):
        raise UsageError(f"{where} has transport {transport!r}; use \"tcp\" or \"udp\".")
    try:
        network = ipaddress.ip_network(destination, strict=False)
    except ValueError:
        network = None
    domain = None
    if network is None:
        name = destination.lower().rstrip(".")
        if not _NAME.match(name) or "." not in name.removeprefix("*."):
            raise UsageError(f"'{destination}' in the allow-list {path} is not an address, a CIDR or a DNS name.")
        domain = name.removeprefix("*.")
    return AllowEntry(destination, network, domain, port, transport, str(note))


def load_allow_list(path: str | Path | None) -> AllowList:
    """Read and check an allow-list file; None gives an empty list.

    Raises:
        UsageError: missing, unreadable, not TOML, or an entry that is not valid.
    """
    if path is None:
        return AllowList()
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"The allow-list {path} does not exist.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"Cannot read the allow-list {path} ({getattr(exc, 'strerror', None) or exc}).") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"The allow-list {path} is not valid TOML ({exc}).") from None
    unknown = set(data) - {"allow"}
    if unknown:
        raise UsageError(f"The allow-list {path} has unknown sections ({', '.join(sorted(unknown))}); "
                         f"list destinations as [[allow]] tables.")
    raw = data.get("allow", [])
    if not isinstance(raw, list):
        raise UsageError(f"In the allow-list {path}, 'allow' must be a list of [[allow]] tables.")
    return AllowList(tuple(_entry(path, i, item) for i, item in enumerate(raw, 1)), str(path))
