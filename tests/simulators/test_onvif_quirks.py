"""The ONVIF simulator's real-firmware quirks on the wire (raw HTTP and SOAP, no client library
in between): what a GET gets, how a call without login is refused, PRE_AUTH reads that never
check the password, refused advertised operations, per-profile analytics and the Armed switch."""

from __future__ import annotations

from dataclasses import replace

import pytest
import requests
from lxml import etree

from device_simulators import ProfileError, bundled_profile
from device_simulators.profile import Quirk
from tests.simulators.test_onvif import SOAP12, fault_subcodes, onvif_only, soap

AXIS = "axis-onvif-auth"
TAN = "http://www.onvif.org/ver20/analytics/wsdl"
TT = "http://www.onvif.org/ver10/schema"


def quirked(profile_id: str, *quirks: Quirk, **onvif: object):
    profile = onvif_only(profile_id)
    names = {q.name for q in quirks}
    return replace(profile, quirks=tuple(q for q in profile.quirks if q.name not in names) + quirks,
                   onvif={**profile.onvif, **onvif})


def root(device) -> tuple[str, str]:
    account = device.profile.accounts[0]
    return account.user, account.password


@pytest.mark.parametrize(("profile_id", "status"), [("axis-onvif-line", 405), (AXIS, 404)])
def test_a_get_on_the_device_service_answers_the_firmware_status(start_fleet, profile_id, status):
    device = start_fleet(onvif_only(profile_id)).devices[0]
    response = requests.get(device.url() + "/onvif/device_service", timeout=5)
    assert response.status_code == status
    assert ("Allow" in response.headers) == (status == 405)
    # ... and the same path answers SOAP over POST all the same.
    assert soap(device, "<tds:GetSystemDateAndTime/>")[0] == 200


def test_axis_refuses_a_call_without_login_with_400_and_no_challenge(start_fleet):
    device = start_fleet(onvif_only(AXIS)).devices[0]
    status, doc, response = soap(device, "<tds:GetDeviceInformation/>")
    assert (status, fault_subcodes(doc)) == (400, ["NotAuthorized"])
    assert "WWW-Authenticate" not in response.headers
    assert soap(device, "<tds:GetDeviceInformation/>", user="root", password=root(device)[1])[0] == 200


def test_a_bare_401_without_a_soap_body(start_fleet):
    quirk = Quirk("onvif_auth_refusal", {"status": 401, "soap": False})
    device = start_fleet(quirked(AXIS, quirk)).devices[0]
    response = requests.post(device.url() + "/onvif/device_service", timeout=5, data=(
        f'<s:Envelope xmlns:s="{SOAP12}"><s:Body><GetDeviceInformation '
        'xmlns="http://www.onvif.org/ver10/device/wsdl"/></s:Body></s:Envelope>').encode())
    assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Digest ")
    assert b"Envelope" not in response.content
    assert [(e.action, e.auth) for e in device.log.entries()] == [("GetDeviceInformation", "challenge")]


def test_pre_auth_reads_pass_a_wrong_password_and_protected_reads_do_not(start_fleet):
    device = start_fleet(onvif_only(AXIS)).devices[0]
    user, _ = root(device)
    assert soap(device, '<tds:GetServices><tds:IncludeCapability>false</tds:IncludeCapability>'
                        '</tds:GetServices>', user=user, password="wrong")[0] == 200
    status, doc, _ = soap(device, "<tds:GetDeviceInformation/>", user=user, password="wrong")
    assert (status, fault_subcodes(doc)) == (400, ["NotAuthorized"])
    assert [(e.action, e.auth) for e in device.log.entries()] == [("GetServices", "not-required"),
                                                                  ("GetDeviceInformation", "failed")]
    assert [e.action for e in device.log.failed_logins()] == ["GetDeviceInformation"]


@pytest.mark.parametrize(("params", "status", "subcodes"), [
    ({"operations": ["GetRules"]}, 500, ["ActionNotSupported"]),
    ({"operations": ["GetRules"], "status": 400, "soap": False}, 400, None),
])
def test_an_advertised_operation_is_refused(start_fleet, params, status, subcodes):
    device = start_fleet(quirked(AXIS, Quirk("onvif_refuses", params))).devices[0]
    user, password = root(device)
    got, _, response = _raw(device, '<tan:GetRules><tan:ConfigurationToken>VideoAnalyticsToken_1'
                                    '</tan:ConfigurationToken></tan:GetRules>', user, password)
    assert got == status
    if subcodes is None:
        assert b"Envelope" not in response.content
    else:
        assert fault_subcodes(etree.fromstring(response.content)) == subcodes
    # The rest of the analytics service still answers.
    assert _raw(device, '<tan:GetSupportedRules><tan:ConfigurationToken>VideoAnalyticsToken_1'
                        '</tan:ConfigurationToken></tan:GetSupportedRules>', user, password)[0] == 200
    assert device.log.entries()[0].auth == "ok"          # refused after the login, not instead of it


def test_each_media_profile_has_its_own_configuration_and_rules_carry_armed(start_fleet):
    device = start_fleet(onvif_only(AXIS)).devices[0]
    user, password = root(device)
    found = {}
    for token in ("VideoAnalyticsToken_1", "VideoAnalyticsToken_2"):
        status, _, response = _raw(device, f"<tan:GetRules><tan:ConfigurationToken>{token}"
                                           "</tan:ConfigurationToken></tan:GetRules>", user, password)
        assert status == 200
        doc = etree.fromstring(response.content)
        found[token] = [(r.get("Name"), r.get("Type"), [(i.get("Name"), i.get("Value")) for i in
                                                        r.iter(f"{{{TT}}}SimpleItem")])
                        for r in doc.iter(f"{{{TAN}}}Rule")]
    assert found == {"VideoAnalyticsToken_1": [("Dock line", "tt:LineDetector", [("Armed", "true")])],
                     "VideoAnalyticsToken_2": [("Yard motion", "tt:MotionRegionDetector", [("Armed", "false")])]}
    status, doc, _ = _raw(device, "<tan:GetRules><tan:ConfigurationToken>VideoAnalyticsToken"
                                  "</tan:ConfigurationToken></tan:GetRules>", user, password)
    assert (status, fault_subcodes(doc)) == (400, ["InvalidArgVal", "NoConfig"])


@pytest.mark.parametrize(("rule", "message"), [
    ({"name": "x", "type": "tt:LineDetector", "armed": "yes"}, "armed must be true or false"),
    ({"name": "x", "type": "tt:LineDetector", "profile": 0}, "profile must be a media profile number"),
])
def test_a_bad_rule_entry_fails_at_start_naming_the_file(start_fleet, rule, message):
    analytics = {**bundled_profile(AXIS).onvif["analytics"], "rules": [rule]}
    with pytest.raises(ProfileError, match=message) as caught:
        start_fleet(quirked(AXIS, analytics=analytics))
    assert "30-axis-onvif-auth.yaml" in str(caught.value)


def _raw(device, body: str, user: str, password: str) -> tuple[int, etree._Element | None, requests.Response]:
    """A request on the analytics endpoint (/onvif/services on Axis-like firmware)."""
    status, _, response = soap(device, body, user=user, password=password, path="/onvif/services")
    doc = etree.fromstring(response.content) if response.content.lstrip().startswith(b"<?xml") else None
    return status, doc, response
