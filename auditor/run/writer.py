"""The run's one writer: a thread, fed by a queue, that records finished devices in batches.

Auditing threads (or the worker processes' collector) hand each finished DeviceAudit to `put` and go
on; the writer takes what has queued, up to BATCH_SIZE devices or BATCH_WAIT_S after the first, and
records them in one transaction (models.store.record_device_audits), then reports each one as
finished. So progress shows devices once they are stored, a crash loses at most the batch in flight
(never part of a device), and no auditing thread ever waits on the database. When the queue is idle
the writer also keeps the run's heartbeat.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Callable

from models.audit import DeviceAudit
from models.db import Store

BATCH_SIZE = 50        # devices per transaction at most
BATCH_WAIT_S = 0.1     # how long the first device of a batch waits for company
_CLOSE = object()


class RunWriter:
    """Records the devices of run `run_id`; `close` writes what is queued and stops.

    `written` is called (on the writer thread) for each device after its batch committed; `failed` once
    if a write fails for a reason other than the run being closed (the run cannot go on without its store).
    """

    def __init__(self, store: Store, run_id: int, *, written: Callable[[DeviceAudit], None],
                 failed: Callable[[BaseException], None], batch_size: int = BATCH_SIZE,
                 batch_wait: float = BATCH_WAIT_S) -> None:
        self.store, self.run_id = store, run_id
        self._written, self._failed = written, failed
        self.batch_size, self.batch_wait = batch_size, batch_wait
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._closed = False       # the run was closed under us (RunClosed) or a write failed: drop the rest
        self._thread = threading.Thread(target=self._loop, name="store-writer", daemon=True)

    def start(self) -> RunWriter:
        self._thread.start()
        return self

    def put(self, audit: DeviceAudit) -> None:
        """Queue a finished device for the next batch (never blocks)."""
        self._queue.put(audit)

    def close(self) -> None:
        """Write every device queued so far, then stop the thread."""
        self._queue.put(_CLOSE)
        self._thread.join()

    def _take(self, timeout: float) -> tuple[list[DeviceAudit], bool]:
        """The next batch (maybe empty after `timeout`), and whether close was asked."""
        try:
            first = self._queue.get(timeout=timeout)
        except queue.Empty:
            return [], False
        if first is _CLOSE:
            return [], True
        batch: list[DeviceAudit] = [first]  # type: ignore[list-item]
        until = time.monotonic() + self.batch_wait
        while len(batch) < self.batch_size:
            try:
                item = self._queue.get(timeout=max(0.0, until - time.monotonic()))
            except queue.Empty:
                break
            if item is _CLOSE:
                return batch, True
            batch.append(item)  # type: ignore[arg-type]
        return batch, False

    def _loop(self) -> None:
        from models.errors import RunClosed, StoreProblem
        from models.store import HEARTBEAT_EVERY, record_device_audits, record_run_heartbeat

        every = HEARTBEAT_EVERY.total_seconds()
        beat = time.monotonic()
        closing = False
        while not closing:
            batch, closing = self._take(max(0.05, every - (time.monotonic() - beat)))
            if batch and not self._closed:
                try:
                    record_device_audits(self.store, run_id=self.run_id, audits=batch)
                except RunClosed:
                    self._closed = True          # stopped by Ctrl-C/SIGTERM: nothing more is recorded
                    continue
                except BaseException as exc:  # noqa: BLE001 - handed to the orchestrator, which re-raises
                    self._closed = True
                    self._failed(exc)
                    continue
                beat = time.monotonic()          # the batch's transaction set the heartbeat
                for audit in batch:
                    self._written(audit)
            elif not batch and not self._closed and time.monotonic() - beat >= every:
                beat = time.monotonic()
                with contextlib.suppress(StoreProblem):   # a missed heartbeat is harmless; device writes report it
                    record_run_heartbeat(self.store, run_id=self.run_id)
