"""Long work off the UI thread: audits, egress analysis and exports (reading the store: `tui.reading`).

Each job is a `@work(thread=True, exclusive=True)` worker: the store is read and the orchestrator
runs in threads, progress comes back through `call_from_thread`, and the UI never waits.
A second audit while one runs is refused rather than queued (exclusive would cancel the first
worker's bookkeeping, not its threads).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from textual import work
from textual.reactive import reactive
from textual.timer import Timer

from models.db import Store
from models.errors import CamauditError, UsageError
from tui.data.export import write_export
from tui.messages import (
    AuditCompleted,
    AuditPlanned,
    DeviceAudited,
    EgressAnalysed,
    EgressProgressed,
    ExportWritten,
    WorkFailed,
)
from tui.reading import ReadingApp, user_error_or_raise
from tui.services import AuditCallbacks, AuditRequest, EgressCallbacks, EgressRequest, Services

__all__ = ["WorkingApp", "user_error_or_raise"]

RELOAD_DELAY_S = 0.4   # during an audit, re-read the fleet at most this often


class WorkingApp(ReadingApp):
    """The app's own work and its workers; `tui.app.CamauditApp` adds screens and bindings."""

    work_status: reactive[str] = reactive("")

    def __init__(self, store: Store, services: Services, now: Callable[[], dt.datetime]) -> None:
        super().__init__(store, now)
        self.services = services
        self.audit_cancel: threading.Event | None = None
        self.egress_cancel: threading.Event | None = None
        self._reload_timer: Timer | None = None
        self._progress = [0, 0]   # done, planned

    @property
    def auditing(self) -> bool:
        return self.audit_cancel is not None

    @property
    def working(self) -> bool:
        return self.audit_cancel is not None or self.egress_cancel is not None

    def _reload_soon(self) -> None:
        if self._reload_timer is None:
            def fire() -> None:
                self._reload_timer = None
                self.reload_fleet()
            self._reload_timer = self.set_timer(RELOAD_DELAY_S, fire)

    # ---- audits -------------------------------------------------------------------------

    def begin_audit(self, request: AuditRequest) -> None:
        if self.auditing:
            self.post_message(WorkFailed(UsageError(
                "An audit is already running; wait for it to finish or cancel it with x first.")))
            return
        self.audit_cancel = threading.Event()
        self._progress = [0, 0]
        self.work_status = f"Finding devices in {' '.join(request.targets)} ..."
        self._audit_worker(request, self.audit_cancel)

    @work(thread=True, exclusive=True, group="audit")
    def _audit_worker(self, request: AuditRequest, cancel: threading.Event) -> None:
        def post(message: Any) -> None:
            try:
                self.call_from_thread(self.post_message, message)
            except RuntimeError:   # the app closed while the audit was winding down
                cancel.set()

        callbacks = AuditCallbacks(
            planned=lambda count: post(AuditPlanned(request.targets, count)),
            finished=lambda audit: post(DeviceAudited(audit.address, audit.reachable)),
        )
        try:
            result = self.services.audit(self.store, request, callbacks, cancel)
        except Exception as exc:  # noqa: BLE001 - user errors go to the modal; bugs are re-raised
            post(WorkFailed(user_error_or_raise(exc)))
            post(AuditCompleted(None))
            return
        post(AuditCompleted(result))

    def on_audit_planned(self, message: AuditPlanned) -> None:
        self._progress[1] = message.count
        self.work_status = (f"Auditing {message.count} device(s) in {' '.join(message.targets)}: 0 done"
                            "  (x cancels)")

    def on_device_audited(self, message: DeviceAudited) -> None:
        self._progress[0] += 1
        done, total = self._progress
        state = "" if message.reachable else " (unreachable)"
        self.work_status = f"Auditing: {done} of {total} done, last {message.address}{state}  (x cancels)"
        self._reload_soon()

    def on_audit_completed(self, message: AuditCompleted) -> None:
        self.audit_cancel = None
        result = message.result
        if result is None:
            self.work_status = ""
        else:
            how = "finished" if result.complete else "stopped early; the devices done are kept"
            run = f"run {result.run_id}" if result.run_id is not None else "no run recorded"
            self.work_status = ""
            self.notify(f"Audit {how}: {result.devices} device(s), {run}.", title="Audit")
            for note in result.notes:
                self.notify(note, title="Discovery", severity="warning")
        self.reload_fleet()

    def cancel_work(self) -> None:
        """Stop the running audit (devices in progress finish) and egress watch (what it saw is stored)."""
        if self.audit_cancel is not None:
            self.audit_cancel.set()
            self.work_status = "Cancelling the audit: finishing the devices in progress ..."
        if self.egress_cancel is not None:
            self.egress_cancel.set()
            self.work_status = "Stopping the egress analysis and storing what it saw ..."

    # ---- egress -------------------------------------------------------------------------

    def begin_egress(self, request: EgressRequest) -> None:
        if self.egress_cancel is not None:
            self.post_message(WorkFailed(UsageError(
                "An egress analysis is already running; wait for it or stop it with x first.")))
            return
        self.egress_cancel = threading.Event()
        what = f"Analysing {request.capture}" if request.capture else f"Watching {request.interface}"
        self.work_status = f"{what} ...  (x stops)"
        self._egress_worker(request, self.egress_cancel)

    @work(thread=True, exclusive=True, group="egress")
    def _egress_worker(self, request: EgressRequest, cancel: threading.Event) -> None:
        def post(message: Any) -> None:
            try:
                self.call_from_thread(self.post_message, message)
            except RuntimeError:
                cancel.set()

        callbacks = EgressCallbacks(progress=lambda frames, devices: post(EgressProgressed(frames, devices)))
        try:
            result = self.services.egress(self.store, request, callbacks, cancel)
        except Exception as exc:  # noqa: BLE001
            post(WorkFailed(user_error_or_raise(exc)))
            post(EgressAnalysed(None))
            return
        post(EgressAnalysed(result))

    def on_egress_progressed(self, message: EgressProgressed) -> None:
        self.work_status = (f"Watching: {message.frames} frames, {message.devices} device(s) seen so far"
                            "  (x stops and stores)")

    def on_egress_analysed(self, message: EgressAnalysed) -> None:
        self.egress_cancel = None
        self.work_status = ""
        if message.result is not None:
            r = message.result
            self.notify(f"Egress run {r.run_id}: {r.devices} device(s), {r.destinations} external destination(s), "
                        f"{r.unknown} unknown.", title="Egress")
        self.reload_fleet()

    # ---- export -------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="export")
    def export(self, path: Path, columns: Sequence[str], rows: Sequence[dict[str, Any]]) -> None:
        try:
            written = write_export(path, columns, rows)
        except CamauditError as exc:
            self.call_from_thread(self.post_message, WorkFailed(exc))
            return
        self.call_from_thread(self.post_message, ExportWritten(written, len(rows)))

    def on_export_written(self, message: ExportWritten) -> None:
        self.notify(f"Wrote {message.rows} row(s) to {message.path}.", title="Export")

    def on_work_failed(self, message: WorkFailed) -> None:
        from tui.screens.dialogs import ErrorModal

        if not self.working:
            self.work_status = ""
        self.push_screen(ErrorModal(message.error))
