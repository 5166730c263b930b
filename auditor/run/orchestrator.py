"""Run an audit: discover (or take targets as given), audit devices concurrently (threads, or worker
processes for large scopes), store finished devices through the run's one batching writer, and mark
the run complete only if every device finished.

The CLI and the TUI both call `run_audit`; only this package writes to the store.
"""

from __future__ import annotations

import datetime as dt
import threading
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
    workers: int | None = None      # worker processes; None: auditor.run.workers.default_workers

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
    notes: list[str] = field(default_factory=list)   # e.g. a worker process that died, and what it cost


def _audit_in_threads(targets: Sequence[Target], credentials: CredentialBook, options: AuditOptions,
                      progress: AuditProgress, finished: Callable[[DeviceAudit], None],
                      failed: Callable[[BaseException], None], cancel: threading.Event) -> list[threading.Thread]:
    """Audit in this process: `options.concurrency` daemon threads taking targets from one queue."""
    todo = deque(targets)
    lock = threading.Lock()

    def worker() -> None:
        while not cancel.is_set():
            with lock:
                if not todo:
                    return
                target = todo.popleft()
            try:
                progress.started(target)
                result = audit_device(target, credentials.for_address(target.address), options.probe,
                                      include_intrusive=options.include_intrusive,
                                      intrusive_checks=options.intrusive_checks)
                finished(result.audit)
            except BaseException as exc:  # noqa: BLE001 - handed to the main thread, which re-raises
                failed(exc)
                return

    return [threading.Thread(target=worker, name=f"audit-{i}", daemon=True)
            for i in range(max(1, min(options.concurrency, len(targets))))]


def run_audit(store: Store, targets: Sequence[Target], credentials: CredentialBook, *,
              scope: Sequence[str], options: AuditOptions | None = None,
              progress: AuditProgress | None = None, cancel: threading.Event | None = None) -> AuditOutcome:
    """Audit `targets` into `store`. Ctrl-C, SIGTERM or `cancel` stops early; finished devices are kept.

    Devices are audited by daemon threads, or by worker processes (`options.workers`, see
    auditor.run.workers), and recorded by the run's one writer thread (auditor.run.writer) in batches.
    On Ctrl-C the run stops taking devices, the writer records what had finished, worker processes are
    terminated and the run is closed; a device still being audited is never recorded (the store refuses
    devices for a closed run). A KeyboardInterrupt is re-raised after the run is closed; an
    `Interrupted` one carries the run id and the number of devices kept.
    """
    from auditor.run.workers import ProcessPool, default_workers
    from auditor.run.writer import RunWriter
    from models.store import record_run_finished, record_run_started

    options = options or AuditOptions()
    progress = progress or AuditProgress()
    cancel = cancel or threading.Event()
    started = dt.datetime.now(dt.UTC)
    run_id = record_run_started(store, targets=list(scope), options=options.run_options(len(targets)),
                                site=options.site)
    done: list[DeviceAudit] = []
    failures: list[BaseException] = []
    lock = threading.Lock()

    def written(audit: DeviceAudit) -> None:
        with lock:
            done.append(audit)
        progress.finished(audit)

    def failed(exc: BaseException) -> None:
        with lock:
            if not cancel.is_set():
                failures.append(exc)
            cancel.set()

    def store_failed(exc: BaseException) -> None:    # even while closing: a device that was not written
        with lock:
            failures.append(exc)
            cancel.set()

    writer = RunWriter(store, run_id, written=written, failed=store_failed).start()

    def finished(audit: DeviceAudit) -> None:
        if not cancel.is_set():                      # the run is closing: drop it, never write it
            writer.put(audit)

    workers = min(options.workers or default_workers(len(targets)), max(1, len(targets)))
    pool = None
    if workers > 1:
        pool = ProcessPool(targets, credentials, options, workers, started=progress.started, finished=finished,
                           failed=failed, cancel=cancel)
        threads = [threading.Thread(target=pool.run, name="audit-workers", daemon=True)]
    else:
        threads = _audit_in_threads(targets, credentials, options, progress, finished, failed, cancel)
    for thread in threads:
        thread.start()
    complete = False
    interrupted: KeyboardInterrupt | None = None
    try:
        while not cancel.is_set() and any(t.is_alive() for t in threads):
            cancel.wait(0.25)
        complete = not cancel.is_set()
    except KeyboardInterrupt as exc:             # Ctrl-C, or SIGTERM as Interrupted (auditor/cli.py)
        interrupted = exc
    finally:
        cancel.set()                                 # no new device is taken, none finished from now is kept
        if pool is not None:
            pool.stop()
        writer.close()                               # records every device finished before the stop
        complete = complete and not failures
        record_run_finished(store, run_id=run_id, complete=complete)
    with lock:
        kept = list(done)
    if interrupted is not None:
        if isinstance(interrupted, Interrupted):
            interrupted.run_id, interrupted.kept = run_id, len(kept)
        raise interrupted
    if failures:
        raise failures[0]                            # a camaudit bug, not a device problem: let it surface
    order = {t.address: i for i, t in enumerate(targets)}
    return AuditOutcome(run_id, started, sorted(kept, key=lambda a: order.get(a.address, 0)), complete,
                        notes=list(pool.notes) if pool is not None else [])
