"""What an egress capture found, as plain values: per device (a site source address), every
external destination and every DNS lookup. Labels, countries and findings are the
auditor's judgement and are not here.

Definitions (the same as the simulators' ground truth, `device_simulators/egress/truth.py`):
- bytes are whole frames (tshark's frame.len); `out` is from the device, `in` is to it;
- a destination is (address, port, transport) outside the site networks;
- `names` are the names whose DNS answers, sent to this device in the capture, held the
  destination's address; `sni` / `http_host` are what the device sent to it;
- `failed_attempts` counts TCP connections (source port + initial sequence number) whose SYN
  never got a SYN-ACK: silence (the usual case on the internet) and an RST (a refused port;
  on loopback the kernel always answers so) both mean the device tried and got nowhere.
  SYN retransmissions of one attempt count once; `syn_packets` counts every SYN of the
  failed attempts, retransmissions included.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def to_datetime(time_us: int) -> dt.datetime:
    return _EPOCH + dt.timedelta(microseconds=time_us)


@dataclass(frozen=True)
class DestinationTraffic:
    address: str
    port: int
    transport: str                  # tcp | udp
    packets_out: int
    packets_in: int
    bytes_out: int
    bytes_in: int
    first_seen: dt.datetime
    last_seen: dt.datetime
    names: tuple[str, ...] = ()
    sni: tuple[str, ...] = ()
    http_host: tuple[str, ...] = ()
    failed_attempts: int = 0
    syn_packets: int = 0


@dataclass(frozen=True)
class DnsLookup:
    name: str
    queries: int
    responses: int
    rcode: str | None               # NOERROR | NXDOMAIN | SERVFAIL | REFUSED | the number
    answers: tuple[str, ...]
    first_seen: dt.datetime
    last_seen: dt.datetime
    led_to_connection: bool         # the device sent packets to one of the answers


@dataclass(frozen=True)
class DeviceTraffic:
    address: str
    mac: str | None                 # None when unseen or shared with other sources (a router)
    destinations: tuple[DestinationTraffic, ...] = ()
    lookups: tuple[DnsLookup, ...] = ()
    total_packets: int | None = None   # every frame to or from it (file captures only)
    total_bytes: int | None = None

    @property
    def internal_packets(self) -> int | None:
        if self.total_packets is None:
            return None
        return max(self.total_packets - sum(d.packets_out + d.packets_in for d in self.destinations), 0)

    @property
    def internal_bytes(self) -> int | None:
        if self.total_bytes is None:
            return None
        return max(self.total_bytes - sum(d.bytes_out + d.bytes_in for d in self.destinations), 0)


@dataclass(frozen=True)
class CaptureSummary:
    kind: str                       # file | live
    sources: tuple[str, ...]        # file names, or the interface
    packets: int                    # frames in the capture (file) / that passed the filter (live)
    bytes: int
    started: dt.datetime | None
    ended: dt.datetime | None
    partial: bool = False
    problems: tuple[str, ...] = ()  # why it is partial, one sentence each
    notes: tuple[str, ...] = ()     # how it was read, when that matters (e.g. the slow path, and why)


@dataclass(frozen=True)
class CaptureResult:
    summary: CaptureSummary
    devices: tuple[DeviceTraffic, ...] = field(default_factory=tuple)
