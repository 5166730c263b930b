"""The fleet as rows: one per device, its latest snapshot plus what is switched on, with the
quick filters and header counts of the Fleet screen.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from models.db import Store
from models.features import (
    BIOMETRIC_FEATURES,
    CALLS_HOME_SETTINGS,
    FEATURE_IDS,
    SEVERITIES,
    counts_as_remote,
    severity_rank,
)
from models.fleet_flags import FindingLine, SnapshotFlags, list_snapshot_findings, list_snapshot_flags
from models.last_read import list_read_statuses
from models.read_status import was_read
from models.store import list_devices
from tui.data.egress import EgressIndex, load_egress
from tui.data.format import address_label, is_hik_dahua


@dataclass(slots=True)
class FleetRow:
    device_id: int
    snapshot_id: int
    run_id: int
    address: str
    port: int
    brand: str | None
    maker: str | None
    oem: bool | None
    model: str | None
    firmware: str | None
    device_type: str | None
    name: str | None
    serial: str | None
    reachable: bool
    auth: str | None
    worst: str | None
    finding_count: int
    audited: dt.datetime
    enabled: list[str] = field(default_factory=list)
    unknown: int = 0                      # features the device would not tell us about
    unknown_biometric: int = 0
    remote_on: list[str] = field(default_factory=list)
    egress_unknown: int | None = None     # None: no egress analysis covers this device
    egress_calls_home: int | None = None  # destinations labelled vendor-cloud or unknown
    search: str = ""
    status: str = "read"                  # models.read_status: read | partly read | login failed | ...

    @property
    def read(self) -> bool:
        """Whether the latest audit read the device's settings at all: if not, every verdict is "not read"."""
        return was_read(self.status)

    @property
    def label(self) -> str:
        return address_label(self.address, self.port)

    # Derived once by finish(): filters and sorts read these for every row on every key press.
    biometric_on: list[str] = field(default_factory=list)
    biometric: bool | None = None     # True: a biometric analytic is on; None: none on, some unknown
    remote: list[str] = field(default_factory=list)   # remote access on, NTP aside
    phones_home: bool = False
    hik_dahua: bool = False
    all_unknown: bool = False

    def finish(self) -> None:
        self.biometric_on = [f for f in self.enabled if f in BIOMETRIC_FEATURES]
        if not self.read:
            self.biometric = None
        elif self.biometric_on:
            self.biometric = True
        else:
            self.biometric = None if self.unknown_biometric else False
        self.remote = [k for k in self.remote_on if counts_as_remote(k)]
        self.phones_home = bool(CALLS_HOME_SETTINGS.intersection(self.remote_on)) or bool(self.egress_calls_home)
        self.hik_dahua = is_hik_dahua(self.maker, self.brand)
        self.all_unknown = self.unknown == len(FEATURE_IDS) or not self.read
        self.search = _search_text(self)

    @property
    def severity_rank(self) -> int:
        return len(SEVERITIES) if self.worst is None else severity_rank(self.worst)


@dataclass(frozen=True)
class QuickFilter:
    id: str
    label: str
    key: str
    test: Callable[[FleetRow], bool]


QUICK_FILTERS: tuple[QuickFilter, ...] = (
    QuickFilter("biometric", "biometric on", "b", lambda r: r.biometric is True),
    QuickFilter("hik_dahua", "Hik/Dahua incl. OEM", "h", lambda r: r.hik_dahua),
    QuickFilter("phones_home", "phones home", "p", lambda r: r.phones_home),
    QuickFilter("unreachable", "unreachable", "u", lambda r: not r.reachable),
)
QUICK = {q.id: q for q in QUICK_FILTERS}


def matches(row: FleetRow, words: list[str], quick: Iterable[str]) -> bool:
    """Every typed word appears somewhere in the row, and every active quick filter holds."""
    return all(w in row.search for w in words) and all(QUICK[q].test(row) for q in quick)


def apply_filter(rows: list[FleetRow], text: str, quick: Iterable[str]) -> list[FleetRow]:
    words = text.lower().split()
    active = list(quick)
    if not words and not active:
        return list(rows)
    return [r for r in rows if matches(r, words, active)]


@dataclass
class FleetIndex:
    """Everything the fleet-wide screens list, read once per refresh in a worker thread."""

    rows: list[FleetRow] = field(default_factory=list)
    findings: list[tuple[FleetRow, FindingLine]] = field(default_factory=list)
    egress: EgressIndex = field(default_factory=EgressIndex)
    _counts: Counter[str] | None = field(default=None, repr=False)

    def counts(self) -> Counter[str]:
        """Devices per quick filter (and rebadged Hikvision/Dahua), computed once per read."""
        if self._counts is None:
            counts: Counter[str] = Counter(devices=len(self.rows))
            for row in self.rows:
                for q in QUICK_FILTERS:
                    counts[q.id] += q.test(row)
                counts["oem"] += bool(row.oem and row.hik_dahua)
            self._counts = counts
        return self._counts

    def by_device(self, device_id: int) -> FleetRow | None:
        return next((r for r in self.rows if r.device_id == device_id), None)


def _search_text(row: FleetRow) -> str:
    parts = [row.label, row.brand, row.maker, row.model, row.firmware, row.name, row.serial, row.device_type,
             *row.enabled, *row.remote_on, "oem" if row.oem else None, "unreachable" if not row.reachable else None,
             row.status, "not read" if not row.read else None]
    return " ".join(p for p in parts if p).lower()


def load_fleet(store: Store, previous: FleetIndex | None = None, *, site: str | None = None) -> FleetIndex:
    """Every device's (of `site`, or of every site) latest snapshot with its flags, findings and egress
    (no evidence loaded)."""
    rows: list[FleetRow] = []
    for d in list_devices(store, site=site):
        s = d.latest
        rows.append(FleetRow(
            device_id=d.id, snapshot_id=s.id, run_id=s.run_id, address=s.address, port=s.port,
            brand=s.brand or d.brand, maker=s.manufacturer, oem=s.oem, model=s.model or d.model,
            firmware=s.firmware, device_type=s.device_type or d.device_type, name=s.name or d.name,
            serial=d.serial, reachable=s.reachable, auth=s.auth, worst=s.worst_severity,
            finding_count=s.finding_count, audited=s.recorded))
    by_snapshot = {r.snapshot_id: r for r in rows}
    flags = list_snapshot_flags(store, snapshot_ids=list(by_snapshot))
    for sid, status in list_read_statuses(store, snapshot_ids=list(by_snapshot)).items():
        by_snapshot[sid].status = status
    for sid, row in by_snapshot.items():
        f = flags.get(sid, SnapshotFlags())
        row.enabled, row.remote_on = f.enabled, f.remote_on
        row.unknown, row.unknown_biometric = f.unknown, f.unknown_biometric
    egress = load_egress(store, previous.egress if previous else None)
    if egress.available:
        per_device = egress.by_device()
        for row in rows:
            lines = per_device.get(row.device_id)
            if lines is None:
                lines = per_device.get(row.address)
            if lines is not None:
                row.egress_calls_home = sum(1 for line in lines if line.calls_home)
                row.egress_unknown = sum(1 for line in lines if line.unknown)
    for row in rows:
        row.finish()
    findings = [(by_snapshot[f.snapshot_id], f) for f in list_snapshot_findings(store, snapshot_ids=list(by_snapshot))]
    by_key: dict[object, FleetRow] = {r.address: r for r in rows} | {r.device_id: r for r in rows}
    for key, finding in egress.findings:    # egress findings of audited devices join the list
        row = by_key.get(key)
        if row is not None:
            findings.append((row, FindingLine(row.snapshot_id, finding.id, finding.severity, finding.title,
                                              finding.recommendation, source="egress")))
    findings.sort(key=lambda p: (severity_rank(p[1].severity), p[0].address, p[1].finding))
    return FleetIndex(rows=rows, findings=findings, egress=egress)
