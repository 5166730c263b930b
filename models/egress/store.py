"""Egress runs in the store: keyword-only `record_…` / `get_…` / `list_…`, as `models.store` does
for audits. A finished capture's devices are recorded in one transaction (`record_egress_devices`),
results that arrive device by device one transaction each (`record_egress_device`). Device rows link
to `Device` by MAC, else by the address of the latest audit.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete
from sqlmodel import Session, col, select

from models.db import Store, insert_row, require_row
from models.egress.tables import (
    EgressDeviceRecord,
    EgressDnsRecord,
    EgressFindingRecord,
    EgressFlow,
    EgressRun,
    EgressRunPublic,
)
from models.egress.values import EgressCapture, EgressDestination, EgressDevice, EgressLookup, EgressReport
from models.store import children
from models.tables import Device, DeviceSnapshot, normalise_mac, require_aware

# EgressDestination / EgressLookup fields kept as columns of the same name.
_FLOW_FIELDS = ("address", "port", "transport", "label", "setting", "country", "names", "sni", "http_host",
                "packets_out", "packets_in", "bytes_out", "bytes_in", "first_seen", "last_seen",
                "failed_attempts", "syn_packets", "geo_country", "network_owner")
_DNS_FIELDS = ("name", "queries", "responses", "rcode", "answers", "led_to_connection", "first_seen", "last_seen")


# ---- writing -----------------------------------------------------------------------------------

def record_egress_run_started(store: Store, *, kind: str, source: str, site_networks: list[str],
                              allow_list: str | None = None, started: dt.datetime | None = None) -> int:
    """Create an incomplete egress run and return its id."""
    require_aware("started", started)
    run = EgressRun(kind=kind, source=source, started=started or dt.datetime.now(dt.UTC),
                    site_networks=list(site_networks), allow_list=allow_list)
    return insert_row(store, run)


def _run_or_raise(session: Session, store: Store, run_id: int) -> EgressRun:
    return require_row(session, store, EgressRun, run_id, "Egress run",
                       "start one with record_egress_run_started first.")


def _link_device(session: Session, address: str, mac: str | None) -> tuple[int | None, str | None]:
    """The audited device with this MAC, else the one whose latest audit was at this address, and
    how it was linked ("mac" / "address"); (None, None) when neither."""
    normalised = normalise_mac(mac)
    if normalised is not None:
        device = session.exec(select(Device).where(Device.mac == normalised)
                              .order_by(col(Device.last_seen).desc(), col(Device.id).desc())).first()
        if device is not None:
            return device.id, "mac"
    snapshot = session.exec(select(DeviceSnapshot).where(DeviceSnapshot.address == address)
                            .order_by(col(DeviceSnapshot.id).desc())).first()
    return (None, None) if snapshot is None else (snapshot.device_id, "address")


def find_device_id(store: Store, *, address: str, mac: str | None = None) -> int | None:
    """Which audited device a capture source is (by MAC, else by address); None if unknown."""
    with store.reading() as session:
        return _link_device(session, address, mac)[0]


def _add_device(session: Session, run: EgressRun, device: EgressDevice) -> int:
    if device.device_id is None:
        device.device_id, device.linked_by = _link_device(session, device.address, device.mac)
    row = EgressDeviceRecord(run_id=run.id, device_id=device.device_id, address=device.address, mac=device.mac,
                             internal_packets=device.internal_packets, internal_bytes=device.internal_bytes,
                             finding_count=len(device.findings), linked_by=device.linked_by)
    session.add(row)
    session.flush()
    rid = row.id
    assert rid is not None
    session.add_all(EgressFlow(egress_device_id=rid, **{k: getattr(d, k) for k in _FLOW_FIELDS})
                    for d in device.destinations)
    session.add_all(EgressDnsRecord(egress_device_id=rid, **{k: getattr(q, k) for k in _DNS_FIELDS})
                    for q in device.lookups)
    session.add_all(EgressFindingRecord(egress_device_id=rid, **EgressFindingRecord.columns_of(f, i))
                    for i, f in enumerate(device.findings))
    run.device_count += 1
    run.finding_count += len(device.findings)
    return rid


def record_egress_device(store: Store, *, run_id: int, device: EgressDevice) -> int:
    """Record one device's destinations, lookups and findings in one transaction; returns its row id
    (for results that arrive device by device, so an interruption keeps the finished ones)."""
    with store.writing() as session:
        return _add_device(session, _run_or_raise(session, store, run_id), device)


def record_egress_devices(store: Store, *, run_id: int, devices: list[EgressDevice]) -> list[int]:
    """Record the devices of a finished capture together, in one transaction: they are one
    analysis, stored whole or not at all (and one commit, not one fsync per device)."""
    with store.writing() as session:
        run = _run_or_raise(session, store, run_id)
        return [_add_device(session, run, device) for device in devices]


def replace_egress_devices(store: Store, *, run_id: int, devices: list[EgressDevice]) -> list[int]:
    """A run that grows (a long watch analysed file by file): its devices replaced by the latest
    cumulative analysis in one transaction, so the run is never counted twice nor half-written.
    Flows, look-ups and findings go with their device (ON DELETE CASCADE)."""
    with store.writing() as session:
        run = _run_or_raise(session, store, run_id)
        session.execute(delete(EgressDeviceRecord).where(col(EgressDeviceRecord.run_id) == run_id))
        run.device_count = run.finding_count = 0
        return [_add_device(session, run, device) for device in devices]


def record_egress_run_finished(store: Store, *, run_id: int, capture: EgressCapture, complete: bool,
                               finished: dt.datetime | None = None) -> None:
    """Close a run with the capture's totals; `complete=False` marks one that stopped early."""
    require_aware("finished", finished)
    with store.writing() as session:
        run = _run_or_raise(session, store, run_id)
        run.finished = finished or dt.datetime.now(dt.UTC)
        run.complete = complete
        run.capture_started, run.capture_ended = capture.started, capture.ended
        run.packets, run.bytes = capture.packets, capture.bytes
        run.partial, run.problems = capture.partial, list(capture.problems)
        run.geo_data = capture.geo_data


# ---- reading -----------------------------------------------------------------------------------

def list_egress_runs(store: Store, *, limit: int | None = None) -> list[EgressRunPublic]:
    """Egress runs, newest first."""
    with store.reading() as session:
        runs = session.exec(select(EgressRun).order_by(col(EgressRun.id).desc()).limit(limit)).all()
        return [EgressRunPublic.model_validate(r, from_attributes=True) for r in runs]


def _device_labels(session: Session, device_ids: set[int]) -> dict[int, str]:
    """Each linked audited device as egress tables name it: name, model and audit address."""
    found: dict[int, str] = {}
    ids = sorted(device_ids)
    for start in range(0, len(ids), 500):
        for d in session.exec(select(Device).where(col(Device.id).in_(ids[start:start + 500]))):
            if d.id is not None:
                found[d.id] = " ".join(p for p in (d.name, d.model) if p) + (" at " if d.name or d.model else "") \
                    + d.address
    return found


def load_devices(session: Session, rows: list[EgressDeviceRecord]) -> list[EgressDevice]:
    """Device rows as values with their destinations, look-ups and findings (three chunked reads)."""
    ids = [r.id for r in rows if r.id is not None]
    flows = children(session, EgressFlow, ids, parent="egress_device_id")
    dns = children(session, EgressDnsRecord, ids, parent="egress_device_id")
    finds = children(session, EgressFindingRecord, ids, parent="egress_device_id")
    labels = _device_labels(session, {r.device_id for r in rows if r.device_id is not None})
    return [EgressDevice(
        address=r.address, mac=r.mac, device_id=r.device_id, linked_by=r.linked_by,
        device_label=labels.get(r.device_id) if r.device_id is not None else None, internal_packets=r.internal_packets,
        internal_bytes=r.internal_bytes,
        destinations=[EgressDestination(**{k: getattr(f, k) for k in _FLOW_FIELDS}) for f in flows[r.id]],
        lookups=[EgressLookup(**{k: getattr(q, k) for k in _DNS_FIELDS}) for q in dns[r.id]],
        findings=[f.to_finding() for f in sorted(finds[r.id], key=lambda f: f.position)],
    ) for r in rows if r.id is not None]


def get_egress_report(store: Store, *, run_id: int) -> EgressReport | None:
    """A run as it was recorded: capture totals and every device, in the order recorded."""
    with store.reading() as session:
        run = session.get(EgressRun, run_id)
        if run is None:
            return None
        rows = list(session.exec(select(EgressDeviceRecord).where(EgressDeviceRecord.run_id == run_id)
                                 .order_by(col(EgressDeviceRecord.id))))
        capture = EgressCapture(kind=run.kind, source=run.source, packets=run.packets, bytes=run.bytes,
                                started=run.capture_started, ended=run.capture_ended, partial=run.partial,
                                problems=list(run.problems), site_networks=list(run.site_networks),
                                geo_data=run.geo_data)
        return EgressReport(run_id=run_id, capture=capture, devices=load_devices(session, rows))


def list_device_egress(store: Store, *, device_id: int) -> list[tuple[int, EgressDevice]]:
    """Every egress run's view of one audited device, oldest first: (run id, device)."""
    with store.reading() as session:
        rows = list(session.exec(select(EgressDeviceRecord).where(EgressDeviceRecord.device_id == device_id)
                                 .order_by(col(EgressDeviceRecord.id))))
        return list(zip([r.run_id for r in rows], load_devices(session, rows), strict=True))
