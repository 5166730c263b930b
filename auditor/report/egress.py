"""The egress part of a report: external destinations per device, read from the store.

Egress results come from `camaudit egress analyze|watch` and are stored by `models.egress` in
egress runs of their own, not inside audit runs. Which egress results belong to audit run R:
those of egress runs that started before the next audit run started (any, if R is the latest);
per device, the latest such egress run that saw it. So a capture analysed after an audit is
part of that audit's evidence, and an older audit keeps the traffic evidence of its own time.

This module is the only place the report reads egress data. When the database holds no egress
run, every format says "no egress analysis in this database" and the summary's unknown-egress
figure is left out rather than shown as zero.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from auditor.report.model import Destination, DeviceEgress, EgressStatus
from models.audit import DeviceAudit
from models.db import Store
from models.egress.store import list_device_egress, list_egress_runs
from models.tables import AuditRunPublic

NO_EGRESS = ("No egress analysis in this database: camaudit has not watched this site's traffic, so the "
             "report cannot say which external servers the devices talk to. Run camaudit egress analyze "
             "on a capture (or camaudit egress watch) and build the report again.")


def _destination(d: Any) -> Destination:
    return Destination(address=d.address, port=d.port, transport=d.transport, label=d.label,
                       names=list(d.names), sni=list(d.sni), http_host=list(getattr(d, "http_host", [])),
                       country=d.country, packets_out=d.packets_out, packets_in=d.packets_in,
                       bytes_out=d.bytes_out, bytes_in=d.bytes_in, first_seen=d.first_seen, last_seen=d.last_seen,
                       failed_attempts=d.failed_attempts, setting=getattr(d, "setting", None))


def _describe(run: Any) -> str:
    when = f", captured {run.capture_started:%Y-%m-%d %H:%M} to {run.capture_ended:%Y-%m-%d %H:%M} UTC" \
        if run.capture_started and run.capture_ended else ""
    partial = " (partial: the capture was damaged or stopped early)" if run.partial else ""
    return f"egress run {run.id} ({run.kind} capture {run.source}{when}){partial}"


def eligible_runs(egress_runs: Sequence[Any], next_audit: AuditRunPublic | None) -> list[Any]:
    """Egress runs that belong to an audit run whose successor is `next_audit` (newest first)."""
    if next_audit is None:
        return list(egress_runs)
    return [r for r in egress_runs if r.started < next_audit.started]


def load_egress(store: Store, *, run: AuditRunPublic, next_audit: AuditRunPublic | None,
                devices: Mapping[int, DeviceAudit]) -> tuple[EgressStatus, dict[int, DeviceEgress]]:
    """Egress results for `devices` (by store device id) as of `run`, and what they cover."""
    runs = {r.id: r for r in eligible_runs(list_egress_runs(store), next_audit)}
    if not runs:
        return EgressStatus(False, NO_EGRESS), {}
    found: dict[int, DeviceEgress] = {}
    for device_id in devices:
        seen = [(rid, d) for rid, d in list_device_egress(store, device_id=device_id) if rid in runs]
        if not seen:
            continue
        rid, device = max(seen, key=lambda pair: pair[0])
        found[device_id] = DeviceEgress(source=_describe(runs[rid]), run_id=rid,
                                        destinations=[_destination(d) for d in device.destinations],
                                        dns_queries=list(device.unused_lookups), findings=list(device.findings))
    used = sorted({e.run_id for e in found.values()} or runs, reverse=True)
    note = ("Egress results from " + "; ".join(_describe(runs[r]) for r in used) + ". Devices not seen in "
            "that traffic have no egress results: camaudit cannot say where they send data.")
    return EgressStatus(True, note, used), found
