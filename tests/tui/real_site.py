"""A database filled by real audits of the simulated fleet, made deterministic for snapshots.

The two runs of tests/report/site.py (a profile change between them) are audited for real,
through discovery, probes, classification and the orchestrator, into a scratch database. Then
only what changes from one test session to the next is pinned before the audits are recorded
again into the snapshot database: the loopback addresses (random per session) become
10.20.0.11.. in bundled-profile order, as in the simulated site capture; ports the simulators had
to move (when not run as root) go back to the profile's; probe durations and times are fixed.
The site capture of the same profiles is then analysed by the real egress analysis (tshark) and
linked to the audited devices by MAC.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from auditor.run.egress import EgressOptions, store_result
from auditor.run.orchestrator import AuditOptions, run_audit
from auditor.run.scope import plan_targets
from device_simulators import Profile, bundled_profiles
from device_simulators.egress.site import write_site_capture
from device_simulators.runtime.device import RAW_TCP_SERVICES
from models.audit import DeviceAudit
from models.db import open_store
from models.store import record_device_audit, record_run_finished, record_run_started
from models.tables import RunOptions
from probes.egress import read_files
from tests.audit.helpers import credentials_for
from tests.conftest import start_on_free_subnet
from tests.report.site import WRONG_PASSWORD, run1_profiles, run2_profiles
from tests.tui.builders import frozen_store_clock

RUNS = (dt.datetime(2026, 10, 21, 9, 30, tzinfo=dt.UTC), dt.datetime(2026, 11, 21, 9, 30, tzinfo=dt.UTC))
ORDER = [p.id for p in bundled_profiles()]


def fixed_address(profile_id: str) -> str:
    return f"10.20.0.{11 + ORDER.index(profile_id)}"


def _scrub(value: Any, swap: dict[str, str], ports: dict[int, int]) -> Any:
    """`value` with every address and moved port replaced, recursively through the audit's values."""
    if isinstance(value, str):
        for old, new in swap.items():
            value = value.replace(old, new)
        return value
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return ports.get(value, value)
    if isinstance(value, list):
        return [_scrub(v, swap, ports) for v in value]
    if isinstance(value, tuple):   # a DeviceIdentity's evidence
        return tuple(_scrub(v, swap, ports) for v in value)
    if isinstance(value, dict):
        return {_scrub(k, swap, ports): _scrub(v, swap, ports) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _scrub(getattr(value, f.name), swap, ports) for f in dataclasses.fields(value)
                   if f.name not in ("started", "finished", "duration_ms")}
        return dataclasses.replace(value, **changes)
    return value


def _pinned(audit: DeviceAudit, device: Any, when: dt.datetime) -> DeviceAudit:
    profile: Profile = device.profile
    services = profile.services
    wanted = {"http": services.http, "https": services.https or 443,
              **{name: getattr(services, name) for name in RAW_TCP_SERVICES}}
    ports = {actual: wanted[name] for name, actual in device.ports.items()
             if wanted.get(name) and actual != wanted[name]}
    swap = {device.address: fixed_address(profile.id)}
    swap |= {f":{actual}": f":{port}" for actual, port in ports.items()}
    pinned = _scrub(audit, swap, ports)
    probes = [dataclasses.replace(p, duration_ms=None) for p in pinned.probes]
    return dataclasses.replace(pinned, probes=probes, started=when, finished=when + dt.timedelta(seconds=4))


def _audit(profiles: list[Profile], wrong: set[str], scratch: Path, when: dt.datetime) -> list[DeviceAudit]:
    fleet = start_on_free_subnet(profiles)
    try:
        scope = [d.address for d in fleet]
        with open_store(scratch) as store:
            outcome = run_audit(store, plan_targets(scope), credentials_for(fleet, wrong=wrong), scope=scope,
                                options=AuditOptions(concurrency=8))
        assert outcome.complete
        by_address = {d.address: d for d in fleet}
        audits = [_pinned(a, by_address[a.address], when) for a in outcome.devices]
    finally:
        fleet.stop()
    return sorted(audits, key=lambda a: int(a.address.rsplit(".", 1)[1]))


def build_real_site_db(path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two real audits (run 1, run 2 a month later) and one real egress analysis, all pinned."""
    scratch = path.with_name("scratch.db")
    runs = [_audit(run1_profiles(), set(), scratch, RUNS[0]),
            _audit(run2_profiles(), {WRONG_PASSWORD}, scratch, RUNS[1])]
    for when, audits in zip(RUNS, runs, strict=True):
        with frozen_store_clock(monkeypatch, when + dt.timedelta(minutes=1)), open_store(path) as store:
            run_id = record_run_started(store, targets=["10.20.0.0/24"], started=when, camaudit_version="0.1.0",
                                        options=RunOptions(concurrency=8, timeout_s=6.0, target_count=len(audits)))
            for audit in audits:
                record_device_audit(store, run_id=run_id, audit=audit)
            record_run_finished(store, run_id=run_id, complete=True, finished=when + dt.timedelta(minutes=2))
    monkeypatch.chdir(path.parent)      # the egress run records the capture as given: "site.pcap"
    write_site_capture("site.pcap", bundled_profiles(), packets=6_000, seed=7)
    options = EgressOptions()
    with open_store(path) as store:   # what analyze_files does, with the run's start time pinned
        store_result(store, read_files(["site.pcap"], options.site), options, started=RUNS[1] + dt.timedelta(hours=1))
    return path
