"""What changed for a device from one audit to the next, and between two runs.

The comparison itself is `models.drift.compare_runs` (the same one `camaudit diff` and the
reports use); this module only reads the runs from the store and labels each change with the
pair of runs it happened between ("face capture switched on between run 3 and run 4").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from models.audit import DeviceAudit
from models.db import Store
from models.drift import Change, Drift, RunState, compare_runs, device_label
from models.egress.store import get_egress_report
from models.egress.values import EgressDevice, EgressReport
from models.last_read import compare_with_last_known
from models.read_status import read_status, was_read
from models.store import get_device_audit, get_device_history, get_latest_audit
from models.views import get_run_state


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
    baseline = None   # the latest audit that read the device: what a change is judged against
    for (s0, a0), (s1, a1) in zip(entries, entries[1:], strict=False):
        if was_read(read_status(a0)) or baseline is None:
            baseline = (s0, a0)
        sb, ab = baseline
        drift = compare_runs(RunState(sb.run_id, sb.recorded, {device_id: ab}),
                             RunState(s1.run_id, s1.recorded, {device_id: a1}))
        changes += [RunChange(c, (sb.run_id, s1.run_id)) for c in drift.changes]
    return [HistoryEntry(s.run_id, s.id, a) for s, a in entries], changes


def run_state(store: Store, run_id: int) -> RunState:
    """A run's device audits keyed by device id, as drift takes them (egress not compared yet)."""
    state = get_run_state(store, run_id=run_id)
    if state is None:
        raise LookupError(f"run {run_id} is not in the database")
    return state


def compare_stored_runs(store: Store, older: int, newer: int) -> Drift:
    """As `camaudit diff`: a device the older run could not read is compared as it was when last read."""
    return compare_with_last_known(store, run_state(store, older), run_state(store, newer))


def compare_egress_runs(store: Store, older: int, newer: int) -> Drift:
    """Destinations new and gone per device between two egress runs, through drift.

    Both sides get the same audit of a device (its latest), so drift reports only the traffic;
    a device captured in one run only is listed as such, not as a device added to or gone from the site.
    """
    before, after = get_egress_report(store, run_id=older), get_egress_report(store, run_id=newer)
    if before is None or after is None:
        raise LookupError(f"egress run {older if before is None else newer} is not in the database")

    def keyed(report: EgressReport) -> dict[object, EgressDevice]:
        return {d.device_id if d.device_id is not None else d.address: d for d in report.devices}

    old, new = keyed(before), keyed(after)
    ids = {key: i for i, key in enumerate(sorted(set(old) | set(new), key=str), start=1)}
    audits: dict[object, DeviceAudit] = {}
    for key in ids:
        device = new.get(key) or old[key]
        audits[key] = (get_latest_audit(store, address=device.address)
                       or DeviceAudit(address=device.address, port=80))
    both = [k for k in ids if k in old and k in new]
    drift = compare_runs(
        RunState(older, before.capture.started or dt.datetime.min.replace(tzinfo=dt.UTC),
                 {ids[k]: audits[k] for k in both}, {ids[k]: old[k].destinations for k in both}),
        RunState(newer, after.capture.started or dt.datetime.min.replace(tzinfo=dt.UTC),
                 {ids[k]: audits[k] for k in both}, {ids[k]: new[k].destinations for k in both}))
    for key in ids:
        if (key in old) == (key in new):
            continue
        device = (new.get(key) or old[key])
        label = device_label(audits[key])
        run, other = (newer, older) if key in new else (older, newer)
        drift.changes.append(Change(ids[key], label, "device-added" if key in new else "device-removed", "device",
                                    None, None, False, f"Traffic captured in egress run {run} only, "
                                    f"not in egress run {other}."))
    return drift
