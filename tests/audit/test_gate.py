"""The protocol gate against firmware that challenges every path (issue 9 items 1-3, issue 10).

Real Hikvision firmware answers 401 Digest to every path without a login; camaudit used to rule
ISAPI out there and report a face-recognition NVR as "no analytics". These tests run real audits
of the simulators (profiles 10 and 11 carry the `challenge_every_path` quirk) and prove from the
device request logs: the pointed-at family is opened with the one login, a family nobody pointed
at gets no login at all, wrong credentials cost at most one failed login per account per device
across ISAPI, CGI and ONVIF together, and without credentials nothing is ruled "no".
"""

from __future__ import annotations

import copy
from collections import Counter
from pathlib import Path

import pytest

from auditor.run.credentials import CredentialBook
from auditor.run.orchestrator import AuditOptions, run_audit
from auditor.run.scope import plan_targets
from device_simulators import Fleet, bundled_profile
from device_simulators.profile import parse_profile
from models.audit import DeviceAudit
from models.db import open_store
from models.features import FEATURE_IDS
from probes.base import Target
from probes.fingerprint import fingerprint
from probes.http import DeviceHttp
from probes.login import LoginState
from tests.audit.helpers import credentials_for

CHALLENGE_ALL = ("hik-face-nvr-challenge-all", "hik-ipc-challenge-all")


def audit(fleet: Fleet, db: Path, credentials: CredentialBook) -> dict[str, DeviceAudit]:
    scope = [d.address for d in fleet]
    with open_store(db) as store:
        outcome = run_audit(store, plan_targets(scope), credentials, scope=scope,
                            options=AuditOptions(concurrency=4))
    return {d.profile.id: next(a for a in outcome.devices if a.address == d.address) for d in fleet}


def variant(base: str, new_id: str, **changes) -> object:
    raw = copy.deepcopy(bundled_profile(base).raw)
    raw["id"] = new_id
    raw.update(changes)
    return parse_profile(raw, bundled_profile(base).path)


def logged_in(device, protocol: str) -> list:
    return device.log.entries(lambda e: e.protocol == protocol and e.auth == "ok" and e.user)


def test_unauthenticated_answers_leave_isapi_ambiguous_and_pointed_at(start_fleet):
    """The old gate ruled ISAPI out here; now the answer is 'ambiguous, and Hikvision points at it'."""
    fleet = start_fleet(*CHALLENGE_ALL)
    for device in fleet:
        http = DeviceHttp(device.url(), LoginState())
        try:
            fp = fingerprint(Target(device.address, device.ports["http"]), http)
        finally:
            http.close()
        gate = fp.families["isapi"]
        assert "isapi" not in fp.protocols
        assert gate.state == "ambiguous" and "every path" in gate.reason, gate
        realm = device.gate.realm
        assert f'realm "{realm}"' in gate.pointers, gate.pointers
        assert fp.families["dahua_cgi"].state == "ambiguous" and not fp.families["dahua_cgi"].pointers
        assert not [e for e in device.log if e.user or e.auth == "failed"]      # no login before the gate


def test_right_credentials_open_isapi_and_find_the_analytics(start_fleet, tmp_path):
    fleet = start_fleet(*CHALLENGE_ALL)
    audits = audit(fleet, tmp_path / "ok.db", credentials_for(fleet))
    for device in fleet:
        a = audits[device.profile.id]
        assert a.protocol_status["isapi"].state == "probed"
        assert "answered DeviceInfo with credentials" in a.protocol_status["isapi"].reason
        assert "realm" in a.protocol_status["isapi"].reason
        # The ISAPI probes ran logged in, well beyond the one confirming request.
        paths = {e.path.split("?")[0] for e in logged_in(device, "isapi")}
        assert "/ISAPI/System/deviceInfo" in paths and "/ISAPI/System/capabilities" in paths
        assert len(paths) >= 8, paths
        assert a.protocol_status["dahua_cgi"].state == "not-tried"
        assert not device.log.entries(lambda e: e.path.startswith("/cgi-bin/") and e.user)
    nvr = audits["hik-face-nvr-challenge-all"]
    assert (nvr.features["face_recognition"].supported, nvr.features["face_recognition"].enabled) == (True, True)


def test_wrong_credentials_cost_one_failed_login_per_account_across_families(start_fleet, tmp_path):
    ids = (*CHALLENGE_ALL, "hik-school-bullet", "dahua-wizmind-face")
    fleet = start_fleet(*ids)
    audits = audit(fleet, tmp_path / "wrong.db", credentials_for(fleet, wrong=set(ids)))
    for device in fleet:
        failed = device.log.failed_logins()
        per_user = Counter(e.user for e in failed)
        assert len(failed) <= 1 and all(n <= 1 for n in per_user.values()), (device.profile.id, failed)
        a = audits[device.profile.id]
        assert a.auth == "failed"
        assert any(st.state == "failed" and "rejected" in st.reason for st in a.protocol_status.values()), \
            a.protocol_status
    for pid in CHALLENGE_ALL:
        st = audits[pid].protocol_status
        assert st["isapi"].state == "failed" and "rejected" in st["isapi"].reason, st
        assert st["onvif"].state == "failed", st          # the ONVIF client sends no second attempt
        assert st["dahua_cgi"].state == "not-tried", st


def test_without_credentials_nothing_is_ruled_no(start_fleet, tmp_path):
    fleet = start_fleet(*CHALLENGE_ALL)
    audits = audit(fleet, tmp_path / "none.db", CredentialBook(()))
    for device in fleet:
        a = audits[device.profile.id]
        st = a.protocol_status["isapi"]
        assert st.state == "not-tried" and st.reason.startswith("no credentials were given"), st
        assert "realm" in st.reason
        said_no = {fid: (a.features[fid].supported, a.features[fid].enabled) for fid in FEATURE_IDS
                   if a.features[fid].supported is False or a.features[fid].enabled is False}
        assert said_no == {}, said_no
        assert all(v.supported is None for verdicts in a.channels.values() for v in verdicts.values())
        assert not [e for e in device.log if e.user or e.auth == "failed"]
        assert a.reachable and a.manufacturer == "Hikvision"


def test_no_login_goes_to_a_family_nobody_pointed_at(start_fleet, tmp_path):
    """A device that challenges every path and says nothing about its maker gets no login at all:
    no blind credential spraying, whatever credentials the operator gave."""
    anonymous = variant("hik-ipc-challenge-all", "anonymous-challenger", protocols=["isapi"],
                        auth={**bundled_profile("hik-ipc-challenge-all").raw["auth"], "realm": "Web Server"},
                        http={})
    fleet = start_fleet(anonymous)
    device = fleet.devices[0]
    audits = audit(fleet, tmp_path / "nobody.db", credentials_for(fleet))
    a = audits["anonymous-challenger"]
    assert [e for e in device.log if e.user] == []
    assert device.log.entries(lambda e: e.method not in ("UDP", "TCP"))        # it was asked, without a login
    for family in ("isapi", "dahua_cgi"):
        st = a.protocol_status[family]
        assert st.state == "not-tried" and "no signal pointed at" in st.reason, st
    assert all(v.supported is None for v in a.features.values())


def test_onvif_get_404_does_not_rule_onvif_out_when_a_maker_points(start_fleet):
    """Profile 11's device service answers a GET with 404 and only the SOAP POST works."""
    device = start_fleet("hik-ipc-challenge-all").devices[0]
    http = DeviceHttp(device.url(), LoginState())
    try:
        fp = fingerprint(Target(device.address, device.ports["http"]), http)
    finally:
        http.close()
    assert fp.families["onvif"].state == "proven" and "onvif" in fp.protocols
    onvif = device.log.entries(lambda e: e.path.startswith("/onvif/device_service"))
    assert [(e.method, e.action, e.status) for e in onvif] == [("POST", "GetSystemDateAndTime", 200)]


def test_onvif_get_404_with_nothing_pointing_sends_no_soap(start_fleet):
    quiet = variant("hik-ipc-challenge-all", "quiet-onvif", http={},
                    auth={**bundled_profile("hik-ipc-challenge-all").raw["auth"], "realm": "Web Server"})
    device = start_fleet(quiet).devices[0]
    http = DeviceHttp(device.url(), LoginState())
    try:
        fp = fingerprint(Target(device.address, device.ports["http"]), http)
    finally:
        http.close()
    assert fp.families["onvif"].state == "ambiguous" and "nothing pointed at ONVIF" in fp.families["onvif"].reason
    assert [e.method for e in device.log.entries(lambda e: e.path.startswith("/onvif/"))] == ["GET"]


@pytest.mark.parametrize("pid", CHALLENGE_ALL)
def test_the_simulator_challenges_every_path_and_serves_a_404_after_login(start_fleet, pid):
    import requests
    from requests.auth import HTTPDigestAuth

    device = start_fleet(pid).devices[0]
    account = device.profile.accounts[0]
    for path in ("/camaudit-fingerprint-control-page", "/cgi-bin/magicBox.cgi", "/ISAPI/System/deviceInfo"):
        answer = requests.get(device.url() + path, timeout=5)
        assert answer.status_code == 401 and answer.headers["WWW-Authenticate"].startswith("Digest ")
    logged = requests.get(device.url() + "/camaudit-fingerprint-control-page", timeout=5,
                          auth=HTTPDigestAuth(account.user, account.password))
    assert logged.status_code == 404


def test_onvif_manufacturer_points_at_isapi_after_the_onvif_probes(start_fleet, tmp_path):
    """Realm and headers name nobody, nothing was discovered, but ONVIF answers and, logged in, says
    Manufacturer HIKVISION: the second look opens ISAPI with the login that already worked."""
    base = bundled_profile("hik-ipc-challenge-all").raw
    plain = variant("hik-ipc-challenge-all", "onvif-says-hikvision", http={},
                    auth={**base["auth"], "realm": "Web Server"},
                    quirks=[q for q in base["quirks"] if q["name"] != "onvif_post_only"])
    fleet = start_fleet(plain)
    device = fleet.devices[0]
    a = audit(fleet, tmp_path / "late.db", credentials_for(fleet))["onvif-says-hikvision"]
    st = a.protocol_status["isapi"]
    assert st.state == "probed" and "ONVIF Manufacturer HIKVISION" in st.reason, st
    assert "isapi" in a.protocols and a.features["line_crossing"].enabled is True
    assert logged_in(device, "isapi") and not device.log.failed_logins()


DUAL_API = """
id: dual-api-recorder
description: A recorder answering both Hikvision ISAPI and Dahua CGI (issue 10); every value is made up.
protocols: [isapi, dahua_cgi]
identity: {brand: Dahua, manufacturer: unknown, model: NVR-0804-DUAL, device_type: nvr, firmware: V4.30.000,
           build_date: 2022-03-01, serial: 9K01D2APAZ00042, mac: "02:5e:10:00:04:20", name: Gateway recorder,
           hardware_version: "1.0"}
auth: {scheme: digest, accounts: [{user: admin, password: "Two-Faced-0420", role: admin}]}
services: {http: 80}
remote_access: {ntp: {enabled: true, server: 10.40.0.1, port: 123}}
isapi:
  namespace: isapi
  device_type: NVR
  channels: [{id: 1, name: Yard, source: {address: 10.40.0.64, model: IPC, manufacturer: hikvision},
              events: {motionDetection: {enabled: true, notify: [record]}}}]
dahua: {device_class: NVR, device_type: NVR-0804-DUAL, update_serial: NVR-0804-DUAL, vendor: Dahua, channels: 1,
        caps: [], rules: [], motion_detect: [true]}
"""


def test_a_device_answering_isapi_and_dahua_cgi_is_a_conflict_not_an_oem(start_fleet, tmp_path):
    import yaml

    dual = parse_profile(yaml.safe_load(DUAL_API), bundled_profile("hik-school-bullet").path)
    fleet = start_fleet(dual)
    a = audit(fleet, tmp_path / "dual.db", credentials_for(fleet))["dual-api-recorder"]
    assert {f: st.state for f, st in a.protocol_status.items()} == \
        {"isapi": "probed", "dahua_cgi": "probed", "onvif": "not-tried"}
    assert (a.brand, a.manufacturer, a.oem) == ("Dahua", None, None)
    assert not any(e.startswith("sold as") for e in a.identity_evidence)
    conflict = next(f for f in a.findings if f.id == "protocol-family-conflict")
    assert any(e.startswith("isapi: probed") for e in conflict.evidence)
    assert any(e.startswith("dahua_cgi: probed") for e in conflict.evidence)
    assert not [f for f in a.findings if f.id == "oem-rebadged"]
    assert (a.features["motion_detection"].supported, a.features["motion_detection"].enabled) == (True, True)
