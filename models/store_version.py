"""A cheap fingerprint of what the store holds, so a reader (the TUI) can tell that another process
wrote runs without re-reading everything.

Counts and highest ids, not SQLite's `PRAGMA data_version`: that one is per connection (a pooled
engine hands out different ones) and PostgreSQL has no such thing. Every part is an aggregate over
a primary key or a small runs table, so one check costs a few index look-ups on either engine.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from models.db import Store
from models.egress.tables import EgressRun
from models.tables import AuditRun, DeviceSnapshot


@dataclass(frozen=True)
class StoreVersion:
    """What changes when a run starts, records a device, finishes or is deleted."""

    audit_runs: int = 0
    audit_last_id: int = 0
    audit_unfinished: int = 0
    snapshot_last_id: int = 0     # grows with every device a run records
    egress_runs: int = 0
    egress_last_id: int = 0
    egress_unfinished: int = 0

    @property
    def runs(self) -> int:
        return self.audit_runs + self.egress_runs

    @property
    def unfinished(self) -> int:
        return self.audit_unfinished + self.egress_unfinished


def _counts(session: Session, table: type[AuditRun] | type[EgressRun]) -> tuple[int, int, int]:
    """Rows, highest id, rows not finished yet."""
    row = session.exec(select(func.count(), func.coalesce(func.max(col(table.id)), 0),
                              func.count() - func.count(col(table.finished)))).one()
    return int(row[0]), int(row[1]), int(row[2])


def get_store_version(store: Store) -> StoreVersion:
    """The store's version now: equal versions mean no run or device was added, finished or removed since."""
    with store.reading() as session:
        audit = _counts(session, AuditRun)
        egress = _counts(session, EgressRun)
        snapshot = session.exec(select(func.coalesce(func.max(col(DeviceSnapshot.id)), 0))).one()
    return StoreVersion(*audit, int(snapshot), *egress)
