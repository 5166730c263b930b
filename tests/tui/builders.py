"""A database of realistic audits for TUI tests, recorded through `models.store` at fixed times.

Two runs of a small school site: run 1, then run 2 a day later in which the Hikvision camera's
face capture was switched on and its firmware upgraded, the Dahua NVR gained a face library,
a rebadged Dahua ("Honeywell") camera appeared and the car-park camera stopped answering.

An egress run (recorded through models.egress) then shows Hik-Connect and NTP traffic from the
Hikvision camera, Easy4IP from the NVR and two unknown destinations from the Honeywell camera.

Latest state (what the fleet screen shows): 6 devices; biometric on: 3 (Hikvision face capture,
Dahua NVR face recognition, Honeywell face detection); Hikvision/Dahua incl. OEM: 4 (with the
unreachable Hikvision); phones home: 3 (Hik-Connect and Dahua P2P settings; the Honeywell's
unknown destinations); unreachable: 1.
The snapshot tests use this database until tests/conftest.py provides one filled by a real audit
of the simulated fleet.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

import models.store
from auditor.judge.egress.findings import egress_findings
from models.audit import (
    DeviceAudit,
    FeatureVerdict,
    Finding,
    RemoteAccessVerdict,
    empty_features,
    empty_remote_access,
)
from models.db import open_store
from models.egress.store import record_egress_device, record_egress_run_finished, record_egress_run_started
from models.egress.values import EgressCapture, EgressDestination, EgressDevice
from models.identity import DeviceIdentity
from models.store import record_device_audit, record_run_finished, record_run_started
from models.tables import RunOptions
from tests.store.builders import dahua_nvr, hik_face_camera, unknown_device

NOW = dt.datetime(2026, 11, 21, 12, 0, tzinfo=dt.UTC)   # the app's clock in every TUI test
RUN1 = dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC)
RUN2 = dt.datetime(2026, 11, 21, 9, 30, tzinfo=dt.UTC)


@contextmanager
def frozen_store_clock(monkeypatch: pytest.MonkeyPatch, when: dt.datetime) -> Iterator[None]:
    """The store stamps snapshots with its own clock; pin it so screenshots never change."""
    with monkeypatch.context() as m:
        m.setattr(models.store, "_now", lambda: when)
        yield


def honeywell_oem(address: str = "10.20.0.12") -> DeviceAudit:
    """A camera sold as Honeywell that is a Dahua inside, with face detection on and P2P on."""
    audit = dahua_nvr(address=address)
    features = dict(audit.features)
    features["face_recognition"] = FeatureVerdict(False, None, ["getCaps: FaceRecognition absent"])
    features["face_detection"] = FeatureVerdict(True, True, ["VideoAnalyseRule[0][0].Type=FaceDetection Enable=true"])
    features["people_counting"] = FeatureVerdict(True, False, ["VideoAnalyseRule[0][1].Type=NumberStat Enable=false"])
    remote = dict(audit.remote_access)
    remote["dahua_p2p"] = RemoteAccessVerdict(False, None, ["T2UServer.Enable=false"])
    remote["email"] = RemoteAccessVerdict(True, "smtp.school.example", ["Email.Enable=true"])
    return dataclasses.replace(
        audit, identity=DeviceIdentity(
            brand="Honeywell", manufacturer="Dahua", oem=True, model="HC30WB5R1", device_type="camera",
            firmware="V2.800.0000000.16.R", serial="6G0EA1BPAG00011", mac="e0:50:8b:aa:bb:01", name="Gate",
            evidence=("getVendor: Honeywell", "Dahua CGI /cgi-bin/magicBox.cgi answered (Dahua behaviour)",
                      "MAC OUI e0:50:8b = Zhejiang Dahua Technology", "sold as Honeywell, made by Dahua")),
        features=features, channels={}, remote_access=remote, services={"telnet": False},
        findings=[Finding("face-detection-enabled", "medium", "Face detection is switched on.",
                          ["VideoAnalyseRule[0][0]"], "Check that a DPIA covers it."),
                  Finding("oem-rebadged", "info", "Sold as Honeywell, made by Dahua.", [], "")],
        errors=[])


def axis_counter(address: str = "10.20.0.60") -> DeviceAudit:
    """An Axis camera counting people at the entrance: analytics on, nothing biometric, no cloud."""
    features = empty_features()
    features["people_counting"] = FeatureVerdict(True, True, ["ONVIF GetAnalyticsModules: tt:ObjectCounting"])
    features["line_crossing"] = FeatureVerdict(True, True, ["ONVIF GetRules: tt:LineDetector"])
    for fid in ("face_detection", "face_capture", "face_recognition", "face_library", "age_gender",
                "face_attributes", "mask_detection", "emotion", "thermal_screening"):
        features[fid] = FeatureVerdict(False, False, ["ONVIF GetSupportedAnalyticsModules: not listed"])
    remote = empty_remote_access()
    remote["ntp"] = RemoteAccessVerdict(True, "10.20.0.1", ["GetNTP: 10.20.0.1"])
    identity = DeviceIdentity(brand="Axis", manufacturer="Axis", oem=False, model="P1455-LE", device_type="camera",
                              firmware="10.12.182", serial="ACCC8EF0A1B2", mac="ac:cc:8e:f0:a1:b2",
                              name="Entrance counter", evidence=("ONVIF GetDeviceInformation: Manufacturer=AXIS",))
    return DeviceAudit(address=address, port=80, reachable=True, auth="ok", identity=identity,
                       protocols=["onvif"], features=features, remote_access=remote)


def lost_camera(*, reachable: bool, address: str = "10.20.0.70") -> DeviceAudit:
    """A Hikvision camera in the car park that stopped answering before run 2."""
    if not reachable:
        return DeviceAudit(address=address, port=80, reachable=False, errors=["no answer on tcp/80, 443, 554, 8000"])
    audit = hik_face_camera(address=address, serial="DS-2CD2043G2-I20210101AAWRF9999", mac="44:19:b6:99:99:99")
    audit.features = empty_features()
    audit.remote_access = empty_remote_access()
    return dataclasses.replace(audit, identity=dataclasses.replace(audit.identity, model="DS-2CD2043G2-I",
                                                                   name="Car park"), findings=[])


def run1_devices() -> list[DeviceAudit]:
    hik = hik_face_camera(firmware="V5.5.0")
    hik.features["face_capture"] = FeatureVerdict(True, False, ["GET /ISAPI/Smart/FaceCapture/1 200: "
                                                                "<enabled>false</enabled>"])
    hik.findings = [f for f in hik.findings if f.id != "face-capture-enabled"]
    nvr = dahua_nvr()
    return [hik, nvr, unknown_device(), axis_counter(), lost_camera(reachable=True)]


def run2_devices() -> list[DeviceAudit]:
    nvr = dahua_nvr()
    nvr.features["face_library"] = FeatureVerdict(True, True, ["FaceLib: 2 groups, 312 faces"])
    return [hik_face_camera(), nvr, unknown_device(), honeywell_oem(), axis_counter(), lost_camera(reachable=False)]


def _record(store_path: Path, started: dt.datetime, devices: list[DeviceAudit]) -> int:
    with open_store(store_path) as store:
        run_id = record_run_started(store, targets=["10.20.0.0/24"], started=started, camaudit_version="0.1.0",
                                    options=RunOptions(concurrency=8, timeout_s=6.0, target_count=len(devices)))
        for audit in devices:
            record_device_audit(store, run_id=run_id, audit=audit)
        record_run_finished(store, run_id=run_id, complete=True, finished=started + dt.timedelta(minutes=2))
        return run_id


EGRESS_START = dt.datetime(2026, 11, 21, 10, 0, tzinfo=dt.UTC)


def _dest(address: str, port: int, label: str, country: str | None, name: str | None, *, transport: str = "tcp",
          setting: str | None = None, out: int = 4_200, failed: int = 0) -> EgressDestination:
    seen = EGRESS_START + dt.timedelta(minutes=5)
    return EgressDestination(address=address, port=port, transport=transport, label=label, country=country,
                             packets_out=out // 100, packets_in=out // 150, bytes_out=out, bytes_in=out // 2,
                             first_seen=seen, last_seen=seen + dt.timedelta(minutes=20), names=[name] if name else [],
                             failed_attempts=failed, setting=setting)


def egress_devices() -> list[EgressDevice]:
    """What a capture of the school site showed: Hik-Connect and NTP from the Hikvision camera,
    Easy4IP from the NVR, and an unnamed server in China from the rebadged Dahua camera."""
    return [
        EgressDevice("10.20.0.11", "44:19:b6:12:34:56", destinations=[
            _dest("52.29.10.14", 443, "vendor-cloud", "DE", "litedev.hik-connect.com", setting="hik_connect"),
            _dest("20.101.57.9", 123, "public-ntp", "NL", "time.windows.com", transport="udp", out=480)]),
        EgressDevice("10.20.0.50", "3c:ef:8c:01:02:03", destinations=[
            _dest("47.254.132.20", 8800, "vendor-cloud", "US", "www.easy4ipcloud.com", transport="udp",
                  setting="dahua_p2p", out=9_800)]),
        EgressDevice("10.20.0.12", "e0:50:8b:aa:bb:01", destinations=[
            _dest("118.184.176.13", 7000, "unknown", "CN", None, out=61_000, failed=3),
            _dest("40.99.10.34", 587, "unknown", "IE", "smtp.office365.com", out=15_300)]),
        EgressDevice("10.20.0.60", "ac:cc:8e:f0:a1:b2"),
    ]


def _record_egress(path: Path) -> int:
    with open_store(path) as store:
        run_id = record_egress_run_started(store, kind="file", source="school-2026-11-21.pcap",
                                           site_networks=["10.20.0.0/24"], started=EGRESS_START)
        audits = {a.address: a for a in run2_devices()}
        for device in egress_devices():   # findings from the real egress rules against the latest audit
            device.findings = egress_findings(device.destinations, audits.get(device.address), window="")
            record_egress_device(store, run_id=run_id, device=device)
        capture = EgressCapture(kind="file", source="school-2026-11-21.pcap", packets=48_210, bytes=31_700_000,
                                started=EGRESS_START, ended=EGRESS_START + dt.timedelta(minutes=30))
        record_egress_run_finished(store, run_id=run_id, capture=capture, complete=True,
                                   finished=EGRESS_START + dt.timedelta(minutes=31))
        return run_id


def build_school_db(path: Path, monkeypatch: pytest.MonkeyPatch, *, egress: bool = True) -> Path:
    """Record run 1, run 2 and (unless told not to) an egress run into `path` at fixed times."""
    with frozen_store_clock(monkeypatch, RUN1 + dt.timedelta(minutes=1)):
        _record(path, RUN1, run1_devices())
    with frozen_store_clock(monkeypatch, RUN2 + dt.timedelta(minutes=1)):
        _record(path, RUN2, run2_devices())
    if egress:
        _record_egress(path)
    return path
