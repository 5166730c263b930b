"""One device in full: its latest audit with evidence, its history and its egress."""

from __future__ import annotations

from dataclasses import dataclass, field

from models.audit import DATA_FLOW_KINDS, DeviceAudit, FeatureVerdict
from models.db import Store
from models.features import FEATURES, REMOTE_ACCESS, FeatureInfo
from models.last_read import LastRead, get_last_read_audit, last_known_text
from models.read_status import READ, read_status, was_read
from models.store import get_device, get_device_audit
from models.tables import DeviceSummary
from tui.data.changes import HistoryEntry, RunChange, device_history
from tui.data.egress import EgressLine, device_egress


@dataclass(frozen=True)
class MatrixRow:
    info: FeatureInfo
    verdict: FeatureVerdict
    channels_on: tuple[int, ...]      # NVR channels where it is enabled


@dataclass(frozen=True)
class FlowLine:
    """One row of "Where data goes": a configured push host, storage, cloud storage or microphone."""

    kind: str
    label: str
    destination: str | None
    enabled: bool | None
    detail: str
    evidence: tuple[str, ...]


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
        verdict = self.audit.features.get(feature)
        if self.read and verdict is not None and verdict.enabled is not None:
            return None
        if not self.read or self.last_read is not None:
            before = self.last_read.audit.features.get(feature) if self.last_read else None
            return last_known_text(self.last_read, before.enabled if before else None)
        return None

    def last_known_remote(self, kind: str) -> str | None:
        """The same for a remote-access setting."""
        verdict = self.audit.remote_access.get(kind)
        if self.read and verdict is not None and verdict.enabled is not None:
            return None
        if not self.read or self.last_read is not None:
            before = self.last_read.audit.remote_access.get(kind) if self.last_read else None
            return last_known_text(self.last_read, before.enabled if before else None)
        return None

    @property
    def matrix(self) -> list[MatrixRow]:
        rows = []
        for info in FEATURES:
            verdict = self.audit.features.get(info.id, FeatureVerdict())
            on = tuple(ch for ch, per in sorted(self.audit.channels.items())
                       if (v := per.get(info.id)) is not None and v.enabled is True)
            rows.append(MatrixRow(info, verdict, on))
        return rows

    def supported(self, kind: str) -> bool | None:
        """Whether the firmware has this remote-access service (None: it did not say)."""
        v = self.audit.remote_access.get(kind)
        return v.supported if v else None

    @property
    def flow_lines(self) -> list[FlowLine]:
        """Every data flow, those that are on first, then unknown, then off."""
        order = {True: 0, None: 1, False: 2}
        lines = [FlowLine(f.kind, DATA_FLOW_KINDS.get(f.kind, f.kind), f.destination, f.enabled,
                          f.detail + (f" (channel {f.channel})" if f.channel is not None else ""), tuple(f.evidence))
                 for f in self.audit.data_flows]
        return sorted(lines, key=lambda line: order[line.enabled])

    @property
    def remote_rows(self) -> list[tuple[str, str, bool | None, str | None, list[str]]]:
        """(kind, description, enabled, destination, evidence) for every remote-access kind."""
        out = []
        for kind, description in REMOTE_ACCESS.items():
            v = self.audit.remote_access.get(kind)
            out.append((kind, description, v.enabled if v else None, v.destination if v else None,
                        list(v.evidence) if v else []))
        return out


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
