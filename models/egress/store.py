"""Egress runs in the store: keyword-only `record_…` / `get_…` / `list_…`, as `models.store` does
for audits. A finished capture's devices are recorded in one transaction (`record_egress_devices`),
results that arrive device by device one transaction each (`record_egress_device`). Device rows link
to a `Device` of the run's site by MAC, else by the address of that site's latest audit there.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, func
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
from models.egress.values import (
    DESTINATION_COLUMNS,
    LOOKUP_COLUMNS,
    EgressCapture,
    EgressDestination,
    EgressDevice,
    EgressLookup,
    EgressReport,
    device_label,
)
from models.location import DEFAULT_SITE
from models.store import children
from models.tables import Device, DeviceSnapshot, normalise_mac, require_aware

_FLOW_FIELDS, _DNS_FIELDS = DESTINATION_COLUMNS, LOOKUP_COLUMNS


# ---- writing -----------------------------------------------------------------------------------

def record_egress_run_started(store: Store, *, kind: str, source: str, site_networks: list[str],
                              allow_list: str | None = None, started: dt.datetime | None = None,
                              site: str = DEFAULT_SITE) -> int:
    """Create an incomplete egress run of `site` (its traffic is linked to that site's devices only)
    and return its id."""
    require_aware("started", started)
    run = EgressRun(kind=kind, source=source, started=started or dt.datetime.now(dt.UTC),
                    site_networks=list(site_networks), allow_list=allow_list, site=site)
    return insert_row(store, run)


def _run_or_raise(session: Session, store: Store, run_id: int) -> EgressRun:
    return require_row(session, store, EgressRun, run_id, "Egress run",
                       "start one with record_egress_run_started first.")


def _chunks(values: set[str]) -> list[list[str]]:
    ordered = sorted(values)
    return [ordered[start:start + 500] for start in range(0, len(ordered), 500)]


def link_devices(session: Session, site: str, sources: list[tuple[str, str | None]]
                 ) -> list[tuple[int | None, str | None]]:
    """For each capture source (address, MAC): the audited device of `site` with this MAC (the one
    seen last), else the one whose latest audit in `site` was at this address, and how it was linked
    ("mac" / "address"); (None, None) when neither. Devices of other sites never match: two schools
    may both use 192.168.1.20. Two queries for the whole capture, not two per device."""
    macs = {normalise_mac(mac) for _, mac in sources} - {None}
    by_mac: dict[str, int] = {}
    for chunk in _chunks(macs):  # type: ignore[arg-type]
        for device_id, mac in session.exec(
                select(Device.id, Device.mac).where(Device.site == site, col(Device.mac).in_(chunk))
                .order_by(col(Device.last_seen).desc(), col(Device.id).desc())):
            by_mac.setdefault(mac, device_id)
    addresses = {address for address, mac in sources if normalise_mac(mac) not in by_mac}
    by_address: dict[str, int] = {}
    for chunk in _chunks(addresses):
        latest = (select(func.max(DeviceSnapshot.id)).join(Device, col(Device.id) == DeviceSnapshot.device_id)
                  .where(Device.site == site, col(DeviceSnapshot.address).in_(chunk))
                  .group_by(DeviceSnapshot.address))
        by_address.update(session.exec(select(DeviceSnapshot.address, DeviceSnapshot.device_id)
                                       .where(col(DeviceSnapshot.id).in_(latest))).all())
    found: list[tuple[int | None, str | None]] = []
    for address, mac in sources:
        normalised = normalise_mac(mac)
        if normalised in by_mac:
            found.append((by_mac[normalised], "mac"))
        elif address in by_address:
            found.append((by_address[address], "address"))
        else:
            found.append((None, None))
    return found


def find_device_id(store: Store, *, address: str, mac: str | None = None, site: str = DEFAULT_SITE) -> int | None:
    """Which audited device of `site` a capture source is (by MAC, else by address); None if unknown."""
    with store.reading() as session:
        return link_devices(session, site, [(address, mac)])[0][0]


def _add_devices(session: Session, run: EgressRun, devices: list[EgressDevice]) -> list[int]:
    """The devices' rows and their children, linked within the run's site; one flush for the device
    rows (their ids), the children with the commit."""
    unlinked = [d for d in devices if d.device_id is None]
    for device, (device_id, linked_by) in zip(
            unlinked, link_devices(session, run.site, [(d.address, d.mac) for d in unlinked]), strict=True):
        device.device_id, device.linked_by = device_id, linked_by
    rows = [EgressDeviceRecord(run_id=run.id, device_id=device.device_id, address=device.address, mac=device.mac,
                               internal_packets=device.internal_packets, internal_bytes=device.internal_bytes,
                               finding_count=len(device.findings), linked_by=device.linked_by)
            for device in devices]
    session.add_all(rows)
    session.flush()
    ids = []
    for row, device in zip(rows, devices, strict=True):
        rid = row.id
        assert rid is not None
        ids.append(rid)
        session.add_all(EgressFlow(egress_device_id=rid, **{k: getattr(d, k) for k in _FLOW_FIELDS})
                        for d in device.destinations)
        session.add_all(EgressDnsRecord(egress_device_id=rid, **{k: getattr(q, k) for k in _DNS_FIELDS})
                        for q in device.lookups)
        session.add_all(EgressFindingRecord(egress_device_id=rid, **EgressFindingRecord.columns_of(f, i))
                        for i, f in enumerate(device.findings))
    run.device_count += len(devices)
    run.finding_count += sum(len(device.findings) for device in devices)
    return ids


def record_egress_device(store: Store, *, run_id: int, device: EgressDevice) -> int:
    """Record one device's destinations, lookups and findings in one transaction; returns its row id
    (for results that arrive device by device, so an interruption keeps the finished ones)."""
    with store.writing() as session:
        return _add_devices(session, _run_or_raise(session, store, run_id), [device])[0]


def record_egress_devices(store: Store, *, run_id: int, devices: list[EgressDevice]) -> list[int]:
    """Record the devices of a finished capture together, in one transaction: they are one
    analysis, stored whole or not at all (and one commit, not one fsync per device)."""
    with store.writing() as session:
        return _add_devices(session, _run_or_raise(session, store, run_id), devices)


def replace_egress_devices(store: Store, *, run_id: int, devices: list[EgressDevice]) -> list[int]:
    """A run that grows (a long watch analysed file by file): its devices replaced by the latest
    cumulative analysis in one transaction, so the run is never counted twice nor half-written.
    Flows, look-ups and findings go with their device (ON DELETE CASCADE)."""
    with store.writing() as session:
        run = _run_or_raise(session, store, run_id)
        session.execute(delete(EgressDeviceRecord).where(col(EgressDeviceRecord.run_id) == run_id))
        run.device_count = run.finding_count = 0
        return _add_devices(session, run, devices)


def _finish(run: EgressRun, capture: EgressCapture, complete: bool, finished: dt.datetime | None) -> None:
    run.finished = finished or dt.datetime.now(dt.UTC)
    run.complete = complete
    run.capture_started, run.capture_ended = capture.started, capture.ended
    run.packets, run.bytes = capture.packets, capture.bytes
    run.partial, run.problems = capture.partial, list(capture.problems)
    run.geo_data = capture.geo_data


def record_egress_run_finished(store: Store, *, run_id: int, capture: EgressCapture, complete: bool,
                               finished: dt.datetime | None = None) -> None:
    """Close a run with the capture's totals; `complete=False` marks one that stopped early."""
    require_aware("finished", finished)
    with store.writing() as session:
        _finish(_run_or_raise(session, store, run_id), capture, complete, finished)


def record_egress_run(store: Store, *, capture: EgressCapture, devices: list[EgressDevice], complete: bool,
                      allow_list: str | None = None, started: dt.datetime | None = None,
                      finished: dt.datetime | None = None) -> int:
    """A finished analysis (a capture file) as one egress run of `capture.site`, in one transaction:
    the run, its devices and its totals are stored whole or not at all, with one commit. Returns its id."""
    require_aware("started", started)
    require_aware("finished", finished)
    with store.writing() as session:
        run = EgressRun(kind=capture.kind, source=capture.source, started=started or dt.datetime.now(dt.UTC),
                        site_networks=list(capture.site_networks), allow_list=allow_list, site=capture.site)
        session.add(run)
        session.flush()
        _add_devices(session, run, devices)
        _finish(run, capture, complete, finished)
        assert run.id is not None
        return run.id


# ---- reading -----------------------------------------------------------------------------------

def list_egress_runs(store: Store, *, limit: int | None = None, site: str | None = None) -> list[EgressRunPublic]:
    """Egress runs (of one site, or of every site), newest first."""
    with store.reading() as session:
        query = select(EgressRun)
        if site is not None:
            query = query.where(EgressRun.site == site)
        runs = session.exec(query.order_by(col(EgressRun.id).desc()).limit(limit)).all()
        return [EgressRunPublic.model_validate(r, from_attributes=True) for r in runs]


def _device_labels(session: Session, device_ids: set[int]) -> dict[int, str]:
    """Each linked audited device as egress tables name it: name, model and audit address."""
    found: dict[int, str] = {}
    ids = sorted(device_ids)
    for start in range(0, len(ids), 500):
        for d in session.exec(select(Device).where(col(Device.id).in_(ids[start:start + 500]))):
            if d.id is not None:
                found[d.id] = device_label(d.name, d.model, d.address)
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
                                geo_data=run.geo_data, site=run.site)
        return EgressReport(run_id=run_id, capture=capture, devices=load_devices(session, rows))


def list_device_egress(store: Store, *, device_id: int) -> list[tuple[int, EgressDevice]]:
    """Every egress run's view of one audited device (runs of its site), oldest first: (run id, device)."""
    with store.reading() as session:
        site = select(Device.site).where(col(Device.id) == device_id).scalar_subquery()
        rows = list(session.exec(select(EgressDeviceRecord)
                                 .join(EgressRun, col(EgressRun.id) == EgressDeviceRecord.run_id)
                                 .where(EgressDeviceRecord.device_id == device_id, EgressRun.site == site)
                                 .order_by(col(EgressDeviceRecord.id))))
        return list(zip([r.run_id for r in rows], load_devices(session, rows), strict=True))
