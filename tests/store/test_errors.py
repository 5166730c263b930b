"""Every way the database file can fail reaches the caller as StoreUnavailable with one sentence."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import event

from models.db import describe_failure, open_store
from models.errors import StoreUnavailable
from models.store import get_run, list_run_devices, record_device_audit, record_run_started

from .builders import OPTIONS, dahua_nvr, hik_face_camera


def assert_one_sentence(message: str, path: Path) -> None:
    assert "\n" not in message
    assert str(path) in message
    body = message.replace(str(path), "PATH")
    assert body[0].isupper() and body.endswith(".")
    assert not re.search(r"[.!?]\s", body), f"more than one sentence: {message}"


def open_failure(path: Path) -> StoreUnavailable:
    with pytest.raises(StoreUnavailable) as caught:
        open_store(path)
    assert_one_sentence(caught.value.message, path)
    assert caught.value.path == path
    return caught.value


def test_a_path_in_a_missing_folder(tmp_path):
    path = tmp_path / "no-such-folder" / "camaudit.db"
    error = open_failure(path)
    assert "does not exist" in error.message and "--db" in error.message
    assert not path.parent.exists()               # nothing was created on the way


def test_a_path_under_a_file(tmp_path):
    (tmp_path / "afile").write_text("not a folder")
    error = open_failure(tmp_path / "afile" / "camaudit.db")
    assert "is a file, not a folder" in error.message


def test_a_folder_where_the_file_should_be(tmp_path):
    (tmp_path / "camaudit.db").mkdir()
    error = open_failure(tmp_path / "camaudit.db")
    assert "folder" in error.message and "--db" in error.message


def test_a_file_that_is_not_sqlite(tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(b"address,brand,model\n10.20.0.11,Hikvision,DS-2CD2143G2-I\n" * 50)
    before = path.read_bytes()
    error = open_failure(path)
    assert "not a camaudit database" in error.message
    assert path.read_bytes() == before


def test_a_foreign_sqlite_database_is_left_untouched(tmp_path):
    path = tmp_path / "places.sqlite"
    with sqlite3.connect(path) as raw:
        raw.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
    raw.close()
    error = open_failure(path)
    assert "did not create" in error.message
    with sqlite3.connect(path) as raw:
        tables = {row[0] for row in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    raw.close()
    assert tables == {"moz_places"}


def test_a_read_only_database_is_described_as_such(tmp_path):
    # Tests run as root, which chmod cannot stop; a read-only SQLite connection gives the real error.
    path = tmp_path / "ro.db"
    with open_store(path):
        pass
    raw = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        with pytest.raises(sqlite3.OperationalError) as caught:
            raw.execute("CREATE TABLE x (y)")
    finally:
        raw.close()
    message = describe_failure(path, caught.value)
    assert_one_sentence(message, path)
    assert "read-only" in message and "--db" in message


def test_a_full_disk_during_a_run_is_reported_and_earlier_devices_are_kept(tmp_path):
    path = tmp_path / "full.db"
    with open_store(path) as store:
        run_id = record_run_started(store, targets=[], options=OPTIONS)
        record_device_audit(store, run_id=run_id, audit=hik_face_camera())

        @event.listens_for(store.engine, "connect")
        def cap_file_size(dbapi_connection, _record):   # SQLite's own "disk is full" once the file hits the cap
            pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
            dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

        store.engine.dispose()
        big = dahua_nvr()
        big.errors = [f"channel {n}: {'x' * 400}" for n in range(200)]
        with pytest.raises(StoreUnavailable) as caught:
            record_device_audit(store, run_id=run_id, audit=big)
        assert_one_sentence(caught.value.message, path)
        assert "disk is full" in caught.value.message
    with open_store(path) as reopened:
        assert [a.brand for a in list_run_devices(reopened, run_id=run_id)] == ["Hikvision"]
        assert get_run(reopened, run_id=run_id).device_count == 1   # type: ignore[union-attr]


def test_the_user_error_mapping_shared_by_cli_and_tui(tmp_path):
    """models.errors.as_user_error: the CLI and the TUI show the same error, with the store's own title."""
    from auditor.cli import _translate
    from device_simulators import FleetError
    from models.errors import SimulatorError, StoreError, as_user_error
    from tui.jobs import user_error_or_raise

    unavailable = open_failure(tmp_path / "missing" / "camaudit.db")
    assert as_user_error(unavailable) is unavailable and isinstance(unavailable, StoreError)
    assert user_error_or_raise(unavailable) is unavailable and _translate(unavailable) is unavailable
    assert (unavailable.title, unavailable.exit_code) == ("Database", 1)
    simulators = _translate(FleetError("Port 80 on 127.0.0.5 is in use."))
    assert isinstance(simulators, SimulatorError) and simulators.message == "Port 80 on 127.0.0.5 is in use."
    bug = KeyError("x")
    assert as_user_error(bug) is None and as_user_error(bug, [(OSError, StoreError)]) is None
    for translate in (_translate, user_error_or_raise):
        with pytest.raises(KeyError):            # a bug keeps its traceback
            translate(bug)
