"""Turn the frames tshark lets through into per-device destinations, lookups and attempts.

Streaming: one small accumulator per (device, destination) and per (device, name); frames are
never kept. Pending TCP attempts are settled once they are older than any SYN retry schedule
(`ATTEMPT_WINDOW_US`), so memory stays flat even for the airport case (millions of SYNs).
`add` runs on the capture thread; `snapshot` may be called from any thread.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import probes.egress.columns as c
from probes.egress.networks import SiteNetworks
from probes.egress.traffic import DestinationTraffic, DeviceTraffic, DnsLookup, to_datetime

SYN, RST, ACK = 0x02, 0x04, 0x10
# Linux gives up on a SYN after 127 s (tcp_syn_retries = 6); Windows and camera stacks sooner.
ATTEMPT_WINDOW_US = 180_000_000
SWEEP_EVERY = 4096
RCODES = {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 5: "REFUSED"}
_NO_MAC = frozenset({"00:00:00:00:00:00", "ff:ff:ff:ff:ff:ff"})


@dataclass
class _Destination:
    counts: list[int] = field(default_factory=lambda: [0, 0, 0, 0])   # packets out/in, bytes out/in
    first_us: int = 0
    last_us: int = 0
    sni: set[str] = field(default_factory=set)
    http_host: set[str] = field(default_factory=set)
    failed: int = 0
    syn_packets: int = 0


@dataclass
class _Lookup:
    queries: int = 0
    responses: int = 0
    rcode: int | None = None
    answers: set[str] = field(default_factory=set)
    first_us: int = 0
    last_us: int = 0


@dataclass
class _Device:
    macs: Counter[str] = field(default_factory=Counter)
    destinations: dict[tuple[str, int, str], _Destination] = field(default_factory=dict)
    lookups: dict[str, _Lookup] = field(default_factory=dict)
    resolved: dict[str, set[str]] = field(default_factory=dict)   # answer address -> names


class FlowTable:
    """Accumulates frames (PSML rows in `columns.COLUMNS` order) for one capture window."""

    def __init__(self, site: SiteNetworks) -> None:
        self.site = site
        self.frames = 0
        self.bytes = 0
        self.first_us: int | None = None
        self.last_us: int | None = None
        self._devices: dict[str, _Device] = {}
        # (device, peer, port, device port) -> [initial seq, last SYN time, answered, SYNs sent]
        self._attempts: dict[tuple[str, str, int, int], list] = {}
        self._lock = threading.Lock()

    def _device(self, address: str) -> _Device:
        found = self._devices.get(address)
        if found is None:
            found = self._devices[address] = _Device()
        return found

    def add(self, row: Sequence[str]) -> None:
        """Account for one frame."""
        with self._lock:
            self._add(row)

    def _add(self, row: Sequence[str]) -> None:
        time_us = c.epoch_us(row[c.TIME])
        length = int(row[c.LENGTH] or 0)
        self.frames += 1
        self.bytes += length
        if self.first_us is None or time_us < self.first_us:
            self.first_us = time_us
        if self.last_us is None or time_us > self.last_us:
            self.last_us = time_us
        src, dst = row[c.IP_SRC] or row[c.IP6_SRC], row[c.IP_DST] or row[c.IP6_DST]
        if not src or not dst:
            return
        site = self.site.is_site
        src_site, dst_site = site(src), site(dst)
        if row[c.DNS_RESPONSE] and _is_plain_dns(row):
            self._dns(row, time_us, src, dst, src_site, dst_site)
        if src_site == dst_site:
            return                           # intra-site (e.g. the site resolver), or transit
        if row[c.TCP_SPORT]:
            transport, sport, dport = "tcp", int(row[c.TCP_SPORT]), int(row[c.TCP_DPORT])
        elif row[c.UDP_SPORT]:
            transport, sport, dport = "udp", int(row[c.UDP_SPORT]), int(row[c.UDP_DPORT])
        else:
            return                           # ICMP and the like: not a destination
        out = src_site
        device, peer, port, device_port = (src, dst, dport, sport) if out else (dst, src, sport, dport)
        record = self._device(device)
        dest = record.destinations.get((peer, port, transport))
        if dest is None:
            dest = record.destinations[(peer, port, transport)] = _Destination(first_us=time_us)
        direction = 0 if out else 1
        dest.counts[direction] += 1
        dest.counts[2 + direction] += length
        dest.first_us = min(dest.first_us, time_us)
        dest.last_us = max(dest.last_us, time_us)
        if out:
            mac = row[c.ETH_SRC]
            if mac and mac not in _NO_MAC:
                record.macs[mac] += 1
            if row[c.SNI]:
                dest.sni.update(c.split_values(row[c.SNI]))
            if row[c.HTTP_HOST]:
                dest.http_host.update(c.split_values(row[c.HTTP_HOST]))
        if transport == "tcp" and row[c.TCP_FLAGS]:
            self._tcp(int(row[c.TCP_FLAGS], 16), out, (device, peer, port, device_port), row, time_us, dest)
        if self.frames % SWEEP_EVERY == 0:
            self._sweep(time_us - ATTEMPT_WINDOW_US)

    def _tcp(self, flags: int, out: bool, key: tuple[str, str, int, int], row: Sequence[str],
             time_us: int, dest: _Destination) -> None:
        if out and flags & SYN and not flags & ACK:
            isn = row[c.TCP_SEQ]
            attempt = self._attempts.get(key)
            if attempt is not None and attempt[0] == isn:
                attempt[1] = time_us         # a retransmission of the same attempt
                attempt[3] += 1
                return
            if attempt is not None:
                self._settle(key, attempt)
            self._attempts[key] = [isn, time_us, False, 1]
        elif not out and flags & SYN and flags & ACK:
            attempt = self._attempts.get(key)
            if attempt is not None:
                attempt[2] = True

    def _destination(self, key: tuple[str, str, int, int]) -> _Destination:
        device, peer, port, _ = key
        return self._devices[device].destinations[(peer, port, "tcp")]

    def _settle(self, key: tuple[str, str, int, int], attempt: list) -> None:
        if not attempt[2]:
            dest = self._destination(key)
            dest.failed += 1
            dest.syn_packets += attempt[3]

    def _sweep(self, before_us: int) -> None:
        for key in [k for k, a in self._attempts.items() if a[1] < before_us]:
            self._settle(key, self._attempts.pop(key))

    def _dns(self, row: Sequence[str], time_us: int, src: str, dst: str, src_site: bool, dst_site: bool) -> None:
        name = row[c.DNS_NAME].lower().rstrip(".")
        if not name:
            return
        if row[c.DNS_RESPONSE] == "0":
            if not src_site:
                return
            lookup = self._device(src).lookups.get(name)
            if lookup is None:
                lookup = self._device(src).lookups[name] = _Lookup(first_us=time_us)
            lookup.queries += 1
            lookup.last_us = max(lookup.last_us, time_us)
            return
        if not dst_site:
            return
        record = self._device(dst)
        lookup = record.lookups.get(name)
        if lookup is None:
            lookup = record.lookups[name] = _Lookup(first_us=time_us)
        lookup.responses += 1
        lookup.last_us = max(lookup.last_us, time_us)
        if row[c.DNS_RCODE]:
            lookup.rcode = int(row[c.DNS_RCODE])
        for address in c.split_values(row[c.DNS_A]) + c.split_values(row[c.DNS_AAAA]):
            lookup.answers.add(address)
            record.resolved.setdefault(address, set()).add(name)

    # -- results --------------------------------------------------------------------------
    def snapshot(self) -> list[DeviceTraffic]:
        """The devices so far (pending attempts count as failed): for a live display."""
        with self._lock:
            return self._results(settle=False)

    def finish(self) -> list[DeviceTraffic]:
        """Settle every pending attempt and return the devices, by address."""
        with self._lock:
            return self._results(settle=True)

    def _results(self, *, settle: bool) -> list[DeviceTraffic]:
        pending: Counter[tuple[str, str, int]] = Counter()
        if settle:
            for key, attempt in self._attempts.items():
                self._settle(key, attempt)
            self._attempts.clear()
        else:
            for key, attempt in self._attempts.items():
                pending[key[:3]] += not attempt[2]
        owners: Counter[str] = Counter(mac for d in self._devices.values() for mac in d.macs)
        return [self._device_traffic(address, record, pending, owners)
                for address, record in sorted(self._devices.items())]

    @staticmethod
    def _device_traffic(address: str, record: _Device, pending: Counter[tuple[str, str, int]],
                        owners: Counter[str]) -> DeviceTraffic:
        # A MAC seen as the source of several site addresses is a router's, not the device's.
        mac = record.macs.most_common(1)[0][0] if record.macs else None
        if mac is not None and owners[mac] > 1:
            mac = None
        connected = {peer for (peer, _, _), d in record.destinations.items() if d.counts[0]}
        destinations = tuple(
            DestinationTraffic(
                address=peer, port=port, transport=transport, packets_out=d.counts[0], packets_in=d.counts[1],
                bytes_out=d.counts[2], bytes_in=d.counts[3], first_seen=to_datetime(d.first_us),
                last_seen=to_datetime(d.last_us), names=tuple(sorted(record.resolved.get(peer, ()))),
                sni=tuple(sorted(d.sni)), http_host=tuple(sorted(d.http_host)),
                failed_attempts=d.failed + pending[(address, peer, port)] if transport == "tcp" else d.failed,
                syn_packets=d.syn_packets)
            for (peer, port, transport), d in sorted(record.destinations.items()))
        lookups = tuple(
            DnsLookup(name=name, queries=q.queries, responses=q.responses,
                      rcode=None if q.rcode is None else RCODES.get(q.rcode, str(q.rcode)),
                      answers=tuple(sorted(q.answers)), first_seen=to_datetime(q.first_us),
                      last_seen=to_datetime(q.last_us), led_to_connection=bool(q.answers & connected))
            for name, q in sorted(record.lookups.items()))
        return DeviceTraffic(address=address, mac=mac, destinations=destinations, lookups=lookups)


def _is_plain_dns(row: Sequence[str]) -> bool:
    """Plain DNS (port 53, UDP or TCP); mDNS and LLMNR share tshark's dns.* fields but are
    local-link name resolution, not lookups of internet servers."""
    return c.DNS_PORT in (row[c.UDP_SPORT], row[c.UDP_DPORT], row[c.TCP_SPORT], row[c.TCP_DPORT])


# -- state, for a long watch that must survive a restart (`ring.py`) -----------------------------
def to_state(table: FlowTable) -> dict:
    """The table's whole state as JSON-able values (sets as sorted lists, tuple keys as lists)."""
    with table._lock:
        devices = {}
        for address, d in table._devices.items():
            devices[address] = {
                "macs": dict(d.macs),
                "destinations": [[list(key), v.counts, v.first_us, v.last_us, sorted(v.sni), sorted(v.http_host),
                                  v.failed, v.syn_packets] for key, v in d.destinations.items()],
                "lookups": {name: [q.queries, q.responses, q.rcode, sorted(q.answers), q.first_us, q.last_us]
                            for name, q in d.lookups.items()},
                "resolved": {a: sorted(names) for a, names in d.resolved.items()},
            }
        return {"frames": table.frames, "bytes": table.bytes, "first_us": table.first_us, "last_us": table.last_us,
                "devices": devices, "attempts": [[list(k), v] for k, v in table._attempts.items()]}


def from_state(site: SiteNetworks, state: dict) -> FlowTable:
    """A table as `to_state` saved it."""
    table = FlowTable(site)
    table.frames, table.bytes = state["frames"], state["bytes"]
    table.first_us, table.last_us = state["first_us"], state["last_us"]
    for address, d in state["devices"].items():
        record = table._device(address)
        record.macs.update(d["macs"])
        for key, counts, first, last, sni, host, failed, syns in d["destinations"]:
            record.destinations[(key[0], key[1], key[2])] = _Destination(counts, first, last, set(sni), set(host),
                                                                         failed, syns)
        for name, (queries, responses, rcode, answers, first, last) in d["lookups"].items():
            record.lookups[name] = _Lookup(queries, responses, rcode, set(answers), first, last)
        record.resolved = {a: set(names) for a, names in d["resolved"].items()}
    table._attempts = {(k[0], k[1], k[2], k[3]): v for k, v in state["attempts"]}
    return table
