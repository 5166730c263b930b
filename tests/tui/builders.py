"""A database of realistic audits for TUI tests, recorded through `models.store` at fixed times.

Two runs of a small school site: run 1, then run 2 a day later in which the Hikvision camera's
face capture was switched on and its firmware upgraded, the Dahua NVR gained a face library,
a rebadged Dahua ("Honeywell") camera appeared and the car-park camera stopped answering.

Latest state (what the fleet screen shows): 6 devices; biometric on: 3 (Hikvision face capture,
Dahua NVR face recognition, Honeywell face detection); Hikvision/Dahua incl. OEM: 4 (with the
unreachable Hikvision); phones home: 2 (Hik-Connect, Dahua P2P); unreachable: 1.
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
from models.audit import (
    DeviceAudit,
    FeatureVerdict,
    Finding,
    RemoteAccessVerdict,
    empty_features,
    empty_remote_access,
)
from models.db import open_store
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
        audit, brand="Honeywell", manufacturer="Dahua", oem=True, model="HC30WB5R1", device_type="camera",
        firmware="V2.800.0000000.16.R", serial="6G0EA1BPAG00011", mac="e0:50:8b:aa:bb:01", name="Gate",
        identity_evidence=["getVendor: Honeywell", "Dahua CGI /cgi-bin/magicBox.cgi answered (Dahua behaviour)",
                           "MAC OUI e0:50:8b = Zhejiang Dahua Technology", "sold as Honeywell, made by Dahua"],
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
    return DeviceAudit(address=address, port=80, reachable=True, auth="ok", brand="Axis", manufacturer="Axis",
                       oem=False, model="P1455-LE", device_type="camera", firmware="10.12.182",
                       serial="ACCC8EF0A1B2", mac="ac:cc:8e:f0:a1:b2", name="Entrance counter",
                       protocols=["onvif"], identity_evidence=["ONVIF GetDeviceInformation: Manufacturer=AXIS"],
                       features=features, remote_access=remote)


def lost_camera(*, reachable: bool, address: str = "10.20.0.70") -> DeviceAudit:
    """A Hikvision camera in the car park that stopped answering before run 2."""
    if not reachable:
        return DeviceAudit(address=address, port=80, reachable=False, errors=["no answer on tcp/80, 443, 554, 8000"])
    audit = hik_face_camera(address=address, serial="DS-2CD2043G2-I20210101AAWRF9999", mac="44:19:b6:99:99:99")
    audit.features = empty_features()
    audit.remote_access = empty_remote_access()
    return dataclasses.replace(audit, model="DS-2CD2043G2-I", name="Car park", findings=[])


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


def build_school_db(path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Record run 1 and run 2 into `path` at fixed times and return the path."""
    with frozen_store_clock(monkeypatch, RUN1 + dt.timedelta(minutes=1)):
        _record(path, RUN1, run1_devices())
    with frozen_store_clock(monkeypatch, RUN2 + dt.timedelta(minutes=1)):
        _record(path, RUN2, run2_devices())
    return path
