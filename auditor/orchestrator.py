"""Run an audit: discover (or take targets as given), audit devices concurrently, store each
device the moment it is done, and mark the run complete only if every device finished.

The CLI and the TUI both call `run_audit`; only this package writes to the store.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

from auditor import DEFAULT_CONCURRENCY
from auditor.credentials import CredentialBook
from auditor.device_audit import audit_device
from models.audit import DeviceAudit
from models.db import Store
from models.tables import RunOptions
from probes.base import Target
from probes.context import ProbeSettings


@dataclass(frozen=True)
class AuditOptions:
    concurrency: int = DEFAULT_CONCURRENCY
    probe: ProbeSettings = field(default_factory=ProbeSettings)
    include_intrusive: bool = False

    def run_options(self, target_count: int) -> RunOptions:
        """What the store keeps about how the audit ran: typed numbers and flags only."""
        return RunOptions(concurrency=self.concurrency, timeout_s=self.probe.http.deadline,
                          target_count=target_count, intrusive=self.include_intrusive)


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
    """Audit `targets` into `store`. Ctrl-C or `cancel` stops early; finished devices are kept."""
    from models.store import record_device_audit, record_run_finished, record_run_started

    options = options or AuditOptions()
    progress = progress or AuditProgress()
    cancel = cancel or threading.Event()
    started = dt.datetime.now(dt.UTC)
    run_id = record_run_started(store, targets=list(scope), options=options.run_options(len(targets)))
    done: list[DeviceAudit] = []
    lock = threading.Lock()

    def work(target: Target) -> DeviceAudit:
        progress.started(target)
        result = audit_device(target, credentials.for_address(target.address), options.probe,
                              include_intrusive=options.include_intrusive)
        record_device_audit(store, run_id=run_id, audit=result.audit)
        with lock:
            done.append(result.audit)
        progress.finished(result.audit)
        return result.audit

    complete = False
    pool = ThreadPoolExecutor(max_workers=max(1, options.concurrency), thread_name_prefix="audit")
    try:
        pending: set[Future[DeviceAudit]] = {pool.submit(work, t) for t in targets}
        while pending and not cancel.is_set():
            finished, pending = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
            for future in finished:
                future.result()   # a failure here is a camaudit bug: let it surface
        complete = not pending
    finally:
        if not complete:
            cancel.set()
        pool.shutdown(wait=complete, cancel_futures=True)
        record_run_finished(store, run_id=run_id, complete=complete)
    order = {t.address: i for i, t in enumerate(targets)}
    return AuditOutcome(run_id, started, sorted(done, key=lambda a: order.get(a.address, 0)), complete)
