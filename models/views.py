"""What a stored device audit shows, as rows both the report (auditor/report) and the TUI (tui/data)
build their screens from, and a run's devices as drift takes them. Written once here so the two
cannot drift apart; each side keeps its own view classes, built from these values.

Three-valued verdicts stay three-valued: "unknown" (the device would not tell us) is never "no".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from models.audit import DATA_FLOW_KINDS, DeviceAudit, FeatureVerdict, RemoteAccessVerdict
from models.db import Store
from models.drift import RunState
from models.egress.values import EgressDestination
from models.features import FEATURES, REMOTE_ACCESS, FeatureInfo
from models.runs import get_run
from models.store import list_run_device_audits
from models.tables import AuditRunPublic

# ---- a run ------------------------------------------------------------------------------------


def run_state_of(run: AuditRunPublic, devices: Sequence[tuple[int, DeviceAudit]],
                 destinations: Mapping[int, Sequence[EgressDestination]] | None = None) -> RunState:
    """A run as `models.drift.compare_runs` takes it: audits keyed by store device id (of a device
    recorded twice in one run, the later in `devices` counts); `destinations` None = no egress analysis."""
    return RunState(run.id, run.started, dict(devices), destinations)


def get_run_state(store: Store, *, run_id: int) -> RunState | None:
    """A stored run's device audits keyed by device id (egress not compared); None if no such run.

    Snapshots and audits come from one read (models.store.list_run_device_audits), so each audit
    is paired with its own device even while the run is still recording.
    """
    run = get_run(store, run_id=run_id)
    return None if run is None else run_state_of(run, list_run_device_audits(store, run_id=run_id))


# ---- the feature matrix: device x feature -------------------------------------------------------

ON, SUPPORTED, UNKNOWN, NO = "on", "supported", "unknown", "no"
FEATURE_STATES = (ON, SUPPORTED, UNKNOWN, NO)   # SUPPORTED: the firmware has it and it is switched off


def feature_state(verdict: FeatureVerdict | None) -> str:
    """One verdict as one word: on; no (not supported); supported (and off); else unknown."""
    if verdict is None:
        return UNKNOWN
    if verdict.enabled is True:
        return ON
    if verdict.supported is False:
        return NO
    if verdict.supported is True and verdict.enabled is False:
        return SUPPORTED
    return UNKNOWN


@dataclass(frozen=True)
class FeatureRow:
    """One feature of one device: its device-wide verdict and the channels where it is on."""

    info: FeatureInfo
    verdict: FeatureVerdict
    channels_on: tuple[int, ...]      # NVR channels where it is enabled

    @property
    def state(self) -> str:
        return feature_state(self.verdict)


def feature_matrix(audit: DeviceAudit) -> list[FeatureRow]:
    """Every feature in taxonomy order; a feature the audit has no verdict for is all-unknown."""
    rows = []
    for info in FEATURES:
        on = tuple(ch for ch, per in sorted(audit.channels.items())
                   if (v := per.get(info.id)) is not None and v.enabled is True)
        rows.append(FeatureRow(info, audit.features.get(info.id) or FeatureVerdict(), on))
    return rows


def channel_states(verdicts: Mapping[str, FeatureVerdict]) -> list[tuple[FeatureInfo, str]]:
    """One channel's features that have a verdict, in taxonomy order, with their state."""
    return [(info, feature_state(verdicts[info.id])) for info in FEATURES if info.id in verdicts]


# ---- remote access ------------------------------------------------------------------------------

def remote_state(supported: bool | None, enabled: bool | None) -> str:
    """A remote-access setting in words, keeping "supported, state unknown" apart from "off"."""
    if enabled is True:
        return "on"
    if enabled is False:
        return "not supported" if supported is False else "off"
    return "supported, state unknown" if supported is True else "unknown"


@dataclass(frozen=True)
class RemoteAccessRow:
    kind: str
    label: str
    supported: bool | None        # the firmware has the service (a capability flag or a readable setting)
    enabled: bool | None
    destination: str | None
    evidence: tuple[str, ...]

    @property
    def state(self) -> str:
        return remote_state(self.supported, self.enabled)


def remote_access_rows(audit: DeviceAudit) -> list[RemoteAccessRow]:
    """Every remote-access kind in models.features order; one the audit does not hold is all-unknown."""
    rows = []
    for kind, label in REMOTE_ACCESS.items():
        v = audit.remote_access.get(kind) or RemoteAccessVerdict()
        rows.append(RemoteAccessRow(kind, label, v.supported, v.enabled, v.destination, tuple(v.evidence)))
    return rows


# ---- where data goes --------------------------------------------------------------------------

@dataclass
class DataFlowRow:
    """One row of a device's "Where data goes" table (models.audit.DataFlow, for people)."""

    kind: str
    label: str
    destination: str | None
    enabled: bool | None
    detail: str
    channel: int | None
    evidence: list[str] = field(default_factory=list)


_FLOW_ORDER = {True: 0, None: 1, False: 2}


def data_flow_rows(audit: DeviceAudit) -> list[DataFlowRow]:
    """The device's data flows: those that are on first, then unknown, then off."""
    rows = [DataFlowRow(f.kind, DATA_FLOW_KINDS.get(f.kind, f.kind), f.destination, f.enabled,
                        f.detail + (f" (channel {f.channel})" if f.channel is not None else ""), f.channel,
                        list(f.evidence)) for f in audit.data_flows]
    return sorted(rows, key=lambda r: _FLOW_ORDER[r.enabled])
