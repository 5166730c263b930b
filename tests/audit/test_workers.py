"""`camaudit audit --workers N`: child processes audit shares of the targets and the parent's one
writer records them into one run. The same devices are recorded as by one process; progress from the
children reaches the parent; a worker killed mid-run costs only its unfinished devices, recorded as
not audited with the reason; credentials reach the children in neither argv nor the environment."""

from __future__ import annotations

import dataclasses
import os
import signal
import threading
import time
from pathlib import Path

import pytest

from auditor.commands.demo import site_credentials
from auditor.run.orchestrator import AuditOptions, AuditProgress, run_audit
from auditor.run.scope import plan_targets
from auditor.run.workers import default_workers
from device_simulators import bundled_profile
from device_simulators.profile import Quirk
from models.db import open_store
from models.read_status import read_status, was_read
from models.store import list_run_devices, list_runs
from tests.audit.test_signals import SLOW_DELAY_S, STOP_LIMIT_S, start_audit, wait_until_probing

PROFILES = ("hik-school-bullet", "dahua-wizmind-face", "axis-onvif-line", "amcrest-no-password")


def verdicts(audit) -> dict:
    """What an audit found, without its timings."""
    data = audit.to_json()
    data["probes"] = [(p.probe, p.outcome, p.reason) for p in audit.probes]
    data["services"].pop("clock_offset_seconds", None)      # whole seconds: may round either way
    return {k: v for k, v in data.items() if k not in ("started", "finished")}


def test_workers_record_what_one_process_records_and_report_progress(start_fleet, tmp_path):
    found = {}
    for workers in (1, 2):                        # each on its own fleet: the devices keep state between audits
        fleet = start_fleet(*PROFILES, *PROFILES)
        scope = [d.address for d in fleet]
        seen: dict[str, list[str]] = {"started": [], "finished": []}
        lock = threading.Lock()

        def note(kind: str, address: str, seen=seen, lock=lock) -> None:
            with lock:
                seen[kind].append(address)

        progress = AuditProgress(started=lambda t, note=note: note("started", t.address),
                                 finished=lambda a, note=note: note("finished", a.address))
        with open_store(tmp_path / f"w{workers}.db") as store:
            outcome = run_audit(store, plan_targets(scope, discover=False), site_credentials(fleet), scope=scope,
                                options=AuditOptions(concurrency=4, workers=workers), progress=progress)
            stored = list_run_devices(store, run_id=outcome.run_id)
            (run,) = list_runs(store)
        assert outcome.complete and run.state == "complete" and run.device_count == len(fleet)
        assert sorted(seen["started"]) == sorted(seen["finished"]) == sorted(scope)   # progress from the children
        assert sorted(a.address for a in stored) == sorted(scope)                     # each device once
        position = {address: i for i, address in enumerate(scope)}
        found[workers] = sorted((verdicts(a) for a in stored), key=lambda v: position[v.pop("address")])
    assert found[2] == found[1], [_diff(a, b) for a, b in zip(found[2], found[1], strict=True) if a != b]
    assert all(v["reachable"] for v in found[2])


def test_default_workers_one_for_small_scopes_then_one_per_cpu():
    assert default_workers(100, cpus=2) == 1 and default_workers(199, cpus=8) == 1
    assert default_workers(200, cpus=2) == 2 and default_workers(1000, cpus=2) == 2
    assert default_workers(250, cpus=8) == 2 and default_workers(100_000, cpus=64) == 8


def children_of(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def workers_of(pid: int) -> list[int]:
    """The audit's worker processes (not multiprocessing's resource tracker)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        found = [c for c in children_of(pid)
                 if b"spawn_main" in Path(f"/proc/{c}/cmdline").read_bytes()]
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError("no worker process started")


@pytest.fixture
def half_slow_fleet(start_fleet):
    """Three cameras; the first and third (worker 1's share of two workers) answer every request slowly."""
    slow = Quirk("slow_endpoints", {"paths": ["/"], "delay": SLOW_DELAY_S})
    profiles = [bundled_profile(p) for p in ("hik-school-bullet", "dahua-wizmind-face", "axis-onvif-line")]
    return start_fleet(*[dataclasses.replace(p, quirks=(*p.quirks, slow)) if i != 1 else p
                         for i, p in enumerate(profiles)])


def test_a_killed_worker_costs_only_its_unfinished_devices(half_slow_fleet, tmp_path):
    slow_fleet = list(half_slow_fleet)
    proc, db = start_audit(half_slow_fleet, tmp_path, "--workers", "2", "--concurrency", "4")
    wait_until_probing(proc, db, slow_fleet)
    workers = workers_of(proc.pid)
    assert len(workers) == 2
    passwords = [a.password.encode() for d in slow_fleet for a in d.profile.accounts]
    for child in workers:                      # credentials reached them through spawn's pipe only
        assert not any(p in Path(f"/proc/{child}/cmdline").read_bytes() for p in passwords)
        own = Path(f"/proc/{proc.pid}/environ").read_bytes().split(b"\0")
        assert Path(f"/proc/{child}/environ").read_bytes().split(b"\0") == own    # nothing added for them
    killed = min(workers)
    os.kill(killed, signal.SIGKILL)
    _, stderr = proc.communicate(timeout=120)
    assert "Traceback" not in stderr
    assert proc.returncode == 3, stderr          # complete, some devices not read
    assert "worker process 1 stopped (killed by SIGKILL)" in stderr
    with open_store(db, read_only=True) as store:
        (run,) = list_runs(store)
        devices = list_run_devices(store, run_id=run.id)
    assert run.state == "complete" and run.complete
    assert sorted(a.address for a in devices) == sorted(d.address for d in slow_fleet)   # every device once
    lost = [a for a in devices if any("worker process 1 stopped (killed by SIGKILL)" in e for e in a.errors)]
    assert lost and all(not was_read(read_status(a)) for a in lost)
    assert sorted(a.address for a in lost) == sorted(slow_fleet[i].address for i in (0, 2))   # worker 1's share
    (read,) = [a for a in devices if a not in lost]
    assert read.address == slow_fleet[1].address and was_read(read_status(read))


def _diff(a: dict, b: dict) -> dict:
    return {k: (a.get(k), b.get(k)) for k in a.keys() | b.keys() if a.get(k) != b.get(k)}


def gone(pids: list[int], within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if not any(Path(f"/proc/{pid}").exists() and b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
                   for pid in pids):
            return True
        time.sleep(0.1)
    return False


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGKILL])
def test_stopping_the_parent_stops_its_workers(half_slow_fleet, tmp_path, signum):
    proc, db = start_audit(half_slow_fleet, tmp_path, "--workers", "2", "--concurrency", "4")
    wait_until_probing(proc, db, list(half_slow_fleet))
    workers = workers_of(proc.pid)
    sent = time.monotonic()
    proc.send_signal(signum)
    _, stderr = proc.communicate(timeout=30)
    assert time.monotonic() - sent < STOP_LIMIT_S and "Traceback" not in stderr
    assert proc.returncode == (130 if signum == signal.SIGINT else -signal.SIGKILL), stderr
    assert gone(workers, within=5.0)             # terminated by the parent, or on their own once it is gone
    with open_store(db, read_only=True) as store:
        (run,) = list_runs(store)
        kept = list_run_devices(store, run_id=run.id)
    assert run.state == "interrupted" and not run.complete
    assert all(not any("worker process" in e for e in a.errors) for a in kept)   # a stop is not a dead worker
