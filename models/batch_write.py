"""Recording finished devices in batches: one transaction for several devices, SQLAlchemy Core
executemany of plain dicts instead of one ORM object per row (the ORM path cost ~16% of the
auditor's CPU: about 60 rows per device through SQLModel's __setattr__ and session flushes).

The rows are exactly those the one-device ORM writer wrote (tests/store/test_batch_write.py compares
every column): the identity rule of `DeviceBase` is applied in memory, device by device in the order
given, against the site's candidate devices read in one query, so a device matched earlier in the
batch is seen by later ones as the ORM's autoflush let it be seen. A batch is one transaction: its
devices are all written or none is, so every device is all-or-nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from models.audit import DeviceAudit
from models.errors import RecordNotFound, RunClosed
from models.features import worst
from models.tables import (
    AuditRun,
    Device,
    DeviceSnapshot,
    FeatureRecord,
    FindingRecord,
    RemoteAccessRecord,
    identity_columns,
    normalise_mac,
    normalise_serial,
    require_aware,
)

_RUN = AuditRun.__table__            # type: ignore[attr-defined]
_DEVICE = Device.__table__           # type: ignore[attr-defined]
_SNAPSHOT = DeviceSnapshot.__table__  # type: ignore[attr-defined]
_FEATURE = FeatureRecord.__table__    # type: ignore[attr-defined]
_REMOTE = RemoteAccessRecord.__table__  # type: ignore[attr-defined]
_FINDING = FindingRecord.__table__    # type: ignore[attr-defined]
_CHUNK = 500                          # values per IN (...), far below SQLite's variable limit
_NEW = 1 << 62                        # order of devices created in this batch: after every stored id
_LABELS = ("brand", "model", "name", "device_type")


@dataclass
class _Candidate:
    """A device row as the identity rule sees it, updated in memory as the batch assigns audits to it."""

    row: dict[str, Any]
    order: int                        # its id, or _NEW + n for a device this batch creates
    changed: bool = False

    def agrees(self, serial: str | None, mac: str | None) -> bool:
        own_serial, own_mac = self.row["serial"], self.row["mac"]
        return ((serial is None or own_serial is None or own_serial == serial)
                and (mac is None or own_mac is None or own_mac == mac))


class _Devices:
    """The site's devices that any audit of the batch could match (by serial, MAC or address)."""

    def __init__(self, conn: Connection, site: str, audits: Sequence[DeviceAudit]) -> None:
        self.site = site
        serials = {s for a in audits if (s := normalise_serial(a.serial)) is not None}
        macs = {m for a in audits if (m := normalise_mac(a.mac)) is not None}
        addresses = {a.address for a in audits}
        found: dict[int, dict[str, Any]] = {}
        for column, values in ((_DEVICE.c.serial, serials), (_DEVICE.c.mac, macs), (_DEVICE.c.address, addresses)):
            ordered = sorted(values)
            for start in range(0, len(ordered), _CHUNK):
                stmt = select(_DEVICE).where(_DEVICE.c.site == site, column.in_(ordered[start:start + _CHUNK]))
                found.update((row.id, dict(row._mapping)) for row in conn.execute(stmt))
        self.known = [_Candidate(row, row["id"]) for row in found.values()]
        self.created: list[_Candidate] = []

    def _match(self, serial: str | None, mac: str | None, address: str, port: int) -> _Candidate | None:
        conditions: list[Any] = []
        if serial is not None:
            conditions.append(lambda c: c.row["serial"] == serial)
        if mac is not None:
            conditions.append(lambda c: c.row["mac"] == mac)
        conditions.append(lambda c: c.row["address"] == address and c.row["port"] == port)
        everyone = self.known + self.created
        for condition in conditions:
            hits = sorted((c for c in everyone if condition(c)),
                          key=lambda c: (c.row["last_seen"], c.order), reverse=True)
            for candidate in hits:
                if candidate.agrees(serial, mac):
                    return candidate
        return None

    def assign(self, audit: DeviceAudit, now: dt.datetime) -> _Candidate:
        """The device this audit belongs to (the rule documented on `DeviceBase`), its row brought up to date."""
        serial, mac = normalise_serial(audit.serial), normalise_mac(audit.mac)
        device = self._match(serial, mac, audit.address, audit.port)
        if device is None:
            device = _Candidate({"id": None, "site": self.site, "serial": None, "mac": None, "brand": None,
                                 "model": None, "name": None, "device_type": None, "first_seen": now},
                                _NEW + len(self.created))
            self.created.append(device)
        row = device.row
        row["serial"] = row["serial"] or serial
        row["mac"] = row["mac"] or mac
        row["address"], row["port"], row["last_seen"] = audit.address, audit.port, now
        for label in _LABELS:            # an unreachable audit keeps the old labels
            value = getattr(audit, label)
            row[label] = value if value is not None else row[label]
        device.changed = True
        return device

    def write(self, conn: Connection) -> None:
        """Insert the devices this batch created (ids back in order) and update the ones it matched."""
        if self.created:
            rows = [{k: v for k, v in c.row.items() if k != "id"} for c in self.created]
            stmt = insert(_DEVICE).returning(_DEVICE.c.id, sort_by_parameter_order=True)
            for candidate, row in zip(self.created, conn.execute(stmt, rows), strict=True):
                candidate.row["id"] = row.id
        changed = [c.row for c in self.known if c.changed]
        if changed:
            columns = ("serial", "mac", "address", "port", "last_seen", *_LABELS)
            stmt = (update(_DEVICE).where(_DEVICE.c.id == bindparam("b_id"))
                    .values({name: bindparam(f"b_{name}") for name in columns}))
            conn.execute(stmt, [{f"b_{k}": row[k] for k in ("id", *columns)} for row in changed])


def _snapshot_row(run_id: int, device_id: int, now: dt.datetime, audit: DeviceAudit) -> dict[str, Any]:
    return {"run_id": run_id, "device_id": device_id, "recorded": now, "address": audit.address, "port": audit.port,
            "reachable": audit.reachable, "auth": audit.auth, "started": audit.started, "finished": audit.finished,
            **identity_columns(audit.identity), "protocols": list(audit.protocols),
            "channels": sorted(audit.channels), "services": dict(audit.services), "errors": list(audit.errors),
            "probes": [p.to_json() for p in audit.probes],
            "data_flows": [flow.to_json() for flow in audit.data_flows],
            "protocol_status": {family: st.to_json() for family, st in audit.protocol_status.items()},
            "finding_count": len(audit.findings), "worst_severity": worst(f.severity for f in audit.findings)}


def _child_rows(sid: int, audit: DeviceAudit) -> tuple[list[dict[str, Any]], ...]:
    verdicts = [(None, audit.features), *sorted(audit.channels.items())]
    features = [{"snapshot_id": sid, "channel": channel, "feature": fid, "supported": v.supported,
                 "enabled": v.enabled, "evidence": list(v.evidence)}
                for channel, per_feature in verdicts for fid, v in per_feature.items()]
    remote = [{"snapshot_id": sid, "kind": kind, "supported": v.supported, "enabled": v.enabled,
               "destination": v.destination, "evidence": list(v.evidence)} for kind, v in audit.remote_access.items()]
    findings = [{"snapshot_id": sid, **FindingRecord.columns_of(f, i)} for i, f in enumerate(audit.findings)]
    return features, remote, findings


def _insert_many(conn: Connection, table: Any, rows: Iterable[dict[str, Any]]) -> None:
    rows = list(rows)
    if rows:
        conn.execute(insert(table), rows)


def write_batch(conn: Connection, where: object, *, run_id: int, audits: Sequence[DeviceAudit],
                now: dt.datetime) -> list[int]:
    """Write `audits` into run `run_id` inside the caller's write transaction; the snapshot ids, in order."""
    for audit in audits:
        require_aware("audit.started", audit.started)
        require_aware("audit.finished", audit.finished)
    run = conn.execute(select(_RUN.c.site, _RUN.c.finished).where(_RUN.c.id == run_id)).first()
    if run is None:
        raise RecordNotFound(f"Audit run {run_id} is not in the database {where}; "
                             f"start a run with record_run_started first.")
    if run.finished is not None:
        raise RunClosed(f"Audit run {run_id} in {where} is closed; a device finished after the "
                        f"run stopped is not recorded.")
    if not audits:
        return []
    devices = _Devices(conn, run.site, audits)
    owners = [devices.assign(audit, now) for audit in audits]
    devices.write(conn)
    stmt = insert(_SNAPSHOT).returning(_SNAPSHOT.c.id, sort_by_parameter_order=True)
    rows = [_snapshot_row(run_id, owner.row["id"], now, audit) for owner, audit in zip(owners, audits, strict=True)]
    ids = [row.id for row in conn.execute(stmt, rows)]
    children = [_child_rows(sid, audit) for sid, audit in zip(ids, audits, strict=True)]
    for table, position in ((_FEATURE, 0), (_REMOTE, 1), (_FINDING, 2)):
        _insert_many(conn, table, (row for rows_ in children for row in rows_[position]))
    conn.execute(update(_RUN).where(_RUN.c.id == run_id).values(
        heartbeat=now, device_count=_RUN.c.device_count + len(audits),
        reachable_count=_RUN.c.reachable_count + sum(int(a.reachable) for a in audits),
        finding_count=_RUN.c.finding_count + sum(len(a.findings) for a in audits)))
    return ids
