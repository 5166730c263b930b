"""The orchestrator records devices from a thread pool: nothing may be lost or duplicated."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from models.db import open_store
from models.store import get_run, list_devices, list_run_devices, record_device_audit, record_run_started

from .builders import OPTIONS, hik_face_camera

THREADS = 8
PER_THREAD = 25


def camera(thread: int, i: int):
    n = thread * PER_THREAD + i
    return hik_face_camera(address=f"10.30.{thread}.{i + 1}", serial=f"SN-{n:05d}",
                           mac=f"44:19:b6:00:{thread:02x}:{i:02x}")


def test_eight_threads_recording_into_one_run_lose_nothing(store):
    run_id = record_run_started(store, targets=["10.30.0.0/16"], options=OPTIONS)
    barrier = threading.Barrier(THREADS)

    def worker(thread: int) -> list[int]:
        barrier.wait()   # start together so the writes really contend
        return [record_device_audit(store, run_id=run_id, audit=camera(thread, i)) for i in range(PER_THREAD)]

    with ThreadPoolExecutor(THREADS) as pool:
        snapshot_ids = [sid for ids in pool.map(worker, range(THREADS)) for sid in ids]

    total = THREADS * PER_THREAD
    assert len(set(snapshot_ids)) == total
    run = get_run(store, run_id=run_id)
    assert run is not None and (run.device_count, run.reachable_count, run.finding_count) == (total, total, 2 * total)
    recorded = list_run_devices(store, run_id=run_id)
    assert sorted(a.serial for a in recorded) == sorted(camera(t, i).serial for t in range(THREADS)
                                                        for i in range(PER_THREAD))
    assert all(a.features["face_capture"].enabled is True for a in recorded)
    assert len(list_devices(store)) == total


def test_threads_recording_the_same_device_at_once_make_one_device(store):
    run_id = record_run_started(store, targets=[], options=OPTIONS)
    barrier = threading.Barrier(THREADS)

    def worker(_: int) -> int:
        barrier.wait()
        return record_device_audit(store, run_id=run_id, audit=hik_face_camera())

    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(worker, range(THREADS)))
    devices = list_devices(store)
    assert len(devices) == 1                           # identity lookup and insert are one transaction
    assert get_run(store, run_id=run_id).device_count == THREADS   # type: ignore[union-attr]


def test_two_stores_on_one_file_write_side_by_side(tmp_path):
    # Two open stores have separate locks, as two camaudit processes would; SQLite's own
    # locking (BEGIN IMMEDIATE + busy timeout) must then serialise them.
    path = tmp_path / "shared.db"
    with open_store(path) as first, open_store(path) as second:
        run_id = record_run_started(first, targets=[], options=OPTIONS)
        barrier = threading.Barrier(THREADS)

        def worker(thread: int) -> None:
            barrier.wait()
            target = first if thread % 2 else second
            for i in range(PER_THREAD):
                record_device_audit(target, run_id=run_id, audit=camera(thread, i))

        with ThreadPoolExecutor(THREADS) as pool:
            list(pool.map(worker, range(THREADS)))
        assert get_run(second, run_id=run_id).device_count == THREADS * PER_THREAD   # type: ignore[union-attr]
        assert len(list_devices(first)) == THREADS * PER_THREAD
