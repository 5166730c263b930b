"""Sets of addresses kept whole: nmap octet ranges and --exclude, matched without expanding them.

An exclusion of 10.0.0.0/8 or 0-255.0-255.0-255.0-255 would be millions of strings if expanded;
membership is checked per scanned address instead.
"""

from __future__ import annotations

import ipaddress
import itertools
import math
from dataclasses import dataclass

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
DEFAULT_MAX_SCOPE = 65_536         # a /16: the most addresses one run scans unless --max-scope says more
HARD_MAX_SCOPE = 1 << 20           # a /12: beyond this the address list alone would take gigabytes


@dataclass(frozen=True)
class OctetRange:
    """192.168.1-3.1-254: the (low, high) bounds of each IPv4 octet; membership without expanding."""

    octets: tuple[tuple[int, int], ...]

    @property
    def size(self) -> int:
        return math.prod(high - low + 1 for low, high in self.octets)

    def __contains__(self, address: object) -> bool:
        parts = str(address).split(".")
        if len(parts) != 4:
            return False
        return all(p.isdigit() and lo <= int(p) <= hi for p, (lo, hi) in zip(parts, self.octets, strict=True))

    def expand(self) -> tuple[str, ...]:
        return tuple(".".join(map(str, o)) for o in itertools.product(*(range(lo, hi + 1) for lo, hi in self.octets)))


@dataclass(frozen=True)
class Exclusion:
    """What --exclude and --exclude-file take out of the scope: addresses, networks and octet ranges."""

    addresses: frozenset[str] = frozenset()
    networks: tuple[IPNetwork, ...] = ()
    ranges: tuple[OctetRange, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.addresses or self.networks or self.ranges)

    def covers(self, address: str) -> bool:
        bare = address.split("%", 1)[0]
        if address in self.addresses or bare in self.addresses or any(bare in r for r in self.ranges):
            return True
        ip = ipaddress.ip_address(bare)
        return any(ip.version == n.version and ip in n for n in self.networks)
