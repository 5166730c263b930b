"""Shared reads of egress results, used by both the report and the TUI so they cannot disagree.

The one rule for "a device's egress": per audited device (or, for a capture source no audit
linked, per site and address), the latest egress run of its site that saw it, over every such run
(optionally only runs started before a time: an audit run's evidence ends where the next audit
run starts). The TUI used to look back only 20 egress runs; a device last captured 21 runs ago
now keeps its destinations everywhere.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

from sqlalchemy import and_, func
from sqlmodel import Session, col, select

from models.audit import DataFlow, RemoteAccessVerdict
from models.db import Store
from models.egress.store import load_devices
from models.egress.tables import EgressDeviceRecord, EgressRun, EgressRunPublic
from models.egress.values import DeviceSettings, EgressDevice
from models.location import DEFAULT_SITE
from models.tables import Device, DeviceSnapshot, RemoteAccessRecord, normalise_mac


class CapturedEgress(NamedTuple):
    """One device as the latest egress run that saw it recorded it."""

    run: EgressRunPublic
    device: EgressDevice


def _device_site(device_id: Any) -> Any:
    """The site of the audited device `device_id` (a value or a column), as a scalar subquery."""
    return select(Device.site).where(col(Device.id) == device_id).scalar_subquery()


def _latest(session: Session, groups: tuple[Any, ...], condition: Any,
            before: dt.datetime | None) -> list[tuple[int, CapturedEgress]]:
    """Per `groups` among device rows matching `condition` (which may name the run): the row of the
    latest run (highest run id, not row id: a growing watch rewrites its rows), the first one recorded
    in it; (row id, read)."""
    keys = [group.label(f"key{i}") for i, group in enumerate(groups)]
    runs = (select(*keys, func.max(EgressDeviceRecord.run_id).label("run_id"))
            .join(EgressRun, col(EgressRun.id) == EgressDeviceRecord.run_id).where(condition).group_by(*groups))
    if before is not None:
        runs = runs.where(col(EgressRun.started) < before)
    latest = runs.subquery()
    same = and_(col(EgressDeviceRecord.run_id) == latest.c.run_id,
                *(group == latest.c[f"key{i}"] for i, group in enumerate(groups)))
    first = (select(func.min(EgressDeviceRecord.id))
             .join(EgressRun, col(EgressRun.id) == EgressDeviceRecord.run_id)
             .join(latest, same).where(condition).group_by(*groups))
    pairs = list(session.exec(select(EgressDeviceRecord, EgressRun)
                              .join(EgressRun, col(EgressRun.id) == EgressDeviceRecord.run_id)
                              .where(col(EgressDeviceRecord.id).in_(first))
                              .order_by(col(EgressDeviceRecord.id))))
    rows = [row for row, _ in pairs]
    return [(row.id or 0, CapturedEgress(EgressRunPublic.model_validate(run, from_attributes=True), device))
            for (row, run), device in zip(pairs, load_devices(session, rows), strict=True)]


def get_device_egress(store: Store, *, device_id: int, before: dt.datetime | None = None) -> CapturedEgress | None:
    """The audited device's destinations, look-ups and findings from the latest egress run of its
    site that saw it (started before `before` when given); None when no such capture saw it."""
    with store.reading() as session:
        found = _latest(session, (EgressDeviceRecord.device_id,),
                        and_(EgressDeviceRecord.device_id == device_id, EgressRun.site == _device_site(device_id)),
                        before)
        return found[-1][1] if found else None


def list_latest_egress(store: Store, *, before: dt.datetime | None = None) -> list[CapturedEgress]:
    """Every capture source's latest egress view, newest first: one per audited device (from runs of
    its site), and one per site and address for sources no audit linked (the same rule as
    `get_device_egress`)."""
    with store.reading() as session:
        linked = _latest(session, (EgressDeviceRecord.device_id,),
                         and_(col(EgressDeviceRecord.device_id).is_not(None),
                              EgressRun.site == _device_site(EgressDeviceRecord.device_id)), before)
        unlinked = _latest(session, (EgressRun.site, EgressDeviceRecord.address),
                           col(EgressDeviceRecord.device_id).is_(None), before)
    # Newest run first; within a run, in the order the devices were recorded.
    return [read for _, read in sorted(linked + unlinked, key=lambda pair: (-pair[1].run.id, pair[0]))]


def get_latest_settings(store: Store, *, address: str, mac: str | None = None,
                        site: str = DEFAULT_SITE) -> DeviceSettings | None:
    """The remote-access settings and data flows of the latest audit of `site`'s device with this MAC,
    else of the site's latest audit at this address; None when neither was audited. Reads one
    snapshot's settings, not its whole audit (egress judgement asks this for every captured device)."""
    normalised = normalise_mac(mac)
    latest = (col(DeviceSnapshot.id).desc(),)
    with store.reading() as session:
        found = None
        if normalised is not None:
            found = session.exec(select(DeviceSnapshot.id, DeviceSnapshot.data_flows)
                                 .join(Device, col(Device.id) == DeviceSnapshot.device_id)
                                 .where(Device.mac == normalised, Device.site == site)
                                 .order_by(*latest).limit(1)).first()
        if found is None:
            found = session.exec(select(DeviceSnapshot.id, DeviceSnapshot.data_flows)
                                 .join(Device, col(Device.id) == DeviceSnapshot.device_id)
                                 .where(DeviceSnapshot.address == address, Device.site == site)
                                 .order_by(*latest).limit(1)).first()
        if found is None:
            return None
        snapshot_id, flows = found
        remote = session.exec(select(RemoteAccessRecord).where(RemoteAccessRecord.snapshot_id == snapshot_id)
                              .order_by(col(RemoteAccessRecord.id)))
        return DeviceSettings(
            remote_access={r.kind: RemoteAccessVerdict(enabled=r.enabled, destination=r.destination,
                                                       evidence=list(r.evidence), supported=r.supported)
                           for r in remote},
            data_flows=[DataFlow.from_json(flow) for flow in flows or []])
