"""A run's state as readers see it: running while its process sends heartbeats, interrupted when the
process is gone or silent, and closed for good once finished."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest

from models.errors import RunClosed
from models.store import (
    STALE_AFTER,
    get_run,
    list_run_devices,
    list_runs,
    record_device_audit,
    record_run_finished,
    record_run_heartbeat,
    record_run_started,
)

from .builders import OPTIONS, hik_face_camera


def test_a_running_run_with_a_live_process_is_running(store):
    run_id = record_run_started(store, targets=["x"], options=OPTIONS)
    run = get_run(store, run_id=run_id)
    assert run is not None and run.state == "running" and run.finished is None and run.pid is not None


def test_a_run_whose_process_is_gone_is_interrupted_at_once(store):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()                                   # reaped: the pid no longer exists
    run_id = record_run_started(store, targets=["x"], options=OPTIONS, pid=dead.pid)
    (run,) = list_runs(store)
    assert run.id == run_id and run.state == "interrupted" and run.complete is False
    assert run.finished == run.heartbeat          # its last sign of life


def test_a_run_on_another_host_is_interrupted_only_when_its_heartbeat_stops(store):
    now = dt.datetime.now(dt.UTC)
    fresh = record_run_started(store, targets=["x"], options=OPTIONS, host="other-host", pid=1, started=now)
    silent = record_run_started(store, targets=["x"], options=OPTIONS, host="other-host", pid=1,
                                started=now - STALE_AFTER - dt.timedelta(seconds=5))
    assert get_run(store, run_id=fresh).state == "running"
    assert get_run(store, run_id=silent).state == "interrupted"
    record_run_heartbeat(store, run_id=silent)     # it was only slow: alive again
    assert get_run(store, run_id=silent).state == "running"


def test_nothing_is_recorded_into_a_closed_run(store):
    run_id = record_run_started(store, targets=["x"], options=OPTIONS)
    record_run_finished(store, run_id=run_id, complete=False)
    with pytest.raises(RunClosed):
        record_device_audit(store, run_id=run_id, audit=hik_face_camera())
    assert list_run_devices(store, run_id=run_id) == []
    run = get_run(store, run_id=run_id)
    assert run.state == "interrupted" and run.device_count == 0
    record_run_heartbeat(store, run_id=run_id)     # a late heartbeat does not reopen it
    assert get_run(store, run_id=run_id).heartbeat == run.heartbeat


def test_the_tui_runs_screen_shows_a_killed_run_as_interrupted_not_running(store):
    from tui.data.runs import load_runs

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    killed = record_run_started(store, targets=["x"], options=OPTIONS, pid=dead.pid)
    alive = record_run_started(store, targets=["y"], options=OPTIONS)
    done = record_run_started(store, targets=["z"], options=OPTIONS)
    record_run_finished(store, run_id=done, complete=True)
    status = {line.id: line.status for line in load_runs(store) if line.kind == "audit"}
    assert status == {killed: "interrupted", alive: "running", done: "complete"}
