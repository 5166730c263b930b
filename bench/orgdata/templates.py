"""Real device audits to clone: the bundled simulated site audited once by the real auditor
(auditor.run.orchestrator.run_audit, on loopback only) into a scratch SQLite store.

The stored rows of that run (one snapshot per simulated device, with its feature, remote-access and
finding rows) are what models/store.py wrote for real audits; the organisation is built from them.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from models.audit import DeviceAudit
from models.db import Store, open_store
from models.store import list_run_device_audits, list_runs
from models.tables import DeviceSnapshot, FeatureRecord, FindingRecord, RemoteAccessRecord

CHILD_TABLES = (FeatureRecord, RemoteAccessRecord, FindingRecord)


@dataclass
class Templates:
    """The scratch store's rows, by table name, and the audits they are (for the real write path)."""

    rows: dict[str, list[dict[str, Any]]]
    audits: list[DeviceAudit]
    seconds: float


def audit_simulated_site(path: Path) -> float:
    """Audit every bundled simulated device into the SQLite store at `path`; the seconds it took."""
    from auditor.commands.demo import site_credentials
    from auditor.run.orchestrator import AuditOptions, run_audit
    from auditor.run.scope import plan_targets
    from device_simulators import Fleet, bundled_profiles

    started = time.perf_counter()
    base = f"127.{random.randint(100, 250)}.{random.randint(0, 255)}.1"   # loopback only
    with Fleet(bundled_profiles(), base) as fleet, open_store(path) as store:
        addresses = sorted(int(d.address.rsplit(".", 1)[1]) for d in fleet.devices)
        net = base.rsplit(".", 1)[0]
        scope = [f"{net}.{addresses[0]}-{addresses[-1]}"]
        run_audit(store, plan_targets(scope), site_credentials(fleet), scope=scope,
                  options=AuditOptions(concurrency=8))
    return time.perf_counter() - started


def read_templates(store: Store) -> Templates:
    run = list_runs(store, limit=1)[0]
    rows: dict[str, list[dict[str, Any]]] = {}
    with store.engine.connect() as conn:
        snaps = [dict(r._mapping) for r in conn.execute(select(DeviceSnapshot.__table__)  # type: ignore[attr-defined]
                                                        .where(DeviceSnapshot.__table__.c.run_id == run.id)
                                                        .order_by(DeviceSnapshot.__table__.c.id))]
        rows["device_snapshot"] = snaps
        ids = [s["id"] for s in snaps]
        for model in CHILD_TABLES:
            table = model.__table__  # type: ignore[attr-defined]
            rows[table.name] = [dict(r._mapping) for r in conn.execute(
                select(table).where(table.c.snapshot_id.in_(ids)).order_by(table.c.id))]
    audits = [a for _, a in list_run_device_audits(store, run_id=run.id)]
    return Templates(rows, audits, 0.0)


def load_templates(folder: Path) -> Templates:
    path = folder / "simulated-site.db"
    seconds = audit_simulated_site(path)
    with open_store(path) as store:
        templates = read_templates(store)
    templates.seconds = seconds
    return templates
