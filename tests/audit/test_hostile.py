"""Hostile and broken devices: each answer class ends as a recorded outcome for that device with a
short reason, the run goes on, and nothing already found is lost.

All variants run in ONE audit run next to a clean device, so "the run goes on" is literal.
"""

from __future__ import annotations

import pytest

from auditor.run.orchestrator import AuditOptions
from device_simulators import Profile, bundled_profile
from device_simulators.profile import parse_profile
from models.audit import DeviceAudit
from probes.context import ProbeSettings
from probes.http import HttpSettings
from tests.audit.helpers import audit_fleet

BASE = "hik-school-bullet"


def variant(new_id: str, quirks: list, base: str = BASE, **changes) -> Profile:
    raw = dict(bundled_profile(base).raw, id=new_id, quirks=quirks, **changes)
    return parse_profile(raw, bundled_profile(base).path.with_name(f"{new_id}.yaml"))


# variant id -> (quirks, words the device's errors must contain)
HOSTILE = {
    "xxe-device-info": ([{"name": "xxe", "paths": ["/ISAPI/System/deviceInfo"]}], "refused without expanding"),
    "bomb-capabilities": ([{"name": "entity_bomb", "paths": ["/ISAPI/System/capabilities"]}],
                          "refused without expanding"),
    "truncated-smart": ([{"name": "malformed_xml", "paths": ["/ISAPI/Smart/"]}], "does not parse"),
    "huge-triggers": ([{"name": "huge_body", "paths": ["/ISAPI/Event/triggers"], "megabytes": 8}], "KiB"),
    "drip-upnp": ([{"name": "slow_drip", "paths": ["/ISAPI/System/Network/UPnP"], "interval": 0.4}],
                  "still sending"),
    "reset-intelligent": ([{"name": "reset", "paths": ["/ISAPI/Intelligent/"]}], "closed the connection"),
    "redirect-time": ([{"name": "redirect", "paths": ["/ISAPI/System/time"], "location": "http://10.9.9.9/x"}],
                      "not followed"),
    "slow-ezviz": ([{"name": "slow_endpoints", "paths": ["/ISAPI/System/Network/EZVIZ"], "delay": 4}],
                   "did not answer within"),
    "fails-linedetection": ([{"name": "claims_then_fails", "paths": ["/ISAPI/Smart/LineDetection"], "status": 500}],
                            "HTTP 500"),
}


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory) -> tuple[dict[str, DeviceAudit], object]:
    from tests.conftest import start_on_free_subnet

    profiles = [bundled_profile(BASE)] + [variant(pid, quirks) for pid, (quirks, _) in HOSTILE.items()]
    profiles.append(variant("basic-only", [{"name": "basic_only"}]))
    profiles.append(variant("wrong-scheme-dahua", [{"name": "basic_only"}], base="honeywell-dahua-oem"))
    fleet = start_on_free_subnet(profiles)
    try:
        settings = ProbeSettings(http=HttpSettings(read_timeout=2.0, deadline=2.5))
        audits = audit_fleet(fleet, tmp_path_factory.mktemp("hostile") / "h.db",
                             options=AuditOptions(concurrency=12, probe=settings))
        yield {d.profile.id: audits[d.address] for d in fleet}, fleet
    finally:
        fleet.stop()


def test_the_clean_device_in_the_same_run_is_fully_audited(hostile_run):
    audits, _ = hostile_run
    clean = audits[BASE]
    assert clean.auth == "ok" and clean.errors == [] or all("not map" in e for e in clean.errors)
    assert clean.features["face_capture"].enabled is True
    assert clean.remote_access["hik_connect"].enabled is True


@pytest.mark.parametrize("variant_id", list(HOSTILE))
def test_hostile_answer_is_a_recorded_outcome_and_the_rest_is_kept(variant_id, hostile_run):
    audits, _ = hostile_run
    audit = audits[variant_id]
    words = HOSTILE[variant_id][1]
    assert any(words in e for e in audit.errors), audit.errors
    # Identity survives through the other protocols and endpoints.
    assert audit.serial == "iDS-2CD7A46G0/P-IZHS20190801AAWRD12345678"
    assert audit.manufacturer == "Hikvision" and audit.auth == "ok"
    # What other endpoints said is kept: Hik-Connect comes from EZVIZ (or SADP), face capture from Intelligent/triggers.
    known = [fid for fid, v in audit.features.items() if v.supported is not None]
    assert len(known) >= 10, known
    outcomes = {p.outcome for p in audit.probes}
    assert outcomes & {"error", "ok"}, outcomes


def test_xxe_content_never_reaches_the_audit(hostile_run):
    audits, _ = hostile_run
    text = repr(audits["xxe-device-info"].to_json())
    assert "root:x:0:0" not in text


def test_claimed_but_failing_feature_stays_supported_with_unknown_state(hostile_run):
    audits, _ = hostile_run
    line = audits["fails-linedetection"].features["line_crossing"]
    assert (line.supported, line.enabled) in ((True, None), (True, True))   # ONVIF's configured rule may still say on


def test_basic_only_device_gets_no_password_and_says_why(hostile_run):
    audits, fleet = hostile_run
    for variant_id in ("basic-only", "wrong-scheme-dahua"):
        audit = audits[variant_id]
        assert any("--allow-basic" in e for e in audit.errors), audit.errors
        assert fleet[variant_id].log.failed_logins() == []
        # No Authorization header with the password ever went over plain HTTP to these devices.
        assert not any(e.auth in ("ok", "failed") for e in fleet[variant_id].log if e.protocol != "onvif")


def test_redirect_to_another_host_is_not_followed(hostile_run):
    _, fleet = hostile_run
    # The simulator logged the redirecting request and nothing on the device was asked twice for it.
    entries = fleet["redirect-time"].log.entries(lambda e: e.path.startswith("/ISAPI/System/time"))
    assert entries and all(e.status == 302 for e in entries)


def test_hostile_devices_were_only_read(hostile_run):
    _, fleet = hostile_run
    for device in fleet:
        assert device.log.writes() == [], device.profile.id
