"""Opening the store: concurrent creation of a fresh file, and read-only opening for reading commands
(report, diff) that never creates, converts or repairs a file."""

from __future__ import annotations

import multiprocessing
import sqlite3
import subprocess
from pathlib import Path

import pytest

from models.db import open_store
from models.errors import StoreUnavailable
from models.store import list_run_devices, list_runs, record_device_audit, record_run_finished, record_run_started
from tests.audit.test_cli import camaudit

from .builders import OPTIONS, dahua_nvr, hik_face_camera
from .test_errors import assert_one_sentence
from .test_migrations import EGRESS_GEO_COLUMNS, drop_egress_geo, drop_post_schema1


def test_twenty_pairs_of_processes_create_fresh_files_at_the_same_moment(tmp_path):
    # Before the schema was created under BEGIN IMMEDIATE, 15 of these 20 pairs failed with a false
    # "stayed locked for 10 seconds" (a reader's upgrade to writer is refused without waiting).
    for path in _race_pairs(tmp_path, _start_audit_run, pairs=20):
        with open_store(path, read_only=True) as store:
            assert len(list_runs(store)) == 2


def test_two_egress_commands_create_their_tables_in_a_fresh_file_at_the_same_moment(tmp_path):
    # The egress tables are created on first use; that too must queue, not fail with a false "locked"
    # (all of 20 such pairs failed before the creation moved inside BEGIN IMMEDIATE).
    _race_pairs(tmp_path, _start_egress_run, pairs=10)


def _race_pairs(tmp_path: Path, write, *, pairs: int) -> list[str]:
    """`pairs` times, two processes open one fresh file and run `write(store)` at the same moment;
    every one of them must succeed. Returns the files."""
    context = multiprocessing.get_context("fork")
    paths = []
    for i in range(pairs):
        path = str(tmp_path / f"fresh-{i}.db")
        barrier = context.Barrier(2)
        outs = [str(tmp_path / f"out-{i}-{n}") for n in range(2)]
        procs = [context.Process(target=_child, args=(path, barrier, out, write)) for out in outs]
        for proc in procs:
            proc.start()
        for proc in procs:
            proc.join(60)
        results = [Path(out).read_text() for out in outs]
        assert results == ["ok", "ok"], (i, results)
        paths.append(path)
    return paths


def _child(path: str, barrier, out: str, write) -> None:
    barrier.wait()
    try:
        with open_store(path) as store:
            write(store)
        Path(out).write_text("ok")
    except BaseException as exc:  # noqa: BLE001 - reported to the parent through the file
        Path(out).write_text(f"{type(exc).__name__}: {exc}")


def _start_audit_run(store) -> None:
    record_run_started(store, targets=["x"], options=OPTIONS)


def _start_egress_run(store) -> None:
    from models.egress.store import record_egress_run_started

    record_egress_run_started(store, kind="file", source="x.pcap", site_networks=["10.0.0.0/8"])


def filled(path: Path) -> int:
    with open_store(path) as store:
        run_id = record_run_started(store, targets=["10.20.0.0/24"], options=OPTIONS)
        record_device_audit(store, run_id=run_id, audit=hik_face_camera())
        record_device_audit(store, run_id=run_id, audit=dahua_nvr())
        record_run_finished(store, run_id=run_id, complete=True)
    return run_id


def read_only_failure(path: Path) -> str:
    with pytest.raises(StoreUnavailable) as caught:
        open_store(path, read_only=True)
    assert_one_sentence(caught.value.message, path)
    return caught.value.message


def test_reading_a_missing_or_empty_file_creates_and_converts_nothing(tmp_path):
    missing = tmp_path / "missing.db"
    assert "There is no camaudit database" in read_only_failure(missing)
    assert not missing.exists()
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    assert "is empty" in read_only_failure(empty)
    assert empty.read_bytes() == b""
    result = camaudit("report", "--db", str(empty), "--out", "-")
    assert result.returncode != 0 and "is empty" in result.stderr and "Traceback" not in result.stderr
    assert empty.read_bytes() == b""                 # `report` used to turn it into a database


def test_a_dropped_table_is_reported_as_damaged_not_as_zero_devices(tmp_path):
    path = tmp_path / "damaged.db"
    filled(path)
    with sqlite3.connect(path) as raw:
        raw.execute("DROP TABLE feature_record")
    raw.close()
    assert "damaged" in read_only_failure(path)
    for args in (["report", "--out", "-"], ["diff"]):
        result = camaudit(*args, "--db", str(path))
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert result.returncode != 0 and len(lines) == 1 and "damaged" in lines[0], result.stderr
        assert "Devices recorded" not in result.stdout
    with sqlite3.connect(path) as raw:
        names = {row[0] for row in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    raw.close()
    assert "feature_record" not in names             # nothing was repaired behind the user's back


def test_a_dropped_required_column_is_damage_too(tmp_path):
    path = tmp_path / "damaged.db"
    filled(path)
    with sqlite3.connect(path) as raw:
        raw.execute("ALTER TABLE device_snapshot DROP COLUMN recorded")
    raw.close()
    assert "device_snapshot.recorded" in read_only_failure(path)


def test_a_file_from_an_older_camaudit_is_refused_by_readers_and_upgraded_by_writers(tmp_path, capfd):
    path = tmp_path / "old.db"
    run_id = filled(path)
    with sqlite3.connect(path) as raw:                # what a camaudit without run heartbeats wrote (pre-Alembic)
        for column in ("pid", "host", "heartbeat"):
            raw.execute(f"ALTER TABLE audit_run DROP COLUMN {column}")
        drop_post_schema1(raw)
        raw.execute("PRAGMA user_version = 1")
    raw.close()
    before = path.read_bytes()
    message = read_only_failure(path)
    assert "older camaudit" in message and f"camaudit db upgrade --db {path}" in message
    assert path.read_bytes() == before                # a reader never migrates
    with open_store(path) as store:                   # a writer upgrades in place, after a copy
        record_run_started(store, targets=["x"], options=OPTIONS)
    with sqlite3.connect(tmp_path / "old.db.bak-unversioned") as copy:   # the file as it was, tables and rows
        assert copy.execute("PRAGMA user_version").fetchone()[0] == 1
        assert copy.execute("SELECT count(*) FROM device_snapshot").fetchone()[0] == 2
        assert "alembic_version" not in {r[0] for r in copy.execute("SELECT name FROM sqlite_master")}
    copy.close()
    assert f"a copy of it as it was is {path}.bak-unversioned" in capfd.readouterr().err
    with sqlite3.connect(path) as raw:
        columns = {row[1] for row in raw.execute("PRAGMA table_info(audit_run)")}
        assert raw.execute("PRAGMA user_version").fetchone()[0] == 2
    raw.close()
    assert {"pid", "host", "heartbeat"} <= columns
    with open_store(path, read_only=True) as store:
        first, _ = sorted(list_runs(store), key=lambda r: r.id)
        assert first.id == run_id and first.state == "complete" and first.pid is None
        assert len(list_run_devices(store, run_id=run_id)) == 2


EGRESS_TABLE_NAMES = ("egress_finding", "egress_dns", "egress_flow", "egress_device", "egress_run")


def _table_names(path: Path) -> set[str]:
    with sqlite3.connect(path) as raw:
        names = {row[0] for row in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    raw.close()
    return names


def test_open_store_creates_the_egress_tables_with_the_audit_tables(tmp_path):
    path = tmp_path / "fresh.db"
    open_store(path).close()
    assert set(EGRESS_TABLE_NAMES) | {"audit_run", "finding_record"} <= _table_names(path)


def test_a_file_from_before_egress_is_refused_by_readers_and_gains_the_tables_from_a_writer(tmp_path):
    from models.egress.store import list_device_egress, list_egress_runs

    path = tmp_path / "pre-egress.db"
    run_id = filled(path)
    with sqlite3.connect(path) as raw:                # what a camaudit without egress analysis wrote (schema 1)
        drop_post_schema1(raw)
        for table in EGRESS_TABLE_NAMES:
            raw.execute(f"DROP TABLE {table}")
        raw.execute("PRAGMA user_version = 1")
    raw.close()
    before = path.read_bytes()
    assert "camaudit db upgrade" in read_only_failure(path)
    assert path.read_bytes() == before                # a reader never migrates
    with open_store(path) as store:                   # a writer upgrades: the baseline creates them in place
        _start_egress_run(store)
    assert set(EGRESS_TABLE_NAMES) <= _table_names(path)
    with open_store(path, read_only=True) as store:
        assert len(list_egress_runs(store)) == 1 and list_device_egress(store, device_id=1) == []
        assert len(list_run_devices(store, run_id=run_id)) == 2


def test_egress_tables_from_before_geolocation_gain_its_columns_from_a_writer(tmp_path):
    from models.egress.store import list_egress_runs

    path = tmp_path / "pre-geo.db"
    filled(path)
    with open_store(path) as store:
        _start_egress_run(store)
    with sqlite3.connect(path) as raw:                # what camaudit wrote before issue 11's egress columns
        drop_egress_geo(raw)
    raw.close()
    before = path.read_bytes()
    assert "camaudit db upgrade" in read_only_failure(path)
    assert path.read_bytes() == before
    open_store(path).close()                          # a writer runs migration 0003 in place
    with sqlite3.connect(path) as raw:
        for table, columns in EGRESS_GEO_COLUMNS.items():
            assert set(columns) <= {row[1] for row in raw.execute(f"PRAGMA table_info({table})")}
    raw.close()
    with open_store(path, read_only=True) as store:
        assert [r.geo_data for r in list_egress_runs(store)] == [None]


def test_a_database_on_a_read_only_mount_can_be_reported(tmp_path):
    source, mount = tmp_path / "src", tmp_path / "ro"
    source.mkdir()
    mount.mkdir()
    filled(source / "camaudit.db")
    bound = subprocess.run(["mount", "--bind", "-o", "ro", str(source), str(mount)], capture_output=True)
    if bound.returncode != 0:
        pytest.skip(f"cannot bind-mount read-only here: {bound.stderr.decode().strip()}")
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", str(mount)], capture_output=True)
        if (mount / "probe").exists() or _writable(mount):
            pytest.skip("the bind mount is not read-only here")
        result = camaudit("report", "--db", str(mount / "camaudit.db"), "--format", "json", "--out", "-")
        assert result.returncode == 0, result.stderr
        assert '"devices"' in result.stdout
        second = camaudit("diff", "--db", str(mount / "camaudit.db"))
        assert "needs two" in second.stderr and "Traceback" not in second.stderr
    finally:
        subprocess.run(["umount", str(mount)], capture_output=True)


def _writable(folder: Path) -> bool:
    try:
        (folder / ".w").write_text("x")
    except OSError:
        return False
    (folder / ".w").unlink()
    return True
