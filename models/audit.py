"""What an audit found about one device: plain values the orchestrator produces and the store
persists. `to_json()` is the `--json` contract of `camaudit audit` (keys are a contract:
add, never rename or remove).

Three-valued everywhere: True / False / None, where None means the device would not tell us.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from models.features import FEATURE_IDS, REMOTE_ACCESS_IDS
from models.identity import DeviceIdentity


@dataclass
class FeatureVerdict:
    supported: bool | None = None
    enabled: bool | None = None
    evidence: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"supported": self.supported, "enabled": self.enabled, "evidence": list(self.evidence)}


@dataclass
class RemoteAccessVerdict:
    """Same three states as analytics: the firmware has the service (supported) and it is on (enabled)."""

    enabled: bool | None = None
    destination: str | None = None
    evidence: list[str] = field(default_factory=list)
    supported: bool | None = None

    def to_json(self) -> dict[str, Any]:
        return {"supported": self.supported, "enabled": self.enabled, "destination": self.destination,
                "evidence": list(self.evidence)}


# Where a device's configuration says data leaves it, besides the remote-access services.
DATA_FLOW_KINDS: dict[str, str] = {
    "http_push": "Alarm or picture push to an HTTP(S) server",
    "nas": "Recording to network storage (NFS, SMB/CIFS, iSCSI)",
    "cloud_storage": "Recording or pictures to cloud storage",
    "audio_recording": "Audio recorded with the video (a microphone in use)",
}


@dataclass
class DataFlow:
    """One configured data flow (DATA_FLOW_KINDS); enabled None = configured but state not said."""

    kind: str
    enabled: bool | None = None
    destination: str | None = None
    detail: str = ""
    channel: int | None = None
    evidence: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "enabled": self.enabled, "destination": self.destination,
                "detail": self.detail, "channel": self.channel, "evidence": list(self.evidence)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DataFlow:
        return cls(kind=data["kind"], enabled=data.get("enabled"), destination=data.get("destination"),
                   detail=data.get("detail", ""), channel=data.get("channel"),
                   evidence=list(data.get("evidence", [])))


# Per protocol family: was it probed with the device's API, and if not, why not.
PROTOCOL_STATES = ("probed", "not-tried", "failed")


@dataclass
class ProtocolStatus:
    state: str              # PROTOCOL_STATES
    reason: str = ""        # 'realm "IP Camera(12345678)"', "/cgi-bin/ answered 404"

    def to_json(self) -> dict[str, Any]:
        return {"state": self.state, "reason": self.reason}

    def __str__(self) -> str:
        return f"{self.state}: {self.reason}" if self.reason else self.state


@dataclass
class Finding:
    id: str                 # stable kebab-case id, e.g. "face-capture-enabled"
    severity: str           # critical | high | medium | low | info
    title: str             # one sentence a DPO can act on
    evidence: list[str] = field(default_factory=list)
    recommendation: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "severity": self.severity, "title": self.title,
                "evidence": list(self.evidence), "recommendation": self.recommendation}


@dataclass
class ProbeRecord:
    """How one probe went, so a report can say what was checked and what could not be."""

    probe: str              # probe id, e.g. "isapi.smart-events"
    outcome: str            # ok | unsupported | auth-failed | locked | error | skipped
    reason: str = ""
    duration_ms: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"probe": self.probe, "outcome": self.outcome, "reason": self.reason,
                "duration_ms": self.duration_ms}


def empty_features() -> dict[str, FeatureVerdict]:
    return {fid: FeatureVerdict() for fid in FEATURE_IDS}


def empty_remote_access() -> dict[str, RemoteAccessVerdict]:
    return {rid: RemoteAccessVerdict() for rid in REMOTE_ACCESS_IDS}


@dataclass
class DeviceAudit:
    """One device as one audit found it; built once, at the end of the per-device audit (auditor/run)."""

    address: str
    port: int
    reachable: bool = False
    auth: str | None = None          # ok | failed | not-required | locked | None
    identity: DeviceIdentity = field(default_factory=DeviceIdentity)
    protocols: list[str] = field(default_factory=list)
    features: dict[str, FeatureVerdict] = field(default_factory=empty_features)
    channels: dict[int, dict[str, FeatureVerdict]] = field(default_factory=dict)
    remote_access: dict[str, RemoteAccessVerdict] = field(default_factory=empty_remote_access)
    data_flows: list[DataFlow] = field(default_factory=list)
    protocol_status: dict[str, ProtocolStatus] = field(default_factory=dict)   # isapi | dahua_cgi | onvif
    services: dict[str, Any] = field(default_factory=dict)   # telnet/ssh state, open ports, no-auth protocols
    findings: list[Finding] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    probes: list[ProbeRecord] = field(default_factory=list)
    started: dt.datetime | None = None
    finished: dt.datetime | None = None

    # The identity's fields read straight off the audit (`audit.model`), so callers need not care
    # that identity is one value; change it with `dataclasses.replace(audit.identity, ...)`.
    @property
    def brand(self) -> str | None:
        return self.identity.brand

    @property
    def manufacturer(self) -> str | None:
        return self.identity.manufacturer

    @property
    def oem(self) -> bool | None:
        return self.identity.oem

    @property
    def model(self) -> str | None:
        return self.identity.model

    @property
    def device_type(self) -> str | None:
        return self.identity.device_type

    @property
    def firmware(self) -> str | None:
        return self.identity.firmware

    @property
    def firmware_date(self) -> dt.date | None:
        return self.identity.firmware_date

    @property
    def serial(self) -> str | None:
        return self.identity.serial

    @property
    def mac(self) -> str | None:
        return self.identity.mac

    @property
    def name(self) -> str | None:
        return self.identity.name

    @property
    def identity_evidence(self) -> list[str]:
        return list(self.identity.evidence)

    def to_json(self) -> dict[str, Any]:
        return {
            "address": self.address, "port": self.port, "reachable": self.reachable, "auth": self.auth,
            **self.identity.to_json(), "protocols": list(self.protocols),
            "identity_evidence": list(self.identity_evidence),
            "features": {fid: self.features[fid].to_json() for fid in FEATURE_IDS},
            "channels": {str(ch): {fid: v.to_json() for fid, v in verdicts.items()}
                         for ch, verdicts in sorted(self.channels.items())},
            "remote_access": {rid: self.remote_access[rid].to_json() for rid in REMOTE_ACCESS_IDS},
            "data_flows": [flow.to_json() for flow in self.data_flows],
            "protocol_status": {family: status.to_json() for family, status in sorted(self.protocol_status.items())},
            "services": dict(self.services),
            "findings": [f.to_json() for f in self.findings],
            "errors": list(self.errors),
            "probes": [p.to_json() for p in self.probes],
        }
