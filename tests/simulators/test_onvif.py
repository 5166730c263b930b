"""The ONVIF simulator against the real onvif-zeep client (and raw SOAP where the client hides
the wire): identity, topics, media profiles, analytics, WS-Security, clock skew, faults, log."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import os
from dataclasses import replace

import pytest
import requests
from lxml import etree
from onvif import ONVIFCamera, ONVIFError, ONVIFService
from requests.auth import HTTPDigestAuth
from zeep.exceptions import Fault

from device_simulators import Profile, ProfileError, bundled_profile, bundled_profiles
from device_simulators.discovery.wsd import vendor_scopes
from device_simulators.profile import Quirk, parse_profile

WSDL_DIR = os.path.join(os.path.dirname(ONVIFCamera.__init__.__code__.co_filename), "..", "wsdl")
ANALYTICS_NS = "http://www.onvif.org/ver20/analytics/wsdl"
RULE_ENGINE = f"{{{ANALYTICS_NS}}}RuleEngineBinding"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
TER = "http://www.onvif.org/ver10/error"
WSTOP = "http://docs.oasis-open.org/wsn/t-1"
# Written out independently of the simulator's own table.
TOPIC_NS = {"tns1": "http://www.onvif.org/ver10/topics", "tnshik": "http://www.hikvision.com/2011/event/topics",
            "tnsaxis": "http://www.axis.com/2009/event/topics"}
ONVIF_PROFILES = [p for p in bundled_profiles() if p.speaks("onvif")]


def onvif_only(profile: Profile | str, **ports: int | None) -> Profile:
    """The profile with only its ONVIF server and the ports ONVIF reports (HTTP, RTSP); other
    families have their own tests, and fewer listeners keep start and stop quick."""
    profile = bundled_profile(profile) if isinstance(profile, str) else profile
    services = replace(profile.services, **{"https": None, "sdk": None, "telnet": None, "ssh": None, **ports})
    return replace(profile, protocols=frozenset({"onvif"}), services=services)


def credentials(profile: Profile) -> tuple[str, str]:
    return (profile.accounts[0].user, profile.accounts[0].password) if profile.accounts else ("admin", "")


def connect(device, password: str | None = None, **kwargs) -> ONVIFCamera:
    user, right = credentials(device.profile)
    return ONVIFCamera(device.address, device.ports["http"], user, right if password is None else password,
                       **kwargs)


def zeep_fault(exc: BaseException) -> Fault:
    """onvif-zeep wraps zeep's Fault in ONVIFError; the original stays in the exception chain."""
    while exc is not None and not isinstance(exc, Fault):
        exc = exc.__cause__ or exc.__context__
    assert exc is not None, "no SOAP fault behind the error"
    return exc


def subcodes(fault: Fault) -> list[str]:
    return [etree.QName(q).localname for q in fault.subcodes or []]


def topics_of(topic_set) -> set[str]:
    """'{namespace}Root/Child/Leaf' for every wstop:topic="true" element."""
    found = set()

    def walk(element, path):
        path = path + [etree.QName(element).localname]
        if element.get(f"{{{WSTOP}}}topic") == "true":
            found.add(f"{{{etree.QName(root).namespace}}}" + "/".join(path))
        for sub in element:
            if etree.QName(sub).namespace != "http://www.onvif.org/ver10/schema":
                walk(sub, path)

    for root in topic_set._value_1:
        walk(root, [])
    return found


def expected_topics(profile: Profile) -> set[str]:
    return {f"{{{TOPIC_NS[t.split(':')[0]]}}}{t.split(':', 1)[1]}" for t in profile.onvif.get("topics", [])}


def soap(device, body: str, *, user: str | None = None, password: str | None = None,
         skew: float = 0.0, path: str = "/onvif/device_service") -> tuple[int, etree._Element, requests.Response]:
    """POST one SOAP 1.2 request, with a UsernameToken digest when a user is given."""
    header = ""
    if user is not None:
        nonce = os.urandom(16)
        created = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=skew)).strftime("%Y-%m-%dT%H:%M:%SZ")
        digest = base64.b64encode(hashlib.sha1(nonce + created.encode() + (password or "").encode()).digest())
        header = (
            '<s:Header><wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/'
            'oasis-200401-wss-wssecurity-secext-1.0.xsd" xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/'
            'oasis-200401-wss-wssecurity-utility-1.0.xsd"><wsse:UsernameToken>'
            f'<wsse:Username>{user}</wsse:Username><wsse:Password Type="http://docs.oasis-open.org/wss/2004/'
            f'01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest">{digest.decode()}</wsse:Password>'
            f'<wsse:Nonce>{base64.b64encode(nonce).decode()}</wsse:Nonce><wsu:Created>{created}</wsu:Created>'
            '</wsse:UsernameToken></wsse:Security></s:Header>')
    envelope = (f'<?xml version="1.0"?><s:Envelope xmlns:s="{SOAP12}" '
                'xmlns:tds="http://www.onvif.org/ver10/device/wsdl" '
                f'xmlns:tan="{ANALYTICS_NS}">{header}<s:Body>{body}</s:Body></s:Envelope>')
    response = requests.post(device.url() + path, data=envelope.encode(), timeout=5,
                             headers={"Content-Type": "application/soap+xml; charset=utf-8"})
    return response.status_code, etree.fromstring(response.content), response


def fault_subcodes(doc: etree._Element) -> list[str]:
    values = doc.findall(f".//{{{SOAP12}}}Subcode/{{{SOAP12}}}Value")
    return [v.text.split(":")[-1] for v in values]


# -- every bundled ONVIF profile through the real client ------------------------------------
@pytest.mark.parametrize("profile", ONVIF_PROFILES, ids=lambda p: p.id)
def test_onvif_zeep_reads_identity_topics_profiles_and_analytics(start_fleet, profile):
    device = start_fleet(onvif_only(profile)).devices[0]
    # onvif-zeep needs adjust_time for a skewed clock; that case has its own test below.
    cam = connect(device, adjust_time=profile.quirk("clock_skew") is not None)

    info = cam.devicemgmt.GetDeviceInformation()
    assert info.Manufacturer == profile.onvif["manufacturer"]
    assert info.Model == (profile.onvif.get("model") or profile.identity.model)
    assert info.SerialNumber == profile.identity.serial
    assert info.FirmwareVersion.startswith(profile.identity.firmware)
    assert info.HardwareId == profile.onvif["hardware_id"]

    properties = cam.create_events_service().GetEventProperties()
    assert topics_of(properties.TopicSet) == expected_topics(profile)

    media_profiles = cam.create_media_service().GetProfiles()
    assert media_profiles
    analytics = profile.onvif.get("analytics")
    if analytics is None:
        assert all(p.VideoAnalyticsConfiguration is None for p in media_profiles)
        assert ANALYTICS_NS not in cam.xaddrs
        with pytest.raises(ONVIFError, match="doesn`t support service: analytics"):
            cam.create_analytics_service()
    else:
        engine = cam.create_analytics_service()
        # onvif-zeep's analytics service is the AnalyticsEngine binding only; rules live on
        # the RuleEngine binding at the same XAddr.
        rule_engine = engine.zeep_client.create_service(RULE_ENGINE, engine.xaddr)
        per_profile = profile.quirk("onvif_analytics_per_profile") is not None
        tokens = {p.VideoAnalyticsConfiguration.token for p in media_profiles}
        assert len(tokens) == (len(media_profiles) if per_profile else 1)
        for number, media_profile in enumerate(media_profiles, start=1):
            def mine(entries, number=number):
                return [(e["name"], e["type"]) for e in entries if not per_profile or e.get("profile", 1) == number]
            configuration = media_profile.VideoAnalyticsConfiguration
            # zeep reads an empty engine element as None
            modules = [(m.Name, m.Type) for m in getattr(configuration.AnalyticsEngineConfiguration,
                                                         "AnalyticsModule", None) or []]
            rules = [(r.Name, r.Type) for r in getattr(configuration.RuleEngineConfiguration, "Rule", None) or []]
            assert modules == mine(analytics["modules"])
            assert rules == mine(analytics["rules"])

            token = {"ConfigurationToken": configuration.token}
            supported = engine.GetSupportedAnalyticsModules(token).AnalyticsModuleDescription
            assert [d.Name for d in supported] == analytics["supported_modules"]
            assert [(m.Name, m.Type) for m in engine.GetAnalyticsModules(token)] == modules
            described = rule_engine.GetSupportedRules(**token).RuleDescription
            assert [d.Name for d in described] == analytics["supported_rules"]
            assert all(d.Messages[0].ParentTopic.startswith("tns1:RuleEngine/") for d in described)
            assert [(r.Name, r.Type) for r in rule_engine.GetRules(**token)] == rules

    expected_auth = "not-required" if profile.auth_scheme == "none" else "ok"
    unchecked = set((profile.quirk("onvif_pre_auth") or Quirk("", {})).params.get("operations", []))
    served = [e for e in device.log.entries() if e.action != "GetSystemDateAndTime"]
    assert served and all(e.status == 200 for e in served)
    assert all(e.auth == ("not-required" if e.action in unchecked else expected_auth) for e in served)


# -- authentication -------------------------------------------------------------------------
@pytest.mark.parametrize(("profile_id", "status"), [("hik-school-bullet", 401), ("dahua-wizmind-face", 400)])
def test_wrong_password_is_a_not_authorized_fault(start_fleet, profile_id, status):
    device = start_fleet(onvif_only(profile_id)).devices[0]
    with pytest.raises(ONVIFError) as caught:
        connect(device, password="not-the-password")
    assert subcodes(zeep_fault(caught.value)) == ["NotAuthorized"]
    [entry] = device.log.entries()
    assert (entry.action, entry.auth, entry.status) == ("GetCapabilities", "failed", status)


def test_failed_ws_security_logins_feed_the_shared_lockout(start_fleet):
    device = start_fleet(onvif_only("dahua-wizmind-face")).devices[0]  # locks after 5
    user, password = credentials(device.profile)
    for _ in range(5):
        assert soap(device, "<tds:GetDeviceInformation/>", user=user, password="wrong")[0] == 400
    status, doc, _ = soap(device, "<tds:GetDeviceInformation/>", user=user, password=password)
    assert (status, fault_subcodes(doc)) == (400, ["NotAuthorized"])
    assert [e.auth for e in device.log.entries()] == ["failed"] * 5 + ["locked"]


def test_no_credentials_get_a_fault_with_a_digest_challenge_and_http_digest_works(start_fleet):
    device = start_fleet(onvif_only("axis-onvif-line")).devices[0]
    status, doc, response = soap(device, "<tds:GetDeviceInformation/>")
    assert (status, fault_subcodes(doc)) == (401, ["NotAuthorized"])
    assert response.headers["WWW-Authenticate"].startswith("Digest ")
    ok = requests.post(device.url() + "/onvif/device_service", timeout=5, auth=HTTPDigestAuth(*credentials(
        device.profile)), data=f'<s:Envelope xmlns:s="{SOAP12}"><s:Body><GetHostname xmlns='
        '"http://www.onvif.org/ver10/device/wsdl"/></s:Body></s:Envelope>')
    assert ok.status_code == 200 and b"axis-accc8ef1a2b3" in ok.content
    assert [e.auth for e in device.log.entries()] == ["challenge", "challenge", "ok"]


def test_get_system_date_and_time_needs_no_credentials(start_fleet):
    device = start_fleet(onvif_only("hik-school-bullet")).devices[0]
    status, doc, _ = soap(device, "<tds:GetSystemDateAndTime/>")
    assert status == 200
    year = doc.find(".//{http://www.onvif.org/ver10/schema}UTCDateTime//{http://www.onvif.org/ver10/schema}Year")
    assert int(year.text) == device.clock().year
    assert device.log.entries()[0].auth == "not-required"


def test_clock_skew_breaks_ws_security_unless_the_client_adjusts(start_fleet):
    device = start_fleet(onvif_only("truvision-thermal-oem")).devices[0]  # clock one hour ahead
    with pytest.raises(ONVIFError) as caught:
        connect(device)
    assert subcodes(zeep_fault(caught.value)) == ["NotAuthorized"]
    # The right password with a stale Created is refused every time, but it is not a wrong
    # password: more refusals than the lockout allows (7) leave the account usable.
    user, password = credentials(device.profile)
    for _ in range(8):
        status, doc, _ = soap(device, "<tds:GetDeviceInformation/>", user=user, password=password)
        assert (status, fault_subcodes(doc)) == (401, ["NotAuthorized"])
    assert soap(device, "<tds:GetDeviceInformation/>", user=user, password=password, skew=3600)[0] == 200
    cam = connect(device, adjust_time=True)
    assert abs(cam.dt_diff.total_seconds() - 3600) < 5
    assert cam.devicemgmt.GetDeviceInformation().Manufacturer == "TruVision"
    actions = [(e.action, e.auth) for e in device.log.entries()]
    assert actions[0] == ("GetCapabilities", "failed")
    assert actions[10:13] == [("GetSystemDateAndTime", "not-required"), ("GetCapabilities", "ok"),
                              ("CreatePullPointSubscription", "ok")]


def test_viewer_may_not_list_users_and_passwords_are_never_listed(start_fleet):
    device = start_fleet(onvif_only("hik-school-bullet")).devices[0]
    status, doc, _ = soap(device, "<tds:GetUsers/>", user="viewer", password="Look-Only-77")
    assert (status, fault_subcodes(doc)) == (401, ["NotAuthorized"])
    status, doc, response = soap(device, "<tds:GetUsers/>", user="admin", password="Gate-Cam-2019!")
    users = [u.text for u in doc.iter("{http://www.onvif.org/ver10/schema}Username")]
    assert status == 200 and users == ["admin", "viewer"]
    assert b"Gate-Cam-2019!" not in response.content


def test_amcrest_answers_without_credentials(start_fleet):
    device = start_fleet(onvif_only("amcrest-no-password")).devices[0]
    cam = ONVIFCamera(device.address, device.ports["http"], "anyone", "anything")
    assert cam.devicemgmt.GetDeviceInformation().Manufacturer == "Amcrest"
    assert soap(device, "<tds:GetHostname/>")[0] == 200
    assert {e.auth for e in device.log.entries()} == {"not-required"}


# -- services, XAddrs, faults ---------------------------------------------------------------
@pytest.mark.parametrize("profile_id", ["hik-school-bullet", "axis-onvif-line"])
def test_device_management_reads_render_the_profile(start_fleet, profile_id):
    device = start_fleet(onvif_only(profile_id)).devices[0]
    profile, dm = device.profile, connect(device).devicemgmt
    [interface] = dm.GetNetworkInterfaces()
    assert interface.Info.HwAddress == profile.identity.mac
    assert interface.IPv4.Config.Manual[0].Address == device.address
    [ntp] = dm.GetNTP().NTPManual
    assert profile.remote_access["ntp"]["server"] in (ntp.DNSname, ntp.IPv4Address)
    protocols = {p.Name: (p.Enabled, p.Port[0]) for p in dm.GetNetworkProtocols()}
    assert protocols["HTTP"] == (True, device.ports["http"])
    assert protocols["RTSP"] == (True, device.ports["rtsp"])
    scopes = dm.GetScopes()
    # One scope list per device: GetScopes says what WS-Discovery announces.
    assert [s.ScopeItem for s in scopes] == vendor_scopes(profile)
    kinds = {s.ScopeItem.split("onvif://www.onvif.org/")[1].split("/")[0]: s.ScopeDef for s in scopes}
    assert (kinds["name"], kinds["location"], kinds["hardware"], kinds["type"]) == (
        "Configurable", "Configurable", "Fixed", "Fixed")
    assert f"onvif://www.onvif.org/name/{profile.onvif['scope_name'].replace(' ', '%20')}" in vendor_scopes(profile)
    assert dm.GetServiceCapabilities().Security.UsernameToken is True
    assert dm.GetHostname().Name


def test_pull_point_subscription_answers_without_keeping_anything(start_fleet):
    device = start_fleet(onvif_only("hik-school-bullet")).devices[0]
    cam = connect(device)  # onvif-zeep subscribes while connecting
    address = cam.xaddrs["http://www.onvif.org/ver10/events/wsdl/PullPointSubscription"]
    assert address.startswith(f"http://{device.address}:{device.ports['http']}/onvif/Events/PullSubManager_")
    pulled = cam.create_pullpoint_service().PullMessages({"Timeout": "PT10S", "MessageLimit": 10})
    assert pulled.NotificationMessage == []
    assert [e.action for e in device.log.entries()][-1] == "PullMessages"


def test_nvr_without_analytics_service_answers_action_not_supported(start_fleet):
    device = start_fleet(onvif_only("hik-acusense-nvr")).devices[0]
    cam = connect(device)
    assert ANALYTICS_NS not in cam.xaddrs
    # Ask the device itself, the way a client that guesses Hikvision's path would.
    engine = ONVIFService(device.url() + "/onvif/Analytics", *credentials(device.profile),
                          os.path.join(WSDL_DIR, "analytics.wsdl"),
                          binding_name=f"{{{ANALYTICS_NS}}}AnalyticsEngineBinding")
    with pytest.raises(ONVIFError) as caught:
        engine.GetSupportedAnalyticsModules({"ConfigurationToken": "VideoAnalyticsToken"})
    assert subcodes(zeep_fault(caught.value)) == ["ActionNotSupported"]
    entry = device.log.entries()[-1]
    assert (entry.action, entry.status) == ("GetSupportedAnalyticsModules", 500)


@pytest.mark.parametrize(("profile_id", "media_path"), [
    ("hik-school-bullet", "/onvif/Media"), ("honeywell-dahua-oem", "/onvif/media_service"),
    ("axis-onvif-line", "/onvif/services")])
def test_xaddrs_use_the_bound_address_and_port_and_the_family_layout(start_fleet, profile_id, media_path):
    device = start_fleet(onvif_only(profile_id, http=18080)).devices[0]
    cam = connect(device)
    base = f"http://{device.address}:18080"
    services = cam.devicemgmt.GetServices({"IncludeCapability": False})
    assert {s.XAddr.split("/onvif/")[0] for s in services} == {base}
    assert cam.xaddrs["http://www.onvif.org/ver10/media/wsdl"] == base + media_path
    advertised = {s.Namespace.split("/")[-2] for s in services}
    assert advertised == set(device.profile.onvif["services"])


def test_set_operations_are_refused_and_change_nothing(start_fleet):
    device = start_fleet(onvif_only("axis-onvif-line")).devices[0]
    cam = connect(device)
    before = cam.devicemgmt.GetHostname().Name
    with pytest.raises(ONVIFError) as caught:
        cam.devicemgmt.SetHostname({"Name": "pwned"})
    assert subcodes(zeep_fault(caught.value)) == ["ActionNotSupported"]
    assert cam.devicemgmt.GetHostname().Name == before
    writes = [e.action for e in device.log.writes()]
    # onvif-zeep subscribes on its own while connecting: the log shows it as a non-read.
    assert writes == ["CreatePullPointSubscription", "SetHostname"]


@pytest.mark.parametrize(("payload", "status", "code"), [
    (b"this is not xml", 400, "Sender"),
    (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>', 400, "Sender"),
    (b'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body/></s:Envelope>', 500,
     "VersionMismatch"),
    (f'<s:Envelope xmlns:s="{SOAP12}"><s:Body/></s:Envelope>'.encode(), 400, "Sender"),
])
def test_malformed_soap_gets_a_fault_never_a_crash(start_fleet, payload, status, code):
    device = start_fleet(onvif_only("hik-school-bullet")).devices[0]
    response = requests.post(device.url() + "/onvif/device_service", data=payload, timeout=5)
    assert response.status_code == status
    doc = etree.fromstring(response.content)
    assert doc.findtext(f".//{{{SOAP12}}}Code/{{{SOAP12}}}Value") == f"env:{code}"
    assert b"root:" not in response.content
    # Still serving afterwards.
    assert soap(device, "<tds:GetSystemDateAndTime/>")[0] == 200


def test_a_profile_with_an_unknown_prefix_fails_at_start_naming_the_file(start_fleet, tmp_path):
    raw = dict(bundled_profile("axis-onvif-line").raw)
    raw["onvif"] = dict(raw["onvif"], topics=["acme:Motion/Alarm"])
    with pytest.raises(ProfileError, match="bad.yaml: onvif.topics: 'acme:Motion/Alarm' uses unknown prefix"):
        start_fleet(onvif_only(parse_profile(raw, tmp_path / "bad.yaml")))
