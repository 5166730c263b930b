"""Read status from the store: each snapshot's status for list views, and the last time a device
could be read (what a summary shows beside "not read now")."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import col, select

from models.audit import DeviceAudit
from models.db import Store
from models.drift import Drift, RunState, any_timed_out, compare_runs, fill_unknown
from models.features import ON_OFF, YES_NO, tri_state_text
from models.read_status import read_status, status_of, was_read
from models.store import _load_audits
from models.tables import DeviceSnapshot

_CHUNK = 500   # snapshot ids per IN (...), as models.store does


def _status(reachable: bool, auth: str | None, probes: list[dict[str, Any]] | None,
            protocol_status: dict[str, Any] | None) -> str:
    return status_of(reachable=reachable, auth=auth,
                     outcomes=[(p.get("probe", ""), p.get("outcome", "")) for p in probes or []],
                     protocol_states=[st.get("state", "") for st in (protocol_status or {}).values()])


def list_read_statuses(store: Store, *, snapshot_ids: Sequence[int]) -> dict[int, str]:
    """Each snapshot's read status (models.read_status), from its columns only: no evidence loaded."""
    statuses: dict[int, str] = {}
    ids = sorted(snapshot_ids)
    columns = (DeviceSnapshot.id, DeviceSnapshot.reachable, DeviceSnapshot.auth, DeviceSnapshot.probes,
               DeviceSnapshot.protocol_status)
    with store.reading() as session:
        for start in range(0, len(ids), _CHUNK):
            stmt = select(*columns).where(col(DeviceSnapshot.id).in_(ids[start:start + _CHUNK]))
            for sid, reachable, auth, probes, protocol_status in session.exec(stmt):
                statuses[sid] = _status(reachable, auth, probes, protocol_status)
    return statuses


@dataclass(frozen=True)
class LastRead:
    """A device's most recent readable audit before some run."""

    run_id: int
    recorded: dt.datetime
    status: str              # read | partly read
    audit: DeviceAudit

    @property
    def when(self) -> str:
        """"run 3 (2026-11-20)" for a sentence like "on in run 3 (2026-11-20), not read now"."""
        return f"run {self.run_id} ({self.recorded.date().isoformat()})"


def get_last_read_audit(store: Store, *, device_id: int, before_run: int | None = None) -> LastRead | None:
    """The device's latest snapshot that was read (fully or partly) in a run before `before_run`
    (default: any run); None when it was never read."""
    stmt = select(DeviceSnapshot).where(DeviceSnapshot.device_id == device_id, col(DeviceSnapshot.reachable).is_(True))
    if before_run is not None:
        stmt = stmt.where(DeviceSnapshot.run_id < before_run)
    with store.reading() as session:
        for snap in session.exec(stmt.order_by(col(DeviceSnapshot.id).desc())):
            status = _status(snap.reachable, snap.auth, snap.probes, snap.protocol_status)
            if was_read(status):
                return LastRead(snap.run_id, snap.recorded, status, _load_audits(session, [snap])[0])
    return None


def _word(value: bool | None, words: tuple[str, str, str] = ON_OFF) -> str:
    return tri_state_text(value, words)


def last_known_text(last: LastRead | None, value: bool | None, words: tuple[str, str, str] = ON_OFF) -> str:
    """What to show for a verdict that was not read now: "on in run 3 (2026-11-20), not read now",
    or "not read" when the device was never read before. `value` is the verdict when last read."""
    if last is None:
        return "not read"
    return f"{_word(value, words)} in {last.when}, not read now"


def last_known(read: bool, last: LastRead | None, now: bool | None, before: bool | None,
               words: tuple[str, str, str] = ON_OFF) -> str | None:
    """Beside a verdict this audit could not read (`now` None, or the device not read at all): its value
    `before` when the device was last read, or "not read". None when there is nothing to add."""
    if read and now is not None:
        return None
    if not read or last is not None:
        return last_known_text(last, before, words)
    return None


def last_known_feature(audit: DeviceAudit, last: LastRead | None, read: bool, feature: str,
                       field: str = "enabled") -> str | None:
    """`last_known` for one analytics feature of `audit` (device roll-up): whether it was on (`enabled`),
    or whether the device could do it (`supported`, in yes/no words)."""
    now, before = audit.features.get(feature), last.audit.features.get(feature) if last else None
    return last_known(read, last, getattr(now, field) if now else None, getattr(before, field) if before else None,
                      YES_NO if field == "supported" else ON_OFF)


def last_known_remote(audit: DeviceAudit, last: LastRead | None, read: bool, kind: str,
                      field: str = "enabled") -> str | None:
    """`last_known` for one remote-access setting of `audit` (`enabled`, or `supported` in yes/no words)."""
    now, before = audit.remote_access.get(kind), last.audit.remote_access.get(kind) if last else None
    return last_known(read, last, getattr(now, field) if now else None, getattr(before, field) if before else None,
                      YES_NO if field == "supported" else ON_OFF)


def with_last_known(store: Store, before: RunState, devices: Iterable[int]) -> RunState:
    """`before` with each of `devices` that it could not read (or did not hold) replaced by the device's
    last readable audit up to that run: a change is judged against what was last known, so a camera
    unreadable in run A and on in run B is not "switched on" unless it was off when last read."""
    replaced = dict(before.devices)
    for device_id in devices:
        old = replaced.get(device_id)
        if old is not None and was_read(read_status(old)):
            if any_timed_out(old) and (earlier := get_last_read_audit(store, device_id=device_id,
                                                                    before_run=before.run_id)) is not None:
                replaced[device_id] = fill_unknown(old, earlier.audit)   # per feature: a timeout is not "off"
            continue
        last = get_last_read_audit(store, device_id=device_id, before_run=before.run_id + 1)
        if last is not None:
            replaced[device_id] = last.audit
    return dataclasses.replace(before, devices=replaced)


def compare_with_last_known(store: Store, before: RunState, after: RunState) -> Drift:
    """What changed from `before` to `after`, judging each device `before` could not read as it was when
    last read (`with_last_known`): the comparison `camaudit diff`, the report and the TUI all make."""
    return compare_runs(with_last_known(store, before, after.devices), after)
