"""The ONVIF probes against behaviours of real firmware (device_simulators/onvif/quirks.py):
logins that only a protected read proves, refusals of advertised operations, one analytics
configuration per media profile, and a rule's Armed switch. Each test names what would break."""

from __future__ import annotations

from dataclasses import replace

import pytest

from device_simulators import bundled_profile
from device_simulators.profile import Quirk
from probes._xml import parse_xml
from probes.base import FeatureObservation, IdentitySignal
from probes.errors import CredentialsRejected, NotSupported, UnexpectedAnswer
from probes.login import Credentials, LoginState
from probes.onvif import PROBES
from probes.onvif._answer import Answer
from probes.onvif._reply import read_reply
from probes.onvif._rules import Instance, armed, state
from probes.onvif.analytics import OnvifAnalytics, configurations_in_use
from probes.onvif.identity import OnvifIdentity, from_scopes
from tests.probes.test_onvif_probes import context, onvif_only, run_all, signals

AXIS = "axis-onvif-auth"
TER = "http://www.onvif.org/ver10/error"


def features(found) -> dict[str, tuple[bool | None, bool | None]]:
    return {o.name: (o.supported, o.enabled) for o in found
            if isinstance(o, FeatureObservation) and not o.name.startswith("topic:")}


def with_quirks(profile_id: str, *quirks: Quirk, **onvif: object):
    profile = onvif_only(profile_id)
    kept = tuple(q for q in profile.quirks if q.name not in {q.name for q in quirks})
    return replace(profile, quirks=kept + quirks, onvif={**profile.onvif, **onvif})


# -- logins -------------------------------------------------------------------------------------
def test_get_device_information_behind_auth_is_retried_with_the_account(start_fleet):
    device = start_fleet(onvif_only(AXIS)).devices[0]
    ctx = context(device)
    found = OnvifIdentity().run(ctx)
    ctx.close()
    got = signals(found)
    assert got["manufacturer"] == ["AXIS"] and got["serial"] == ["ACCC8E5D40B7"]
    asked = [(e.action, e.user, e.auth, e.status) for e in device.log.entries()
             if e.action == "GetDeviceInformation"]
    # Refused without a login (HTTP 400 + ter:NotAuthorized, no challenge), answered with it.
    assert asked == [("GetDeviceInformation", None, "challenge", 400), ("GetDeviceInformation", "root", "ok", 200)]
    assert ctx.login.outcome == "ok"


@pytest.mark.parametrize("refusal", [
    {"status": 401, "challenge": True, "soap": True},       # Hikvision: 401 + Digest + NotAuthorized
    {"status": 401, "challenge": True, "soap": False},      # a bare 401 from the web server
    {"status": 400, "challenge": False, "soap": True},      # ONVIF Core: Sender fault, HTTP 400
])
def test_every_shape_of_anonymous_refusal_leads_to_the_login(start_fleet, refusal):
    device = start_fleet(with_quirks(AXIS, Quirk("onvif_auth_refusal", refusal))).devices[0]
    ctx = context(device)
    assert signals(OnvifIdentity().run(ctx))["model"] == ["M2036-LE", "M2036-LE"]
    ctx.close()
    assert ctx.login.outcome == "ok" and device.log.failed_logins() == []


def test_wrong_password_is_one_failed_onvif_login_even_when_pre_auth_reads_pass(start_fleet):
    # Axis answers GetServices/GetCapabilities without checking the password: that answer must
    # not count as a working login, or every later read sends the wrong password again.
    device = start_fleet(onvif_only(AXIS)).devices[0]
    login = LoginState([Credentials("root", "not-the-password")])
    ctx = context(device, login=login)
    found, errors = run_all(ctx)
    ctx.close()
    assert found == []
    assert set(errors) == {p.id for p in PROBES}
    assert all(isinstance(e, CredentialsRejected) for e in errors.values())
    failed = [(e.action, e.user) for e in device.log.failed_logins()]
    assert failed == [("GetDeviceInformation", "root")]
    assert login.outcome == "failed" and login.confirmed is None
    assert "not-the-password" not in " ".join(str(e) for e in errors.values())


def test_a_login_proved_by_isapi_is_not_spent_twice_over_onvif(start_fleet):
    # The shared LoginState: an account another protocol saw rejected is never sent over ONVIF.
    device = start_fleet(onvif_only(AXIS)).devices[0]
    login = LoginState([Credentials("root", "whatever")])
    login.reject(login.candidates[0])
    ctx = context(device, login=login)
    _, errors = run_all(ctx)
    ctx.close()
    assert all(isinstance(e, CredentialsRejected) for e in errors.values())
    assert device.log.entries() == []         # nothing went out, credentials least of all


def test_an_account_another_protocol_proved_is_refused_over_onvif_once_and_kept(start_fleet):
    # Hikvision keeps ONVIF users apart from web users: ISAPI confirmed the account, ONVIF refuses
    # it. One failed ONVIF login, never a second, and ISAPI may go on using the account.
    device = start_fleet(onvif_only(AXIS)).devices[0]
    proved = Credentials("root", "the-web-password")
    login = LoginState([proved])
    login.confirm(proved)
    ctx = context(device, login=login)
    _, errors = run_all(ctx)
    ctx.close()
    assert all(isinstance(e, CredentialsRejected) for e in errors.values())
    assert "accepts 'root' but refused it over ONVIF" in str(errors["onvif.identity"])
    assert [(e.action, e.user) for e in device.log.failed_logins()] == [("GetDeviceInformation", "root")]
    assert login.confirmed == proved and login.outcome == "ok"


def test_refused_service_listings_still_leave_the_device_service_to_read(start_fleet):
    quirk = Quirk("onvif_refuses", {"operations": ["GetServices", "GetCapabilities"], "status": 400, "soap": False})
    device = start_fleet(with_quirks(AXIS, quirk)).devices[0]
    ctx = context(device)
    found, errors = run_all(ctx)
    ctx.close()
    assert signals(found)["serial"] == ["ACCC8E5D40B7"] and ctx.login.outcome == "ok"
    assert "did not list its ONVIF services" in str(errors["onvif.analytics"])
    assert isinstance(errors["onvif.events"], NotSupported)       # unknown, not "no events"
    assert device.log.failed_logins() == []


# -- analytics ----------------------------------------------------------------------------------
def test_every_analytics_configuration_is_read_and_armed_is_taken_at_its_word(start_fleet):
    device = start_fleet(onvif_only(AXIS)).devices[0]
    ctx = context(device)
    found = OnvifAnalytics().run(ctx)
    ctx.close()
    assert features(found) == {"LineDetector": (True, True),             # Armed=true on profile 1
                               "MotionRegionDetector": (True, False),    # Armed=false on profile 2
                               "FieldDetector": (True, False)}           # no rule in either
    asked = {(e.action, e.status) for e in device.log.entries() if e.action == "GetRules"}
    assert asked == {("GetRules", 200)}
    assert len([e for e in device.log.entries() if e.action == "GetRules"]) == 2     # one per token


def test_configurations_past_the_cap_stay_unread_and_prove_nothing(start_fleet, monkeypatch):
    monkeypatch.setattr("probes.onvif.analytics.MAX_CONFIGURATIONS", 1)
    device = start_fleet(onvif_only(AXIS)).devices[0]
    ctx = context(device)
    found = OnvifAnalytics().run(ctx)
    ctx.close()
    assert features(found) == {"LineDetector": (True, True), "MotionRegionDetector": (True, None),
                               "FieldDetector": (True, None)}
    assert [e.action for e in device.log.entries()].count("GetRules") == 1


def test_a_refused_get_rules_falls_back_to_the_profile_and_leaves_off_unknown(start_fleet):
    # ActionNotSupported on an advertised GetRules (quirk 15): the rules embedded in the media
    # profiles are still evidence of what is configured, but "none configured" is not proven.
    device = start_fleet(with_quirks(AXIS, Quirk("onvif_refuses", {"operations": ["GetRules"]}))).devices[0]
    ctx = context(device)
    found = OnvifAnalytics().run(ctx)
    problems = ctx.problems
    ctx.close()
    assert features(found) == {"LineDetector": (True, True), "MotionRegionDetector": (True, False),
                               "FieldDetector": (True, None)}
    assert not [p for p in problems if not isinstance(p, NotSupported)]


def test_a_refused_get_profiles_still_finds_the_configurations(start_fleet):
    quirk = Quirk("onvif_refuses", {"operations": ["GetProfiles"], "status": 500, "soap": False})
    device = start_fleet(with_quirks(AXIS, quirk)).devices[0]
    ctx = context(device)
    found = OnvifAnalytics().run(ctx)
    ctx.close()
    assert features(found)["LineDetector"] == (True, True)
    assert "GetVideoAnalyticsConfigurations" in {e.action for e in device.log.entries()}


def test_a_rule_without_armed_runs_and_a_configuration_not_read_proves_nothing(start_fleet):
    quirk = Quirk("onvif_refuses", {"operations": ["GetRules", "GetVideoAnalyticsConfigurations"]})
    rules = [{"name": "Dock line", "type": "tt:LineDetector", "profile": 1},
             {"name": "Gate field", "type": "tt:FieldDetector", "profile": 2}]
    analytics = {**bundled_profile(AXIS).onvif["analytics"], "rules": rules}
    device = start_fleet(with_quirks(AXIS, quirk, analytics=analytics)).devices[0]
    ctx = context(device)
    found = OnvifAnalytics().run(ctx)
    ctx.close()
    # No Armed parameter: a configured ONVIF rule is on. MotionRegionDetector: GetRules refused
    # everywhere, so "no rule" rests on the embedded copies only and stays unknown.
    assert features(found) == {"LineDetector": (True, True), "FieldDetector": (True, True),
                               "MotionRegionDetector": (True, None)}


def test_profiles_in_the_request_log_are_read_only(start_fleet):
    device = start_fleet(onvif_only(AXIS)).devices[0]
    ctx = context(device)
    run_all(ctx)
    ctx.close()
    assert device.log.writes() == []
    assert all(e.action.startswith("Get") for e in device.log.entries())


def test_identity_reads_the_manufacturer_scope_when_a_device_sends_one(start_fleet):
    # Uniview-style firmware publishes onvif://www.onvif.org/manufacturer/<maker>; Axis does not.
    profile = with_quirks(AXIS, extra_scopes=["manufacturer/UNIVIEW", "Profile/Streaming"])
    device = start_fleet(profile).devices[0]
    ctx = context(device)
    found = OnvifIdentity().run(ctx)
    ctx.close()
    scoped = [s.value for s in found if isinstance(s, IdentitySignal) and s.field == "manufacturer"
              and s.evidence.source.startswith("GetScopes")]
    assert scoped == ["UNIVIEW"]


# -- pure readers -------------------------------------------------------------------------------
TDS, TT = "http://www.onvif.org/ver10/device/wsdl", "http://www.onvif.org/ver10/schema"


def xml(text: str):
    return parse_xml(text.encode(), "test").root


def _scopes(*items: str) -> Answer:
    scopes = "".join(f"<tds:Scopes><tt:ScopeDef>Fixed</tt:ScopeDef><tt:ScopeItem>onvif://www.onvif.org/{i}"
                     "</tt:ScopeItem></tds:Scopes>" for i in items)
    value = xml(f'<tds:GetScopesResponse xmlns:tds="{TDS}" xmlns:tt="{TT}">{scopes}</tds:GetScopesResponse>')
    return Answer(value, "GetScopes", "/onvif/device_service", 200, 1)


def test_a_factory_name_scope_names_the_brand_and_an_operator_name_does_not():
    factory = {(s.field, s.value) for s in from_scopes(_scopes("name/AXIS%20M2036-LE", "hardware/M2036-LE",
                                                                "location/", "Profile/M"))}
    assert factory == {("name", "AXIS M2036-LE"), ("model", "M2036-LE"), ("vendor", "AXIS")}
    renamed = {(s.field, s.value) for s in from_scopes(_scopes("name/Car%20park%20north", "hardware/P1455-LE"))}
    assert renamed == {("name", "Car park north"), ("model", "P1455-LE")}


@pytest.mark.parametrize(("items", "expected"), [
    (None, True),                                                    # no Armed parameter: a rule runs
    ([("Armed", "true")], True),
    ([("armed", " FALSE ")], False),
    ([("Armed", "0")], False),
    ([("Armed", "sometimes")], None),      # not a boolean: unknown, never off
    ([("Sensitivity", "50")], True),
])
def test_armed_is_read_from_the_rule_parameters(items, expected):
    # GetRules shape (tan:Rule is a tt:Config), as a Bosch DINION answers it (_rules.py has the source).
    parameters = "" if items is None else "<tt:Parameters>" + "".join(
        f'<tt:SimpleItem Name="{n}" Value="{v}"/>' for n, v in items) + "</tt:Parameters>"
    rule = xml(f'<tan:Rule xmlns:tan="http://www.onvif.org/ver20/analytics/wsdl" xmlns:tt="{TT}" '
               f'Name="r" Type="tt:LineDetector">{parameters}</tan:Rule>')
    assert armed(rule) is expected


def test_a_rule_type_is_on_when_any_instance_is_armed():
    assert state([Instance("LineDetector", "a", False), Instance("LineDetector", "b", True)]) is True
    assert state([Instance("LineDetector", "a", False), Instance("LineDetector", "b", False)]) is False
    assert state([Instance("LineDetector", "a", False), Instance("LineDetector", "b", None)]) is None


def _fault12(code: str, subcodes: tuple[str, ...], reason: str) -> bytes:
    nested = ""
    for value in reversed(subcodes):
        nested = f"<SOAP-ENV:Subcode><SOAP-ENV:Value>{value}</SOAP-ENV:Value>{nested}</SOAP-ENV:Subcode>"
    return (f'<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://www.w3.org/2003/05/soap-envelope" xmlns:ter="{TER}">'
            f"<SOAP-ENV:Body><SOAP-ENV:Fault><SOAP-ENV:Code><SOAP-ENV:Value>{code}</SOAP-ENV:Value>{nested}"
            f'</SOAP-ENV:Code><SOAP-ENV:Reason><SOAP-ENV:Text xml:lang="en">{reason}</SOAP-ENV:Text>'
            "</SOAP-ENV:Reason></SOAP-ENV:Fault></SOAP-ENV:Body></SOAP-ENV:Envelope>").encode()


def _fault11(code: str, reason: str) -> bytes:
    return (f'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ter="{TER}"><soap:Body>'
            f"<soap:Fault><faultcode>{code}</faultcode><faultstring>{reason}</faultstring></soap:Fault>"
            "</soap:Body></soap:Envelope>").encode()


@pytest.mark.parametrize(("fault", "status", "outcome"), [
    (_fault12("SOAP-ENV:Sender", (), "Sender not Authorized"), 400, CredentialsRejected),   # gSOAP, no subcode
    (_fault12("SOAP-ENV:Sender", ("ter:NotAuthorized",), "x"), 400, CredentialsRejected),
    (_fault12("SOAP-ENV:Receiver", ("ter:ActionNotSupported",), "Optional Action Not Implemented"), 500,
     NotSupported),
    # Axis-style nesting (hammeraj/onvif test/media/ver10/fixtures/..._notsupport.xml)
    (_fault12("SOAP-ENV:Receiver", ("ter:ActionNotSupported", "ter:AudioNotSupported"), "No audio"), 500,
     NotSupported),
    (_fault12("SOAP-ENV:Sender", ("ter:InvalidArgVal", "ter:NoConfig"), "no such token"), 400, UnexpectedAnswer),
    (_fault12("SOAP-ENV:Receiver", (), "Internal error: KeyError"), 500, UnexpectedAnswer),
    (_fault12("SOAP-ENV:Receiver", ("ter:Action",), "busy"), 401, CredentialsRejected),     # 401 says it
    (_fault11("soap:Client", "Not Authorized"), 500, CredentialsRejected),                  # SOAP 1.1
    (_fault11("ter:ActionNotSupported", "no"), 500, NotSupported),
])
def test_soap_faults_become_outcomes(fault, status, outcome):
    with pytest.raises(outcome):
        read_reply(fault, status, "GetRules", "GetRules /onvif/services")


def test_only_configurations_in_use_are_read():
    trt = "http://www.onvif.org/ver10/media/wsdl"

    def config(element, token, use):
        count = f"<tt:UseCount>{use}</tt:UseCount>" if use is not None else ""
        return f'<{element} token="{token}"><tt:Name>{token}</tt:Name>{count}</{element}>'

    listed = xml(f'<trt:GetVideoAnalyticsConfigurationsResponse xmlns:trt="{trt}" xmlns:tt="{TT}">'
                 + "".join(config("trt:Configurations", t, u) for t, u in (("a", 1), ("b", 0), ("c", None)))
                 + "</trt:GetVideoAnalyticsConfigurationsResponse>")
    found = configurations_in_use(Answer(listed, "GetVideoAnalyticsConfigurations", "/onvif/services", 200, 1))
    assert [c.get("token") for c in found] == ["a", "c"]
    profiles = xml(f'<trt:GetProfilesResponse xmlns:trt="{trt}" xmlns:tt="{TT}">'
                   f'<trt:Profiles token="p1">{config("tt:VideoAnalyticsConfiguration", "a", 0)}</trt:Profiles>'
                   '<trt:Profiles token="p2"/>'
                   f'<trt:Profiles token="p3">{config("tt:VideoAnalyticsConfiguration", "a", 2)}</trt:Profiles>'
                   "</trt:GetProfilesResponse>")
    found = configurations_in_use(Answer(profiles, "GetProfiles", "/onvif/services", 200, 1))
    assert [c.get("token") for c in found] == ["a"]        # in a profile: in use
