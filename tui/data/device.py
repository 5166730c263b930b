"""One device in full: its latest audit with evidence, its history and its egress."""

from __future__ import annotations

from dataclasses import dataclass, field

from models.audit import DeviceAudit
from models.db import Store
from models.last_read import LastRead, get_last_read_audit, last_known_feature, last_known_remote
from models.read_status import READ, read_status, was_read
from models.store import get_device, get_device_audit
from models.tables import DeviceSummary
from models.views import (
    DataFlowRow,
    FeatureRow,
    RemoteAccessRow,
    data_flow_rows,
    feature_matrix,
    remote_access_rows,
)
from tui.data.changes import HistoryEntry, RunChange, device_history
from tui.data.egress import EgressLine, device_egress

MatrixRow = FeatureRow   # the analytics matrix's rows (models.views, shared with the report)


@dataclass
class DeviceView:
    summary: DeviceSummary
    audit: DeviceAudit
    history: list[HistoryEntry] = field(default_factory=list)
    changes: list[RunChange] = field(default_factory=list)
    egress: list[EgressLine] | None = None    # None: no capture saw this device
    egress_available: bool = False           # the database holds at least one egress run
    status: str = READ                       # models.read_status of the latest audit
    last_read: LastRead | None = None        # the latest earlier audit that was read, when this one was not fully

    @property
    def read(self) -> bool:
        return was_read(self.status)

    def last_known(self, feature: str) -> str | None:
        """"on in run 3 (2026-11-20), not read now" for a feature this audit could not read; None when it was read."""
        return last_known_feature(self.audit, self.last_read, self.read, feature)

    def last_known_remote(self, kind: str) -> str | None:
        """The same for a remote-access setting."""
        return last_known_remote(self.audit, self.last_read, self.read, kind)

    @property
    def matrix(self) -> list[FeatureRow]:
        return feature_matrix(self.audit)

    @property
    def flow_lines(self) -> list[DataFlowRow]:
        """Every data flow, those that are on first, then unknown, then off."""
        return data_flow_rows(self.audit)

    @property
    def remote_rows(self) -> list[RemoteAccessRow]:
        """Every remote-access kind: supported, enabled, destination, evidence."""
        return remote_access_rows(self.audit)


def load_device(store: Store, device_id: int) -> DeviceView | None:
    """The device's latest audit in full; None when the device is not (or no longer) in the store."""
    summary = get_device(store, device_id=device_id)
    if summary is None:
        return None
    audit = get_device_audit(store, snapshot_id=summary.latest.id)
    if audit is None:
        return None
    history, changes = device_history(store, device_id)
    available, egress = device_egress(store, device_id)
    status = read_status(audit)
    last = None if status == READ else get_last_read_audit(store, device_id=device_id, before_run=summary.latest.run_id)
    return DeviceView(summary, audit, history, changes, egress, available, status, last)
