"""The store's functions: the only code that writes or reads audit runs. Keyword-only arguments;
each `record_…` call is one transaction, so an interrupted run keeps every device it finished.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import func
from sqlmodel import Session, SQLModel, col, select

from models.audit import (
    DataFlow,
    DeviceAudit,
    FeatureVerdict,
    ProbeRecord,
    ProtocolStatus,
    RemoteAccessVerdict,
)
from models.batch_write import write_batch
from models.db import Store
from models.runs import (  # noqa: F401 - the run lifecycle is part of this module's interface
    HEARTBEAT_EVERY,
    STALE_AFTER,
    _now,
    get_run,
    list_runs,
    list_sites,
    record_run_finished,
    record_run_heartbeat,
    record_run_started,
    run_state,
)
from models.tables import (
    Device,
    DeviceSnapshot,
    DeviceSummary,
    FeatureRecord,
    FindingRecord,
    RemoteAccessRecord,
    SnapshotSummary,
    normalise_mac,
    snapshot_identity,
)

_SUMMARY_COLUMNS = tuple(getattr(DeviceSnapshot, name) for name in SnapshotSummary.model_fields)
_CHUNK = 500   # snapshot ids per IN (...) query, far below SQLite's variable limit
_Row = TypeVar("_Row", bound=SQLModel)


# ---- writing ---------------------------------------------------------------------------------

def record_device_audits(store: Store, *, run_id: int, audits: Sequence[DeviceAudit]) -> list[int]:
    """Record several finished devices in one transaction (all or none) and return their snapshot ids.

    Raises:
        RecordNotFound: `run_id` is not in the store.
        RunClosed: the run was already closed (stopped by Ctrl-C or SIGTERM): nothing is written.
        StoreUnavailable: the database cannot be written (disk full, locked, removed, server gone).
    """
    with store.transaction() as conn:
        return write_batch(conn, store.path, run_id=run_id, audits=audits, now=_now())


def record_device_audit(store: Store, *, run_id: int, audit: DeviceAudit) -> int:
    """Record one finished device in one transaction and return the snapshot id (raises as
    `record_device_audits`)."""
    return record_device_audits(store, run_id=run_id, audits=[audit])[0]


# ---- reading ---------------------------------------------------------------------------------

def _summary(row: Sequence[Any]) -> SnapshotSummary:
    return SnapshotSummary(**dict(zip(SnapshotSummary.model_fields, row, strict=True)))


def _summaries(session: Session, condition: Any) -> list[SnapshotSummary]:
    stmt = select(*_SUMMARY_COLUMNS).where(condition).order_by(col(DeviceSnapshot.id))  # type: ignore[call-overload]
    return [_summary(row) for row in session.exec(stmt)]


def list_run_snapshots(store: Store, *, run_id: int) -> list[SnapshotSummary]:
    """A run's devices without evidence, in the order they were recorded."""
    with store.reading() as session:
        return _summaries(session, DeviceSnapshot.run_id == run_id)


def get_device_history(store: Store, *, device_id: int) -> list[SnapshotSummary]:
    """A device's snapshots, oldest first."""
    with store.reading() as session:
        return _summaries(session, DeviceSnapshot.device_id == device_id)


def _device_summaries(session: Session, condition: Any = None) -> list[DeviceSummary]:
    """Devices (those matching `condition`, or all) with their newest snapshot."""
    if condition is None:   # every device: one ordered pass over ix_snapshot_device (device_id, id)
        latest = (select(DeviceSnapshot.device_id, func.max(DeviceSnapshot.id).label("snapshot_id"))
                  .group_by(col(DeviceSnapshot.device_id)).subquery())
    else:   # one site or one device: look each one's newest snapshot up in that index, not group every site's
        newest = DeviceSnapshot.__table__.alias("newest")  # type: ignore[attr-defined]
        newest_id = (select(func.max(newest.c.id)).where(newest.c.device_id == Device.id)
                     .correlate(Device).scalar_subquery())
        latest = (select(col(Device.id).label("device_id"), newest_id.label("snapshot_id"))
                  .where(condition).subquery())
    stmt = (select(Device, *_SUMMARY_COLUMNS)  # type: ignore[call-overload]
            .join(latest, latest.c.device_id == Device.id)
            .join(DeviceSnapshot, col(DeviceSnapshot.id) == latest.c.snapshot_id)
            .order_by(col(Device.id)))
    return [DeviceSummary(**device.model_dump(), latest=_summary(rest)) for device, *rest in session.exec(stmt)]


def list_devices(store: Store, *, site: str | None = None) -> list[DeviceSummary]:
    """Every device (of one site, or of all) with its most recently recorded snapshot (no evidence loaded)."""
    with store.reading() as session:
        return _device_summaries(session, None if site is None else Device.site == site)


def get_device(store: Store, *, device_id: int) -> DeviceSummary | None:
    with store.reading() as session:
        found = _device_summaries(session, Device.id == device_id)
        return found[0] if found else None


def children(session: Session, model: type[_Row], ids: list[int],
             parent: str = "snapshot_id") -> dict[int, list[_Row]]:
    """Rows of `model` whose `parent` column is one of `ids`, grouped by it, each group in id order
    (chunked so a large run stays under SQLite's variable limit). Ordered by (parent, id), the order
    of ix_<table>_snapshot_id(_id) (migration 0004): no sort of every row by id alone, which on
    PostgreSQL spilled to disk for 500 snapshots' feature rows (bench/org_bench.py)."""
    by_parent: dict[int, list[_Row]] = defaultdict(list)
    key, order = col(getattr(model, parent)), col(model.id)  # type: ignore[attr-defined]
    for start in range(0, len(ids), _CHUNK):
        for row in session.exec(select(model).where(key.in_(ids[start:start + _CHUNK])).order_by(key, order)):
            by_parent[getattr(row, parent)].append(row)
    return by_parent


def _to_audit(snap: DeviceSnapshot, feats: list[FeatureRecord], remote: list[RemoteAccessRecord],
              finds: list[FindingRecord]) -> DeviceAudit:
    features: dict[str, FeatureVerdict] = {}
    channels: dict[int, dict[str, FeatureVerdict]] = {ch: {} for ch in snap.channels}
    for r in feats:
        verdict = FeatureVerdict(supported=r.supported, enabled=r.enabled, evidence=list(r.evidence))
        (features if r.channel is None else channels.setdefault(r.channel, {}))[r.feature] = verdict
    return DeviceAudit(
        address=snap.address, port=snap.port, reachable=snap.reachable, auth=snap.auth,
        started=snap.started, finished=snap.finished,
        identity=snapshot_identity(snap, snap.identity_evidence), protocols=list(snap.protocols),
        features=features, channels=channels,
        remote_access={r.kind: RemoteAccessVerdict(enabled=r.enabled, destination=r.destination,
                                                   evidence=list(r.evidence), supported=r.supported)
                       for r in remote},
        data_flows=[DataFlow.from_json(flow) for flow in snap.data_flows or []],
        protocol_status={family: ProtocolStatus(**st) for family, st in (snap.protocol_status or {}).items()},
        services=dict(snap.services),
        findings=[r.to_finding() for r in sorted(finds, key=lambda r: r.position)],
        errors=list(snap.errors), probes=[ProbeRecord(**p) for p in snap.probes],
    )


def _load_audits(session: Session, snapshots: Sequence[DeviceSnapshot]) -> list[DeviceAudit]:
    ids = [s.id for s in snapshots if s.id is not None]
    feats = children(session, FeatureRecord, ids)
    remote = children(session, RemoteAccessRecord, ids)
    finds = children(session, FindingRecord, ids)
    return [_to_audit(s, feats[s.id], remote[s.id], finds[s.id]) for s in snapshots if s.id is not None]


def get_device_audit(store: Store, *, snapshot_id: int) -> DeviceAudit | None:
    """Exactly the DeviceAudit that was recorded as this snapshot (times come back in UTC)."""
    with store.reading() as session:
        snap = session.get(DeviceSnapshot, snapshot_id)
        return None if snap is None else _load_audits(session, [snap])[0]


def list_run_device_audits(store: Store, *, run_id: int) -> list[tuple[int, DeviceAudit]]:
    """Every device audit of a run in full with its store device id, in the order recorded (one read,
    so each audit stays paired with its device while the run is still recording)."""
    with store.reading() as session:
        snaps = session.exec(select(DeviceSnapshot).where(DeviceSnapshot.run_id == run_id)
                             .order_by(col(DeviceSnapshot.id))).all()
        return list(zip([s.device_id for s in snaps if s.id is not None], _load_audits(session, snaps), strict=True))


def list_run_devices(store: Store, *, run_id: int) -> list[DeviceAudit]:
    """Every device audit of a run in full, in the order recorded (for reports, not list views)."""
    return [audit for _, audit in list_run_device_audits(store, run_id=run_id)]


def get_latest_audit(store: Store, *, address: str | None = None,
                     mac: str | None = None) -> DeviceAudit | None:
    """The most recently recorded audit at `address` and/or of the device with `mac` (both must match)."""
    if address is None and mac is None:
        raise ValueError("get_latest_audit needs an address, a MAC or both")
    stmt = select(DeviceSnapshot)
    if address is not None:
        stmt = stmt.where(DeviceSnapshot.address == address)
    if mac is not None:
        normalised = normalise_mac(mac)
        if normalised is None:
            return None
        stmt = stmt.join(Device, col(Device.id) == DeviceSnapshot.device_id).where(Device.mac == normalised)
    with store.reading() as session:
        snap = session.exec(stmt.order_by(col(DeviceSnapshot.id).desc()).limit(1)).first()
        return None if snap is None else _load_audits(session, [snap])[0]
