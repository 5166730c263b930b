"""Contract tests for the Hikvision ISAPI simulator, over loopback, for every bundled ISAPI profile.

The expectations come from the profile and from the small tables below (event key -> wire
names), written independently of device_simulators/isapi: a mapping bug in the simulator
cannot pass here by sharing code. Responses are parsed namespace-agnostically.

Each simulated device is started with ``protocols={"isapi"}`` so these tests exercise only the
ISAPI handler. Read-only tests share one fleet per module (stopping a listener waits for its
poll interval, so one fleet per test would make the file slow); tests that change runtime
state (lockout) start their own device with ``start_fleet``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import random
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import pytest
import requests
from requests.auth import HTTPDigestAuth

from device_simulators import Fleet, FleetError, Profile, bundled_profiles
from device_simulators.runtime.device import SimDevice

NAMESPACES = {"hikvision": "http://www.hikvision.com/ver20/XMLSchema",
              "isapi": "http://www.isapi.org/ver20/XMLSchema"}

# profile event key -> (capability section, flag, config path, element holding the on/off state)
FEATURES: dict[str, tuple[str, str, str, str]] = {
    "motionDetection": ("EventCap", "isSupportMotionDetection",
                        "/ISAPI/System/Video/inputs/channels/{ch}/motionDetection", "enabled"),
    "tamperDetection": ("EventCap", "isSupportTamperDetection",
                        "/ISAPI/System/Video/inputs/channels/{ch}/tamperDetection", "enabled"),
    "FaceDetect": ("SmartCap", "isSupportFaceDetect", "/ISAPI/Smart/FaceDetect/{ch}", "enabled"),
    "LineDetection": ("SmartCap", "isSupportLineDetection", "/ISAPI/Smart/LineDetection/{ch}", "enabled"),
    "FieldDetection": ("SmartCap", "isSupportFieldDetection", "/ISAPI/Smart/FieldDetection/{ch}", "enabled"),
    "regionEntrance": ("SmartCap", "isSupportRegionEntrance", "/ISAPI/Smart/regionEntrance/{ch}", "enabled"),
    "regionExiting": ("SmartCap", "isSupportRegionExiting", "/ISAPI/Smart/regionExiting/{ch}", "enabled"),
    "loitering": ("SmartCap", "isSupportLoitering", "/ISAPI/Smart/loitering/{ch}", "enabled"),
    "group": ("SmartCap", "isSupportGroup", "/ISAPI/Smart/group/{ch}", "enabled"),
    "unattendedBaggage": ("SmartCap", "isSupportUnattendedBaggage", "/ISAPI/Smart/unattendedBaggage/{ch}",
                          "enabled"),
    "attendedBaggage": ("SmartCap", "isSupportAttendedBaggage", "/ISAPI/Smart/attendedBaggage/{ch}", "enabled"),
    "AudioDetection": ("SmartCap", "isSupportAudioDetection", "/ISAPI/Smart/AudioDetection/channels/{ch}",
                       "enabled"),
    "faceSnap": ("EventCap", "isSupportFaceSnap", "/ISAPI/Intelligent/channels/{ch}/faceCapture", "enabled"),
    "faceContrast": ("EventCap", "isSupportFaceContrast", "/ISAPI/Intelligent/channels/{ch}/faceContrast",
                     "enabled"),
    "PersonDensityDetection": ("EventCap", "isSupportPersonDensityDetection",
                               "/ISAPI/Intelligent/channels/{ch}/PersonDensityDetection", "enabled"),
    "PersonQueueDetection": ("EventCap", "isSupportPersonQueueDetection",
                             "/ISAPI/Intelligent/channels/{ch}/PersonQueueDetection", "enabled"),
    "safetyHelmetDetection": ("EventCap", "isSupportSafetyHelmetDetection",
                              "/ISAPI/Intelligent/channels/{ch}/safetyHelmetDetection", "enabled"),
    "humanRecognition": ("EventCap", "isSupportHumanRecognition",
                         "/ISAPI/Intelligent/channels/{ch}/humanRecognition", "enabled"),
    "counting": ("VideoCap", "isSupportCounting", "/ISAPI/System/Video/inputs/channels/{ch}/counting", "enabled"),
    "heatMap": ("VideoCap", "isSupportHeatmap", "/ISAPI/System/Video/inputs/channels/{ch}/heatMap", "enabled"),
    "fireDetection": ("ThermalCap", "isSupportFireDetection", "/ISAPI/Thermal/channels/{ch}/fireDetection",
                      "enabled"),
    "FaceThermometry": ("ThermalCap", "isSupportFaceThermometry", "/ISAPI/Thermal/channels/{ch}/faceThermometry",
                        "faceThermometryEnabled"),
}
NVR_PATHS = {"motionDetection": "/ISAPI/ContentMgmt/InputProxy/channels/{ch}/video/motionDetection",
             "tamperDetection": "/ISAPI/ContentMgmt/InputProxy/channels/{ch}/video/tamperDetection"}

# profile event key -> trigger id prefix in /ISAPI/Event/triggers
TRIGGER_PREFIX = {"motionDetection": "VMD", "tamperDetection": "tamper", "FaceDetect": "facedetection",
                  "faceSnap": "faceSnap", "faceContrast": "faceContrast", "LineDetection": "linedetection",
                  "FieldDetection": "fielddetection", "regionEntrance": "regionEntrance",
                  "regionExiting": "regionExiting", "AudioDetection": "audioexception", "counting": "counting",
                  "fireDetection": "fireDetection", "FaceThermometry": "faceThermometry",
                  "thermometry": "thermometry", "vehicleDetection": "vehicledetection",
                  "SceneChangeDetection": "scenechangedetection"}

# remote_access id -> (resource, NetworkCap flag)
REMOTE = {"hik_connect": ("/ISAPI/System/Network/EZVIZ", "isSupportEZVIZ"),
          "isup": ("/ISAPI/System/Network/Ehome", "isSupportEhome"),
          "ddns": ("/ISAPI/System/Network/DDNS/1", "isSupportDdns"),
          "upnp": ("/ISAPI/System/Network/UPnP", "isSupportUpnp"),
          "ntp": ("/ISAPI/System/time/ntpServers", "isSupportNtp"),
          "email": ("/ISAPI/System/Network/mailing", "isSupportEmailEncrypt"),
          "ftp": ("/ISAPI/System/Network/ftp", "isSupportFtp")}

ISAPI_PROFILES = [p for p in bundled_profiles() if p.speaks("isapi")]
NVR_PROFILES = [p for p in ISAPI_PROFILES if p.isapi.get("device_type") == "NVR"]
DVR_PROFILES = [p for p in ISAPI_PROFILES if p.isapi.get("device_type") == "DVR"]
OFFLINE_NVR_PROFILES = [p for p in NVR_PROFILES
                        if any(c.get("online", True) is False for c in p.isapi.get("channels") or ())]
ESCAPING = "escaping-check"


def by_id(profiles: list[Profile]) -> dict[str, object]:
    return {"argvalues": profiles, "ids": [p.id for p in profiles]}


def isapi_only(profile: Profile, **changes: object) -> Profile:
    return dataclasses.replace(profile, protocols=frozenset({"isapi"}), **changes)


_rng = random.Random(f"isapi-{os.getpid()}-{os.environ.get('PYTEST_XDIST_WORKER', '')}")


def _start_module_fleet(profiles: list[Profile]) -> Fleet:
    """Like conftest's start_on_free_subnet, on second octets (251-254) conftest never draws."""
    for attempt in range(5):
        try:
            return Fleet(profiles, f"127.{_rng.randint(251, 254)}.{_rng.randint(0, 255)}.1").start()
        except FleetError:
            if attempt == 4:
                raise
    raise AssertionError("unreachable")


@pytest.fixture(scope="module")
def fleet() -> Iterator[Fleet]:
    """Every ISAPI profile plus one whose names need escaping, started once for this module."""
    school = next(p for p in ISAPI_PROFILES if p.id == "hik-school-bullet")
    escaping = isapi_only(school, id=ESCAPING,
                          identity=dataclasses.replace(school.identity, name='Gate & "Yard" <B>'))
    started = _start_module_fleet([isapi_only(p) for p in ISAPI_PROFILES] + [escaping])
    yield started
    started.stop()


# -- helpers ------------------------------------------------------------------------------
_AUTH: dict[tuple[str, str], HTTPDigestAuth] = {}


def admin(device: SimDevice) -> HTTPDigestAuth:
    """One digest state per device, so later requests carry the header without a 401 first.

    The runtime writes headers and body in separate segments; an answer on a kept-alive
    connection then waits 40 ms for a delayed ACK. Reusing the nonce on fresh connections
    keeps this file fast.
    """
    account = next(a for a in device.profile.accounts if a.role == "admin")
    key = (device.address, account.user)
    if key not in _AUTH:
        _AUTH[key] = HTTPDigestAuth(account.user, account.password)
    return _AUTH[key]


def get(device: SimDevice, path: str, auth: object = "admin") -> requests.Response:
    credentials = admin(device) if auth == "admin" else auth
    return requests.get(device.url() + path, auth=credentials, timeout=5)


def send(method: str, device: SimDevice, path: str, body: bytes) -> requests.Response:
    return requests.request(method, device.url() + path, data=body, auth=admin(device), timeout=5)


def parse(response: requests.Response) -> ET.Element:
    """Parse and strip namespaces; the root keeps its namespace in the attribute ``ns``."""
    root = ET.fromstring(response.content)
    namespace = root.tag[1:].split("}")[0] if root.tag.startswith("{") else ""
    for node in root.iter():
        node.tag = node.tag.rsplit("}", 1)[-1]
    root.set("ns", namespace)
    return root


def doc(device: SimDevice, path: str) -> ET.Element:
    response = get(device, path)
    assert response.status_code == 200, (path, response.status_code, response.text[:300])
    return parse(response)


def flag(root: ET.Element, section: str, name: str) -> str | None:
    node = root if root.tag == section else root.find(f".//{section}")
    return None if node is None else node.findtext(name)


def assert_not_support(device: SimDevice, path: str) -> None:
    response = get(device, path)
    assert response.status_code == 403, (path, response.status_code)
    root = parse(response)
    assert root.tag == "ResponseStatus"
    assert root.get("ns") == NAMESPACES[device.profile.isapi["namespace"]]
    assert (root.findtext("statusCode"), root.findtext("statusString"), root.findtext("subStatusCode")) == \
        ("4", "Invalid Operation", "notSupport")
    assert root.findtext("requestURL") == path


def feature_path(profile: Profile, key: str, channel: int) -> str:
    nvr = profile.isapi.get("device_type") == "NVR"
    template = NVR_PATHS[key] if nvr and key in NVR_PATHS else FEATURES[key][2]
    return template.format(ch=channel)


def failing_quirk(profile: Profile, path: str) -> int | None:
    quirk = profile.quirk("claims_then_fails")
    return int(quirk.params.get("status", 500)) if quirk and quirk.applies_to(path) else None


def channels(profile: Profile) -> list[dict]:
    return profile.isapi.get("channels") or []


# -- identity and capabilities -------------------------------------------------------------
@pytest.mark.parametrize("profile", **by_id(ISAPI_PROFILES))
def test_device_info_carries_the_profile_identity(fleet, profile):
    device = fleet[profile.id]
    root = doc(device, "/ISAPI/System/deviceInfo")
    ident = profile.identity
    assert root.tag == "DeviceInfo"
    assert root.get("ns") == NAMESPACES[profile.isapi["namespace"]]
    assert root.findtext("deviceName") == ident.name
    assert root.findtext("model") == ident.model
    assert root.findtext("serialNumber") == ident.serial
    assert root.findtext("macAddress") == ident.mac
    assert root.findtext("firmwareVersion") == ident.firmware
    assert root.findtext("firmwareReleasedDate") == "build " + ident.build_date.strftime("%y%m%d")
    assert root.findtext("deviceType") == profile.isapi["device_type"]
    assert root.findtext("manufacturer") == profile.isapi.get("manufacturer_field")
    assert root.findtext("OEMCode") == profile.isapi.get("oem_code")
    if profile.isapi["device_type"] == "NVR":
        assert root.findtext("decordChannelNums") is not None


def test_text_from_the_profile_is_escaped(fleet):
    root = doc(fleet[ESCAPING], "/ISAPI/System/deviceInfo")
    assert root.findtext("deviceName") == 'Gate & "Yard" <B>'


@pytest.mark.parametrize("profile", **by_id(ISAPI_PROFILES))
def test_capability_flags_agree_with_channel_events(fleet, profile):
    device = fleet[profile.id]
    device_cap = doc(device, "/ISAPI/System/capabilities")
    smart_cap = doc(device, "/ISAPI/Smart/capabilities")
    overrides = profile.isapi.get("capabilities") or {}
    present = {k for ch in channels(profile) for k in ch.get("events") or {}}
    for key, (section, name, _, _) in FEATURES.items():
        default = "true" if key in present else "false"
        expected = str(overrides.get(section, {}).get(name, default == "true")).lower()
        got = flag(device_cap, section, name)
        # A section the firmware does not have (ThermalCap on a visible-light camera) means "no".
        assert (got or "false") == expected, (key, section, name, got)
        if section == "SmartCap":
            assert flag(smart_cap, "SmartCap", name) == expected, (key, name)
    libraries = str(overrides.get("EventCap", {}).get("isSupportFaceLib",
                                                      "face_libraries" in profile.isapi)).lower()
    assert flag(device_cap, "EventCap", "isSupportFaceLib") == libraries
    lockout = profile.quirk("lockout")
    assert flag(device_cap, "SecurityCap", "issupIllegalLoginLock") == str(lockout is not None).lower()
    if lockout:
        assert flag(device_cap, "SecurityCap", "maxIllegalLoginTimes") == str(lockout.params["max_failures"])
        assert flag(device_cap, "SecurityCap", "maxIllegalLoginLockTime") == \
            str(int(lockout.params["lock_seconds"]) // 60)


# -- per-channel analytics -------------------------------------------------------------------
@pytest.mark.parametrize("profile", **by_id(ISAPI_PROFILES))
def test_each_analytics_resource_reports_the_profile_state(fleet, profile):
    device = fleet[profile.id]
    checked = 0
    for channel in channels(profile):
        events = channel.get("events") or {}
        for key, (_, _, _, element) in FEATURES.items():
            path = feature_path(profile, key, channel["id"])
            if failing_quirk(profile, path) or key not in events:
                continue
            if channel.get("online", True) is False:
                continue     # test_nvr_offline_channel_answers_device_error
            root = doc(device, path)
            assert root.findtext(element) == str(bool(events[key].get("enabled"))).lower(), path
            targets = events[key].get("targets")
            if key == "LineDetection":
                items = [i.findtext("enabled") for i in root.iter("LineItem")]
                assert ("true" in items) == bool(events[key].get("enabled")), path
            if targets and key in ("LineDetection", "FieldDetection", "regionEntrance", "regionExiting"):
                assert {t.text for t in root.iter("detectionTarget")} == {",".join(targets)}, path
            if targets and key == "motionDetection":
                assert root.findtext(".//targetType") == ",".join(targets), path
            checked += 1
    assert checked > 0


@pytest.mark.parametrize("profile", **by_id(ISAPI_PROFILES))
def test_features_absent_from_the_profile_answer_not_support(fleet, profile):
    device = fleet[profile.id]
    first = channels(profile)[0]
    absent = [k for k in FEATURES if k not in (first.get("events") or {})]
    assert absent
    for key in absent:
        assert_not_support(device, feature_path(profile, key, first["id"]))
    assert_not_support(device, "/ISAPI/Intelligent/channels/99/faceContrast")
    assert_not_support(device, "/ISAPI/System/NoSuchResource")


@pytest.mark.parametrize("profile", **by_id(ISAPI_PROFILES))
def test_triggers_list_exactly_the_notify_methods(fleet, profile):
    device = fleet[profile.id]
    if profile.isapi.get("trigger_list_fails"):
        assert get(device, "/ISAPI/Event/triggers").status_code == 500   # DS-2CD4A26FWD-IZS-P: each id answers
        root = None
    else:
        root = doc(device, "/ISAPI/Event/triggers")
    triggers = {t.findtext("id"): t for t in root.iter("EventTrigger")} if root is not None else None
    for channel in channels(profile):
        for key, config in (channel.get("events") or {}).items():
            if key not in TRIGGER_PREFIX:
                continue
            trigger_id = f"{TRIGGER_PREFIX[key]}-{channel['id']}"
            single = doc(device, f"/ISAPI/Event/triggers/{trigger_id}")
            assert single.tag == "EventTrigger"
            listed = triggers[trigger_id] if triggers is not None else single
            methods = [m.text for m in listed.iter("notificationMethod")]
            assert sorted(methods) == sorted(config.get("notify") or []), trigger_id
            assert sorted(m.text for m in single.iter("notificationMethod")) == sorted(methods)
    assert_not_support(device, "/ISAPI/Event/triggers/linedetection-99")


def test_enabled_event_without_notify_has_an_empty_notification_list(fleet):
    profile = next(p for p in ISAPI_PROFILES if p.id == "hik-acusense-nvr")
    root = doc(fleet[profile.id], "/ISAPI/Event/triggers/counting-3")    # counting: enabled, no notify
    assert root.find("EventTriggerNotificationList") is not None
    assert list(root.find("EventTriggerNotificationList")) == []


# -- face libraries ----------------------------------------------------------------------------
@pytest.mark.parametrize("profile", **by_id(ISAPI_PROFILES))
def test_face_libraries_are_listed_with_counts(fleet, profile):
    device = fleet[profile.id]
    libraries = profile.isapi.get("face_libraries")
    if libraries is None:
        assert_not_support(device, "/ISAPI/Intelligent/FDLib")
        assert_not_support(device, "/ISAPI/Intelligent/FDLib/capabilities")
        return
    cfgs = list(doc(device, "/ISAPI/Intelligent/FDLib").iter("FDLibBaseCfg"))
    assert [(c.findtext("name"), c.findtext("faceLibType")) for c in cfgs] == \
        [(lib["name"], lib["type"]) for lib in libraries]
    fdids = [c.findtext("FDID") for c in cfgs]
    assert all(re.fullmatch(r"[0-9A-F]{32}", f) for f in fdids) and len(set(fdids)) == len(fdids)
    counts = get(device, "/ISAPI/Intelligent/FDLib/Count?format=json").json()["FDRecordDataInfo"]
    assert {c["FDID"]: c["recordDataNumber"] for c in counts} == \
        dict(zip(fdids, [lib["faces"] for lib in libraries], strict=True))
    assert doc(device, "/ISAPI/Intelligent/FDLib/capabilities").tag == "FDLibCap"
    assert doc(device, f"/ISAPI/Intelligent/FDLib/{fdids[0]}").findtext("name") == libraries[0]["name"]


# -- NVR ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("profile", **by_id(NVR_PROFILES))
def test_nvr_lists_proxied_cameras_and_their_status(fleet, profile):
    device = fleet[profile.id]
    listed = {int(c.findtext("id")): c for c in doc(device, "/ISAPI/ContentMgmt/InputProxy/channels")
              .iter("InputProxyChannel")}
    status = {int(c.findtext("id")): c for c in doc(device, "/ISAPI/ContentMgmt/InputProxy/channels/status")
              .iter("InputProxyChannelStatus")}
    assert set(listed) == set(status) == {c["id"] for c in channels(profile)}
    for channel in channels(profile):
        entry = listed[channel["id"]]
        assert entry.findtext("name") == channel["name"]
        assert entry.findtext("sourceInputPortDescriptor/ipAddress") == channel["source"]["address"]
        online = channel.get("online", True)
        assert status[channel["id"]].findtext("online") == str(online).lower()
        one = doc(device, f"/ISAPI/ContentMgmt/InputProxy/channels/{channel['id']}/status")
        assert one.findtext("online") == str(online).lower()


@pytest.mark.parametrize("profile", **by_id(OFFLINE_NVR_PROFILES))
def test_nvr_offline_channel_answers_device_error(fleet, profile):
    device = fleet[profile.id]
    offline = [c for c in channels(profile) if c.get("online", True) is False]
    for channel in offline:
        for key in ("motionDetection", "LineDetection", "faceContrast"):
            response = get(device, feature_path(profile, key, channel["id"]))
            assert response.status_code == 500
            root = parse(response)
            assert (root.tag, root.findtext("statusCode"), root.findtext("subStatusCode")) == \
                ("ResponseStatus", "3", "deviceError")
    # Motion of an NVR channel lives under InputProxy, not under System/Video/inputs.
    assert_not_support(device, "/ISAPI/System/Video/inputs/channels/1/motionDetection")


def test_some_nvr_profile_has_an_offline_camera():
    assert OFFLINE_NVR_PROFILES, "at least one NVR profile is expected to carry an offline camera"


@pytest.mark.parametrize("profile", **by_id(DVR_PROFILES))
def test_dvr_lists_analog_inputs_and_an_empty_proxy_list(fleet, profile):
    """iDS-7204HUHI-M1 / iDS-7208HQHI-M1: analog channels under System/Video/inputs, their
    motion there too, and an InputProxyChannelList with no channel."""
    device = fleet[profile.id]
    proxy = doc(device, "/ISAPI/ContentMgmt/InputProxy/channels")
    assert proxy.tag == "InputProxyChannelList" and list(proxy) == []
    inputs = doc(device, "/ISAPI/System/Video/inputs/channels")
    assert [int(c.findtext("id")) for c in inputs.iter("VideoInputChannel")] == [c["id"] for c in channels(profile)]
    assert doc(device, "/ISAPI/System/Video/inputs/channels/1/motionDetection").tag == "MotionDetection"
    assert_not_support(device, "/ISAPI/ContentMgmt/InputProxy/channels/1/video/motionDetection")
    assert doc(device, "/ISAPI/System/deviceInfo").findtext("deviceType") == "DVR"
    triggers = doc(device, "/ISAPI/Event/triggers")
    vmd = next(t for t in triggers.iter("EventTrigger") if t.findtext("id") == "VMD-1")
    assert (vmd.findtext("videoInputChannelID"), vmd.findtext("dynVideoInputChannelID")) == ("1", None)


@pytest.mark.parametrize("profile", **by_id([p for p in ISAPI_PROFILES if p not in NVR_PROFILES + DVR_PROFILES]))
def test_cameras_have_no_input_proxy(fleet, profile):
    assert_not_support(fleet[profile.id], "/ISAPI/ContentMgmt/InputProxy/channels")
    inputs = doc(fleet[profile.id], "/ISAPI/System/Video/inputs/channels")
    assert [int(c.findtext("id")) for c in inputs.iter("VideoInputChannel")] == \
        [c["id"] for c in channels(profile)]


# -- remote access, services, accounts ------------------------------------------------------------
def _host(node: ET.Element) -> str | None:
    return node.findtext(".//hostName") or node.findtext(".//ipAddress")


@pytest.mark.parametrize("profile", **by_id(ISAPI_PROFILES))
def test_remote_access_resources_reflect_the_profile(fleet, profile):
    device = fleet[profile.id]
    network_cap = doc(device, "/ISAPI/System/capabilities")
    for remote_id, (path, cap_flag) in REMOTE.items():
        setting = profile.remote_access.get(remote_id)
        # NVR firmware keeps isSupportEhome at the top of DeviceCap, IPC firmware in NetworkCap.
        claimed = network_cap.findtext(cap_flag) or flag(network_cap, "NetworkCap", cap_flag)
        assert claimed == str(setting is not None).lower(), remote_id
        if setting is None:
            assert_not_support(device, path)
            continue
        root = doc(device, path)
        if "enabled" in setting and remote_id not in ("ntp", "email"):
            assert root.findtext(".//enabled") == str(setting["enabled"]).lower(), remote_id
        if setting.get("server"):
            assert _host(root) == setting["server"], remote_id
        if remote_id == "isup":
            assert root.findtext("portNo") == str(setting["port"])
            assert root.find("key") is None
        if remote_id == "ddns":
            assert root.findtext("provider") == setting["provider"]
    ntp = profile.remote_access.get("ntp")
    time_mode = doc(device, "/ISAPI/System/time").findtext("timeMode")
    assert time_mode == ("NTP" if ntp and ntp["enabled"] else "manual")


@pytest.mark.parametrize("profile", **by_id([p for p in ISAPI_PROFILES
                                             if (p.remote_access.get("ftp") or {}).get("password")
                                             or (p.remote_access.get("email") or {}).get("password")]))
def test_old_firmware_returns_secrets_in_clear_unless_security_is_asked(fleet, profile):
    device = fleet[profile.id]
    for remote_id, path in (("ftp", "/ISAPI/System/Network/ftp"), ("email", "/ISAPI/System/Network/mailing")):
        password = (profile.remote_access.get(remote_id) or {}).get("password")
        if not password:
            continue
        assert doc(device, path).findtext(".//password") == password
        hidden = doc(device, path + "?security=1&iv=00112233445566778899aabbccddeeff").findtext(".//password")
        assert hidden and hidden != password and password not in hidden


def test_ezviz_verification_code_is_clear_text_without_security(fleet):
    device = fleet["ezviz-consumer"]
    clear = doc(device, "/ISAPI/System/Network/EZVIZ").findtext("verificationCode")
    secured = doc(device, "/ISAPI/System/Network/EZVIZ?security=1&iv=00ff").findtext("verificationCode")
    assert re.fullmatch(r"[A-Z]{6}", clear)
    assert secured and secured != clear


@pytest.mark.parametrize("profile", **by_id(ISAPI_PROFILES))
def test_users_ports_and_shell_services_come_from_the_profile(fleet, profile):
    device = fleet[profile.id]
    response = get(device, "/ISAPI/Security/users")
    users = parse(response)
    levels = {"admin": "Administrator", "operator": "Operator", "viewer": "Viewer"}
    assert [(u.findtext("userName"), u.findtext("userLevel")) for u in users.iter("User")] == \
        [(a.user, levels[a.role]) for a in profile.accounts]
    assert not any(a.password in response.text for a in profile.accounts)
    ports = {p.findtext("protocol"): (p.findtext("enabled"), p.findtext("portNo"))
             for p in doc(device, "/ISAPI/Security/adminAccesses").iter("AdminAccessProtocol")}
    assert ports["HTTP"] == ("true", str(device.ports["http"]))
    assert ports["DEV_MANAGE"][0] == str("sdk" in device.ports).lower()
    assert ports["HTTPS"][0] == str("https" in device.ports).lower()
    for service, path in (("telnet", "/ISAPI/System/Network/telnetd"), ("ssh", "/ISAPI/System/Network/ssh")):
        expected = getattr(profile.services, service) is not None
        assert doc(device, path).findtext("enabled") == str(expected).lower()


@pytest.mark.parametrize("profile", **by_id(ISAPI_PROFILES))
def test_device_time_includes_the_clock_skew(fleet, profile):
    skew = profile.quirk("clock_skew")
    offset = dt.timedelta(seconds=float(skew.params["seconds"]) if skew else 0)
    local = doc(fleet[profile.id], "/ISAPI/System/time").findtext("localTime")
    drift = dt.datetime.fromisoformat(local) - (dt.datetime.now(dt.UTC) + offset)
    assert abs(drift.total_seconds()) < 5


# -- authentication ---------------------------------------------------------------------------------
@pytest.mark.parametrize("profile", **by_id(ISAPI_PROFILES))
def test_digest_good_bad_and_missing_credentials(fleet, profile):
    device = fleet[profile.id]
    missing = get(device, "/ISAPI/System/deviceInfo", auth=None)
    assert missing.status_code == 401
    assert missing.headers["WWW-Authenticate"].startswith("Digest ")
    user = profile.accounts[0].user
    bad = get(device, "/ISAPI/System/deviceInfo", auth=HTTPDigestAuth(user, "not-the-password"))
    assert bad.status_code == 401
    assert bad.headers["WWW-Authenticate"].startswith("Digest ")
    assert get(device, "/ISAPI/System/deviceInfo").status_code == 200     # also clears the failure count
    for public in ("/SDK/activateStatus", "/ISAPI/Security/sessionLogin/capabilities?username=admin"):
        response = get(device, public, auth=None)
        assert response.status_code == 200, public
        assert device.log.entries()[-1].auth == "not-required"
    assert parse(get(device, "/ISAPI/Security/sessionLogin/capabilities", auth=None)).findtext("salt")


def test_locked_account_gets_401_with_lock_details(start_fleet):
    profile = next(p for p in ISAPI_PROFILES if p.quirk("lockout"))
    device = start_fleet(isapi_only(profile)).devices[0]
    user = next(a.user for a in profile.accounts if a.role == "admin")
    for _ in range(int(profile.quirk("lockout").params["max_failures"])):
        assert get(device, "/ISAPI/System/deviceInfo", auth=HTTPDigestAuth(user, "wrong")).status_code == 401
    locked = get(device, "/ISAPI/System/deviceInfo")
    assert locked.status_code == 401
    assert locked.headers["WWW-Authenticate"].startswith("Digest ")
    root = parse(locked)
    assert (root.tag, root.findtext("lockStatus")) == ("userCheck", "lock")
    assert int(root.findtext("unlockTime")) > 0
    assert device.log.entries()[-1].auth == "locked"


@pytest.mark.parametrize("profile", **by_id([p for p in ISAPI_PROFILES if any(a.role == "viewer"
                                                                              for a in p.accounts)]))
def test_viewer_account_cannot_read_security_settings(fleet, profile):
    device = fleet[profile.id]
    viewer = next(a for a in profile.accounts if a.role == "viewer")
    auth = HTTPDigestAuth(viewer.user, viewer.password)
    assert get(device, "/ISAPI/System/deviceInfo", auth=auth).status_code == 200
    denied = get(device, "/ISAPI/Security/users", auth=auth)
    assert denied.status_code == 403
    assert parse(denied).findtext("subStatusCode") == "lowPrivilege"


# -- quirks and writes ------------------------------------------------------------------------------
@pytest.mark.parametrize("profile", **by_id([p for p in ISAPI_PROFILES if p.quirk("claims_then_fails")]))
def test_claims_then_fails_paths_fail_while_capabilities_claim(fleet, profile):
    device = fleet[profile.id]
    quirk = profile.quirk("claims_then_fails")
    for prefix in quirk.params["paths"]:
        key = next(k for k, v in FEATURES.items() if v[2].startswith(prefix))
        section, name, template, _ = FEATURES[key]
        response = get(device, template.format(ch=channels(profile)[0]["id"]))
        assert response.status_code == int(quirk.params.get("status", 500))
        assert flag(doc(device, "/ISAPI/System/capabilities"), section, name) == "true"


@pytest.mark.parametrize("profile", **by_id(ISAPI_PROFILES))
def test_writes_are_answered_but_change_nothing(fleet, profile):
    device = fleet[profile.id]
    path = "/ISAPI/System/deviceInfo"
    before = get(device, path).content
    changed = before.replace(profile.identity.name.encode(), b"Renamed by a test")
    put = send("PUT", device, path, changed)
    assert put.status_code == 200
    assert parse(put).findtext("subStatusCode") == "ok"
    assert get(device, path).content == before
    assert device.log.writes()[-1].method == "PUT"
    garbage = send("PUT", device, path, b"<DeviceInfo><oops>")
    assert (garbage.status_code, parse(garbage).findtext("subStatusCode")) == (400, "badXmlFormat")
    assert parse(send("PUT", device, path, b"<EZVIZ/>")).findtext("subStatusCode") == "badXmlContent"
    assert parse(send("POST", device, path, changed)).findtext("subStatusCode") == "methodNotAllowed"
    assert parse(send("DELETE", device, path, b"")).findtext("subStatusCode") == "methodNotAllowed"
    triggers_before = get(device, "/ISAPI/Event/triggers").content
    # Firmware whose trigger list fails answers a write to it the same way (it validates against it).
    want = 500 if profile.isapi.get("trigger_list_fails") else 200
    assert send("PUT", device, "/ISAPI/Event/triggers", b"<EventTriggerList/>").status_code == want
    assert get(device, "/ISAPI/Event/triggers").content == triggers_before


# -- the simulators' ids are camaudit's ids ----------------------------------------------------------
def test_simulator_feature_and_remote_access_ids_are_the_taxonomy():
    """device_simulators may not import models (import-linter), so it keeps its own copy of the
    ids; this pins the copy, and every id any profile's expect block names, to models.features."""
    from device_simulators import profile as sim_profile
    from models.features import FEATURE_IDS, REMOTE_ACCESS_IDS

    assert tuple(sim_profile.FEATURE_IDS) == FEATURE_IDS
    assert tuple(sim_profile.REMOTE_ACCESS_IDS) == REMOTE_ACCESS_IDS
    for profile in bundled_profiles():
        expect = profile.expect
        assert set(expect.get("features") or {}) - {"default"} <= set(FEATURE_IDS), profile.id
        assert set(expect.get("remote_access") or {}) - {"default"} <= set(REMOTE_ACCESS_IDS), profile.id
        for channel, features in (expect.get("channels") or {}).items():
            assert set(features) <= set(FEATURE_IDS), (profile.id, channel)
