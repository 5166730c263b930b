"""Egress runs in the store: which external servers each device talked to, per capture.

Plain values (`EgressReport` > `EgressDevice` > `EgressDestination`, `EgressLookup`) are what
the orchestrator produces and the CLI/TUI read back; `EgressReport.to_json()` is the
`camaudit egress analyze --json` contract. Tables follow `models.tables` (UTC times, JSON
lists); they are created on first use because `models.db` only creates the audit tables.
Keyword-only `record_…` / `get_…` / `list_…`; a finished capture's devices are recorded in one
transaction (`record_egress_devices`), results that arrive device by device one transaction
each (`record_egress_device`). Device rows link to `Device` by MAC, else
by the address of the latest audit.
"""

from __future__ import annotations

import datetime as dt
import threading
import weakref
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, delete, inspect
from sqlmodel import Field, Session, SQLModel, col, select

from models.audit import Finding
from models.db import Store, insert_row, require_row, translate_errors
from models.tables import Device, DeviceSnapshot, UTCDateTime, normalise_mac


def _iso(value: dt.datetime | None) -> str | None:
    return None if value is None else value.astimezone(dt.UTC).isoformat(timespec="microseconds")


# ---- values ------------------------------------------------------------------------------------

@dataclass
class EgressDestination:
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

    def to_json(self) -> dict[str, Any]:
        return {"address": self.address, "port": self.port, "transport": self.transport,
                "names": list(self.names), "sni": list(self.sni), "http_host": list(self.http_host),
                "country": self.country, "label": self.label,
                "packets_out": self.packets_out, "packets_in": self.packets_in,
                "bytes_out": self.bytes_out, "bytes_in": self.bytes_in,
                "first_seen": _iso(self.first_seen), "last_seen": _iso(self.last_seen),
                "failed_attempts": self.failed_attempts}


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


@dataclass
class EgressReport:
    run_id: int
    capture: EgressCapture
    devices: list[EgressDevice]

    def to_json(self) -> dict[str, Any]:
        """The --json contract: devices with at least one external destination or DNS query."""
        c = self.capture
        return {"capture": {"source": c.source, "packets": c.packets, "started": _iso(c.started),
                            "ended": _iso(c.ended)},
                "devices": [d.to_json() for d in self.devices if d.external]}


# ---- tables ------------------------------------------------------------------------------------

class EgressRunBase(SQLModel):
    kind: str
    source: str
    started: dt.datetime = Field(sa_type=UTCDateTime, index=True)     # when the run began
    finished: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    complete: bool = False
    capture_started: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    capture_ended: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    packets: int = Field(default=0, sa_type=BigInteger)   # PostgreSQL INTEGER is 32-bit
    bytes: int = Field(default=0, sa_type=BigInteger)
    partial: bool = False
    problems: list[str] = Field(default_factory=list, sa_type=JSON)
    site_networks: list[str] = Field(default_factory=list, sa_type=JSON)
    allow_list: str | None = None
    device_count: int = 0
    finding_count: int = 0


class EgressRun(EgressRunBase, table=True):
    __tablename__ = "egress_run"

    id: int | None = Field(default=None, primary_key=True)


class EgressRunPublic(EgressRunBase):
    id: int


class EgressDeviceRecord(SQLModel, table=True):
    __tablename__ = "egress_device"
    __table_args__ = (Index("ix_egress_device_run", "run_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="egress_run.id", ondelete="CASCADE")
    device_id: int | None = Field(default=None, foreign_key="device.id", ondelete="SET NULL", index=True)
    address: str = Field(index=True)
    mac: str | None = None
    internal_packets: int | None = Field(default=None, sa_type=BigInteger)
    internal_bytes: int | None = Field(default=None, sa_type=BigInteger)
    finding_count: int = 0


class EgressFlow(SQLModel, table=True):
    """One external destination of one device in one run."""

    __tablename__ = "egress_flow"
    __table_args__ = (Index("ix_egress_flow_label", "label"),)

    id: int | None = Field(default=None, primary_key=True)
    egress_device_id: int = Field(foreign_key="egress_device.id", ondelete="CASCADE", index=True)
    address: str = Field(index=True)
    port: int
    transport: str
    label: str
    setting: str | None = None
    country: str | None = None
    names: list[str] = Field(default_factory=list, sa_type=JSON)
    sni: list[str] = Field(default_factory=list, sa_type=JSON)
    http_host: list[str] = Field(default_factory=list, sa_type=JSON)
    packets_out: int = Field(default=0, sa_type=BigInteger)   # PostgreSQL INTEGER is 32-bit
    packets_in: int = Field(default=0, sa_type=BigInteger)
    bytes_out: int = Field(default=0, sa_type=BigInteger)
    bytes_in: int = Field(default=0, sa_type=BigInteger)
    first_seen: dt.datetime = Field(sa_type=UTCDateTime)
    last_seen: dt.datetime = Field(sa_type=UTCDateTime)
    failed_attempts: int = 0
    syn_packets: int = 0


class EgressDnsRecord(SQLModel, table=True):
    __tablename__ = "egress_dns"

    id: int | None = Field(default=None, primary_key=True)
    egress_device_id: int = Field(foreign_key="egress_device.id", ondelete="CASCADE", index=True)
    name: str
    queries: int = 0
    responses: int = 0
    rcode: str | None = None
    answers: list[str] = Field(default_factory=list, sa_type=JSON)
    led_to_connection: bool = False
    first_seen: dt.datetime = Field(sa_type=UTCDateTime)
    last_seen: dt.datetime = Field(sa_type=UTCDateTime)


class EgressFindingRecord(SQLModel, table=True):
    __tablename__ = "egress_finding"

    id: int | None = Field(default=None, primary_key=True)
    egress_device_id: int = Field(foreign_key="egress_device.id", ondelete="CASCADE", index=True)
    position: int
    finding: str = Field(index=True)
    severity: str
    title: str
    evidence: list[str] = Field(default_factory=list, sa_type=JSON)
    recommendation: str = ""


EGRESS_TABLES = (EgressRun, EgressDeviceRecord, EgressFlow, EgressDnsRecord, EgressFindingRecord)
_ready: weakref.WeakSet[Any] = weakref.WeakSet()   # engines whose database has the tables
_ready_lock = threading.Lock()


def ensure_egress_tables(store: Store) -> None:
    """Create the egress tables in this database if they are not there yet (idempotent)."""
    with _ready_lock:
        if store.engine in _ready:
            return
        # Inside BEGIN IMMEDIATE, as the audit tables are (models/schema.py): two egress commands on a
        # fresh file queue on the busy timeout instead of one failing with a false "locked".
        with translate_errors(store.path), store._write_lock, store._writer.begin() as conn:
            SQLModel.metadata.create_all(conn, tables=[t.__table__ for t in EGRESS_TABLES])  # type: ignore[attr-defined]
        _ready.add(store.engine)


def _has_tables(store: Store) -> bool:
    with translate_errors(store.path), store.engine.connect() as conn:
        return inspect(conn).has_table(EgressRun.__tablename__)


def _aware(name: str, value: dt.datetime | None) -> None:
    if value is not None and value.utcoffset() is None:
        raise ValueError(f"{name} is a naive datetime; camaudit stores timezone-aware UTC times only")


# ---- writing -----------------------------------------------------------------------------------

def record_egress_run_started(store: Store, *, kind: str, source: str, site_networks: list[str],
                              allow_list: str | None = None, started: dt.datetime | None = None) -> int:
    """Create an incomplete egress run and return its id."""
    _aware("started", started)
    ensure_egress_tables(store)
    run = EgressRun(kind=kind, source=source, started=started or dt.datetime.now(dt.UTC),
                    site_networks=list(site_networks), allow_list=allow_list)
    return insert_row(store, run)


def _run_or_raise(session: Session, store: Store, run_id: int) -> EgressRun:
    return require_row(session, store, EgressRun, run_id, "Egress run",
                       "start one with record_egress_run_started first.")


def _link_device(session: Session, address: str, mac: str | None) -> int | None:
    """The audited device with this MAC, else the one whose latest audit was at this address."""
    normalised = normalise_mac(mac)
    if normalised is not None:
        device = session.exec(select(Device).where(Device.mac == normalised)
                              .order_by(col(Device.last_seen).desc(), col(Device.id).desc())).first()
        if device is not None:
            return device.id
    snapshot = session.exec(select(DeviceSnapshot).where(DeviceSnapshot.address == address)
                            .order_by(col(DeviceSnapshot.id).desc())).first()
    return None if snapshot is None else snapshot.device_id


def find_device_id(store: Store, *, address: str, mac: str | None = None) -> int | None:
    """Which audited device a capture source is (by MAC, else by address); None if unknown."""
    with store.reading() as session:
        return _link_device(session, address, mac)


def _add_device(session: Session, run: EgressRun, device: EgressDevice) -> int:
    device_id = device.device_id if device.device_id is not None else _link_device(session, device.address,
                                                                                   device.mac)
    row = EgressDeviceRecord(run_id=run.id, device_id=device_id, address=device.address, mac=device.mac,
                             internal_packets=device.internal_packets, internal_bytes=device.internal_bytes,
                             finding_count=len(device.findings))
    session.add(row)
    session.flush()
    rid = row.id
    assert rid is not None
    session.add_all(EgressFlow(egress_device_id=rid, **{k: getattr(d, k) for k in _FLOW_FIELDS})
                    for d in device.destinations)
    session.add_all(EgressDnsRecord(egress_device_id=rid, **{k: getattr(q, k) for k in _DNS_FIELDS})
                    for q in device.lookups)
    session.add_all(EgressFindingRecord(egress_device_id=rid, position=i, finding=f.id, severity=f.severity,
                                        title=f.title, evidence=list(f.evidence), recommendation=f.recommendation)
                    for i, f in enumerate(device.findings))
    run.device_count += 1
    run.finding_count += len(device.findings)
    device.device_id = device_id
    return rid


def record_egress_device(store: Store, *, run_id: int, device: EgressDevice) -> int:
    """Record one device's destinations, lookups and findings in one transaction; returns its row id
    (for results that arrive device by device, so an interruption keeps the finished ones)."""
    ensure_egress_tables(store)
    with store.writing() as session:
        return _add_device(session, _run_or_raise(session, store, run_id), device)


def record_egress_devices(store: Store, *, run_id: int, devices: list[EgressDevice]) -> list[int]:
    """Record the devices of a finished capture together, in one transaction: they are one
    analysis, stored whole or not at all (and one commit, not one fsync per device)."""
    ensure_egress_tables(store)
    with store.writing() as session:
        run = _run_or_raise(session, store, run_id)
        return [_add_device(session, run, device) for device in devices]


def replace_egress_devices(store: Store, *, run_id: int, devices: list[EgressDevice]) -> list[int]:
    """A run that grows (a long watch analysed file by file): its devices replaced by the latest
    cumulative analysis in one transaction, so the run is never counted twice nor half-written.
    Flows, look-ups and findings go with their device (ON DELETE CASCADE)."""
    ensure_egress_tables(store)
    with store.writing() as session:
        run = _run_or_raise(session, store, run_id)
        session.execute(delete(EgressDeviceRecord).where(col(EgressDeviceRecord.run_id) == run_id))
        run.device_count = run.finding_count = 0
        return [_add_device(session, run, device) for device in devices]


def record_egress_run_finished(store: Store, *, run_id: int, capture: EgressCapture, complete: bool,
                               finished: dt.datetime | None = None) -> None:
    """Close a run with the capture's totals; `complete=False` marks one that stopped early."""
    _aware("finished", finished)
    with store.writing() as session:
        run = _run_or_raise(session, store, run_id)
        run.finished = finished or dt.datetime.now(dt.UTC)
        run.complete = complete
        run.capture_started, run.capture_ended = capture.started, capture.ended
        run.packets, run.bytes = capture.packets, capture.bytes
        run.partial, run.problems = capture.partial, list(capture.problems)


_FLOW_FIELDS = ("address", "port", "transport", "label", "setting", "country", "names", "sni", "http_host",
                "packets_out", "packets_in", "bytes_out", "bytes_in", "first_seen", "last_seen",
                "failed_attempts", "syn_packets")
_DNS_FIELDS = ("name", "queries", "responses", "rcode", "answers", "led_to_connection", "first_seen", "last_seen")


# ---- reading -----------------------------------------------------------------------------------

def list_egress_runs(store: Store, *, limit: int | None = None) -> list[EgressRunPublic]:
    """Egress runs, newest first."""
    if not _has_tables(store):
        return []
    with store.reading() as session:
        runs = session.exec(select(EgressRun).order_by(col(EgressRun.id).desc()).limit(limit)).all()
        return [EgressRunPublic.model_validate(r, from_attributes=True) for r in runs]


def _device_values(session: Session, rows: list[EgressDeviceRecord]) -> list[EgressDevice]:
    ids = [r.id for r in rows]
    flows: dict[int, list[EgressFlow]] = {i: [] for i in ids if i is not None}
    dns: dict[int, list[EgressDnsRecord]] = {i: [] for i in ids if i is not None}
    finds: dict[int, list[EgressFindingRecord]] = {i: [] for i in ids if i is not None}
    for model, into in ((EgressFlow, flows), (EgressDnsRecord, dns), (EgressFindingRecord, finds)):
        key = col(model.egress_device_id)  # type: ignore[attr-defined]
        for start in range(0, len(ids), 500):
            for item in session.exec(select(model).where(key.in_(ids[start:start + 500]))
                                     .order_by(col(model.id))):  # type: ignore[attr-defined]
                into[item.egress_device_id].append(item)  # type: ignore[attr-defined]
    return [EgressDevice(
        address=r.address, mac=r.mac, device_id=r.device_id, internal_packets=r.internal_packets,
        internal_bytes=r.internal_bytes,
        destinations=[EgressDestination(**{k: getattr(f, k) for k in _FLOW_FIELDS}) for f in flows[r.id]],
        lookups=[EgressLookup(**{k: getattr(q, k) for k in _DNS_FIELDS}) for q in dns[r.id]],
        findings=[Finding(f.finding, f.severity, f.title, list(f.evidence), f.recommendation)
                  for f in sorted(finds[r.id], key=lambda f: f.position)],
    ) for r in rows if r.id is not None]


def get_egress_report(store: Store, *, run_id: int) -> EgressReport | None:
    """A run as it was recorded: capture totals and every device, in the order recorded."""
    if not _has_tables(store):
        return None
    with store.reading() as session:
        run = session.get(EgressRun, run_id)
        if run is None:
            return None
        rows = list(session.exec(select(EgressDeviceRecord).where(EgressDeviceRecord.run_id == run_id)
                                 .order_by(col(EgressDeviceRecord.id))))
        capture = EgressCapture(kind=run.kind, source=run.source, packets=run.packets, bytes=run.bytes,
                                started=run.capture_started, ended=run.capture_ended, partial=run.partial,
                                problems=list(run.problems), site_networks=list(run.site_networks))
        return EgressReport(run_id=run_id, capture=capture, devices=_device_values(session, rows))


def list_device_egress(store: Store, *, device_id: int) -> list[tuple[int, EgressDevice]]:
    """Every egress run's view of one audited device, oldest first: (run id, device)."""
    if not _has_tables(store):
        return []
    with store.reading() as session:
        rows = list(session.exec(select(EgressDeviceRecord).where(EgressDeviceRecord.device_id == device_id)
                                 .order_by(col(EgressDeviceRecord.id))))
        return list(zip([r.run_id for r in rows], _device_values(session, rows), strict=True))
