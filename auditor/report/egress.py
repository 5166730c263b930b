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

from auditor.judge.egress.geo import GEO_ATTRIBUTION
from auditor.report.model import DeviceEgress, EgressStatus
from models.audit import DeviceAudit
from models.db import Store
from models.egress.reads import get_device_egress
from models.egress.store import list_egress_runs
from models.tables import AuditRunPublic

NO_EGRESS = ("No egress analysis in this database: camaudit has not watched this site's traffic, so the "
             "report cannot say which external servers the devices talk to. Run camaudit egress analyze "
             "on a capture (or camaudit egress watch) and build the report again.")


def _describe(run: Any) -> str:
    when = f", captured {run.capture_started:%Y-%m-%d %H:%M} to {run.capture_ended:%Y-%m-%d %H:%M} UTC" \
        if run.capture_started and run.capture_ended else ""
    partial = " (partial: the capture was damaged or stopped early)" if run.partial else ""
    geo = f"; where networks are registered and who runs them: {run.geo_data}" if run.geo_data else ""
    return f"egress run {run.id} ({run.kind} capture {run.source}{when}){partial}{geo}"


LINKED = {"mac": "; the capture source was linked to this device by its MAC address",
          "address": "; the capture source was linked to this device by its audit address (no MAC matched)"}


def _linked(how: str | None) -> str:
    return LINKED.get(how or "", "")


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
    before = None if next_audit is None else next_audit.started
    found: dict[int, DeviceEgress] = {}
    for device_id in devices:
        seen = get_device_egress(store, device_id=device_id, before=before)
        if seen is None:
            continue
        found[device_id] = DeviceEgress(source=_describe(seen.run) + _linked(seen.device.linked_by),
                                        run_id=seen.run.id, destinations=list(seen.device.destinations),
                                        dns_queries=list(seen.device.unused_lookups),
                                        findings=list(seen.device.findings), linked_by=seen.device.linked_by,
                                        geo_data=seen.run.geo_data)
    used = sorted({e.run_id for e in found.values()} or runs, reverse=True)
    attribution = f" {GEO_ATTRIBUTION}" if any(runs[r].geo_data for r in used) else ""
    note = ("Egress results from " + "; ".join(_describe(runs[r]) for r in used) + ". Devices not seen in "
            "that traffic have no egress results: camaudit cannot say where they send data." + attribution)
    return EgressStatus(True, note, used), found
