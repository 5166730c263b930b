"""Filling a store with an organisation in bulk: sites x devices x monthly runs cloned from real audits.

Recording 120,000 audits through models/store.py (one transaction and one identity match each) would
take hours on this machine, so the rows are written with SQLAlchemy Core: the template rows go into
temporary tables, a plan table says which template each snapshot clones, and INSERT ... SELECT
writes snapshots and their feature, remote-access and finding rows on the server (same SQL on
PostgreSQL and SQLite). Each clone gets its own address, serial, MAC and name; from month to month
about one device-level feature in 23 that the device reported (enabled known) is switched the other
way, so `camaudit diff` has changes to show. Findings are cloned as recorded (not re-judged).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, Integer, MetaData, String, Table, and_, case, func, insert, literal, not_, select, text
from sqlalchemy.engine import Connection

from models.audit import DeviceAudit
from models.db import Store
from models.tables import (
    AuditRun,
    Device,
    DeviceSnapshot,
    RunOptions,
    UTCDateTime,
    normalise_mac,
    normalise_serial,
)
from orgdata.templates import CHILD_TABLES, Templates

FIRST_RUN = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
FLIP_EVERY = 23   # about one known device-level verdict in FLIP_EVERY changes each month


@dataclass(frozen=True)
class Org:
    sites: int
    devices: int     # per site
    months: int

    def site_name(self, s: int) -> str:
        return f"site-{s:02d}"

    def run_id(self, s: int, month: int) -> int:
        return month * self.sites + s + 1

    def run_started(self, s: int, month: int) -> dt.datetime:
        year, mon = divmod(FIRST_RUN.month - 1 + month, 12)
        return FIRST_RUN.replace(year=FIRST_RUN.year + year, month=mon + 1) + dt.timedelta(hours=s)


@dataclass(frozen=True)
class Clone:
    """Device `d` of site `s`: which template it copies and what makes it its own device."""

    template: int
    address: str
    serial: str | None
    mac: str | None
    name: str | None


def clone_of(templates: Templates, s: int, d: int) -> Clone:
    t = d % len(templates.audits)
    audit = templates.audits[t]
    serial = f"{audit.serial.strip()}X{s:02d}{d:03d}" if normalise_serial(audit.serial) else audit.serial
    mac = f"02:{s:02x}:{d >> 8:02x}:{d & 255:02x}:{t:02x}:01" if normalise_mac(audit.mac) else audit.mac
    name = f"{audit.name} {s}-{d}" if audit.name else audit.name
    return Clone(t, f"10.{s}.{d // 200}.{d % 200 + 10}", serial, mac, name)


def clone_audit(templates: Templates, s: int, d: int, when: dt.datetime) -> DeviceAudit:
    """The DeviceAudit a real audit of device `d` of site `s` would hand the store (for the write path)."""
    c = clone_of(templates, s, d)
    audit = templates.audits[c.template]
    identity = dataclasses.replace(audit.identity, serial=c.serial, mac=c.mac, name=c.name)
    return dataclasses.replace(audit, address=c.address, identity=identity, started=when, finished=when)


def _temp_copy(md: MetaData, table: Table, name: str) -> Table:
    return Table(name, md, *[Column(c.name, c.type) for c in table.columns], prefixes=["TEMPORARY"])


def fill(store: Store, org: Org, templates: Templates) -> dict[str, int]:
    """Write the organisation into an empty, migrated store; the row count of each table."""
    md = MetaData()
    tpl = {name: _temp_copy(md, t.__table__, f"tpl_{name}")  # type: ignore[attr-defined]
           for name, t in [("device_snapshot", DeviceSnapshot)] + [(m.__tablename__, m) for m in CHILD_TABLES]}
    plan = Table("tpl_plan", md, Column("snapshot_id", Integer), Column("run_id", Integer),
                 Column("device_id", Integer), Column("template_id", Integer), Column("month", Integer),
                 Column("recorded", UTCDateTime), Column("address", String), Column("serial", String),
                 Column("mac", String), Column("name", String), prefixes=["TEMPORARY"])
    snaps = templates.rows["device_snapshot"]
    with store.engine.begin() as conn:
        md.create_all(conn)
        for name, table in tpl.items():
            conn.execute(insert(table), templates.rows[name])
        conn.execute(insert(AuditRun.__table__), _runs(org, snaps))  # type: ignore[attr-defined]
        conn.execute(insert(Device.__table__), _devices(org, templates))  # type: ignore[attr-defined]
        for s in range(org.sites):   # a site at a time: the plan rows stay a few thousand per statement
            conn.execute(insert(plan), _plan(org, templates, s))
        _clone_snapshots(conn, tpl["device_snapshot"], plan)
        for model in CHILD_TABLES:
            _clone_children(conn, model.__table__, tpl[model.__tablename__], plan)  # type: ignore[attr-defined]
        md.drop_all(conn)
        if store.dialect == "postgresql":
            for name in ("audit_run", "device", "device_snapshot", *(m.__tablename__ for m in CHILD_TABLES)):
                top = f"(SELECT max(id) FROM {name})"  # noqa: S608 - our own table names
                sequence = f"pg_get_serial_sequence('{name}', 'id')"
                conn.execute(text(f"SELECT setval({sequence}, coalesce({top}, 0) + 1, false)"))
        counts = {name: conn.execute(text(f"SELECT count(*) FROM {name}")).scalar_one()  # noqa: S608 - ours
                  for name in ("audit_run", "device", "device_snapshot", *(m.__tablename__ for m in CHILD_TABLES))}
    if store.dialect == "postgresql":
        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))   # what autovacuum does after a bulk load
    return counts


def _runs(org: Org, snaps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for month in range(org.months):
        for s in range(org.sites):
            picked = [snaps[d % len(snaps)] for d in range(org.devices)]
            started = org.run_started(s, month)
            rows.append(dict(id=org.run_id(s, month), site=org.site_name(s), started=started,
                             finished=started + dt.timedelta(minutes=30), complete=True,
                             targets=[f"10.{s}.0.0/22"], camaudit_version="org-bench",
                             options=RunOptions(concurrency=32, timeout_s=6.0, target_count=1024).to_json(),
                             device_count=org.devices, reachable_count=sum(bool(p["reachable"]) for p in picked),
                             finding_count=sum(p["finding_count"] for p in picked), pid=None, host=None,
                             heartbeat=started + dt.timedelta(minutes=30)))
    return rows


def _devices(org: Org, templates: Templates) -> list[dict[str, Any]]:
    rows = []
    for s in range(org.sites):
        for d in range(org.devices):
            c = clone_of(templates, s, d)
            t = templates.audits[c.template]
            rows.append(dict(id=s * org.devices + d + 1, site=org.site_name(s), serial=normalise_serial(c.serial),
                             mac=normalise_mac(c.mac), address=c.address, port=t.port, brand=t.brand,
                             model=t.model, name=c.name, device_type=t.device_type,
                             first_seen=org.run_started(s, 0) + dt.timedelta(seconds=d),
                             last_seen=org.run_started(s, org.months - 1) + dt.timedelta(seconds=d)))
    return rows


def _plan(org: Org, templates: Templates, s: int) -> list[dict[str, Any]]:
    snaps = templates.rows["device_snapshot"]
    clones = [clone_of(templates, s, d) for d in range(org.devices)]
    rows = []
    for month in range(org.months):
        for d, c in enumerate(clones):
            rows.append(dict(snapshot_id=(org.run_id(s, month) - 1) * org.devices + d + 1,
                             run_id=org.run_id(s, month), device_id=s * org.devices + d + 1,
                             template_id=snaps[c.template]["id"], month=month,
                             recorded=org.run_started(s, month) + dt.timedelta(seconds=d),
                             address=c.address, serial=c.serial, mac=c.mac, name=c.name))
    return rows


_FROM_PLAN = {"id": "snapshot_id", "run_id": "run_id", "device_id": "device_id", "recorded": "recorded",
              "started": "recorded", "finished": "recorded", "address": "address", "serial": "serial",
              "mac": "mac", "name": "name"}


def _clone_snapshots(conn: Connection, tpl: Table, plan: Table) -> None:
    target = DeviceSnapshot.__table__  # type: ignore[attr-defined]
    names = [c.name for c in target.columns]
    columns = [plan.c[_FROM_PLAN[n]] if n in _FROM_PLAN else tpl.c[n] for n in names]
    stmt = select(*columns).join_from(plan, tpl, tpl.c.id == plan.c.template_id).order_by(plan.c.snapshot_id)
    conn.execute(insert(target).from_select(names, stmt))


def _clone_children(conn: Connection, target: Table, tpl: Table, plan: Table) -> None:
    names = [c.name for c in target.columns if c.name != "id"]
    columns: list[Any] = [plan.c.snapshot_id if n == "snapshot_id" else tpl.c[n] for n in names]
    if target.name == "feature_record":   # switch a few known device-level verdicts from month to month
        flip = and_(tpl.c.channel.is_(None), tpl.c.enabled.is_not(None),
                    (plan.c.device_id * 7 + plan.c.month * 3 + func.length(tpl.c.feature)) % FLIP_EVERY
                    == literal(0))
        columns[names.index("enabled")] = case((flip, not_(tpl.c.enabled)), else_=tpl.c.enabled).label("enabled")
    stmt = (select(*columns).join_from(plan, tpl, tpl.c.snapshot_id == plan.c.template_id)
            .order_by(plan.c.snapshot_id, tpl.c.id))
    conn.execute(insert(target).from_select(names, stmt))
