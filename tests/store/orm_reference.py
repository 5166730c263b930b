"""The one-device ORM writer camaudit used before issue 15 (models/store.py record_device_audit, one
SQLModel object per row), kept verbatim apart from `now` as an argument: the expectation the batched
Core writer (models/batch_write.py) is compared with, row for row."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Session, col, select

from models.audit import DeviceAudit
from models.db import Store
from models.features import worst
from models.runs import _run_or_raise
from models.tables import (
    Device,
    DeviceSnapshot,
    FeatureRecord,
    FindingRecord,
    RemoteAccessRecord,
    identity_columns,
    normalise_mac,
    normalise_serial,
)


def _match_device(session: Session, site: str, serial: str | None, mac: str | None,
                  address: str, port: int) -> Device | None:
    def agrees(device: Device) -> bool:
        return ((serial is None or device.serial is None or device.serial == serial)
                and (mac is None or device.mac is None or device.mac == mac))

    newest_first = (col(Device.last_seen).desc(), col(Device.id).desc())
    candidates: list[Any] = []
    if serial is not None:
        candidates.append(Device.serial == serial)
    if mac is not None:
        candidates.append(Device.mac == mac)
    candidates.append((Device.address == address) & (Device.port == port))
    for condition in candidates:
        for device in session.exec(select(Device).where(Device.site == site, condition).order_by(*newest_first)):
            if agrees(device):
                return device
    return None


def _identify(session: Session, site: str, audit: DeviceAudit, now: dt.datetime) -> Device:
    serial, mac = normalise_serial(audit.serial), normalise_mac(audit.mac)
    device = _match_device(session, site, serial, mac, audit.address, audit.port)
    if device is None:
        device = Device(site=site, address=audit.address, port=audit.port, first_seen=now, last_seen=now)
    device.serial = device.serial or serial
    device.mac = device.mac or mac
    device.address, device.port, device.last_seen = audit.address, audit.port, now
    device.brand = audit.brand if audit.brand is not None else device.brand
    device.model = audit.model if audit.model is not None else device.model
    device.name = audit.name if audit.name is not None else device.name
    device.device_type = audit.device_type if audit.device_type is not None else device.device_type
    session.add(device)
    session.flush()
    return device


def orm_record_device_audit(store: Store, *, run_id: int, audit: DeviceAudit, now: dt.datetime) -> int:
    with store.writing() as session:
        run = _run_or_raise(session, store, run_id)
        run.heartbeat = now
        device = _identify(session, run.site, audit, now)
        assert device.id is not None
        snapshot = DeviceSnapshot(
            run_id=run_id, device_id=device.id, recorded=now, address=audit.address, port=audit.port,
            reachable=audit.reachable, auth=audit.auth, started=audit.started, finished=audit.finished,
            **identity_columns(audit.identity), protocols=list(audit.protocols),
            channels=sorted(audit.channels), services=dict(audit.services), errors=list(audit.errors),
            probes=[p.to_json() for p in audit.probes],
            data_flows=[flow.to_json() for flow in audit.data_flows],
            protocol_status={family: st.to_json() for family, st in audit.protocol_status.items()},
            finding_count=len(audit.findings), worst_severity=worst(f.severity for f in audit.findings),
        )
        session.add(snapshot)
        session.flush()
        sid = snapshot.id
        assert sid is not None
        verdicts = [(None, audit.features)] + sorted(audit.channels.items())
        session.add_all(
            FeatureRecord(snapshot_id=sid, channel=channel, feature=fid, supported=v.supported,
                          enabled=v.enabled, evidence=list(v.evidence))
            for channel, per_feature in verdicts for fid, v in per_feature.items())
        session.add_all(
            RemoteAccessRecord(snapshot_id=sid, kind=kind, supported=v.supported, enabled=v.enabled,
                               destination=v.destination, evidence=list(v.evidence))
            for kind, v in audit.remote_access.items())
        session.add_all(FindingRecord(snapshot_id=sid, **FindingRecord.columns_of(f, i))
                        for i, f in enumerate(audit.findings))
        run.device_count += 1
        run.reachable_count += int(audit.reachable)
        run.finding_count += len(audit.findings)
        return sid
