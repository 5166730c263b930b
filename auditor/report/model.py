"""The report as plain data: what every renderer (HTML, Markdown, JSON, CSV) shows.

The builder (`auditor.report.build`) fills it from the store; renderers only format it, so the
four formats cannot disagree. Three-valued verdicts stay three-valued: None is "unknown"
(the device would not tell us), never "no".
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from models.audit import DeviceAudit, Finding
from models.drift import Drift
from models.egress.values import EgressDestination as Destination  # noqa: F401 - the report's name for it
from models.features import tri_state_text
from models.views import DataFlowRow  # noqa: F401 - the report's name for a shared row


def tri(value: bool | None) -> str:
    """How every format writes a three-valued verdict: yes / no / unknown."""
    return tri_state_text(value)


@dataclass(frozen=True)
class Count:
    """`count` of `total` devices, with the percentage a DPO quotes."""

    count: int
    total: int

    @property
    def percent(self) -> int | None:
        """Whole percent, halves rounded up (None when there is nothing to divide by)."""
        return None if self.total == 0 else (self.count * 200 + self.total) // (self.total * 2)

    def text(self) -> str:
        pct = "-" if self.percent is None else f"{self.percent}%"
        return f"{self.count} of {self.total} ({pct})"

    def of(self, noun: str) -> str:
        """In a sentence: "3 of 9 devices (33%)"."""
        pct = "" if self.percent is None else f" ({self.percent}%)"
        return f"{self.count} of {self.total} {noun}{pct}"

    def to_json(self) -> dict[str, Any]:
        return {"count": self.count, "total": self.total, "percent": self.percent}


# ---- scope and method -------------------------------------------------------------------------

@dataclass
class NotAudited:
    """A device that was recorded but could not be (fully) read, and why."""

    device_id: int
    address: str
    port: int
    label: str
    status: str                 # models.read_status: unreachable | login failed | locked | partly read
    reasons: list[str] = field(default_factory=list)


@dataclass
class ProbeTally:
    """How one probe went across the run: outcome -> number of devices."""

    probe: str
    outcomes: dict[str, int] = field(default_factory=dict)


@dataclass
class ScopeSection:
    run_id: int
    started: dt.datetime
    finished: dt.datetime | None
    complete: bool
    targets: list[str]
    camaudit_version: str            # the version that ran the audit
    report_version: str              # the version that wrote this report
    generated: dt.datetime
    options: dict[str, Any]
    targets_planned: int | None      # addresses the run set out to audit
    devices: int
    reachable: int
    fully_read: int                  # reachable, logged in (or no login needed), no probe errors
    not_audited: list[NotAudited] = field(default_factory=list)   # unreachable, login failed, locked
    partial: list[NotAudited] = field(default_factory=list)       # read, but some probes failed
    probes: list[ProbeTally] = field(default_factory=list)
    protocols: dict[str, int] = field(default_factory=dict)       # protocol -> devices speaking it
    previous_run_id: int | None = None
    advisory_data: str | None = None   # date of the advisory data in force when the report was written


# ---- executive summary ------------------------------------------------------------------------

@dataclass
class MakerRow:
    manufacturer: str                # "unknown" when fewer than two independent signals agreed
    devices: Count
    rebadged: int                    # sold under another brand
    sold_as: list[str] = field(default_factory=list)


@dataclass
class ClassRow:
    """One analytics class (a feature group): devices that support / run any feature of it."""

    group: str
    label: str
    features: list[str]
    supported: Count
    supported_unknown: Count         # no feature known supported, at least one unknown
    enabled: Count
    enabled_unknown: Count           # no feature known on, at least one unknown


@dataclass
class FeatureStat:
    feature: str
    label: str
    biometric: bool
    supported: Count
    enabled: Count
    enabled_unknown: Count


@dataclass
class RemoteStat:
    kind: str
    label: str
    enabled: Count
    unknown: Count


@dataclass
class Summary:
    devices: int
    reachable: Count
    logged_in: Count                 # auth ok or no login needed: settings could be read
    makers: list[MakerRow]
    rebadged: Count
    classes: list[ClassRow]
    features: list[FeatureStat]
    biometric_active: Count
    biometric_unknown: Count
    remote_enabled: Count            # any remote-access or upload setting on, NTP excluded
    remote_unknown: Count
    remote: list[RemoteStat]
    findings_by_severity: dict[str, int]
    devices_with_critical: Count
    egress_unknown: Count | None     # None: no egress analysis in this database
    egress_analysed: int = 0         # devices with egress results


# ---- per device -------------------------------------------------------------------------------

@dataclass
class FeatureCell:
    feature: str
    label: str
    group: str
    biometric: bool
    supported: bool | None
    enabled: bool | None
    evidence: list[str] = field(default_factory=list)
    last_known: str | None = None    # "on in run 3 (2026-11-20), not read now" when this audit could not read it
    supported_last_known: str | None = None   # "yes in run 3 (2026-11-20), not read now", for `supported`


@dataclass
class ChannelRow:
    """One NVR channel (or camera video source): features by state."""

    channel: int
    enabled: list[str] = field(default_factory=list)
    supported_off: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    not_supported: int = 0
    not_reported: int = 0            # features the device said nothing about for this channel


@dataclass
class RemoteRow:
    kind: str
    label: str
    enabled: bool | None
    destination: str | None
    evidence: list[str] = field(default_factory=list)
    supported: bool | None = None    # the firmware has the service (a capability flag or a readable setting)
    last_known: str | None = None    # as FeatureCell.last_known
    supported_last_known: str | None = None   # as FeatureCell.supported_last_known


@dataclass


@dataclass
class DeviceEgress:
    source: str                      # which egress run (capture) the destinations come from
    run_id: int
    destinations: list[Destination] = field(default_factory=list)   # one external destination each
    dns_queries: list[str] = field(default_factory=list)     # names looked up that led to no connection
    findings: list[Finding] = field(default_factory=list)    # from the egress analysis
    linked_by: str | None = None     # how the capture source was linked to this device: "mac" | "address"
    geo_data: str | None = None      # the offline data "registered in" and network owners come from, dated


@dataclass
class DeviceSection:
    device_id: int
    anchor: str
    label: str                       # name and address, for headings
    status: str                      # models.read_status.READ_STATUSES
    audit: DeviceAudit
    features: list[FeatureCell]
    channels: list[ChannelRow]
    remote: list[RemoteRow]
    findings: list[Finding]
    egress: DeviceEgress | None      # None: no egress results for this device
    changes: list[str] = field(default_factory=list)   # this device's changes since the previous audit
    last_read: str | None = None     # "run 3 (2026-11-20)": when a device not fully read now was last read


# ---- the whole report -------------------------------------------------------------------------

@dataclass
class EgressStatus:
    available: bool
    note: str                        # what was analysed, or why there is nothing
    runs: list[int] = field(default_factory=list)   # egress runs the report used


@dataclass
class SiteLine:
    """One site of the organisation in the report summary: its latest complete run (else its latest)."""

    site: str
    run_id: int
    started: dt.datetime
    state: str
    devices: int
    reachable: int
    findings: int


@dataclass
class Report:
    title: str
    scope: ScopeSection
    summary: Summary
    devices: list[DeviceSection]
    egress: EgressStatus
    drift: Drift | None              # None: this is the first run in the database
    appendix: dict[str, Any]         # static explanatory text (auditor.report.appendix.APPENDIX)
    site: str = "default"            # the site of the run reported
    sites: list[SiteLine] = field(default_factory=list)   # every site, when the store holds several

    def to_json(self) -> dict[str, Any]:
        """The full data: every section, and each device's audit as `camaudit audit --json` writes it."""
        return {
            "title": self.title,
            "scope": _plain(self.scope),
            "summary": _plain(self.summary),
            "egress": _plain(self.egress),
            "devices": [dict(_plain(dataclasses.replace(d, audit=None)), audit=d.audit.to_json())  # type: ignore[arg-type]
                        for d in self.devices],
            "changes_since_previous": None if self.drift is None else self.drift.to_json(),
            "appendix": self.appendix,
            "site": self.site,
            "sites": [_plain(line) for line in self.sites],
        }


def _plain(value: Any) -> Any:
    """Dataclasses, dates and Counts as JSON-ready values."""
    if isinstance(value, Count):
        return value.to_json()
    if isinstance(value, Finding):
        return value.to_json()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value
