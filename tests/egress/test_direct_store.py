"""The direct egress writer (models/egress/direct.py, sqlite3 only) against the store it stands in
for: the same analysis recorded both ways into two copies of one store must leave the same bytes in
every egress row and read back as the same report; its column map must match the SQLModel tables;
it must step aside for every store it cannot be sure of; a failed write leaves nothing behind."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import JSON, Boolean
from sqlmodel import SQLModel

import models.egress  # noqa: F401 - registers the egress tables on SQLModel.metadata
from auditor.run.egress import StoreRecorder
from auditor.run.egress_analysis import EgressOptions, record_result
from models.audit import DataFlow
from models.db import open_store
from models.egress import direct
from models.egress.direct import COLUMNS, WRITTEN, open_direct
from models.egress.store import get_egress_report
from models.errors import StoreUnavailable
from models.location import parse_pg_url
from models.tables import UTCDateTime
from probes.egress import CaptureResult, FileAnalysis
from tests.egress.conftest import Site, audit_of, record_audits

STARTED = dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.UTC)
SWAPPED = "10.99.0.5"


def _kind(column) -> str | None:  # noqa: ANN001 - an SQLAlchemy column
    if isinstance(column.type, UTCDateTime):
        return direct.TIME
    if isinstance(column.type, JSON):
        return direct.JSON
    return direct.BOOL if isinstance(column.type, Boolean) else None


def test_the_column_map_matches_the_tables():
    tables = SQLModel.metadata.tables
    for name, columns in COLUMNS.items():
        table = tables[name]
        assert {c: _kind(table.c[c]) for c in columns} == columns, name
        if name in WRITTEN:       # every column written: a column added to the table but not here fails
            assert set(columns) == {c.name for c in table.columns} - {"id"}, name


# ---- the same analysis both ways ---------------------------------------------------------------

@pytest.fixture(scope="module")
def result(site: Site) -> CaptureResult:
    if shutil.which("tshark") is None:
        pytest.skip("tshark is not installed")
    return FileAnalysis([site.pcap], EgressOptions().site).start().result()


def _audited_store(path: Path, site: Site) -> Path:
    """Audits that exercise every read: linked by MAC, by address (no MAC), a remote-access verdict
    left unknown, a configured push host, an older snapshot the newer one must win over, and the same
    address audited in another site (never linked), and a second device with the NVR's MAC (a
    different serial: a swapped unit) recorded first and audited again last: the MAC links to the
    device seen last, not to the one with the higher id."""
    nvr, dome, bullet = (site.device(p) for p in ("hik-acusense-nvr", "hik-dome-push-nas", "hik-school-bullet"))
    push = DataFlow("http_push", True, "https://arc.sentinel-monitoring.example:8443/hik/events", "HTTPS",
                    evidence=["isapi /ISAPI/Event/notification/httpHosts -> HTTP 200"])
    swapped = audit_of("hik-acusense-nvr", address=SWAPPED, remote={"hik_connect": (False, None)})
    swapped = dataclasses.replace(swapped, identity=dataclasses.replace(swapped.identity, serial="SWAPPED-UNIT-1"))
    with open_store(path) as store:
        record_audits(store, swapped)
        record_audits(store, audit_of("hik-acusense-nvr", address=nvr["address"],
                                      remote={"hik_connect": (True, "litedev.hik-connect.com")}))
        record_audits(store, audit_of("hik-acusense-nvr", address=nvr["address"], remote={
            "hik_connect": (False, "litedev.hik-connect.com"), "isup": (None, None)}))
        record_audits(store, dataclasses.replace(audit_of("hik-dome-push-nas", address=dome["address"], remote={},
                                                          mac=None), data_flows=[push]))
        record_audits(store, audit_of("hik-school-bullet", address=bullet["address"], remote={}), site="elsewhere")
        record_audits(store, swapped)
    return path


def _rows(path: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(path)
    try:
        return {table: conn.execute(f"SELECT * FROM {table} ORDER BY id").fetchall() for table in WRITTEN}
    finally:
        conn.close()


def _without_finished(rows: dict[str, list[tuple]], path: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(path)
    names = [row[1] for row in conn.execute("PRAGMA table_info(egress_run)")]
    conn.close()
    at = names.index("finished")
    assert all(run[at] is not None for run in rows["egress_run"])
    return {**rows, "egress_run": [run[:at] + run[at + 1:] for run in rows["egress_run"]]}


@pytest.mark.needs_tshark
@pytest.mark.parametrize("audited", [True, False], ids=["audited", "no-audit"])
def test_direct_and_store_write_the_same_rows_and_read_back_the_same_report(site: Site, result, tmp_path, audited):
    base = _audited_store(tmp_path / "base.db", site) if audited else tmp_path / "base.db"
    if not audited:
        open_store(base).close()
    shutil.copy(base, tmp_path / "orm.db")
    shutil.copy(base, tmp_path / "direct.db")
    options = EgressOptions()
    reports = {}
    with open_store(tmp_path / "orm.db") as store:
        reports["orm"] = [record_result(StoreRecorder(store), result, options, started=STARTED) for _ in range(2)]
    found = open_direct(tmp_path / "direct.db")
    assert found is not None
    with found as store:
        reports["direct"] = [record_result(store, result, options, started=STARTED) for _ in range(2)]
    assert reports["direct"] == reports["orm"]
    orm, mine = _rows(tmp_path / "orm.db"), _rows(tmp_path / "direct.db")
    assert _without_finished(mine, tmp_path / "direct.db") == _without_finished(orm, tmp_path / "orm.db")
    assert len(mine["egress_flow"]) > 20 and mine["egress_finding"] and mine["egress_dns"]
    with open_store(tmp_path / "direct.db", read_only=True) as store:     # the store reads what it wrote
        assert [get_egress_report(store, run_id=r.run_id) for r in reports["direct"]] == reports["direct"]
    devices = {d.address: d for d in reports["direct"][0].devices}
    nvr, dome, bullet = (devices[site.device(p)["address"]]
                         for p in ("hik-acusense-nvr", "hik-dome-push-nas", "hik-school-bullet"))
    if audited:    # the reads were exercised, not skipped
        assert (nvr.linked_by, dome.linked_by, bullet.linked_by) == ("mac", "address", None)
        assert any(f.id == "egress-undisclosed-cloud" for f in nvr.findings)       # the newer audit: cloud off
        assert [d.label for d in dome.destinations if d.port == 8443] == ["configured"]
        assert nvr.device_label is not None and nvr.device_label.endswith(f"at {SWAPPED}")   # seen last
        assert dome.device_label is not None and dome.device_label.endswith(f"at {dome.address}")
    else:
        assert {d.device_id for d in devices.values()} == {None}


# ---- when it steps aside ---------------------------------------------------------------------

@pytest.fixture
def ready(tmp_path) -> Path:
    path = tmp_path / "camaudit.db"
    open_store(path).close()
    return path


def test_a_store_at_the_head_revision_is_written_directly(ready):
    found = open_direct(str(ready))
    assert found is not None
    found.close()


def _changed(path: Path, statement: str) -> Path:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(statement)
    conn.close()
    return path


@pytest.mark.parametrize("make", [
    lambda p: p.with_name("missing.db"),
    lambda p: _changed(p, "UPDATE alembic_version SET version_num = '0004_query_indexes'"),
    lambda p: _changed(p, "PRAGMA journal_mode = DELETE"),
    lambda p: _changed(p, "DROP TABLE alembic_version"),
    lambda p: (p.write_bytes(b"not a database at all" * 100), p)[1],
    lambda p: p.parent,
    lambda p: parse_pg_url("postgresql+psycopg://camaudit@db.example/camaudit"),
    lambda p: "postgresql+psycopg://camaudit@db.example/camaudit",
], ids=["missing", "older-revision", "not-wal", "unversioned", "not-sqlite", "a-folder", "pg-location", "pg-url"])
def test_anything_else_is_left_to_the_store(ready, make):
    assert open_direct(make(ready)) is None


# ---- failures ---------------------------------------------------------------------------------

@pytest.mark.needs_tshark
def test_a_failed_write_leaves_nothing(ready, result):
    talker = next(d for d in result.devices if d.destinations)
    broken = dataclasses.replace(talker, destinations=(
        dataclasses.replace(talker.destinations[0], first_seen=dt.datetime(2026, 1, 1)),))   # naive: refused
    others = tuple(d for d in result.devices if d is not talker)
    before = _rows(ready)
    with open_direct(ready) as store, pytest.raises(ValueError, match="naive datetime"):
        record_result(store, dataclasses.replace(result, devices=(*others, broken)), EgressOptions())
    assert _rows(ready) == before


def test_a_store_locked_by_another_writer_is_one_sentence(ready, monkeypatch):
    from models.egress.values import EgressCapture

    holder = sqlite3.connect(ready, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    monkeypatch.setattr(direct, "BUSY_TIMEOUT_S", 0.2)
    try:
        with open_direct(ready) as store, pytest.raises(StoreUnavailable) as caught:
            store.record_run(capture=EgressCapture(kind="file", source="x.pcap", packets=0, bytes=0, started=None,
                                                   ended=None), devices=[], complete=True)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert "stayed locked by another program" in caught.value.message and str(ready) in caught.value.message


def test_reads_and_the_write_may_come_from_another_thread(ready):
    """The CLI opens it on the main thread; the analysis may record from its reader thread."""
    found = open_direct(ready)
    assert found is not None
    answers = []
    worker = threading.Thread(target=lambda: answers.append(found.audited()))
    worker.start()
    worker.join()
    found.close()
    assert answers == [False]
