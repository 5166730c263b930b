"""An egress analysis recorded straight through sqlite3, without importing SQLAlchemy or SQLModel.

Why it exists: `camaudit egress analyze` is measured against a bare tshark pass over the same file
(issue 14: the whole CLI, store included, at most 0.2x of it). Importing SQLAlchemy, SQLModel and
the table classes costs ~0.45 s of CPU on the CLI's critical path, more than tshark's own work on the
frames the pre-filter keeps. So when the store is an SQLite file already at this camaudit's head
revision (every analysis after the first), the CLI reads and writes through this module instead:
the same reads as `models.egress.reads.get_latest_settings` and `models.egress.store.link_devices`,
the same rows as `record_egress_run`, the report read back as `get_egress_report` reads it.
Anything else (a new file, an older revision, PostgreSQL) returns None from `open_direct` and the
caller opens the store as usual, which migrates, creates or refuses it with its own messages.

`COLUMNS` names every column this module writes or reads, with how SQLAlchemy stores it in SQLite
(UTCDateTime as naive UTC text, JSON as `json.dumps` text, booleans as 0/1).
tests/store/test_egress_direct.py checks it against the SQLModel tables (a new column fails there)
and records the same analyses both ways, comparing every row and every report.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from models.audit import DataFlow, Finding, RemoteAccessVerdict
from models.egress.values import (
    DESTINATION_COLUMNS,
    LOOKUP_COLUMNS,
    DeviceSettings,
    EgressCapture,
    EgressDestination,
    EgressDevice,
    EgressLookup,
    EgressReport,
    device_label,
)
from models.errors import StoreUnavailable
from models.identity import normalise_mac
from models.location import PgLocation, is_url
from models.revisions import single_head
from models.sqlite_failure import BUSY_TIMEOUT_S, describe_failure

TIME, JSON, BOOL = "time", "json", "bool"       # how a column is stored; None: as it is
_CHUNK = 500                                     # ids or addresses per IN (...), as models.store reads

_DESTINATION_KINDS = {"names": JSON, "sni": JSON, "http_host": JSON, "first_seen": TIME, "last_seen": TIME}
_LOOKUP_KINDS = {"answers": JSON, "led_to_connection": BOOL, "first_seen": TIME, "last_seen": TIME}
COLUMNS: dict[str, dict[str, str | None]] = {
    # written whole (every column but the id)
    "egress_run": {"site": None, "kind": None, "source": None, "started": TIME, "finished": TIME, "complete": BOOL,
                   "capture_started": TIME, "capture_ended": TIME, "packets": None, "bytes": None, "partial": BOOL,
                   "problems": JSON, "site_networks": JSON, "allow_list": None, "device_count": None,
                   "finding_count": None, "geo_data": None},
    "egress_device": {"run_id": None, "device_id": None, "address": None, "mac": None, "internal_packets": None,
                      "internal_bytes": None, "finding_count": None, "linked_by": None},
    "egress_flow": {"egress_device_id": None, **{c: _DESTINATION_KINDS.get(c) for c in DESTINATION_COLUMNS}},
    "egress_dns": {"egress_device_id": None, **{c: _LOOKUP_KINDS.get(c) for c in LOOKUP_COLUMNS}},
    "egress_finding": {"egress_device_id": None, "position": None, "finding": None, "severity": None, "title": None,
                       "evidence": JSON, "recommendation": None},
    # only read
    "device": {"site": None, "mac": None, "last_seen": TIME, "name": None, "model": None, "address": None},
    "device_snapshot": {"device_id": None, "address": None, "data_flows": JSON},
    "remote_access_record": {"snapshot_id": None, "kind": None, "supported": BOOL, "enabled": BOOL,
                             "destination": None, "evidence": JSON},
}
WRITTEN = ("egress_run", "egress_device", "egress_flow", "egress_dns", "egress_finding")


def open_direct(location: str | Path | PgLocation) -> DirectStore | None:
    """The SQLite file at `location` opened for a direct write, or None when the store must be opened
    as usual: a PostgreSQL URL, no file yet, not at the head revision, not in WAL mode, or anything
    sqlite3 cannot read (the usual opener then says what is wrong with it)."""
    if isinstance(location, PgLocation) or (isinstance(location, str) and is_url(location)):
        return None
    path = Path(location).expanduser().absolute()
    head = single_head()
    if head is None or not path.is_file():
        return None
    try:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
    except sqlite3.Error:
        return None
    try:
        revision = conn.execute("SELECT version_num FROM alembic_version").fetchall()
        wal = conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        conn.execute("PRAGMA foreign_keys = ON")
    except sqlite3.Error:
        revision, wal = [], False
    if revision != [(head,)] or not wal:
        conn.close()
        return None
    return DirectStore(path, conn)


def _encode(kind: str | None, value: Any) -> Any:
    if value is None:
        return None
    if kind == TIME:
        if value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: camaudit stores timezone-aware UTC times only")
        utc = value.astimezone(dt.UTC)
        return f"{utc:%Y-%m-%d %H:%M:%S}.{utc.microsecond:06d}"
    if kind == JSON:
        return json.dumps(value)
    return int(value) if kind == BOOL else value


def _decode(kind: str | None, value: Any) -> Any:
    if value is None:
        return None
    if kind == TIME:
        return dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)
    if kind == JSON:
        return json.loads(value)
    return bool(value) if kind == BOOL else value


def _select(table: str, columns: Sequence[str]) -> str:
    return f"SELECT {', '.join(columns)} FROM {table}"  # noqa: S608 - names from COLUMNS, never input


def _decoded(table: str, columns: Sequence[str], row: Sequence[Any]) -> dict[str, Any]:
    kinds = COLUMNS[table]
    return {c: _decode(kinds[c], v) for c, v in zip(columns, row, strict=True)}


def _chunks(values: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start:start + _CHUNK]


def _marks(values: Sequence[Any]) -> str:
    return ", ".join("?" * len(values))


class DirectStore:
    """One SQLite connection; every failure leaves as `StoreUnavailable` with the store's own sentence."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self._conn = conn

    def __enter__(self) -> DirectStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._conn.close()

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.IntegrityError:
            raise                           # a bug in camaudit, not a problem with the file (as models.db)
        except (sqlite3.Error, OSError) as exc:
            raise StoreUnavailable(describe_failure(self.path, exc), path=self.path) from exc

    # ---- reads (models.store.list_runs, models.egress.reads.get_latest_settings) ---------------

    def audited(self) -> bool:
        """Whether the store holds any audit run (none: no per-device look-ups are worth making)."""
        with self._errors():
            return self._conn.execute("SELECT 1 FROM audit_run LIMIT 1").fetchone() is not None

    def latest_settings(self, *, address: str, mac: str | None, site: str) -> DeviceSettings | None:
        """The remote-access settings and data flows of the latest audit of `site`'s device with this
        MAC, else of the site's latest audit at this address (get_latest_settings' rule)."""
        latest = ("SELECT device_snapshot.id, device_snapshot.data_flows FROM device_snapshot "
                  "JOIN device ON device.id = device_snapshot.device_id WHERE {} AND device.site = ? "
                  "ORDER BY device_snapshot.id DESC LIMIT 1")
        normalised = normalise_mac(mac)
        with self._errors():
            found = None
            if normalised is not None:
                found = self._conn.execute(latest.format("device.mac = ?"), (normalised, site)).fetchone()
            if found is None:
                found = self._conn.execute(latest.format("device_snapshot.address = ?"), (address, site)).fetchone()
            if found is None:
                return None
            snapshot_id, flows = found
            columns = ("kind", "supported", "enabled", "destination", "evidence")
            remote = [_decoded("remote_access_record", columns, row) for row in self._conn.execute(
                _select("remote_access_record", columns) + " WHERE snapshot_id = ? ORDER BY id", (snapshot_id,))]
        return DeviceSettings(
            remote_access={r["kind"]: RemoteAccessVerdict(enabled=r["enabled"], destination=r["destination"],
                                                          evidence=list(r["evidence"]), supported=r["supported"])
                           for r in remote},
            data_flows=[DataFlow.from_json(flow) for flow in _decode(JSON, flows) or []])

    def _link(self, site: str, sources: list[tuple[str, str | None]]) -> list[tuple[int | None, str | None]]:
        """models.egress.store.link_devices: by MAC (the device seen last), else by the address of
        the site's latest audit there; two queries per 500 sources."""
        macs = sorted({normalise_mac(mac) for _, mac in sources} - {None})  # type: ignore[type-var]
        by_mac: dict[str, int] = {}
        for chunk in _chunks(macs):
            for device_id, mac in self._conn.execute(
                    f"SELECT id, mac FROM device WHERE site = ? AND mac IN ({_marks(chunk)}) "  # noqa: S608 - marks
                    f"ORDER BY last_seen DESC, id DESC", (site, *chunk)):
                by_mac.setdefault(mac, device_id)
        addresses = sorted({address for address, mac in sources if normalise_mac(mac) not in by_mac})
        by_address: dict[str, int] = {}
        for chunk in _chunks(addresses):
            by_address.update(self._conn.execute(
                "SELECT address, device_id FROM device_snapshot WHERE id IN ("  # noqa: S608 - only ? marks
                "SELECT max(device_snapshot.id) FROM device_snapshot JOIN device ON device.id = "
                f"device_snapshot.device_id WHERE device.site = ? AND device_snapshot.address IN ({_marks(chunk)}) "
                "GROUP BY device_snapshot.address)", (site, *chunk)).fetchall())
        found: list[tuple[int | None, str | None]] = []
        for address, mac in sources:
            normalised = normalise_mac(mac)
            if normalised in by_mac:
                found.append((by_mac[normalised], "mac"))  # type: ignore[index]
            elif address in by_address:
                found.append((by_address[address], "address"))
            else:
                found.append((None, None))
        return found

    # ---- the write (models.egress.store.record_egress_run) -------------------------------------

    def _insert(self, table: str, rows: list[dict[str, Any]]) -> int | None:
        """Rows of `table` (every written column); the last row's id."""
        kinds = COLUMNS[table]
        statement = f"INSERT INTO {table} ({', '.join(kinds)}) VALUES ({_marks(kinds)})"  # noqa: S608 - constants
        values = [tuple(_encode(kind, row[column]) for column, kind in kinds.items()) for row in rows]
        if len(values) == 1:
            return self._conn.execute(statement, values[0]).lastrowid
        self._conn.executemany(statement, values)
        return None

    def record_run(self, *, capture: EgressCapture, devices: list[EgressDevice], complete: bool,
                   allow_list: str | None = None, started: dt.datetime | None = None) -> EgressReport:
        """A finished analysis as one egress run of `capture.site`, in one transaction, read back."""
        now = dt.datetime.now(dt.UTC)
        with self._errors():
            self._conn.execute("BEGIN IMMEDIATE")      # the writers' lock at once, as models.db does
            try:
                run_id = self._write(capture, devices, complete, allow_list, started or now)
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            return self._report(run_id)

    def _write(self, capture: EgressCapture, devices: list[EgressDevice], complete: bool,
               allow_list: str | None, started: dt.datetime) -> int:
        unlinked = [d for d in devices if d.device_id is None]
        for device, (device_id, linked_by) in zip(
                unlinked, self._link(capture.site, [(d.address, d.mac) for d in unlinked]), strict=True):
            device.device_id, device.linked_by = device_id, linked_by
        run_id = self._insert("egress_run", [{
            "site": capture.site, "kind": capture.kind, "source": capture.source, "started": started,
            "finished": dt.datetime.now(dt.UTC), "complete": complete, "capture_started": capture.started,
            "capture_ended": capture.ended, "packets": capture.packets, "bytes": capture.bytes,
            "partial": capture.partial, "problems": list(capture.problems),
            "site_networks": list(capture.site_networks), "allow_list": allow_list, "device_count": len(devices),
            "finding_count": sum(len(d.findings) for d in devices), "geo_data": capture.geo_data}])
        assert run_id is not None
        flows: list[dict[str, Any]] = []
        dns: list[dict[str, Any]] = []
        finds: list[dict[str, Any]] = []
        for device in devices:
            row_id = self._insert("egress_device", [{
                "run_id": run_id, "device_id": device.device_id, "address": device.address, "mac": device.mac,
                "internal_packets": device.internal_packets, "internal_bytes": device.internal_bytes,
                "finding_count": len(device.findings), "linked_by": device.linked_by}])
            flows += ({"egress_device_id": row_id, **{c: getattr(d, c) for c in DESTINATION_COLUMNS}}
                      for d in device.destinations)
            dns += ({"egress_device_id": row_id, **{c: getattr(q, c) for c in LOOKUP_COLUMNS}}
                    for q in device.lookups)
            finds += ({"egress_device_id": row_id, "position": i, "finding": f.id, "severity": f.severity,
                       "title": f.title, "evidence": list(f.evidence), "recommendation": f.recommendation}
                      for i, f in enumerate(device.findings))
        for table, rows in (("egress_flow", flows), ("egress_dns", dns), ("egress_finding", finds)):
            if rows:
                self._insert(table, rows)
        return run_id

    # ---- reading it back (models.egress.store.get_egress_report) -------------------------------

    def _children(self, table: str, columns: Sequence[str], ids: list[int]) -> dict[int, list[dict[str, Any]]]:
        found: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
        for chunk in _chunks(ids):
            for row in self._conn.execute(
                    _select(table, ("egress_device_id", *columns)) +  # noqa: S608 - constants and ? marks
                    f" WHERE egress_device_id IN ({_marks(chunk)}) ORDER BY egress_device_id, id", chunk):
                found[row[0]].append(_decoded(table, columns, row[1:]))
        return found

    def _labels(self, device_ids: list[int]) -> dict[int, str]:
        found: dict[int, str] = {}
        for chunk in _chunks(device_ids):
            for device_id, name, model, address in self._conn.execute(
                    f"SELECT id, name, model, address FROM device WHERE id IN ({_marks(chunk)})", chunk):  # noqa: S608
                found[device_id] = device_label(name, model, address)
        return found

    def _report(self, run_id: int) -> EgressReport:
        columns = ("kind", "source", "packets", "bytes", "capture_started", "capture_ended", "partial", "problems",
                   "site_networks", "geo_data", "site")
        run = _decoded("egress_run", columns, self._conn.execute(
            _select("egress_run", columns) + " WHERE id = ?", (run_id,)).fetchone())
        capture = EgressCapture(kind=run["kind"], source=run["source"], packets=run["packets"], bytes=run["bytes"],
                                started=run["capture_started"], ended=run["capture_ended"], partial=run["partial"],
                                problems=list(run["problems"]), site_networks=list(run["site_networks"]),
                                geo_data=run["geo_data"], site=run["site"])
        columns = ("id", "address", "mac", "device_id", "linked_by", "internal_packets", "internal_bytes")
        rows = [dict(zip(columns, row, strict=True)) for row in self._conn.execute(
            _select("egress_device", columns) + " WHERE run_id = ? ORDER BY id", (run_id,))]
        ids = [r["id"] for r in rows]
        flows = self._children("egress_flow", DESTINATION_COLUMNS, ids)
        dns = self._children("egress_dns", LOOKUP_COLUMNS, ids)
        finding_columns = ("position", "finding", "severity", "title", "evidence", "recommendation")
        finds = self._children("egress_finding", finding_columns, ids)
        labels = self._labels(sorted({r["device_id"] for r in rows if r["device_id"] is not None}))
        devices = [EgressDevice(
            address=r["address"], mac=r["mac"], device_id=r["device_id"], linked_by=r["linked_by"],
            device_label=labels.get(r["device_id"]) if r["device_id"] is not None else None,
            internal_packets=r["internal_packets"], internal_bytes=r["internal_bytes"],
            destinations=[EgressDestination(**f) for f in flows[r["id"]]],
            lookups=[EgressLookup(**q) for q in dns[r["id"]]],
            findings=[Finding(id=f["finding"], severity=f["severity"], title=f["title"], evidence=list(f["evidence"]),
                              recommendation=f["recommendation"])
                      for f in sorted(finds[r["id"]], key=lambda f: f["position"])],
        ) for r in rows]
        return EgressReport(run_id=run_id, capture=capture, devices=devices)
