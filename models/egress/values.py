"""Egress results as plain values: `EgressReport` > `EgressDevice` > `EgressDestination`,
`EgressLookup`. The orchestrator builds them, the store keeps them, the report, the TUI and drift
read them back. `EgressReport.to_json()` is the `camaudit egress analyze --json` contract (keys
are a contract: add, never rename or remove).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from models.audit import DataFlow, DeviceAudit, Finding, RemoteAccessVerdict

# EgressDestination / EgressLookup fields kept as columns of the same name (egress_flow, egress_dns):
# the store (models/egress/store.py) and the direct writer (models/egress/direct.py) both use these.
DESTINATION_COLUMNS = ("address", "port", "transport", "label", "setting", "country", "names", "sni", "http_host",
                       "packets_out", "packets_in", "bytes_out", "bytes_in", "first_seen", "last_seen",
                       "failed_attempts", "syn_packets", "geo_country", "network_owner")
LOOKUP_COLUMNS = ("name", "queries", "responses", "rcode", "answers", "led_to_connection", "first_seen", "last_seen")


def device_label(name: str | None, model: str | None, address: str) -> str:
    """How egress tables name a linked audited device: its name, model and audit address."""
    words = " ".join(p for p in (name, model) if p)
    return words + (" at " if words else "") + address


def iso(value: dt.datetime | None) -> str | None:
    """A time as the JSON contracts write it: UTC, microseconds."""
    return None if value is None else value.astimezone(dt.UTC).isoformat(timespec="microseconds")


@dataclass
class EgressDestination:
    """One external destination (address, port, transport) one device talked to in one capture: the
    one shape the store keeps and the report, the TUI and drift read (built from the probe's
    `DestinationTraffic` in `auditor.run.egress.to_destination`)."""

    address: str
    port: int
    transport: str
    label: str                      # site | allowed | vendor-cloud | public-ntp | dns | unknown
    country: str | None
    packets_out: int
    packets_in: int
    bytes_out: int
    bytes_in: int
    first_seen: dt.datetime
    last_seen: dt.datetime
    names: list[str] = field(default_factory=list)
    sni: list[str] = field(default_factory=list)
    http_host: list[str] = field(default_factory=list)
    failed_attempts: int = 0
    syn_packets: int = 0
    setting: str | None = None      # remote-access setting governing it (vendor-cloud)
    # Where the server is (geolocated) and who runs its network, from the offline data of the analysis
    # (`auditor.judge.egress.geo`; the data's name and date are on the run, `EgressCapture.geo_data`).
    # `country` above is the registry allocation (iptocc): where the address block is registered.
    geo_country: str | None = None
    network_owner: str | None = None

    @property
    def located_in(self) -> str | None:
        """Where the server is, per the offline geolocation data (shown with that data's date)."""
        return self.geo_country

    @property
    def registered_in(self) -> str | None:
        """Where the address block is registered (the registry allocation): Amazon's Frankfurt range is
        registered in the US and located in DE."""
        return self.country

    @property
    def key(self) -> tuple[str, int, str]:
        """What makes it one destination: address, port and transport."""
        return (self.address, self.port, self.transport)

    @property
    def name(self) -> str:
        """The name to show: a DNS name, else the TLS SNI or HTTP Host, else the address."""
        return next(iter([*self.names, *self.sni, *self.http_host]), self.address)

    def to_json(self) -> dict[str, Any]:
        return {"address": self.address, "port": self.port, "transport": self.transport,
                "names": list(self.names), "sni": list(self.sni), "http_host": list(self.http_host),
                "country": self.country, "label": self.label,
                "packets_out": self.packets_out, "packets_in": self.packets_in,
                "bytes_out": self.bytes_out, "bytes_in": self.bytes_in,
                "first_seen": iso(self.first_seen), "last_seen": iso(self.last_seen),
                "failed_attempts": self.failed_attempts,
                "located_in": self.located_in, "registered_in": self.registered_in,
                "network_owner": self.network_owner}


@dataclass(frozen=True)
class DeviceSettings:
    """What egress judgement needs of a device's latest audit: where its configuration says it
    sends data (remote-access settings and data flows), read narrowly (`get_latest_settings`)."""

    remote_access: dict[str, RemoteAccessVerdict] = field(default_factory=dict)
    data_flows: list[DataFlow] = field(default_factory=list)

    @classmethod
    def of(cls, audit: DeviceAudit) -> DeviceSettings:
        return cls(dict(audit.remote_access), list(audit.data_flows))


@dataclass
class EgressLookup:
    name: str
    queries: int
    responses: int
    rcode: str | None
    answers: list[str]
    led_to_connection: bool
    first_seen: dt.datetime
    last_seen: dt.datetime


@dataclass
class EgressDevice:
    address: str
    mac: str | None
    destinations: list[EgressDestination] = field(default_factory=list)
    lookups: list[EgressLookup] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    device_id: int | None = None    # the audited Device it was linked to
    linked_by: str | None = None    # how: "mac" (same MAC) or "address" (its latest audit was here)
    device_label: str | None = None  # the linked device's name, model and audit address (read back, not stored)
    internal_packets: int | None = None
    internal_bytes: int | None = None

    @property
    def unused_lookups(self) -> list[str]:
        """Names looked up that never led to a connection (NXDOMAIN, or answers never called)."""
        return sorted(q.name for q in self.lookups if not q.led_to_connection)

    @property
    def external(self) -> bool:
        return bool(self.destinations or self.unused_lookups)

    def to_json(self) -> dict[str, Any]:
        return {"address": self.address, "mac": self.mac,
                "destinations": [d.to_json() for d in self.destinations],
                # Every name the device looked up; the ones that never led to a connection
                # (NXDOMAIN, or answers never called) are also listed on their own.
                "device_id": self.device_id, "linked_by": self.linked_by,
                "dns_queries": sorted({q.name for q in self.lookups}),
                "dns_unused": self.unused_lookups,
                "findings": [{"id": f.id, "severity": f.severity, "title": f.title} for f in self.findings]}


@dataclass
class EgressCapture:
    kind: str                       # file | live
    source: str
    packets: int
    bytes: int
    started: dt.datetime | None
    ended: dt.datetime | None
    partial: bool = False
    problems: list[str] = field(default_factory=list)
    site_networks: list[str] = field(default_factory=list)
    geo_data: str | None = None     # the offline network data the countries came from, with its date
    # The site whose audited devices the traffic was linked to; models.location.DEFAULT_SITE, written
    # out because judgement reads these values and must not import models.location (it reaches SQLAlchemy).
    site: str = "default"


@dataclass
class EgressReport:
    run_id: int
    capture: EgressCapture
    devices: list[EgressDevice]

    def to_json(self) -> dict[str, Any]:
        """The --json contract: devices with at least one external destination or DNS query."""
        c = self.capture
        return {"capture": {"source": c.source, "packets": c.packets, "started": iso(c.started),
                            "ended": iso(c.ended), "geo_data": c.geo_data, "site": c.site},
                "devices": [d.to_json() for d in self.devices if d.external]}
