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
from models.location import PgLocation, is_url
from models.store import get_run, list_run_device_audits, list_runs, list_sites
from models.tables import AuditRunPublic
from models.views import run_state_of


def open_existing_store(path: str | Path | PgLocation) -> Store:
    """Open a database that must already exist, read-only: a report never creates, converts or repairs one.

    Raises:
        UsageError: there is no file at `path`.
        StoreUnavailable: the file is empty, foreign, damaged or unreadable (models.readonly).
    """
    if isinstance(path, PgLocation) or (isinstance(path, str) and is_url(path)):
        return open_store(path, read_only=True)
    path = Path(path).expanduser()
    if not path.exists():
        raise UsageError(f"There is no camaudit database at {path}; run `camaudit audit` first "
                         f"or point --db at the database it wrote.")
    return open_store(path, read_only=True)


def pick_run(store: Store, run_id: int | None, site: str | None = None) -> AuditRunPublic:
    """The run asked for, or the latest complete one (of `site`, or of any site) (the latest of any
    state when none is complete). An interrupted or running run is chosen only by its id; reports and
    diff then say so.

    Raises:
        UsageError: the database (or the site) holds no runs, or none with that id (in that site).
    """
    if run_id is None:
        runs = list_runs(store, site=site)
        if not runs:
            where = f"The database {store.path}" + (f" holds no audit runs of site {site!r}" if site else
                                                    " holds no audit runs")
            sites = ", ".join(list_sites(store)) if site else ""
            raise UsageError(f"{where} yet; run `camaudit audit` first" + (f" (sites: {sites})." if sites else "."))
        return next((r for r in runs if r.state == "complete"), runs[0])
    run = get_run(store, run_id=run_id)
    if run is None:
        known = ", ".join(str(r.id) for r in list_runs(store, limit=10, site=site)) or "none"
        raise UsageError(f"There is no audit run {run_id} in {store.path} (latest runs: {known}).")
    if site is not None and run.site != site:
        raise UsageError(f"Audit run {run_id} belongs to site {run.site!r}, not {site!r}; name one of that "
                         f"site's runs or leave out --site.")
    return run


def complete_runs(store: Store, *, limit: int, site: str | None = None) -> list[AuditRunPublic]:
    """The latest complete runs (of one site, or of any), newest first (what `camaudit diff` compares)."""
    return [r for r in list_runs(store, site=site) if r.state == "complete"][:limit]


def previous_run(store: Store, run: AuditRunPublic) -> AuditRunPublic | None:
    """The complete run of the same site recorded before `run` (an interrupted one only when no earlier
    run completed). Runs of other sites are never compared: their devices are different devices."""
    earlier = [r for r in list_runs(store, site=run.site) if r.id < run.id]
    return next((r for r in earlier if r.state == "complete"), earlier[0] if earlier else None)


def next_run(store: Store, run: AuditRunPublic) -> AuditRunPublic | None:
    """The run of the same site recorded just after `run`, if any."""
    later = [r for r in list_runs(store, site=run.site) if r.id > run.id]
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
