"""Reading runs from the store for reports and `camaudit diff`. Reads only; never probes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from auditor.report.egress import load_egress
from auditor.report.model import DeviceEgress, EgressStatus
from models.audit import DeviceAudit
from models.db import Store, open_store
from models.drift import RunState, address_key
from models.errors import UsageError
from models.store import get_run, list_run_device_audits, list_runs
from models.tables import AuditRunPublic
from models.views import run_state_of


def open_existing_store(path: str | Path) -> Store:
    """Open a database that must already exist, read-only: a report never creates, converts or repairs one.

    Raises:
        UsageError: there is no file at `path`.
        StoreUnavailable: the file is empty, foreign, damaged or unreadable (models.readonly).
    """
    path = Path(path).expanduser()
    if not path.exists():
        raise UsageError(f"There is no camaudit database at {path}; run `camaudit audit` first "
                         f"or point --db at the database it wrote.")
    return open_store(path, read_only=True)


def pick_run(store: Store, run_id: int | None) -> AuditRunPublic:
    """The run asked for, or the latest complete one (the latest of any state when none is complete).
    An interrupted or running run is chosen only by its id; reports and diff then say so.

    Raises:
        UsageError: the database holds no runs, or none with that id.
    """
    if run_id is None:
        runs = list_runs(store)
        if not runs:
            raise UsageError(f"The database {store.path} holds no audit runs yet; run `camaudit audit` first.")
        return next((r for r in runs if r.state == "complete"), runs[0])
    run = get_run(store, run_id=run_id)
    if run is None:
        known = ", ".join(str(r.id) for r in list_runs(store, limit=10)) or "none"
        raise UsageError(f"There is no audit run {run_id} in {store.path} (latest runs: {known}).")
    return run


def complete_runs(store: Store, *, limit: int) -> list[AuditRunPublic]:
    """The latest complete runs, newest first (what `camaudit diff` compares by default)."""
    return [r for r in list_runs(store) if r.state == "complete"][:limit]


def previous_run(store: Store, run: AuditRunPublic) -> AuditRunPublic | None:
    """The complete run recorded before `run` (an interrupted one only when no earlier run completed)."""
    earlier = [r for r in list_runs(store) if r.id < run.id]
    return next((r for r in earlier if r.state == "complete"), earlier[0] if earlier else None)


def next_run(store: Store, run: AuditRunPublic) -> AuditRunPublic | None:
    """The run recorded just after `run`, if any."""
    later = [r for r in list_runs(store) if r.id > run.id]
    return later[-1] if later else None


def run_devices(store: Store, run_id: int) -> list[tuple[int, DeviceAudit]]:
    """A run's device audits with their store device ids, sorted by address.

    A list, not a mapping: a device recorded twice in one run (given at two addresses) shows twice.
    """
    return sorted(list_run_device_audits(store, run_id=run_id), key=lambda pair: address_key(pair[1]))


@dataclass
class LoadedRun:
    run: AuditRunPublic
    devices: list[tuple[int, DeviceAudit]]
    egress_status: EgressStatus
    egress: dict[int, DeviceEgress]

    def state(self) -> RunState:
        """The run as `models.drift.compare_runs` takes it."""
        destinations = ({did: e.destinations for did, e in self.egress.items()}
                        if self.egress_status.available else None)
        return run_state_of(self.run, self.devices, destinations)


def load_run(store: Store, run: AuditRunPublic) -> LoadedRun:
    """A run's devices, with its egress results if there are any."""
    devices = run_devices(store, run.id)
    status, egress = load_egress(store, run=run, next_audit=next_run(store, run), devices=dict(devices))
    return LoadedRun(run, devices, status, egress)
