"""The run's one writer (auditor/run/writer.py): devices queued by auditing threads are recorded in
batches, each once and whole, in the order they finished; closing writes what is queued; a run closed
under it (Ctrl-C) drops the rest quietly; a store failure is handed back once."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading

import pytest

import models.store
from auditor.run.writer import RunWriter
from models.db import open_store
from models.errors import StoreUnavailable
from models.store import get_run, list_run_devices, record_run_finished, record_run_started
from tests.store.builders import OPTIONS, hik_face_camera


def audits(n: int) -> list:
    base = hik_face_camera()
    return [dataclasses.replace(base, address=f"10.20.{i // 250}.{i % 250 + 1}",
                                identity=dataclasses.replace(base.identity, serial=f"SN{i:05d}", mac=None))
            for i in range(n)]


class Recorder:
    def __init__(self) -> None:
        self.written: list[str] = []
        self.failed: list[BaseException] = []
        self.batches: list[int] = []


def start(store, run_id, monkeypatch, rec: Recorder, **kw) -> RunWriter:
    real = models.store.record_device_audits

    def counting(store_, *, run_id, audits):
        rec.batches.append(len(audits))
        return real(store_, run_id=run_id, audits=audits)

    monkeypatch.setattr(models.store, "record_device_audits", counting)
    return RunWriter(store, run_id, written=lambda a: rec.written.append(a.address),
                     failed=rec.failed.append, **kw).start()


def test_queued_devices_are_written_in_batches_each_once_in_order(store_url, monkeypatch):
    with open_store(store_url) as store:
        run_id = record_run_started(store, targets=["10.20.0.0/22"], options=OPTIONS)
        rec = Recorder()
        writer = start(store, run_id, monkeypatch, rec, batch_size=50, batch_wait=5.0)
        queued = audits(120)
        threads = [threading.Thread(target=lambda part=part: [writer.put(a) for a in part])
                   for part in (queued[:60], queued[60:])]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        writer.close()                                   # writes the last, short batch at once
        stored = list_run_devices(store, run_id=run_id)
        run = get_run(store, run_id=run_id)
    assert rec.batches == [50, 50, 20] and not rec.failed
    assert [a.address for a in stored] == rec.written            # recorded in the order reported
    assert sorted(rec.written) == sorted(a.address for a in queued)   # each once
    assert run is not None and run.device_count == 120 and run.finding_count == 240


def test_a_run_closed_under_the_writer_drops_the_rest_quietly(store_url, monkeypatch):
    with open_store(store_url) as store:
        run_id = record_run_started(store, targets=["10.20.0.0/24"], options=OPTIONS)
        rec = Recorder()
        writer = start(store, run_id, monkeypatch, rec, batch_wait=0.0)
        first, *rest = audits(3)
        writer.put(first)
        deadline = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=30)
        while not rec.written and dt.datetime.now(dt.UTC) < deadline:
            threading.Event().wait(0.02)
        record_run_finished(store, run_id=run_id, complete=False)      # Ctrl-C closed the run
        for audit in rest:
            writer.put(audit)
        writer.close()
        stored = list_run_devices(store, run_id=run_id)
    assert [a.address for a in stored] == rec.written == [first.address]
    assert not rec.failed


def test_a_store_failure_is_handed_back_once(tmp_path, monkeypatch):
    with open_store(tmp_path / "camaudit.db") as store:
        run_id = record_run_started(store, targets=["10.20.0.0/24"], options=OPTIONS)
        rec = Recorder()

        def broken(*_args, **_kwargs):
            raise StoreUnavailable("The disk is full; free some space or choose another path with --db.")

        writer = RunWriter(store, run_id, written=lambda a: rec.written.append(a.address),
                           failed=rec.failed.append, batch_wait=0.0)
        monkeypatch.setattr(models.store, "record_device_audits", broken)
        writer.start()
        for audit in audits(3):
            writer.put(audit)
        writer.close()
    assert len(rec.failed) == 1 and isinstance(rec.failed[0], StoreUnavailable)
    assert rec.written == []


def test_an_idle_writer_keeps_the_heartbeat(tmp_path, monkeypatch):
    monkeypatch.setattr(models.store, "HEARTBEAT_EVERY", dt.timedelta(seconds=0.2))
    with open_store(tmp_path / "camaudit.db") as store:
        run_id = record_run_started(store, targets=["10.20.0.0/24"], options=OPTIONS,
                                    started=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
        writer = RunWriter(store, run_id, written=lambda a: None, failed=pytest.fail).start()
        threading.Event().wait(1.0)
        writer.close()
        run = get_run(store, run_id=run_id)
    assert run is not None and run.heartbeat is not None
    assert run.heartbeat > dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def test_a_store_failure_fails_the_run_and_is_raised(start_fleet, tmp_path, monkeypatch):
    from auditor.commands.demo import site_credentials
    from auditor.run.orchestrator import AuditOptions, run_audit
    from auditor.run.scope import plan_targets
    from models.store import list_runs

    fleet = start_fleet("axis-onvif-line")
    scope = [d.address for d in fleet]

    def broken(*_args, **_kwargs):
        raise StoreUnavailable("The disk is full; free some space or choose another path with --db.")

    monkeypatch.setattr(models.store, "record_device_audits", broken)
    with open_store(tmp_path / "camaudit.db") as store:
        with pytest.raises(StoreUnavailable, match="disk is full"):
            run_audit(store, plan_targets(scope, discover=False), site_credentials(fleet), scope=scope,
                      options=AuditOptions(concurrency=1))
        (run,) = list_runs(store)
    assert run.state == "interrupted" and not run.complete and run.device_count == 0
