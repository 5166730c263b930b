"""A `FlowTable` and the capture's totals -> the `CaptureResult` every path returns."""

from __future__ import annotations

from probes.egress.flows import FlowTable
from probes.egress.stats import CaptureStats
from probes.egress.traffic import CaptureResult, CaptureSummary, DeviceTraffic, to_datetime


def build_result(kind: str, sources: tuple[str, ...], table: FlowTable, stats: CaptureStats | None,
                 problems: list[str], notes: list[str] | None = None, *, settle: bool = True) -> CaptureResult:
    """Devices from the table; totals (and internal-only devices) from `stats` when known.
    `settle=False` leaves the table as it is (pending attempts count as failed) for a watch
    that goes on."""
    devices = {d.address: d for d in (table.finish() if settle else table.snapshot())}
    if stats is not None and stats.found:
        packets, size, first, last = stats.frames, stats.bytes, stats.first_us, stats.last_us
        for address, (n, b) in stats.endpoints.items():
            if not table.site.is_site(address):
                continue
            known = devices.get(address)
            if known is None:
                devices[address] = DeviceTraffic(address=address, mac=None, total_packets=n, total_bytes=b)
            else:
                devices[address] = DeviceTraffic(address=address, mac=known.mac, destinations=known.destinations,
                                                 lookups=known.lookups, total_packets=n, total_bytes=b)
    else:
        packets, size, first, last = table.frames, table.bytes, table.first_us, table.last_us
    summary = CaptureSummary(
        kind=kind, sources=sources, packets=packets, bytes=size,
        started=None if first is None else to_datetime(first), ended=None if last is None else to_datetime(last),
        partial=bool(problems), problems=tuple(problems), notes=tuple(notes or ()))
    return CaptureResult(summary=summary, devices=tuple(devices[a] for a in sorted(devices)))
