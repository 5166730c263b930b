"""Label each external destination: allowed, vendor-cloud, public-ntp, dns or unknown
(`site` is the label of addresses inside the site networks, which are never destinations).

First match wins, in that order: what the site expects (its allow-list) before what camaudit
knows about vendors (`endpoints.toml`, every entry with its source), before ports.
Names are the destination's DNS names, TLS SNI and HTTP Host. Country comes from iptocc
(Regional Internet Registry allocations shipped inside the wheel: offline, no look-ups).
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from importlib import resources

from auditor.judge.egress.allow import AllowList
from models.features import EGRESS_LABELS
from probes.egress.traffic import DestinationTraffic

LABELS = EGRESS_LABELS
DNS_PORTS = {("udp", 53), ("tcp", 53), ("tcp", 853)}   # DNS, DNS over TLS
NTP_PORT = ("udp", 123)


@dataclass(frozen=True)
class Endpoint:
    domain: str
    kind: str                 # vendor-cloud | public-ntp
    source: str
    vendor: str = ""
    setting: str | None = None

    def matches(self, name: str) -> bool:
        name = name.lower().rstrip(".")
        return name == self.domain or name.endswith("." + self.domain)


@dataclass(frozen=True)
class Label:
    label: str
    setting: str | None = None    # the remote-access setting that governs vendor-cloud traffic
    reason: str = ""


@functools.lru_cache(maxsize=1)
def known_endpoints() -> tuple[Endpoint, ...]:
    """The bundled endpoint list; every entry has a non-empty source (checked by the tests)."""
    data = tomllib.loads(resources.files(__package__).joinpath("endpoints.toml").read_text("utf-8"))
    found = [Endpoint(e["domain"].lower(), "vendor-cloud", e["source"], e.get("vendor", ""), e.get("setting"))
             for e in data.get("vendor_cloud", [])]
    found += [Endpoint(e["domain"].lower(), "public-ntp", e["source"]) for e in data.get("public_ntp", [])]
    return tuple(found)


def destination_names(dest: DestinationTraffic) -> list[str]:
    return sorted({n.lower().rstrip(".") for n in (*dest.names, *dest.sni, *dest.http_host) if n})


def label_destination(dest: DestinationTraffic, allow: AllowList) -> Label:
    names = destination_names(dest)
    allowed = allow.match(dest.address, names, dest.port, dest.transport)
    if allowed is not None:
        return Label("allowed", reason=f"allow-list: {allowed}")
    for endpoint in known_endpoints():
        if endpoint.kind == "vendor-cloud" and any(endpoint.matches(n) for n in names):
            return Label("vendor-cloud", endpoint.setting, endpoint.vendor)
    for endpoint in known_endpoints():
        if endpoint.kind == "public-ntp" and any(endpoint.matches(n) for n in names):
            return Label("public-ntp", reason=endpoint.domain)
    if (dest.transport, dest.port) in DNS_PORTS:
        return Label("dns")
    return Label("unknown")


@functools.lru_cache(maxsize=4096)
def country_of(address: str) -> str | None:
    """ISO 3166 alpha-2 code of the registry allocation, or None (private, reserved, unknown)."""
    from iptocc import country_code

    try:
        return country_code(address)
    except (ValueError, TypeError):
        return None
