"""A whole audit (discovery, fingerprint, every probe, store) of the ONVIF-only Axis that hides
GetDeviceInformation behind a login and answers PRE_AUTH reads to any password."""

from __future__ import annotations

from device_simulators import bundled_profile
from models.features import FEATURE_IDS
from tests.audit.helpers import audit_fleet, credentials_for

AXIS = "axis-onvif-auth"


def test_wrong_password_costs_one_failed_onvif_login_and_decides_nothing(start_fleet, tmp_path):
    fleet = start_fleet(bundled_profile(AXIS))
    device = fleet.devices[0]
    audit = audit_fleet(fleet, tmp_path / "camaudit.db", credentials=credentials_for(fleet, wrong={AXIS}))[
        device.address]

    failed = [(e.action, e.user) for e in device.log.failed_logins()]
    assert failed == [("GetDeviceInformation", "root")]          # one attempt, then nothing with it
    assert not [e for e in device.log.entries() if e.user == "root" and e.auth == "ok"]
    assert audit.auth == "failed"
    # Nothing was learnt over ONVIF, so nothing is "no": every feature stays unknown.
    assert {fid: (audit.features[fid].supported, audit.features[fid].enabled) for fid in FEATURE_IDS} == \
        {fid: (None, None) for fid in FEATURE_IDS}
    # The brand still comes from WS-Discovery's factory name/ scope; one signal family names no maker.
    assert audit.brand == "Axis" and audit.manufacturer is None
    assert "not-the-password" not in repr(audit.to_json())


def test_right_password_finds_the_axis_behind_the_login(start_fleet, tmp_path):
    fleet = start_fleet(bundled_profile(AXIS))
    device = fleet.devices[0]
    audit = audit_fleet(fleet, tmp_path / "camaudit.db")[device.address]
    assert (audit.auth, audit.brand, audit.manufacturer, audit.model) == ("ok", "Axis", "Axis", "M2036-LE")
    assert device.log.failed_logins() == []
    asked = [(e.user, e.status) for e in device.log.entries() if e.action == "GetDeviceInformation"]
    assert (None, 400) in asked and ("root", 200) in asked         # refused without, answered with
