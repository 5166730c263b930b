"""The values that flow through the probe stages, and the Probe interface.

discover -> Target; fingerprint -> Fingerprint; probe -> Observations. Probes report what the
device said in the vendor's own vocabulary (ISAPI event names, Dahua rule types, ONVIF types);
mapping those onto camaudit's feature ids is the auditor's job (auditor/judge/taxonomy.py), so no
probe can invent a verdict.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from probes.context import ProbeContext


@dataclass(frozen=True)
class Target:
    """One device to audit: where it answers and what discovery already learned."""

    address: str
    port: int = 80                       # HTTP port for ISAPI / CGI / ONVIF
    scheme: str = "http"
    https_port: int | None = None
    onvif_xaddr: str | None = None        # device_service URL from WS-Discovery
    found_by: tuple[str, ...] = ()        # ws_discovery, sadp, dhip, tcp-sweep, given
    open_ports: tuple[int, ...] = ()
    hints: tuple[IdentitySignal, ...] = ()   # what discovery replies said (SADP, DHIP, WS-D scopes)
    facts: tuple[Observation, ...] = ()      # non-identity facts from discovery (SADP Hik-Connect state)
    discovery_errors: tuple[str, ...] = ()   # why discovery could not probe this address, one sentence each

    @property
    def base_url(self) -> str:
        host = f"[{self.address}]" if ":" in self.address else self.address
        return f"{self.scheme}://{host}:{self.port}"


@dataclass(frozen=True)
class Evidence:
    """Where an observation came from, short enough for a report line."""

    protocol: str          # isapi | dahua_cgi | onvif | sadp | dhip | ws_discovery | http | oui
    source: str            # endpoint path, SOAP operation, or datagram type
    result: str = ""       # "HTTP 200", "SOAP fault ter:ActionNotSupported", "notSupport"
    excerpt: str = ""      # a few characters of the answer; secrets never included
    duration_ms: int | None = None

    def __str__(self) -> str:
        parts = [f"{self.protocol} {self.source}"]
        if self.result:
            parts.append(f"-> {self.result}")
        if self.excerpt:
            parts.append(f": {self.excerpt}")
        return " ".join(parts)


@dataclass(frozen=True)
class IdentitySignal:
    """One statement about who made the device, from one independent source."""

    field: str             # manufacturer | brand | model | firmware | firmware_date | serial | mac | device_type | name
    value: str
    # signal family: isapi | dahua_cgi | onvif | http-header | realm | sadp | dhip | ws_discovery | oui
    source: str
    evidence: Evidence


@dataclass(frozen=True)
class FeatureObservation:
    """A vendor-named analytics capability or setting, as the device reported it."""

    protocol: str          # isapi | dahua_cgi | onvif
    name: str              # vendor-native, e.g. "FaceDetect", "faceSnap.mask", "FaceDetection.Feature.Age"
    supported: bool | None
    enabled: bool | None
    evidence: Evidence
    channel: int | None = None
    # Where this analytic's events or pictures go when it fires, in camaudit words:
    # "ftp", "email", "platform" (ISUP/centre), "cloud", "record", "http". Empty = unknown or nowhere.
    sends_to: tuple[str, ...] = ()


@dataclass(frozen=True)
class Coverage:
    """The device answered a complete listing: what it does not list, it does not support.

    Example: ISAPI capability documents, Dahua getCaps, ONVIF GetSupportedRules. Without this,
    a feature nobody mentioned stays unknown (None), never "no".
    """

    protocol: str
    scope: str             # which listing, e.g. "isapi-capabilities", "dahua-caps", "onvif-rules"
    evidence: Evidence
    channel: int | None = None


@dataclass(frozen=True)
class RemoteAccessObservation:
    setting: str           # remote-access id: hik_connect isup dahua_p2p ddns upnp ntp email ftp auto_register
    enabled: bool | None
    destination: str | None
    evidence: Evidence
    # A capability flag (isSupportEZVIZ, SADP SupportHCPlatform) says the firmware HAS the service even
    # when its configuration cannot be read: supported, state unknown. None = the device did not say.
    supported: bool | None = None


@dataclass(frozen=True)
class DataFlowObservation:
    """A place the device is configured to send data to, read from its configuration.

    Alarm/picture push to HTTP(S) hosts, recordings on network storage (NFS, SMB, iSCSI) or cloud
    storage, a microphone recorded with the video. The destination never carries credentials.
    """

    kind: str              # http_push | nas | cloud_storage | audio_recording | ... (models/audit.py DATA_FLOW_KINDS)
    enabled: bool | None
    destination: str | None     # host[:port] or URL without user info; None when not set or not said
    evidence: Evidence
    channel: int | None = None
    detail: str = ""       # e.g. "NFS", "SMB/CIFS", "HTTPS, pictures", "stream 101"


@dataclass(frozen=True)
class ServiceObservation:
    """Device services that matter for security: telnet/SSH state, unauthenticated access."""

    service: str           # telnet | ssh | no-auth:<protocol> | https | platform
    state: str | bool | None
    evidence: Evidence


@dataclass(frozen=True)
class ChannelObservation:
    """An NVR channel: what camera sits behind it and whether it is online."""

    channel: int
    name: str | None
    online: bool | None
    source_address: str | None
    source_model: str | None
    evidence: Evidence


Observation = (IdentitySignal | FeatureObservation | Coverage | RemoteAccessObservation
               | ServiceObservation | ChannelObservation | DataFlowObservation)


@dataclass
class FamilyGate:
    """What the unauthenticated checks say about one API family (isapi | dahua_cgi | onvif).

    `proven`: an answer only that family gives; `absent`: a definite "no such thing" (a 404 where the
    device answers other paths); `ambiguous`: nothing either way (401 on every path, timeouts).
    `pointers` are the maker signals that point at the family (realm, Server header, SADP, OUI);
    only a pointed-at family is ever tried with a login.
    """

    state: str                      # proven | absent | ambiguous
    reason: str = ""                # the answer behind the state, one line
    pointers: list[str] = field(default_factory=list)


@dataclass
class Fingerprint:
    """Which protocol families answer, and the unauthenticated identity signals seen doing so."""

    protocols: set[str] = field(default_factory=set)    # isapi | dahua_cgi | onvif (+ discovery ones)
    signals: list[IdentitySignal] = field(default_factory=list)
    onvif_xaddr: str | None = None
    clock_offset: dt.timedelta | None = None           # device clock minus ours (ONVIF)
    notes: list[str] = field(default_factory=list)
    families: dict[str, FamilyGate] = field(default_factory=dict)   # isapi | dahua_cgi | onvif


class Probe(Protocol):
    """One capability check. Registered in probes/registry.py; defined in its own module."""

    id: str                 # protocol.capability, kebab case: "isapi.smart-events"
    protocol: str           # isapi | dahua_cgi | onvif
    intrusive: bool         # False for every probe camaudit ships; True would need an opt-in

    def run(self, ctx: ProbeContext) -> list[Observation]:
        """Read from the device and return what it said. Raises probes.errors.ProbeError."""
