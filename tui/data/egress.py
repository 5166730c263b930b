"""Egress as the TUI shows it: the external destinations each device talked to, read from the
egress runs in the store (`models.egress`, written by `camaudit egress analyze|watch`).

Per device the latest egress run that saw it counts (a newer capture of the same device replaces
an older one). Nothing is made up: with no egress run in the database the screens say how to
produce one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from models.audit import Finding
from models.db import Store
from models.egress.store import get_egress_report, list_device_egress, list_egress_runs
from models.egress.values import EgressDestination

NOT_YET = "No egress analysis yet: run camaudit egress analyze FILE (a capture of the cameras' traffic)."
CALLS_HOME = frozenset({"vendor-cloud", "unknown"})   # labels that mean the device calls out on its own
RECENT_RUNS = 20        # how many egress runs back to look for a device's latest capture


@dataclass(frozen=True)
class EgressLine:
    """One external destination one device talked to, in one egress run."""

    address: str                 # the device
    device_id: int | None        # the audited device it was linked to (by MAC, else address)
    run_id: int
    destination: str             # DNS name / SNI / Host when known, else the IP address
    ip: str
    port: int
    transport: str
    label: str                   # site | allowed | vendor-cloud | public-ntp | dns | unknown
    country: str | None
    bytes_out: int
    bytes_in: int
    failed_attempts: int
    setting: str | None          # the remote-access setting behind a vendor-cloud destination
    last_seen: dt.datetime

    @property
    def unknown(self) -> bool:
        return self.label == "unknown"

    @property
    def calls_home(self) -> bool:
        return self.label in CALLS_HOME


@dataclass(frozen=True)
class EgressRunLine:
    id: int
    started: dt.datetime
    finished: dt.datetime | None
    complete: bool
    source: str                  # the capture file(s) or interface
    device_count: int
    finding_count: int


@dataclass
class EgressIndex:
    available: bool = False      # True once the database holds at least one egress run
    runs: list[EgressRunLine] = field(default_factory=list)
    lines: list[EgressLine] = field(default_factory=list)
    covered: set[object] = field(default_factory=set)   # device ids (or addresses) some capture saw
    findings: list[tuple[object, Finding]] = field(default_factory=list)   # (device id or address, finding)

    def for_device(self, device_id: int, address: str) -> list[EgressLine] | None:
        """The device's external destinations; None when no capture saw the device at all."""
        if device_id not in self.covered and address not in self.covered:
            return None
        return [e for e in self.lines if e.device_id == device_id or (e.device_id is None and e.address == address)]

    def by_device(self) -> dict[object, list[EgressLine]]:
        """Lines keyed by device id (or address for captures of unaudited devices), for whole-fleet reads."""
        out: dict[object, list[EgressLine]] = {key: [] for key in self.covered}
        for line in self.lines:
            out[line.device_id if line.device_id is not None else line.address].append(line)
        return out

    @property
    def empty_message(self) -> str:
        return NOT_YET


def device_egress(store: Store, device_id: int) -> tuple[bool, list[EgressLine] | None]:
    """(any egress run at all, the device's destinations in the latest run that captured it or None)."""
    captured = list_device_egress(store, device_id=device_id)
    if not captured:
        return bool(list_egress_runs(store, limit=1)), None
    run_id, device = captured[-1]
    return True, [_line(device.address, device.device_id, run_id, d) for d in device.destinations if d.label != "site"]


def _line(address: str, device_id: int | None, run_id: int, d: EgressDestination) -> EgressLine:
    name = next(iter([*d.names, *d.sni, *d.http_host]), d.address)
    return EgressLine(address, device_id, run_id, name, d.address, d.port, d.transport, d.label, d.country,
                      d.bytes_out, d.bytes_in, d.failed_attempts, d.setting, d.last_seen)


def load_egress(store: Store, previous: EgressIndex | None = None) -> EgressIndex:
    """Every egress run, and each device's destinations from the latest run that captured it.

    `previous` is reused when no egress run was added or changed since (the fleet is re-read
    every few hundred milliseconds while an audit runs; captures do not change with it).
    """
    runs = list_egress_runs(store)
    lines = [EgressRunLine(r.id, r.started, r.finished, r.complete, r.source, r.device_count, r.finding_count)
             for r in runs]
    if previous is not None and previous.runs == lines and all(r.finished for r in lines):
        return previous
    index = EgressIndex(available=bool(runs), runs=lines)
    seen: set[object] = set()
    for run in runs[:RECENT_RUNS]:              # newest first
        report = get_egress_report(store, run_id=run.id)
        for device in report.devices if report else []:
            key = device.device_id if device.device_id is not None else device.address
            if key in seen:
                continue
            seen.add(key)
            index.covered.add(key)
            index.lines += [_line(device.address, device.device_id, run.id, d) for d in device.destinations
                            if d.label != "site"]
            index.findings += [(key, f) for f in device.findings]
    return index
