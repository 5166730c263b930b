"""Recording and reading audit runs through a real SQLite file: round trips, runs, history, lists."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sqlite3
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError

from models.audit import DeviceAudit, FeatureVerdict
from models.db import open_store
from models.errors import RecordNotFound
from models.identity import DeviceIdentity
from models.store import (
    get_device_audit,
    get_device_history,
    get_latest_audit,
    get_run,
    list_devices,
    list_run_devices,
    list_run_snapshots,
    list_runs,
    record_device_audit,
    record_run_finished,
    record_run_started,
)
from models.tables import DeviceSnapshot, RunOptions

from .builders import OPTIONS, T0, dahua_nvr, hik_face_camera, unknown_device
from .test_migrations import drop_post_schema1


def assert_strictly_equal(got: Any, want: Any, where: str = "audit") -> None:
    """Equal values of the same types all the way down: 1 == True and 0 == False must not pass."""
    assert type(got) is type(want), f"{where}: {type(got).__name__} != {type(want).__name__}"
    if isinstance(want, dict):
        assert list(got) == list(want), where
        for key in want:
            assert_strictly_equal(got[key], want[key], f"{where}[{key!r}]")
    elif isinstance(want, list):
        assert len(got) == len(want), where
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            assert_strictly_equal(g, w, f"{where}[{i}]")
    else:
        assert got == want, where


def assert_round_trip(got: DeviceAudit | None, want: DeviceAudit) -> None:
    assert got is not None
    assert got == want
    assert_strictly_equal(got.to_json(), want.to_json())
    for name in ("started", "finished", "firmware_date"):   # not in to_json, or only as text there
        assert_strictly_equal(getattr(got, name), getattr(want, name), name)
    assert_strictly_equal(sorted(got.channels), sorted(want.channels), "channel numbers")


def test_the_camera_builder_sets_every_deviceaudit_field():
    # If DeviceAudit grows a field, this fails until the builder (and so the round trip) covers it.
    defaults = DeviceAudit(address="", port=0)
    cam = hik_face_camera()
    unset = [f.name for f in dataclasses.fields(DeviceAudit)
             if f.name not in ("channels", "errors") and getattr(cam, f.name) == getattr(defaults, f.name)]
    assert unset == []
    blank = [f.name for f in dataclasses.fields(DeviceIdentity) if getattr(cam.identity, f.name) in (None, ())]
    assert blank == []   # every identity field too: a new one must reach the snapshot columns
    assert dahua_nvr().channels and dahua_nvr().errors   # the NVR covers the two the camera leaves empty


@pytest.mark.parametrize("build", [hik_face_camera, dahua_nvr, unknown_device])
def test_a_recorded_audit_comes_back_exactly(store, build):
    audit = build()
    run_id = record_run_started(store, targets=["10.20.0.0/24"], options=OPTIONS)
    snapshot_id = record_device_audit(store, run_id=run_id, audit=audit)

    assert_round_trip(get_device_audit(store, snapshot_id=snapshot_id), audit)


def test_none_false_and_true_verdicts_stay_distinct(store):
    run_id = record_run_started(store, targets=[], options=OPTIONS)
    got = get_device_audit(store, snapshot_id=record_device_audit(store, run_id=run_id, audit=hik_face_camera()))
    assert got is not None
    assert got.features["face_capture"].enabled is True
    assert got.features["face_detection"].enabled is False
    assert got.features["face_recognition"].supported is False and got.features["face_recognition"].enabled is None
    assert got.features["emotion"] == FeatureVerdict(None, None, [])
    assert got.remote_access["upnp"].enabled is False and got.remote_access["email"].enabled is None
    assert got.oem is False
    unknown = get_device_audit(store, snapshot_id=record_device_audit(store, run_id=run_id, audit=unknown_device()))
    assert unknown is not None and unknown.oem is None and unknown.firmware_date is None
    assert unknown.probes[0].duration_ms == 12 and unknown.reachable is True and unknown.auth == "failed"


def test_nvr_channels_keep_their_own_verdicts_and_empty_channels(store):
    run_id = record_run_started(store, targets=[], options=OPTIONS)
    got = get_device_audit(store, snapshot_id=record_device_audit(store, run_id=run_id, audit=dahua_nvr()))
    assert got is not None
    assert sorted(got.channels) == [1, 2, 16]
    assert got.channels[16] == {}
    assert got.channels[2]["intrusion"].enabled is None and got.channels[2]["line_crossing"].enabled is False
    assert got.features["intrusion"] == FeatureVerdict()       # channel verdicts do not leak into the roll-up
    assert got.features["face_recognition"].evidence == ["channel 1 FaceRecognition Enable=true"]


def test_times_come_back_timezone_aware_utc(store):
    audit = hik_face_camera()
    audit.started = dt.datetime(2026, 11, 20, 10, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    run_id = record_run_started(store, targets=[], options=OPTIONS)
    got = get_device_audit(store, snapshot_id=record_device_audit(store, run_id=run_id, audit=audit))
    assert got is not None and got.started is not None
    assert got.started == audit.started and got.started.utcoffset() == dt.timedelta(0)
    assert get_run(store, run_id=run_id).started.tzinfo is not None   # type: ignore[union-attr]


def test_naive_times_are_refused_before_anything_is_written(store):
    run_id = record_run_started(store, targets=[], options=OPTIONS)
    audit = hik_face_camera()
    audit.started = dt.datetime(2026, 11, 20, 9, 0)
    with pytest.raises(ValueError, match="naive"):
        record_device_audit(store, run_id=run_id, audit=audit)
    assert list_run_snapshots(store, run_id=run_id) == []


def test_two_runs_make_two_run_rows_and_an_ordered_device_history(store):
    first = record_run_started(store, targets=["10.20.0.0/24"], options=OPTIONS, started=T0)
    record_device_audit(store, run_id=first, audit=hik_face_camera(firmware="V5.5.0"))
    record_device_audit(store, run_id=first, audit=dahua_nvr())
    record_run_finished(store, run_id=first, complete=True)
    second = record_run_started(store, targets=["10.20.0.0/24"], options=OPTIONS, started=T0 + dt.timedelta(days=7))
    record_device_audit(store, run_id=second, audit=hik_face_camera(firmware="V5.7.3"))
    record_run_finished(store, run_id=second, complete=True)

    runs = list_runs(store)
    assert [r.id for r in runs] == [second, first]                       # newest first
    assert [(r.device_count, r.reachable_count, r.finding_count) for r in runs] == [(1, 1, 2), (2, 2, 3)]
    assert all(r.complete and r.finished is not None for r in runs)
    assert runs[0].options == OPTIONS.to_json() and runs[0].camaudit_version

    camera = next(d for d in list_devices(store) if d.brand == "Hikvision")
    history = get_device_history(store, device_id=camera.id)
    assert [(s.run_id, s.firmware) for s in history] == [(first, "V5.5.0"), (second, "V5.7.3")]
    assert history[0].recorded <= history[1].recorded
    assert [a.address for a in list_run_devices(store, run_id=first)] == ["10.20.0.11", "10.20.0.50"]


def test_an_unfinished_run_is_incomplete_and_keeps_its_devices(tmp_path):
    path = tmp_path / "interrupted.db"
    with open_store(path) as store:
        run_id = record_run_started(store, targets=["10.20.0.0/24"], options=OPTIONS)
        record_device_audit(store, run_id=run_id, audit=hik_face_camera())
        record_device_audit(store, run_id=run_id, audit=dahua_nvr())
        # the audit is interrupted here: record_run_finished is never called
    with open_store(path) as reopened:
        run = get_run(reopened, run_id=run_id)
        assert run is not None
        assert run.complete is False and run.finished is None and run.device_count == 2
        assert [r.complete for r in list_runs(reopened)] == [False]
        kept = list_run_devices(reopened, run_id=run_id)
        assert_round_trip(kept[0], hik_face_camera())
        assert_round_trip(kept[1], dahua_nvr())


def test_a_run_stopped_early_is_finished_but_not_complete(store):
    run_id = record_run_started(store, targets=[], options=OPTIONS)
    record_run_finished(store, run_id=run_id, complete=False)
    run = get_run(store, run_id=run_id)
    assert run is not None and run.complete is False and run.finished is not None


def test_list_devices_gives_each_device_its_latest_snapshot_without_evidence(store):
    first = record_run_started(store, targets=[], options=OPTIONS)
    record_device_audit(store, run_id=first, audit=hik_face_camera(firmware="V5.5.0"))
    nvr_snapshot = record_device_audit(store, run_id=first, audit=dahua_nvr())
    second = record_run_started(store, targets=[], options=OPTIONS)
    camera_snapshot = record_device_audit(store, run_id=second, audit=hik_face_camera(firmware="V5.7.3"))

    devices = {d.brand: d for d in list_devices(store)}
    assert set(devices) == {"Hikvision", "Dahua"}
    assert (devices["Hikvision"].latest.id, devices["Hikvision"].latest.run_id) == (camera_snapshot, second)
    assert devices["Hikvision"].latest.firmware == "V5.7.3"
    assert devices["Hikvision"].latest.worst_severity == "high" and devices["Hikvision"].latest.finding_count == 2
    assert (devices["Dahua"].latest.id, devices["Dahua"].latest.worst_severity) == (nvr_snapshot, "critical")
    assert not hasattr(devices["Hikvision"].latest, "probes") and not hasattr(devices["Hikvision"], "features")


def test_get_latest_audit_finds_the_newest_by_address_or_mac(store):
    first = record_run_started(store, targets=[], options=OPTIONS)
    record_device_audit(store, run_id=first, audit=hik_face_camera(firmware="V5.5.0"))
    second = record_run_started(store, targets=[], options=OPTIONS)
    record_device_audit(store, run_id=second, audit=hik_face_camera(firmware="V5.7.3"))
    record_device_audit(store, run_id=second, audit=dahua_nvr())

    by_address = get_latest_audit(store, address="10.20.0.11")
    by_mac = get_latest_audit(store, mac="44-19-B6-12-34-56")
    assert by_address is not None and by_address.firmware == "V5.7.3"
    assert by_mac == by_address
    assert by_address.remote_access["hik_connect"].enabled is True   # what the egress check needs
    assert get_latest_audit(store, address="10.20.0.11", mac="3c:ef:8c:01:02:03") is None   # both must match
    assert get_latest_audit(store, address="10.99.0.1") is None
    with pytest.raises(ValueError):
        get_latest_audit(store)


def test_credentials_in_targets_never_reach_the_file(tmp_path):
    path = tmp_path / "secrets.db"
    with open_store(path) as store:
        run_id = record_run_started(
            store, targets=["http://admin:hunter2@10.20.0.11/ISAPI?password=hunter2", "admin:hunter2@10.20.0.12",
                            "10.20.0.0/24"], options=OPTIONS)
        assert get_run(store, run_id=run_id).targets == [   # type: ignore[union-attr]
            "http://10.20.0.11/ISAPI", "10.20.0.12", "10.20.0.0/24"]
    data = b"".join(p.read_bytes() for p in tmp_path.iterdir())   # the database, its WAL and shm files
    assert b"hunter2" not in data and b"10.20.0.12" in data


def test_options_are_an_allow_list_not_a_dict(store):
    with pytest.raises(TypeError, match="RunOptions"):
        record_run_started(store, targets=[], options={"concurrency": 8, "password": "hunter2"})  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="timeout_s"):
        RunOptions(concurrency=8, timeout_s="admin:hunter2", target_count=1)  # type: ignore[arg-type]
    assert list_runs(store) == []
    run_id = record_run_started(store, targets=[], options=OPTIONS)
    assert set(get_run(store, run_id=run_id).options) == {   # type: ignore[union-attr]
        "concurrency", "timeout_s", "target_count", "retries", "intrusive", "egress_capture",
        "intrusive_default_credentials", "advisory_data"}


def test_recording_into_a_run_that_does_not_exist_is_refused(store):
    with pytest.raises(RecordNotFound, match="run 42"):
        record_device_audit(store, run_id=42, audit=hik_face_camera())
    assert list_devices(store) == []                # the transaction was rolled back


def test_missing_records_read_as_none_or_empty(store):
    assert get_run(store, run_id=7) is None
    assert get_device_audit(store, snapshot_id=7) is None
    assert get_device_history(store, device_id=7) == []
    assert list_run_devices(store, run_id=7) == []


def test_the_file_is_in_wal_mode_with_foreign_keys(tmp_path):
    store = open_store(tmp_path / "camaudit.db")    # SQLite only: WAL and PRAGMAs are SQLite's
    assert store.pragma("journal_mode") == "wal"
    assert store.pragma("foreign_keys") == 1
    assert store.pragma("busy_timeout") >= 1000
    raw = sqlite3.connect(tmp_path / "camaudit.db")   # WAL is a property of the file, seen by other programs
    try:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        raw.close()
        store.close()


def test_foreign_keys_are_enforced_on_both_engines(store):
    orphan = DeviceSnapshot(run_id=999, device_id=999, address="10.0.0.1", port=80, recorded=dt.datetime.now(dt.UTC))
    with pytest.raises(IntegrityError), store.writing() as session:
        session.add(orphan)


def test_a_database_without_the_data_flow_columns_upgrades_in_place_and_keeps_every_row(tmp_path):
    # Files written before data flows, protocol status and remote-access "supported" existed: build
    # one by removing them from a fresh file, then reopen it with today's code.
    path = tmp_path / "old.db"
    audit = dahua_nvr()
    with open_store(path) as store:
        run_id = record_run_started(store, targets=["10.20.0.0/24"], options=OPTIONS)
        snapshot_id = record_device_audit(store, run_id=run_id, audit=audit)
    conn = sqlite3.connect(path)
    for table, column in (("device_snapshot", "data_flows"), ("device_snapshot", "protocol_status"),
                          ("remote_access_record", "supported")):
        conn.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    drop_post_schema1(conn)     # written before Alembic
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()

    with open_store(path) as store:
        assert_round_trip(get_device_audit(store, snapshot_id=snapshot_id), audit)
        again = record_device_audit(store, run_id=run_id, audit=hik_face_camera())
        assert_round_trip(get_device_audit(store, snapshot_id=again), hik_face_camera())
    conn = sqlite3.connect(path)
    columns = {row[1] for row in conn.execute("PRAGMA table_info(device_snapshot)")}
    conn.close()
    assert {"data_flows", "protocol_status"} <= columns
