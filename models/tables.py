"""The store's SQLModel tables and read models: `XBase` holds shared fields, `X(XBase, table=True)`
is the table, `XPublic`/`XSummary` are what list views get (no evidence, no JSON blobs).

Times are timezone-aware UTC in Python and naive UTC in SQLite (see `UTCDateTime`).
Three-valued verdicts stay three-valued: nullable booleans, NULL meaning "the device would not tell us".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import JSON, DateTime, Index, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlmodel import Field, SQLModel

from models.audit import Finding
from models.identity import DeviceIdentity, normalise_mac  # noqa: F401 - normalise_mac: defined there (light)
from models.location import DEFAULT_SITE  # noqa: F401 - defined there (light, for the CLI); used here

SCHEMA_VERSION = 2  # PRAGMA user_version of files under Alembic (models/migrations); 1 was the last before it


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Stores aware datetimes as naive UTC (SQLite has no time zones) and hands them back as UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: camaudit stores timezone-aware UTC times only")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        return None if value is None else value.replace(tzinfo=dt.UTC)


def require_aware(name: str, value: dt.datetime | None) -> None:
    """Refuse a naive time before it reaches a store function (every table keeps aware UTC times)."""
    if value is not None and value.utcoffset() is None:
        raise ValueError(f"{name} is a naive datetime; camaudit stores timezone-aware UTC times only")


@dataclass(frozen=True)
class RunOptions:
    """The only run options the store keeps: typed numbers and flags, so no secret can slip in."""

    concurrency: int
    timeout_s: float
    target_count: int
    retries: int = 0
    intrusive: bool = False
    egress_capture: bool = False
    intrusive_default_credentials: bool = False   # the `default-credentials` check ran (issue 16)
    advisory_data: int = 0                        # advisory data date in force at audit time, YYYYMMDD; 0 = none

    def __post_init__(self) -> None:
        for name, value in asdict(self).items():
            if not isinstance(value, int | float):   # bool is an int: flags pass, text never does
                raise TypeError(f"RunOptions.{name} must be a number or a flag, not {type(value).__name__}")

    def to_json(self) -> dict[str, Any]:
        return asdict(self)



def site_field() -> Any:
    """A run's or device's site name (models/migrations 0002_sites): indexed, "default" unless given."""
    return Field(default=DEFAULT_SITE, index=True, sa_column_kwargs={"server_default": DEFAULT_SITE})


def redact_target(target: str) -> str:
    """A target as typed, minus any user:password@ or query string, which may hold credentials."""
    scheme, sep, rest = target.partition("://")
    if not sep:
        scheme, rest = "", target
    host, slash, path = rest.partition("/")
    host = host.rsplit("@", 1)[-1]
    return f"{scheme}{sep}{host}{slash}{path.split('?', 1)[0].split('#', 1)[0]}"


# ---- runs -------------------------------------------------------------------------------------

class AuditRunBase(SQLModel):
    site: str = site_field()
    started: dt.datetime = Field(sa_type=UTCDateTime, index=True)
    finished: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    complete: bool = False   # True only via record_run_finished(complete=True); interrupted runs stay False
    targets: list[str] = Field(default_factory=list, sa_type=JSON)   # as given, with URL credentials removed
    camaudit_version: str
    options: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)  # RunOptions.to_json()
    device_count: int = 0
    reachable_count: int = 0
    finding_count: int = 0
    # Who runs it, and its last sign of life: a run whose process is gone reads as interrupted.
    pid: int | None = None
    host: str | None = None
    heartbeat: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)


class AuditRun(AuditRunBase, table=True):
    __tablename__ = "audit_run"

    id: int | None = Field(default=None, primary_key=True)


RUN_STATES = ("running", "complete", "interrupted")


class AuditRunPublic(AuditRunBase):
    """A run as list views see it. `state` is worked out when read (models.store.run_state): a run
    whose process died (SIGKILL, OOM, power) is "interrupted", and `finished` is then its last heartbeat."""

    id: int
    state: str = "running"


# ---- devices ----------------------------------------------------------------------------------

_PLACEHOLDER_SERIALS = frozenset({"unknown", "none", "null", "n/a", "na", "-", "default"})


def normalise_serial(serial: str | None) -> str | None:
    """Serial as an identity: trimmed; empty, all-zero and "unknown"-style placeholders count as missing."""
    if serial is None:
        return None
    text = serial.strip()
    if not text or set(text) <= {"0"} or text.lower() in _PLACEHOLDER_SERIALS:
        return None
    return text


class DeviceBase(SQLModel):
    """One physical device across runs. Identity rule (applied by `models.store`, in this order):

    1. same normalised serial, unless both sides know a MAC and the MACs differ;
    2. else same normalised MAC, unless both sides know a serial and the serials differ;
    3. else same address and port, unless a known serial or MAC contradicts;
    4. else a new device. Ties go to the device seen most recently.
    Devices are looked up within the run's site only: two sites may both use 192.168.1.x.

    A matched device gains a serial or MAC it lacked (a camera first audited without credentials
    is matched by address, then keeps its serial), and its address, port and labels follow the
    latest audit. Devices are never merged afterwards: if a serial turns up that another device
    already holds, the audit goes to that device and the address-only device keeps its old history.
    Devices that report no serial and no MAC and swap addresses (DHCP) are confused; nothing can tell.
    """

    site: str = site_field()                                # identity is looked up within the site only
    serial: str | None = Field(default=None, index=True)    # normalise_serial()
    mac: str | None = Field(default=None, index=True)       # normalise_mac()
    address: str                                            # where it was last audited
    port: int
    brand: str | None = None                                # latest known labels, for list views
    model: str | None = None
    name: str | None = None
    device_type: str | None = None
    first_seen: dt.datetime = Field(sa_type=UTCDateTime)    # first and last recorded snapshot
    last_seen: dt.datetime = Field(sa_type=UTCDateTime)


class Device(DeviceBase, table=True):
    __tablename__ = "device"
    __table_args__ = (Index("ix_device_address_port", "address", "port"),)

    id: int | None = Field(default=None, primary_key=True)


# ---- snapshots: one per device per run ---------------------------------------------------------

class DeviceSnapshotBase(SQLModel):
    """Every scalar of `DeviceAudit` as reported (its identity flattened, serial and MAC raw), plus
    finding counts for lists."""

    address: str = Field(index=True)
    port: int
    reachable: bool = False
    auth: str | None = None
    brand: str | None = None
    manufacturer: str | None = None
    oem: bool | None = None
    model: str | None = None
    device_type: str | None = None
    firmware: str | None = None
    firmware_date: dt.date | None = None
    serial: str | None = None
    mac: str | None = None
    name: str | None = None
    started: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    finished: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    finding_count: int = 0
    worst_severity: str | None = None


class DeviceSnapshot(DeviceSnapshotBase, table=True):
    __tablename__ = "device_snapshot"
    __table_args__ = (
        Index("ix_snapshot_run", "run_id", "id"),
        Index("ix_snapshot_device", "device_id", "id"),   # history and "latest per device"
    )

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="audit_run.id", ondelete="CASCADE")
    device_id: int = Field(foreign_key="device.id", ondelete="CASCADE")
    recorded: dt.datetime = Field(sa_type=UTCDateTime)
    protocols: list[str] = Field(default_factory=list, sa_type=JSON)
    identity_evidence: list[str] = Field(default_factory=list, sa_type=JSON)
    channels: list[int] = Field(default_factory=list, sa_type=JSON)   # keeps channels with no verdicts
    services: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    errors: list[str] = Field(default_factory=list, sa_type=JSON)
    probes: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)   # ProbeRecord.to_json()
    # Nullable: files written before they existed gain them empty (models/migrations, baseline).
    data_flows: list[dict[str, Any]] | None = Field(default=None, sa_type=JSON)   # DataFlow.to_json()
    protocol_status: dict[str, Any] | None = Field(default=None, sa_type=JSON)   # family -> ProtocolStatus.to_json()


def identity_columns(identity: DeviceIdentity) -> dict[str, Any]:
    """A `DeviceIdentity` as snapshot columns; `snapshot_identity` is the way back (the only two places)."""
    return {"brand": identity.brand, "manufacturer": identity.manufacturer, "oem": identity.oem,
            "model": identity.model, "device_type": identity.device_type, "firmware": identity.firmware,
            "firmware_date": identity.firmware_date, "serial": identity.serial, "mac": identity.mac,
            "name": identity.name, "identity_evidence": list(identity.evidence)}


def snapshot_identity(row: DeviceSnapshotBase, evidence: list[str] | None = None) -> DeviceIdentity:
    """The identity a snapshot (or its summary, which has no evidence column) recorded."""
    return DeviceIdentity(brand=row.brand, manufacturer=row.manufacturer, oem=row.oem, model=row.model,
                          device_type=row.device_type, firmware=row.firmware, firmware_date=row.firmware_date,
                          serial=row.serial, mac=row.mac, name=row.name, evidence=tuple(evidence or ()))


class SnapshotSummary(DeviceSnapshotBase):
    """A snapshot without evidence or JSON columns: cheap enough for 10,000 rows in the TUI."""

    id: int
    run_id: int
    device_id: int
    recorded: dt.datetime


class DeviceSummary(DeviceBase):
    """A device with its most recently recorded snapshot."""

    id: int
    latest: SnapshotSummary


# ---- per-snapshot verdicts -------------------------------------------------------------------

class FeatureRecord(SQLModel, table=True):
    """One feature verdict: channel NULL is the device roll-up, otherwise the channel number."""

    __tablename__ = "feature_record"
    __table_args__ = (Index("ix_feature_feature_enabled", "feature", "enabled"),)

    id: int | None = Field(default=None, primary_key=True)
    snapshot_id: int = Field(foreign_key="device_snapshot.id", ondelete="CASCADE", index=True)
    channel: int | None = None
    feature: str                    # models.features.FEATURE_IDS
    supported: bool | None = None
    enabled: bool | None = None
    evidence: list[str] = Field(default_factory=list, sa_type=JSON)


class RemoteAccessRecord(SQLModel, table=True):
    __tablename__ = "remote_access_record"
    __table_args__ = (Index("ix_remote_access_kind_enabled", "kind", "enabled"),
                      Index("ix_remote_access_record_snapshot_id_id", "snapshot_id", "id"))   # migration 0004

    id: int | None = Field(default=None, primary_key=True)
    snapshot_id: int = Field(foreign_key="device_snapshot.id", ondelete="CASCADE")
    kind: str                       # models.features.REMOTE_ACCESS_IDS
    supported: bool | None = None
    enabled: bool | None = None
    destination: str | None = None
    evidence: list[str] = Field(default_factory=list, sa_type=JSON)


class FindingRecordBase(SQLModel):
    """A stored `Finding`: the columns an audit finding and an egress finding share."""

    position: int                   # order within the audit's findings list
    finding: str = Field(index=True)    # Finding.id, e.g. "face-capture-enabled"
    severity: str
    title: str
    evidence: list[str] = Field(default_factory=list, sa_type=JSON)
    recommendation: str = ""

    @classmethod
    def columns_of(cls, finding: Finding, position: int) -> dict[str, Any]:
        """The shared columns of one finding at `position` (add the parent key to make a row)."""
        return {"position": position, "finding": finding.id, "severity": finding.severity, "title": finding.title,
                "evidence": list(finding.evidence), "recommendation": finding.recommendation}

    def to_finding(self) -> Finding:
        return Finding(id=self.finding, severity=self.severity, title=self.title, evidence=list(self.evidence),
                       recommendation=self.recommendation)


class FindingRecord(FindingRecordBase, table=True):
    __tablename__ = "finding_record"
    __table_args__ = (Index("ix_finding_record_snapshot_id_id", "snapshot_id", "id"),)   # migration 0004

    id: int | None = Field(default=None, primary_key=True)
    snapshot_id: int = Field(foreign_key="device_snapshot.id", ondelete="CASCADE")


TABLES = (AuditRun, Device, DeviceSnapshot, FeatureRecord, RemoteAccessRecord, FindingRecord)
