"""Egress as the TUI shows it: the external destinations each device talked to, read from the
egress runs in the store (`models.egress`, written by `camaudit egress analyze|watch`).

Per device the latest egress run that saw it counts, over every egress run (the rule of
`models.egress.reads`, which the report uses too). Nothing is made up: with no egress run in the
database the screens say how to produce one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from models.audit import Finding
from models.db import Store
from models.egress.reads import CapturedEgress, get_device_egress, list_latest_egress
from models.egress.store import list_egress_runs
from models.egress.values import EgressDestination
from models.features import EGRESS_CALLS_HOME_LABELS

NOT_YET = "No egress analysis yet: run camaudit egress analyze FILE (a capture of the cameras' traffic)."
LINKED_BY = {"mac": "MAC", "address": "address"}


@dataclass(frozen=True)
class EgressLine:
    """One external destination one device talked to, in one egress run."""

    address: str                 # the capture source
    device_id: int | None        # the audited device it was linked to (by MAC, else address)
    run_id: int
    dest: EgressDestination
    linked_by: str | None = None     # "mac" | "address"
    device_label: str | None = None  # the audited device's name, model and audit address
    geo_data: str | None = None      # the run's data for "registered in" and network owners, with its date

    @property
    def device(self) -> str:
        """The audited device and how the capture was linked to it, else the capture address."""
        if self.device_id is None:
            return f"{self.address} (not audited)"
        how = LINKED_BY.get(self.linked_by or "")
        return f"{self.device_label or self.address}" + (f" (by {how})" if how else "")

    @property
    def destination(self) -> str:
        """DNS name / SNI / Host when known, else the IP address."""
        return self.dest.name

    @property
    def label(self) -> str:
        return self.dest.label

    @property
    def unknown(self) -> bool:
        return self.dest.label == "unknown"

    @property
    def calls_home(self) -> bool:
        return self.dest.label in EGRESS_CALLS_HOME_LABELS


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
    geo_data: str | None = None  # the data "registered in" and network owners come from, with its date
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
    seen = get_device_egress(store, device_id=device_id)
    if seen is None:
        return bool(list_egress_runs(store, limit=1)), None
    return True, _lines(seen)


def _lines(seen: CapturedEgress) -> list[EgressLine]:
    d = seen.device
    return [EgressLine(d.address, d.device_id, seen.run.id, dest, d.linked_by, d.device_label, seen.run.geo_data)
            for dest in d.destinations if dest.label != "site"]


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
    index = EgressIndex(available=bool(runs), runs=lines, geo_data=next((r.geo_data for r in runs if r.geo_data), None))
    for seen in list_latest_egress(store):      # newest first
        key = seen.device.device_id if seen.device.device_id is not None else seen.device.address
        index.covered.add(key)
        index.lines += _lines(seen)
        index.findings += [(key, f) for f in seen.device.findings]
    return index
