"""The run lifecycle in the store: start, heartbeat, close, and reading runs with their state.

A run row records the pid and host of the process running it and a heartbeat every
HEARTBEAT_EVERY. Readers (TUI, report, diff) get `state`: a run whose process is gone (SIGKILL,
OOM, power loss) reads as interrupted even though nobody could close it. Re-exported by models.store.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
from collections.abc import Sequence
from importlib import metadata

from sqlmodel import Session, col, select

from models.db import Store, insert_row, require_row
from models.tables import DEFAULT_SITE, AuditRun, AuditRunPublic, RunOptions, redact_target, require_aware

HEARTBEAT_EVERY = dt.timedelta(seconds=5)   # how often a running audit says it is alive
STALE_AFTER = dt.timedelta(seconds=60)      # no heartbeat for this long: the run's process is gone


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def record_run_started(store: Store, *, targets: Sequence[str], options: RunOptions,
                       started: dt.datetime | None = None, camaudit_version: str | None = None,
                       pid: int | None = None, host: str | None = None, site: str = DEFAULT_SITE) -> int:
    """Create an incomplete run and return its id.

    Args:
        site: the site the run belongs to; its devices are identified within that site only.
        options: the allow-listed run options; nothing else about the run is stored.
        pid, host: the process running the audit (default: this one), so a reader can tell a
            run whose process died from one still going.
    """
    if not isinstance(options, RunOptions):
        raise TypeError(f"options must be RunOptions (the store's allow-list), not {type(options).__name__}")
    require_aware("started", started)
    if camaudit_version is None:
        try:
            camaudit_version = metadata.version("camaudit")
        except metadata.PackageNotFoundError:
            camaudit_version = "unknown"
    begun = started or _now()
    run = AuditRun(site=site, started=begun, targets=[redact_target(t) for t in targets],
                   camaudit_version=camaudit_version, options=options.to_json(),
                   pid=os.getpid() if pid is None else pid, host=host or socket.gethostname(), heartbeat=begun)
    return insert_row(store, run)


def _run_or_raise(session: Session, store: Store, run_id: int) -> AuditRun:
    return require_row(session, store, AuditRun, run_id, "Audit run", "start a run with record_run_started first.")


def record_run_finished(store: Store, *, run_id: int, complete: bool,
                        finished: dt.datetime | None = None) -> None:
    """Close a run; `complete=False` marks one that stopped early (its devices stay recorded).

    After this no device can be recorded into the run (record_device_audit raises RunClosed).
    """
    require_aware("finished", finished)
    with store.writing() as session:
        run = _run_or_raise(session, store, run_id)
        run.finished = finished or _now()
        run.heartbeat = run.finished
        run.complete = complete


def record_run_heartbeat(store: Store, *, run_id: int) -> None:
    """The run's process is alive: readers show the run as running while heartbeats keep coming."""
    with store.writing() as session:
        run = _run_or_raise(session, store, run_id)
        if run.finished is None:
            run.heartbeat = _now()


def _process_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OverflowError, ValueError):   # another user's process; a pid not from us
        return False
    return False


def run_state(run: AuditRun | AuditRunPublic, *, now: dt.datetime | None = None) -> str:
    """running | complete | interrupted. An unfinished run is interrupted when its process is gone
    (same host, pid no longer exists) or it has not sent a heartbeat for STALE_AFTER."""
    if run.finished is not None:
        return "complete" if run.complete else "interrupted"
    last = run.heartbeat or run.started
    if (now or _now()) - last > STALE_AFTER:
        return "interrupted"
    if run.pid is not None and run.host == socket.gethostname() and _process_gone(run.pid):
        return "interrupted"
    return "running"


def _public(run: AuditRun) -> AuditRunPublic:
    public = AuditRunPublic.model_validate(run, from_attributes=True)
    public.state = run_state(run)
    if public.state == "interrupted" and public.finished is None:
        public.finished = run.heartbeat or run.started    # its last sign of life; `complete` stays False
    return public


def get_run(store: Store, *, run_id: int) -> AuditRunPublic | None:
    with store.reading() as session:
        run = session.get(AuditRun, run_id)
        return None if run is None else _public(run)


def list_sites(store: Store) -> list[str]:
    """The sites that have runs, by name."""
    with store.reading() as session:
        return list(session.exec(select(AuditRun.site).distinct().order_by(col(AuditRun.site))).all())


def list_runs(store: Store, *, limit: int | None = None, site: str | None = None) -> list[AuditRunPublic]:
    """Runs (of one site, or all), newest first; a run whose process died reads as interrupted (see run_state)."""
    stmt = select(AuditRun) if site is None else select(AuditRun).where(AuditRun.site == site)
    with store.reading() as session:
        runs = session.exec(stmt.order_by(col(AuditRun.id).desc()).limit(limit)).all()
        return [_public(r) for r in runs]
