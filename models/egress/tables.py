"""The egress tables, shaped like the audit tables in `models.tables` (UTC times, JSON lists,
`XBase` / `X` / `XPublic`). `open_store` creates them with the audit tables (`models.schema`).
A run's devices cascade away with it; a device row keeps its flows, look-ups and findings.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, BigInteger, Index
from sqlmodel import Field, SQLModel

from models.tables import FindingRecordBase, UTCDateTime, site_field


class EgressRunBase(SQLModel):
    site: str = site_field()        # devices are linked within this site only (0005_egress_site)
    kind: str
    source: str
    started: dt.datetime = Field(sa_type=UTCDateTime, index=True)     # when the run began
    finished: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    complete: bool = False
    capture_started: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    capture_ended: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    packets: int = Field(default=0, sa_type=BigInteger)   # PostgreSQL INTEGER is 32-bit
    bytes: int = Field(default=0, sa_type=BigInteger)
    partial: bool = False
    problems: list[str] = Field(default_factory=list, sa_type=JSON)
    site_networks: list[str] = Field(default_factory=list, sa_type=JSON)
    allow_list: str | None = None
    device_count: int = 0
    finding_count: int = 0
    # Nullable so that models/schema.py adds them in place to files written before they existed.
    geo_data: str | None = None         # EgressCapture.geo_data: the offline data's name and date


class EgressRun(EgressRunBase, table=True):
    __tablename__ = "egress_run"

    id: int | None = Field(default=None, primary_key=True)


class EgressRunPublic(EgressRunBase):
    id: int


class EgressDeviceRecord(SQLModel, table=True):
    """One capture source (a site address) in one run, linked to an audited `Device` when known."""

    __tablename__ = "egress_device"
    __table_args__ = (Index("ix_egress_device_run", "run_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="egress_run.id", ondelete="CASCADE")
    device_id: int | None = Field(default=None, foreign_key="device.id", ondelete="SET NULL", index=True)
    address: str = Field(index=True)
    mac: str | None = None
    internal_packets: int | None = Field(default=None, sa_type=BigInteger)
    internal_bytes: int | None = Field(default=None, sa_type=BigInteger)
    finding_count: int = 0
    linked_by: str | None = None        # "mac" | "address" | None (not linked); nullable: added in place


class EgressFlow(SQLModel, table=True):
    """One external destination of one device in one run (`EgressDestination`)."""

    __tablename__ = "egress_flow"
    __table_args__ = (Index("ix_egress_flow_label", "label"),)

    id: int | None = Field(default=None, primary_key=True)
    egress_device_id: int = Field(foreign_key="egress_device.id", ondelete="CASCADE", index=True)
    address: str = Field(index=True)
    port: int
    transport: str
    label: str
    setting: str | None = None
    country: str | None = None
    names: list[str] = Field(default_factory=list, sa_type=JSON)
    sni: list[str] = Field(default_factory=list, sa_type=JSON)
    http_host: list[str] = Field(default_factory=list, sa_type=JSON)
    packets_out: int = Field(default=0, sa_type=BigInteger)   # PostgreSQL INTEGER is 32-bit
    packets_in: int = Field(default=0, sa_type=BigInteger)
    bytes_out: int = Field(default=0, sa_type=BigInteger)
    bytes_in: int = Field(default=0, sa_type=BigInteger)
    first_seen: dt.datetime = Field(sa_type=UTCDateTime)
    last_seen: dt.datetime = Field(sa_type=UTCDateTime)
    failed_attempts: int = 0
    syn_packets: int = 0
    geo_country: str | None = None      # nullable: added in place to older files
    network_owner: str | None = None


class EgressDnsRecord(SQLModel, table=True):
    """One DNS name one device looked up in one run (`EgressLookup`)."""

    __tablename__ = "egress_dns"

    id: int | None = Field(default=None, primary_key=True)
    egress_device_id: int = Field(foreign_key="egress_device.id", ondelete="CASCADE", index=True)
    name: str
    queries: int = 0
    responses: int = 0
    rcode: str | None = None
    answers: list[str] = Field(default_factory=list, sa_type=JSON)
    led_to_connection: bool = False
    first_seen: dt.datetime = Field(sa_type=UTCDateTime)
    last_seen: dt.datetime = Field(sa_type=UTCDateTime)


class EgressFindingRecord(FindingRecordBase, table=True):
    """An egress finding: the same columns as an audit finding, under its egress device."""

    __tablename__ = "egress_finding"

    id: int | None = Field(default=None, primary_key=True)
    egress_device_id: int = Field(foreign_key="egress_device.id", ondelete="CASCADE", index=True)


EGRESS_TABLES = (EgressRun, EgressDeviceRecord, EgressFlow, EgressDnsRecord, EgressFindingRecord)
