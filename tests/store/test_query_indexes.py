"""Migration 0004 (indexes chosen from bench/org_bench.py's query plans) and the device list it serves:
a 0003 database upgrades with every row kept and gains the indexes, on SQLite and on PostgreSQL, and
`list_devices` (which now looks each device's newest snapshot up instead of grouping them all) still
gives every device its most recently recorded snapshot."""

from __future__ import annotations

import dataclasses
import importlib.util
from pathlib import Path
from typing import Any

from sqlalchemy import inspect, select, text
from sqlmodel import SQLModel

import models.egress  # noqa: F401 - registers the egress tables on SQLModel.metadata
from models.db import Store, open_store
from models.migrate import head_revision
from models.store import (
    get_device,
    get_device_audit,
    list_devices,
    list_run_device_audits,
    list_run_snapshots,
    list_runs,
    record_device_audit,
    record_run_finished,
    record_run_started,
)
from models.tables import FeatureRecord
from tests.store.builders import OPTIONS, T0, dahua_nvr, hik_face_camera

MIGRATION = Path(__file__).parents[2] / "models" / "migrations" / "versions" / "0004_query_indexes.py"
SITES, DEVICES, RUNS = 3, 5, 3


def migration() -> Any:
    spec = importlib.util.spec_from_file_location("query_indexes", MIGRATION)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def small_org(store: Store) -> None:
    """3 sites x 5 devices x 3 runs; in the last run device 4 of each site is missing (its newest
    snapshot is older) and device 0 is recorded twice (the later snapshot is its newest)."""
    for run in range(RUNS):
        for s in range(SITES):
            run_id = record_run_started(store, targets=[f"10.{s}.0.0/24"], options=OPTIONS, site=f"site {s}",
                                        started=T0.replace(month=1 + run))
            devices = range(DEVICES - 1) if run == RUNS - 1 else range(DEVICES)
            for d in devices:
                serial, mac = f"SER-{s}-{d}", f"02:00:00:00:{s:02x}:{d:02x}"
                audit = (hik_face_camera(address=f"10.{s}.0.{d + 10}", serial=serial, mac=mac) if d % 2 == 0 else
                         dataclasses.replace(dahua_nvr(address=f"10.{s}.0.{d + 10}"), identity=dataclasses.replace(
                             dahua_nvr().identity, serial=serial, mac=mac)))
                record_device_audit(store, run_id=run_id, audit=audit)
                if run == RUNS - 1 and d == 0:
                    record_device_audit(store, run_id=run_id, audit=dataclasses.replace(audit, address="10.99.0.1"))
            record_run_finished(store, run_id=run_id, complete=True)


def newest_snapshots(store: Store) -> dict[int, int]:
    """Device id -> its newest snapshot id, worked out the slow, obvious way."""
    newest: dict[int, int] = {}
    for run in list_runs(store):
        for snap in list_run_snapshots(store, run_id=run.id):
            newest[snap.device_id] = max(newest.get(snap.device_id, 0), snap.id)
    return newest


def test_every_device_is_listed_with_its_newest_snapshot(store):
    small_org(store)
    expected = newest_snapshots(store)
    assert len(expected) == SITES * DEVICES
    every = list_devices(store)
    assert [(d.id, d.latest.id) for d in every] == sorted(expected.items())
    assert {d.latest.address for d in every if d.serial == "SER-1-0"} == {"10.99.0.1"}   # recorded twice: the later
    one_site = list_devices(store, site="site 1")
    assert [(d.id, d.latest.id) for d in one_site] == [(d.id, d.latest.id) for d in every if d.site == "site 1"]
    assert len(one_site) == DEVICES
    missing = next(d for d in one_site if d.serial == "SER-1-4")   # not seen in the last run: the run before
    assert missing.latest.run_id == list_runs(store, site="site 1")[1].id
    assert get_device(store, device_id=missing.id) == missing
    assert list_devices(store, site="nowhere") == []


def every_row(store: Store) -> dict[str, list[dict[str, Any]]]:
    with store.engine.connect() as conn:
        return {t.name: [dict(r._mapping) for r in conn.execute(select(t).order_by(*t.primary_key.columns))]
                for t in SQLModel.metadata.sorted_tables}


def test_a_0003_database_gains_the_indexes_with_every_row_kept(store_url, capfd):
    created, replaced = migration().INDEXES, migration().REPLACED
    assert created and replaced
    with open_store(store_url) as store:
        small_org(store)
        before, devices = every_row(store), list_devices(store)
        assert len(before["device_snapshot"]) == SITES * (DEVICES * RUNS)
        audits = [list_run_device_audits(store, run_id=run.id) for run in list_runs(store)]
        with store.engine.begin() as conn:   # back to revision 0003: the same tables with its indexes
            for name, _table, _columns in created:
                conn.execute(text(f"DROP INDEX {name}"))
            for name, table, columns in replaced:
                conn.execute(text(f"CREATE INDEX {name} ON {table} ({', '.join(columns)})"))
            conn.execute(text("DROP INDEX ix_egress_run_site"))           # and without 0005's egress site
            conn.execute(text("ALTER TABLE egress_run DROP COLUMN site"))
            conn.execute(text("UPDATE alembic_version SET version_num = '0003_egress_geo'"))
    with open_store(store_url) as store:
        assert f"from schema 0003_egress_geo to {head_revision()}" in capfd.readouterr().err
        assert every_row(store) == before
        assert list_devices(store) == devices
        assert [list_run_device_audits(store, run_id=run.id) for run in list_runs(store)] == audits
        with store.engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == head_revision()
            found = inspect(conn)
            for name, table, columns in created + replaced:
                declared = {i["name"]: tuple(i["column_names"]) for i in found.get_indexes(table)}
                assert declared.get(name) == (columns if (name, table, columns) in created else None), (name, declared)


def test_per_snapshot_rows_come_back_in_recorded_order_when_runs_interleave(store):
    """children() reads in index order (snapshot, id): each snapshot's rows must still apply in id order,
    even when another snapshot's rows were written between them (the later verdict of a feature wins)."""
    run_id = record_run_started(store, targets=["10.0.0.0/24"], options=OPTIONS)
    first = record_device_audit(store, run_id=run_id, audit=hik_face_camera(address="10.0.0.1"))
    second = record_device_audit(store, run_id=run_id, audit=hik_face_camera(address="10.0.0.2", serial="S2",
                                                                             mac="02:00:00:00:00:02"))
    table = FeatureRecord.__table__  # type: ignore[attr-defined]
    with store.engine.begin() as conn:
        for snapshot_id, enabled in ((first, False), (second, True), (first, True), (second, False)):
            conn.execute(table.insert().values(snapshot_id=snapshot_id, channel=None, feature="people_counting",
                                               supported=True, enabled=enabled, evidence=[f"row for {enabled}"]))
    audits = dict(list_run_device_audits(store, run_id=run_id))
    by_address = {a.address: a for a in audits.values()}
    assert by_address["10.0.0.1"].features["people_counting"].enabled is True
    assert by_address["10.0.0.2"].features["people_counting"].enabled is False
    assert get_device_audit(store, snapshot_id=first) == by_address["10.0.0.1"]
