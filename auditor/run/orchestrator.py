"""Run an audit: discover (or take targets as given), audit devices concurrently, store each
device the moment it is done, and mark the run complete only if every device finished.

The CLI and the TUI both call `run_audit`; only this package writes to the store.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from auditor.run import DEFAULT_CONCURRENCY
from auditor.run.credentials import CredentialBook
from auditor.run.device_audit import audit_device
from models.audit import DeviceAudit
from models.db import Store
from models.errors import Interrupted
from models.tables import RunOptions
from probes.base import Target
from probes.context import ProbeSettings


@dataclass(frozen=True)
class AuditOptions:
    concurrency: int = DEFAULT_CONCURRENCY
    probe: ProbeSettings = field(default_factory=ProbeSettings)
    include_intrusive: bool = False
    site: str = "default"           # models.tables.DEFAULT_SITE; the store identifies devices per site
    intrusive_checks: tuple[str, ...] = ()      # named opt-in checks (`--intrusive default-credentials`)

    def run_options(self, target_count: int) -> RunOptions:
        """What the store keeps about how the audit ran: typed numbers and flags only."""
        from auditor.judge.advisories.findings import current

        dated = current().updated
        return RunOptions(concurrency=self.concurrency, timeout_s=self.probe.http.deadline,
                          target_count=target_count, intrusive=self.include_intrusive or bool(self.intrusive_checks),
                          intrusive_default_credentials=self.include_intrusive or "default-credentials"
                          in self.intrusive_checks,
                          advisory_data=int(dated.strftime("%Y%m%d")) if dated else 0)


@dataclass
class AuditProgress:
    """Callbacks for progress display; every one is optional and called from worker threads."""

    started: Callable[[Target], None] = lambda target: None
    finished: Callable[[DeviceAudit], None] = lambda audit: None


@dataclass
class AuditOutcome:
    run_id: int
    started: dt.datetime
    devices: list[DeviceAudit]
    complete: bool


def run_audit(store: Store, targets: Sequence[Target], credentials: CredentialBook, *,
              scope: Sequence[str], options: AuditOptions | None = None,
              progress: AuditProgress | None = None, cancel: threading.Event | None = None) -> AuditOutcome:
    """Audit `targets` into `store`. Ctrl-C, SIGTERM or `cancel` stops early; finished devices are kept.

    Workers are daemon threads: on Ctrl-C the run is closed at once and the process may exit while a
    worker is still waiting on a slow device; that device is never recorded (the store refuses
    devices for a closed run). A KeyboardInterrupt is re-raised after the run is closed; an
    `Interrupted` one carries the run id and the number of devices kept.
    """
    from models.errors import RunClosed, StoreProblem
    from models.store import (
        HEARTBEAT_EVERY,
        record_device_audit,
        record_run_finished,
        record_run_heartbeat,
        record_run_started,
    )

    options = options or AuditOptions()
    progress = progress or AuditProgress()
    cancel = cancel or threading.Event()
    started = dt.datetime.now(dt.UTC)
    run_id = record_run_started(store, targets=list(scope), options=options.run_options(len(targets)),
                                site=options.site)
    done: list[DeviceAudit] = []
    todo = deque(targets)
    failures: list[BaseException] = []
    lock = threading.Lock()

    def work(target: Target) -> None:
        progress.started(target)
        result = audit_device(target, credentials.for_address(target.address), options.probe,
                              include_intrusive=options.include_intrusive, intrusive_checks=options.intrusive_checks)
        if cancel.is_set():
            return                                   # the run is closing: drop it, never write it
        try:
            record_device_audit(store, run_id=run_id, audit=result.audit)
        except RunClosed:
            return
        with lock:
            done.append(result.audit)
        progress.finished(result.audit)

    def worker() -> None:
        while not cancel.is_set():
            with lock:
                if not todo:
                    return
                target = todo.popleft()
            try:
                work(target)
            except BaseException as exc:  # noqa: BLE001 - handed to the main thread, which re-raises
                if not cancel.is_set():
                    failures.append(exc)
                    cancel.set()
                return

    threads = [threading.Thread(target=worker, name=f"audit-{i}", daemon=True)
               for i in range(max(1, min(options.concurrency, len(targets))))]
    for thread in threads:
        thread.start()
    complete = False
    try:
        beat = time.monotonic()
        while not cancel.is_set() and any(t.is_alive() for t in threads):
            cancel.wait(0.25)
            if time.monotonic() - beat >= HEARTBEAT_EVERY.total_seconds():
                beat = time.monotonic()
                with contextlib.suppress(StoreProblem):   # a missed heartbeat is harmless; device writes report it
                    record_run_heartbeat(store, run_id=run_id)
        complete = not cancel.is_set() and not failures and not todo
    except KeyboardInterrupt as exc:
        cancel.set()
        if isinstance(exc, Interrupted):
            exc.run_id, exc.kept = run_id, len(done)
        raise
    finally:
        cancel.set()                                 # workers take no new device
        with lock:
            kept = list(done)
        record_run_finished(store, run_id=run_id, complete=complete)
    if failures:
        raise failures[0]                            # a camaudit bug, not a device problem: let it surface
    order = {t.address: i for i, t in enumerate(targets)}
    return AuditOutcome(run_id, started, sorted(kept, key=lambda a: order.get(a.address, 0)), complete)
