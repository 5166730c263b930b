"""Column-only read models over snapshots, for fleet-wide lists (TUI fleet and findings).

`models.store.list_devices` gives one `DeviceSummary` per device but not which analytics and
remote-access settings are switched on, and loading every `DeviceAudit` to find out costs about
2 ms per device (evidence JSON and ORM objects): 20 s for 10,000 devices. These queries read
just the verdict columns as Core rows, in chunks like the store does.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from sqlalchemy import case, func
from sqlmodel import col, select

from models.db import Store
from models.features import BIOMETRIC_FEATURES
from models.tables import FeatureRecord, FindingRecord, RemoteAccessRecord

_CHUNK = 500   # snapshot ids per IN (...), as models.store does


@dataclass
class SnapshotFlags:
    """What is switched on according to one snapshot's device-level verdicts."""

    enabled: list[str] = field(default_factory=list)      # features with enabled = True
    unknown: int = 0                                      # features with enabled = NULL
    unknown_biometric: int = 0                            # ... of which biometric
    remote_on: list[str] = field(default_factory=list)    # remote-access kinds with enabled = True
    destinations: dict[str, str] = field(default_factory=dict)   # kind -> configured destination


@dataclass(frozen=True)
class FindingLine:
    snapshot_id: int
    finding: str
    severity: str
    title: str
    recommendation: str
    source: str = "audit"      # audit | egress (the latest capture of the device)


def _chunks(ids: Sequence[int]) -> Iterator[list[int]]:
    ordered = sorted(ids)
    for start in range(0, len(ordered), _CHUNK):
        yield ordered[start:start + _CHUNK]


def list_snapshot_flags(store: Store, *, snapshot_ids: Sequence[int]) -> dict[int, SnapshotFlags]:
    """Per snapshot: enabled features and how many are unknown (device roll-up), and remote access."""
    flags: dict[int, SnapshotFlags] = defaultdict(SnapshotFlags)
    with store.reading() as session:
        for ids in _chunks(snapshot_ids):
            device_level = (col(FeatureRecord.snapshot_id).in_(ids), col(FeatureRecord.channel).is_(None))
            stmt = (select(FeatureRecord.snapshot_id, FeatureRecord.feature)
                    .where(*device_level, col(FeatureRecord.enabled).is_(True))
                    .order_by(col(FeatureRecord.snapshot_id), col(FeatureRecord.id)))   # index order
            for sid, feature in session.connection().execute(stmt):   # Core rows: no ORM objects
                flags[sid].enabled.append(feature)
            # Unknowns are most verdicts of a device that refused the login: count them, do not list them.
            biometric = func.sum(case((col(FeatureRecord.feature).in_(sorted(BIOMETRIC_FEATURES)), 1), else_=0))
            counted = (select(FeatureRecord.snapshot_id, func.count(), biometric)
                       .where(*device_level, col(FeatureRecord.enabled).is_(None))
                       .group_by(col(FeatureRecord.snapshot_id)))
            for sid, unknown, unknown_biometric in session.connection().execute(counted):
                flags[sid].unknown, flags[sid].unknown_biometric = unknown, unknown_biometric
            remote = (select(RemoteAccessRecord.snapshot_id, RemoteAccessRecord.kind, RemoteAccessRecord.destination)
                      .where(col(RemoteAccessRecord.snapshot_id).in_(ids), col(RemoteAccessRecord.enabled).is_(True))
                      .order_by(col(RemoteAccessRecord.snapshot_id), col(RemoteAccessRecord.id)))
            for sid, kind, destination in session.connection().execute(remote):
                flags[sid].remote_on.append(kind)
                if destination:
                    flags[sid].destinations[kind] = destination
    return dict(flags)


def list_snapshot_findings(store: Store, *, snapshot_ids: Sequence[int]) -> list[FindingLine]:
    """Every finding of the given snapshots, without evidence, in recorded order."""
    lines: list[FindingLine] = []
    with store.reading() as session:
        for ids in _chunks(snapshot_ids):
            stmt = (select(FindingRecord.snapshot_id, FindingRecord.finding, FindingRecord.severity,
                           FindingRecord.title, FindingRecord.recommendation)
                    .where(col(FindingRecord.snapshot_id).in_(ids))
                    .order_by(col(FindingRecord.snapshot_id), col(FindingRecord.position)))
            lines.extend(FindingLine(*row) for row in session.connection().execute(stmt))
    return lines
