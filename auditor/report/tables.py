"""CSV tables of a report, for spreadsheets: one table per file, chosen with `--table`.

    features      one row per device x feature (27 per device), the device roll-up
    devices       one row per device: the asset register (name, address, MAC, serial, model, firmware,
                  maker, sold as, status first)
    destinations  one row per device x external destination (header only without egress analysis)
    findings      one row per finding, with its recommended action
    remote_access one row per device x remote-access setting: supported, enabled, state, destination
    data_flows    one row per device x data flow (push host, network storage, cloud storage, audio)

Spreadsheets run cells that start with = + - @ as formulas; device strings are attacker-controlled,
so such cells get a leading apostrophe (OWASP's CSV injection advice).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator

from auditor.report.model import DeviceSection, Report, tri
from auditor.report.views import data_flow_rows, device_row, remote_state
from models.read_status import was_read

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_DEVICE = ["run_id", "device_id", "device_address", "device_port", "device_name"]


def inert(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _device(r: Report, d: DeviceSection) -> list[object]:
    return [r.scope.run_id, d.device_id, d.audit.address, d.audit.port, d.audit.name]


def _enabled(d: DeviceSection, value: bool | None) -> str:
    """A verdict of a device that could not be read is "not read", not "unknown" and never "no"."""
    return tri(value) if was_read(d.status) else "not read"


def _features(r: Report) -> Iterator[list[object]]:
    yield _DEVICE + ["sold_as", "made_by", "model", "status", "feature", "label", "class", "biometric",
                     "supported", "enabled", "evidence", "last_known", "supported_last_known"]
    for d in r.devices:
        for c in d.features:
            yield _device(r, d) + [d.audit.brand, d.audit.manufacturer, d.audit.model, d.status, c.feature, c.label,
                                   c.group, tri(c.biometric), tri(c.supported), _enabled(d, c.enabled),
                                   " | ".join(c.evidence), c.last_known, c.supported_last_known]


def _devices(r: Report) -> Iterator[list[object]]:
    """The asset register: who each device is first (name, address, MAC, serial, model, firmware, maker,
    brand sold as, status), then what the audit found on it."""
    yield ["device_name", "device_address", "device_port", "mac", "serial", "model", "firmware", "made_by", "sold_as",
           "status", "device_type", "firmware_date", "rebadged", "analytics_on", "biometric_on", "remote_access_on",
           "findings", "worst_finding", "last_read", "run_id", "device_id"]
    for d in r.devices:
        a, row = d.audit, device_row(d)
        yield [a.name, a.address, a.port, a.mac, a.serial, a.model, a.firmware, a.manufacturer, a.brand, d.status,
               a.device_type, a.firmware_date.isoformat() if a.firmware_date else None, tri(a.oem),
               row["analytics_on"], row["biometric_on"], row["remote_on"], len(d.findings), row["worst"], d.last_read,
               r.scope.run_id, d.device_id]


def _destinations(r: Report) -> Iterator[list[object]]:
    yield _DEVICE + ["egress_run", "destination", "port", "transport", "label", "setting", "names", "sni",
                     "http_host", "country", "packets_out", "packets_in", "bytes_out", "bytes_in", "first_seen",
                     "last_seen", "failed_attempts", "located_in", "registered_in", "network_owner", "geo_data",
                     "linked_by"]
    for d in r.devices:
        for x in d.egress.destinations if d.egress else []:
            yield _device(r, d) + [d.egress.run_id if d.egress else None, x.address, x.port, x.transport, x.label,
                                   x.setting, " ".join(x.names), " ".join(x.sni), " ".join(x.http_host),
                                   x.country, x.packets_out, x.packets_in, x.bytes_out, x.bytes_in,
                                   x.first_seen.isoformat() if x.first_seen else None,
                                   x.last_seen.isoformat() if x.last_seen else None, x.failed_attempts,
                                   x.located_in, x.registered_in, x.network_owner,
                                   d.egress.geo_data if d.egress else None,
                                   d.egress.linked_by if d.egress else None]


def _findings(r: Report) -> Iterator[list[object]]:
    yield _DEVICE + ["severity", "finding", "title", "recommendation", "evidence"]
    for d in r.devices:
        for f in d.findings:
            yield _device(r, d) + [f.severity, f.id, f.title, f.recommendation, " | ".join(f.evidence)]


def _remote_access(r: Report) -> Iterator[list[object]]:
    yield _DEVICE + ["setting", "label", "supported", "enabled", "state", "destination", "evidence", "last_known"]
    for d in r.devices:
        for x in d.remote:
            yield _device(r, d) + [x.kind, x.label, tri(x.supported), _enabled(d, x.enabled), remote_state(x),
                                   x.destination, " | ".join(x.evidence), x.last_known]


def _data_flows(r: Report) -> Iterator[list[object]]:
    yield _DEVICE + ["kind", "label", "destination", "enabled", "channel", "detail", "evidence"]
    for d in r.devices:
        for f in data_flow_rows(d):
            yield _device(r, d) + [f.kind, f.label, f.destination, tri(f.enabled), f.channel, f.detail,
                                   " | ".join(f.evidence)]


TABLES: dict[str, Callable[[Report], Iterator[list[object]]]] = {
    "features": _features, "devices": _devices, "destinations": _destinations, "findings": _findings,
    "remote_access": _remote_access, "data_flows": _data_flows}


def render_csv(r: Report, table: str = "features") -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in TABLES[table](r):
        writer.writerow([inert(v) for v in row])
    return out.getvalue()
