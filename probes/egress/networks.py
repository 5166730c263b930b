"""Which addresses are on the site, and the tshark filters that keep intra-site traffic out
of Python.

The site is a set of networks (by default the private ranges); addresses that never leave a
link (multicast, broadcast, link-local) count as local whatever the site networks are, so a
camera's WS-Discovery multicast is never an "external destination". Loopback is deliberately
*not* always local: the live tests stand simulated internet hosts on 127.0.0.0/8 outside a
narrower --site-network.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

DEFAULT_SITE_NETWORKS: tuple[str, ...] = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")
LOCAL_SCOPE: tuple[str, ...] = ("224.0.0.0/4", "255.255.255.255/32", "169.254.0.0/16", "0.0.0.0/32",
                                "ff00::/8", "fe80::/10", "::/128")


def parse_networks(values: Iterable[str]) -> tuple[IPNetwork, ...]:
    """CIDRs (or single addresses) as networks; raises ValueError naming the first bad one."""
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError as exc:
            raise ValueError(f"'{value}' is not a network in CIDR form such as 10.20.0.0/24") from exc
    return tuple(networks)


def site_from_values(values: Sequence[str] | None) -> SiteNetworks:
    """--site-network values (they replace the private ranges), or the private ranges.

    Raises:
        ValueError: naming the first value that is not a network.
    """
    return SiteNetworks(parse_networks(values or DEFAULT_SITE_NETWORKS))


class SiteNetworks:
    """Membership test with a cache: a capture repeats the same few hundred addresses."""

    def __init__(self, networks: Sequence[IPNetwork]) -> None:
        if not networks:
            raise ValueError("at least one site network is needed")
        self.networks = tuple(networks)
        self._local = parse_networks(LOCAL_SCOPE)
        self._cache: dict[str, bool] = {}

    @classmethod
    def default(cls) -> SiteNetworks:
        return cls(parse_networks(DEFAULT_SITE_NETWORKS))

    def is_site(self, address: str) -> bool:
        """In a site network (a device or an internal peer); local-scope addresses count too."""
        found = self._cache.get(address)
        if found is None:
            try:
                ip = ipaddress.ip_address(address)
            except ValueError:
                found = False
            else:
                found = any(ip in n for n in self.networks) or any(ip in n for n in self._local)
            if len(self._cache) < 100_000:
                self._cache[address] = found
        return found

    def as_text(self) -> list[str]:
        return [str(n) for n in self.networks]

    # -- tshark filters -------------------------------------------------------------------
    def filter_networks(self, version: int) -> list[IPNetwork]:
        """The site and local-scope networks of one IP version: what both filters call local."""
        return [n for n in (*self.networks, *self._local) if n.version == version]

    def display_filter(self) -> str:
        """Frames that cross the site edge, plus DNS (answers from a site resolver name the
        external servers). Everything else, ~97% of a CCTV capture, never reaches Python."""
        parts = ["dns"]
        for field, version in (("ip", 4), ("ipv6", 6)):
            nets = self.filter_networks(version)
            src = " or ".join(f"{field}.src == {n}" for n in nets)
            dst = " or ".join(f"{field}.dst == {n}" for n in nets)
            parts.append(f"({field} and not (({src}) and ({dst})))")
        return " or ".join(parts)

    def capture_filter(self) -> str:
        """The same cut as a BPF filter (a superset of it; see `bpf.py`), for libpcap."""
        from probes.egress.bpf import capture_filter

        return capture_filter(self)
