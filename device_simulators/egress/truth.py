"""Ground truth of a generated site capture, counted frame by frame as the frames are written.

The generator calls ``SiteTruth.count`` for every frame it hands to the pcap writer, so the
truth is what is in the file, not a second computation that could drift from it.

Definitions the auditor must match:
- bytes are whole frames, tshark's ``frame.len`` (Ethernet header included, no FCS);
- ``out`` is from the site device, ``in`` is to it;
- a destination is ``(address, port, transport)`` outside the site; the site resolver's DNS
  traffic is internal and appears under ``dns_queries`` and the intra-site totals only;
- ``names`` are the names whose DNS answers, sent to this device in the capture, held the
  destination's address; ``sni`` and ``http_host`` are the TLS server_name / HTTP Host values
  the device sent to it;
- ``failed_attempts`` counts TCP connections (distinct source ports) whose SYN was never
  answered; the SYN retransmissions of one attempt count once (``syn_packets`` has them all);
- ``country`` and ``label`` are the auditor's own judgement (offline lookup, allow lists) and
  are null here: the truth does not assert them;
- ``disabled_in_config`` names the remote_access setting that says this destination is off
  (the device calls it anyway: the "undisclosed egress" case), null otherwise.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from device_simulators.egress.flows import OUT, Tag

FORMAT = "camaudit.site-truth/1"
_RCODES = {0: "NOERROR", 3: "NXDOMAIN"}
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def iso(time_us: int | None) -> str | None:
    """Exact ISO 8601 UTC time with microseconds (a float epoch would round them)."""
    if time_us is None:
        return None
    return (_EPOCH + dt.timedelta(microseconds=time_us)).isoformat(timespec="microseconds")


@dataclass
class Destination:
    address: str
    port: int
    transport: str
    kind: str
    disabled_in_config: str | None = None
    sni: set[str] = field(default_factory=set)
    http_host: set[str] = field(default_factory=set)
    counts: list[int] = field(default_factory=lambda: [0, 0, 0, 0])   # packets out/in, bytes out/in
    first_us: int | None = None
    last_us: int | None = None
    failed_attempts: int = 0
    syn_packets: int = 0


@dataclass
class DnsQuery:
    name: str
    queries: int = 0
    responses: int = 0
    rcode: int | None = None
    answers: set[str] = field(default_factory=set)
    first_us: int | None = None
    last_us: int | None = None


@dataclass
class DeviceTruth:
    id: str
    profile: str | None
    address: str
    mac: str
    device_type: str
    patterns: dict[tuple[str, int, str], tuple[str, str | None]] = field(default_factory=dict)
    intra: list[int] = field(default_factory=lambda: [0, 0])
    destinations: dict[tuple[str, int, str], Destination] = field(default_factory=dict)
    dns: dict[str, DnsQuery] = field(default_factory=dict)
    resolved: dict[str, set[str]] = field(default_factory=dict)   # address -> names answered

    def destination(self, key: tuple[str, int, str]) -> Destination:
        found = self.destinations.get(key)
        if found is None:
            kind, disabled = self.patterns.get(key, ("unknown", None))
            found = self.destinations[key] = Destination(*key, kind=kind, disabled_in_config=disabled)
        return found


@dataclass
class SiteTruth:
    """What a generated capture holds, per device and destination. See the module docstring."""

    seed: int
    site: dict[str, Any]
    devices: list[DeviceTruth]
    file: str = ""
    packets: int = 0
    bytes: int = 0
    first_us: int | None = None
    last_us: int | None = None
    intra: dict[str, list[int]] = field(default_factory=lambda: {"rtp": [0, 0], "rtsp": [0, 0], "dns": [0, 0]})
    scenarios: dict[str, Any] = field(default_factory=dict)

    def count(self, time_us: int, length: int, tag: Tag) -> None:
        """Account for one frame as it is written."""
        self.packets += 1
        self.bytes += length
        if self.first_us is None:
            self.first_us = time_us
        self.last_us = time_us
        category, index, key, direction, note = tag
        device = self.devices[index]
        if category == "ext":
            self._external(device.destination(key), time_us, length, direction, note)
            return
        totals = self.intra["dns" if category == "dns" else key]
        totals[0] += 1
        totals[1] += length
        device.intra[0] += 1
        device.intra[1] += length
        if category == "dns" and note is not None:
            self._dns(device, time_us, note)

    @staticmethod
    def _external(dest: Destination, time_us: int, length: int, direction: int, note: Any) -> None:
        dest.counts[direction] += 1
        dest.counts[2 + direction] += length
        if dest.first_us is None:
            dest.first_us = time_us
        dest.last_us = time_us
        if dest.kind == "syn_only" and direction == OUT:
            dest.syn_packets += 1
        if note is None:
            return
        if note[0] == "sni":
            dest.sni.add(note[1])
        elif note[0] == "host":
            dest.http_host.add(note[1])
        elif note[0] == "attempt":
            dest.failed_attempts += 1

    @staticmethod
    def _dns(device: DeviceTruth, time_us: int, note: Any) -> None:
        query = device.dns.setdefault(note[1], DnsQuery(note[1]))
        if note[0] == "query":
            query.queries += 1
            query.first_us = time_us if query.first_us is None else query.first_us
            query.last_us = time_us
        else:                                   # ("answer", name, rcode, addresses)
            query.responses += 1
            query.rcode = note[2]
            query.answers.update(note[3])
            for address in note[3]:
                device.resolved.setdefault(address, set()).add(note[1])

    # -- output ---------------------------------------------------------------------------
    def _destination_json(self, device: DeviceTruth, d: Destination) -> dict[str, Any]:
        return {
            "address": d.address, "port": d.port, "transport": d.transport,
            "names": sorted(device.resolved.get(d.address, ())), "sni": sorted(d.sni),
            "http_host": sorted(d.http_host), "country": None, "label": None,
            "packets_out": d.counts[0], "packets_in": d.counts[1],
            "bytes_out": d.counts[2], "bytes_in": d.counts[3],
            "first_seen": iso(d.first_us), "last_seen": iso(d.last_us),
            "failed_attempts": d.failed_attempts, "syn_packets": d.syn_packets,
            "kind": d.kind, "disabled_in_config": d.disabled_in_config,
        }

    def _device_json(self, device: DeviceTruth) -> dict[str, Any]:
        connected = {d.address for d in device.destinations.values() if d.counts[0]}
        return {
            "id": device.id, "profile": device.profile, "address": device.address, "mac": device.mac,
            "device_type": device.device_type,
            "intra_site": {"packets": device.intra[0], "bytes": device.intra[1]},
            "destinations": [self._destination_json(device, d) for _, d in sorted(device.destinations.items())],
            "dns_queries": [{
                "name": q.name, "type": "A", "queries": q.queries, "responses": q.responses,
                "rcode": _RCODES.get(q.rcode, q.rcode) if q.rcode is not None else None,
                "answers": sorted(q.answers), "first_seen": iso(q.first_us), "last_seen": iso(q.last_us),
                "led_to_connection": bool(q.answers & connected),
            } for _, q in sorted(device.dns.items())],
        }

    def to_json(self) -> dict[str, Any]:
        """The truth as plain JSON values (the document ``write`` saves)."""
        intra_packets = sum(v[0] for v in self.intra.values())
        intra_bytes = sum(v[1] for v in self.intra.values())
        return {
            "format": FORMAT, "seed": self.seed,
            "capture": {"file": self.file, "linktype": "ethernet", "packets": self.packets,
                        "bytes": self.bytes, "bytes_are": "frame.len", "start": iso(self.first_us),
                        "end": iso(self.last_us)},
            "site": self.site,
            "intra_site": {"packets": intra_packets, "bytes": intra_bytes,
                           "share": round(intra_packets / self.packets, 6) if self.packets else 0.0,
                           **{k: {"packets": v[0], "bytes": v[1]} for k, v in self.intra.items()}},
            "external": {"packets": self.packets - intra_packets, "bytes": self.bytes - intra_bytes},
            "scenarios": self.scenarios,
            "devices": [self._device_json(d) for d in self.devices],
        }

    def write(self, path: str | Path) -> Path:
        """Save the truth as indented JSON; returns the path."""
        path = Path(path)
        path.write_text(json.dumps(self.to_json(), indent=2) + "\n", encoding="utf-8")
        return path
