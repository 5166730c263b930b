"""Egress fixtures: one simulated site capture with its ground truth, analysed by the real
tshark into a real SQLite file; hand-built audits for the devices the findings need."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from device_simulators import bundled_profile, bundled_profiles
from device_simulators.egress.site import write_site_capture
from models.audit import DeviceAudit, RemoteAccessVerdict, empty_remote_access
from models.db import Store, open_store
from models.identity import DeviceIdentity
from models.store import record_device_audit, record_run_finished, record_run_started
from models.tables import RunOptions

PACKETS, CAMERAS, SEED = 20_000, len(bundled_profiles()) + 3, 7     # every profile plus fillers
T0 = dt.datetime(2026, 1, 4, 9, 0, tzinfo=dt.UTC)

needs_tshark = [pytest.mark.needs_tshark,
                pytest.mark.skipif(shutil.which("tshark") is None, reason="tshark is not installed")]


@dataclass(frozen=True)
class Site:
    pcap: Path
    truth: dict

    def device(self, device_id: str) -> dict:
        return next(d for d in self.truth["devices"] if d["id"] == device_id)


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """A 12-camera site capture: the bundled profiles plus three filler cameras (the airport)."""
    pcap = tmp_path_factory.mktemp("egress-site") / "site.pcap"
    _, truth_file = write_site_capture(pcap, bundled_profiles(), packets=PACKETS, cameras=CAMERAS, seed=SEED)
    return Site(pcap, json.loads(truth_file.read_text()))


def audit_of(profile_id: str, *, address: str, remote: dict[str, tuple[bool | None, str | None]],
             mac: str | None = "profile") -> DeviceAudit:
    """What an audit of the simulated device would record, built by hand: identity from the
    profile, remote-access verdicts as given ({setting: (enabled, destination)})."""
    profile = bundled_profile(profile_id)
    verdicts = empty_remote_access()
    for rid, (enabled, destination) in remote.items():
        verdicts[rid] = RemoteAccessVerdict(enabled, destination, [f"{rid} enabled={enabled}"])
    identity = DeviceIdentity(brand=profile.identity.brand, manufacturer=profile.identity.manufacturer,
                              model=profile.identity.model, device_type=profile.identity.device_type,
                              serial=profile.identity.serial, mac=profile.identity.mac if mac == "profile" else mac)
    return DeviceAudit(address=address, port=80, reachable=True, auth="ok", identity=identity, remote_access=verdicts,
                       started=T0, finished=T0)


def record_audits(store: Store, *audits: DeviceAudit, site: str = "default") -> list[int]:
    run = record_run_started(store, targets=[a.address for a in audits],
                             options=RunOptions(concurrency=1, timeout_s=5.0, target_count=len(audits)), started=T0,
                             site=site)
    ids = [record_device_audit(store, run_id=run, audit=a) for a in audits]
    record_run_finished(store, run_id=run, complete=True, finished=T0)
    return ids


@pytest.fixture
def store(tmp_path: Path):
    with open_store(tmp_path / "camaudit.db") as opened:
        yield opened
