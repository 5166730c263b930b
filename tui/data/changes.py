"""What changed for a device from one audit to the next, and between two runs.

The comparison itself is `auditor.drift.compare_runs` (the same one `camaudit diff` and the
reports use); this module only reads the runs from the store and labels each change with the
pair of runs it happened between ("face capture switched on between run 3 and run 4").
"""

from __future__ import annotations

from dataclasses import dataclass

from auditor.drift import Change, Drift, RunState, compare_runs
from models.audit import DeviceAudit
from models.db import Store
from models.store import get_device_audit, get_device_history, get_run, list_run_devices, list_run_snapshots


@dataclass(frozen=True)
class HistoryEntry:
    run_id: int
    snapshot_id: int
    audit: DeviceAudit


@dataclass(frozen=True)
class RunChange:
    """A drift change with the runs it happened between."""

    change: Change
    runs: tuple[int, int]

    def sentence(self) -> str:
        """Switches read as "Face capture switched on between run 3 and run 4"; other changes as drift says."""
        if self.change.kind.startswith(("feature-", "remote-")):
            return f"{self.change.text.rstrip('.')} between run {self.runs[0]} and run {self.runs[1]}"
        return self.change.text


def device_history(store: Store, device_id: int, *, limit: int = 20) -> tuple[list[HistoryEntry], list[RunChange]]:
    """The device's last `limit` audits, oldest first, and every change between consecutive ones."""
    entries = []
    for s in get_device_history(store, device_id=device_id)[-limit:]:
        audit = get_device_audit(store, snapshot_id=s.id)
        if audit is not None:
            entries.append((s, audit))
    changes: list[RunChange] = []
    for (s0, a0), (s1, a1) in zip(entries, entries[1:], strict=False):
        drift = compare_runs(RunState(s0.run_id, s0.recorded, {device_id: a0}),
                             RunState(s1.run_id, s1.recorded, {device_id: a1}))
        changes += [RunChange(c, (s0.run_id, s1.run_id)) for c in drift.changes]
    return [HistoryEntry(s.run_id, s.id, a) for s, a in entries], changes


def run_state(store: Store, run_id: int) -> RunState:
    """A run's device audits keyed by device id, as drift takes them (egress not compared yet)."""
    run = get_run(store, run_id=run_id)
    if run is None:
        raise LookupError(f"run {run_id} is not in the database")
    snapshots = list_run_snapshots(store, run_id=run_id)
    audits = list_run_devices(store, run_id=run_id)   # same order: both by snapshot id
    return RunState(run.id, run.started, {s.device_id: a for s, a in zip(snapshots, audits, strict=True)})


def compare_stored_runs(store: Store, older: int, newer: int) -> Drift:
    return compare_runs(run_state(store, older), run_state(store, newer))
