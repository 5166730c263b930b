"""A real `camaudit audit` process stopped by SIGINT, SIGTERM or SIGKILL while slow devices answer:
the run is closed (or read) as interrupted, the process leaves quickly, and nothing is written
after the run is closed."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from device_simulators import bundled_profile
from device_simulators.profile import Quirk
from models.db import open_store
from models.store import list_run_snapshots, list_runs
from models.tables import AuditRunPublic
from tests.audit.test_cli import write_credentials

SLOW_DELAY_S = 1.5


@pytest.fixture
def slow_fleet(start_fleet):
    """Three cameras whose every HTTP answer takes SLOW_DELAY_S (profile quirk slow_endpoints)."""
    slow = Quirk("slow_endpoints", {"paths": ["/"], "delay": SLOW_DELAY_S})
    profiles = [dataclasses.replace(bundled_profile(p), quirks=(*bundled_profile(p).quirks, slow))
                for p in ("hik-school-bullet", "dahua-wizmind-face", "axis-onvif-line")]
    return start_fleet(*profiles)


def start_audit(fleet, tmp_path: Path, *extra: str) -> tuple[subprocess.Popen[str], Path]:
    creds = tmp_path / "creds.toml"
    env = write_credentials(creds, fleet)
    db = tmp_path / "camaudit.db"
    proc = subprocess.Popen(
        [sys.executable, "-m", "auditor.cli", "audit", *[d.address for d in fleet], "--no-discover",
         "--credentials", str(creds), "--db", str(db), *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, **env})
    return proc, db


def the_run(db: Path) -> AuditRunPublic | None:
    if not db.exists():
        return None
    try:
        with open_store(db, read_only=True) as store:
            runs = list_runs(store)
    except Exception:  # noqa: BLE001 - the file is being created by the audit right now
        return None
    return runs[0] if runs else None


STOP_LIMIT_S = 10.0


def wait_until_probing(proc: subprocess.Popen[str], db: Path, fleet) -> AuditRunPublic:
    """The run row exists and every device has been asked something: the audit is mid-flight."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        run = the_run(db)
        if run is not None and all(len(d.log) > 0 for d in fleet):
            return run
        time.sleep(0.1)
    raise AssertionError("the audit never started probing")


def stop(proc: subprocess.Popen[str], *signals: int) -> tuple[float, str]:
    sent = time.monotonic()
    for signum in signals:
        proc.send_signal(signum)
        time.sleep(0.05)
    _, stderr = proc.communicate(timeout=30)
    return time.monotonic() - sent, stderr


@pytest.mark.parametrize(("signum", "code", "name"), [(signal.SIGINT, 130, "Ctrl-C"),
                                                      (signal.SIGTERM, 143, "SIGTERM")])
def test_sigint_and_sigterm_close_the_run_quickly_and_nothing_is_written_after(slow_fleet, tmp_path,
                                                                               signum, code, name):
    proc, db = start_audit(slow_fleet, tmp_path)
    running = wait_until_probing(proc, db, slow_fleet)
    assert running.state == "running" and running.pid == proc.pid and running.heartbeat is not None
    took, stderr = stop(proc, signum)
    assert proc.returncode == code, stderr
    # It used to keep probing for 32 s; 10 s leaves room for a loaded CI machine's exit.
    assert took < STOP_LIMIT_S, f"took {took:.1f} s to stop"
    assert "Traceback" not in stderr
    assert f"stopped by {name}; run {running.id} closed as interrupted" in stderr
    with open_store(db, read_only=True) as store:
        (run,) = list_runs(store)
        snapshots = list_run_snapshots(store, run_id=run.id)
    assert run.state == "interrupted" and run.complete is False and run.finished is not None
    assert all(s.recorded <= run.finished for s in snapshots)
    exited = dt.datetime.now(dt.UTC)
    time.sleep(SLOW_DELAY_S + 0.5)                                # requests already in flight are logged late
    # The simulators log a slow request when they answer it: none may have arrived after the exit.
    late = [e for d in slow_fleet for e in d.log if e.time - dt.timedelta(seconds=SLOW_DELAY_S) > exited]
    assert not late, late
    assert all(not d.log.writes() for d in slow_fleet)


def test_a_second_ctrl_c_exits_at_once_without_a_traceback(slow_fleet, tmp_path):
    proc, db = start_audit(slow_fleet, tmp_path)
    wait_until_probing(proc, db, slow_fleet)
    took, stderr = stop(proc, signal.SIGINT, signal.SIGINT)
    # 130 from camaudit, or -2 when the second one lands after Python restored the default handler at exit.
    assert proc.returncode in (130, -signal.SIGINT), stderr
    assert took < STOP_LIMIT_S
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr


def test_a_killed_audit_reads_as_interrupted(slow_fleet, tmp_path):
    proc, db = start_audit(slow_fleet, tmp_path)
    wait_until_probing(proc, db, slow_fleet)
    proc.kill()                       # SIGKILL (or the OOM killer): no handler runs, nobody closes the run
    proc.communicate(timeout=30)      # reaped, so its pid is really gone
    with open_store(db, read_only=True) as store:
        (run,) = list_runs(store)
    assert run.state == "interrupted" and run.complete is False
    assert run.finished is not None and run.finished == run.heartbeat     # its last sign of life


def test_main_gives_the_callers_signal_handlers_back():
    # An in-process caller (the tests, an embedding script) keeps its own Ctrl-C handling: before this,
    # a worker that had called main() turned its own shutdown SIGINT into an unraisable Interrupted.
    import signal as signals

    from auditor.cli import main

    before = signals.getsignal(signals.SIGINT), signals.getsignal(signals.SIGTERM)
    assert main(["sim", "list"]) == 0
    assert (signals.getsignal(signals.SIGINT), signals.getsignal(signals.SIGTERM)) == before
