"""The Dahua CGI simulator answers like Dahua firmware, rendered from each profile.

Every bundled profile that speaks dahua_cgi is a case, so a new profile is a new case.
Devices run with only their dahua_cgi family: ONVIF and discovery are other families with
their own tests, and this file must not fail because one of them is mid-change.
Bodies are parsed here with a few lines of our own (split on the first `=`), never with a
parser the auditor uses.
"""

from __future__ import annotations

import dataclasses
import time

import pytest
import requests
from requests.auth import HTTPDigestAuth

from device_simulators import FleetError, Profile, SimDevice, bundled_profile, bundled_profiles

DAHUA = [p for p in bundled_profiles() if p.speaks("dahua_cgi")]
WITH_PASSWORD = [p for p in DAHUA if p.auth_scheme != "none"]
OEM = [p for p in DAHUA if p.identity.brand != p.identity.manufacturer]
ERROR = b"Error\r\nBad Request!"

# remote_access id -> the config name Dahua keeps it under.
CONFIG_NAMES = {
    "dahua_p2p": "T2UServer", "ntp": "NTP", "email": "Email", "ddns": "DDNS", "upnp": "UPnP",
    "auto_register": "DVRIP.RegisterServer", "ftp": "NAS",
}


def ids(profiles: list[Profile]) -> list[str]:
    return [p.id for p in profiles]


def parse(body: str) -> dict[str, str]:
    """Dahua key=value lines; values may contain `=`, so split on the first one only."""
    pairs = {}
    for line in body.split("\r\n"):
        if line:
            key, _, value = line.partition("=")
            pairs[key] = value
    return pairs


def credentials(profile: Profile) -> HTTPDigestAuth | None:
    if profile.auth_scheme == "none":
        return None
    account = profile.accounts[0]
    return HTTPDigestAuth(account.user, account.password)


def cgi(device: SimDevice, query: str, **kwargs: object) -> requests.Response:
    kwargs.setdefault("auth", credentials(device.profile))
    return requests.get(f"{device.url()}/cgi-bin/{query}", timeout=10, **kwargs)  # type: ignore[arg-type]


def values(device: SimDevice, query: str) -> dict[str, str]:
    response = cgi(device, query)
    assert response.status_code == 200, (query, response.status_code, response.content)
    return parse(response.text)


def is_error(response: requests.Response) -> bool:
    return response.status_code == 400 and response.content.startswith(ERROR)


@pytest.fixture
def start(start_fleet):
    """Start one profile with only its Dahua CGI family; returns the running device."""
    def factory(profile: Profile | str) -> SimDevice:
        profile = bundled_profile(profile) if isinstance(profile, str) else profile
        alone = dataclasses.replace(profile, protocols=frozenset({"dahua_cgi"}))
        for attempt in range(3):
            try:
                return start_fleet(alone).devices[0]
            except FleetError:
                # Another pytest process on this machine holds that loopback /24 (the
                # conftest numbering is per process); start_fleet moves to the next one.
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")
    return factory


# -- identity and authentication ----------------------------------------------------------------

def _check_authentication(device: SimDevice, profile: Profile) -> None:
    anonymous = cgi(device, "magicBox.cgi?action=getSerialNo", auth=None)
    if profile.auth_scheme == "none":
        assert anonymous.status_code == 200 and device.log.entries()[-1].auth == "not-required"
        return
    assert anonymous.status_code == 401
    challenge = anonymous.headers["WWW-Authenticate"]
    assert challenge.startswith("Digest ") and f'realm="Login to {profile.identity.serial}"' in challenge
    bad = HTTPDigestAuth(profile.accounts[0].user, "not-the-password")
    assert cgi(device, "magicBox.cgi?action=getSerialNo", auth=bad).status_code == 401
    assert cgi(device, "magicBox.cgi?action=getSerialNo").status_code == 200


def _check_machine_name(device: SimDevice, profile: Profile) -> None:
    raw = cgi(device, "magicBox.cgi?action=getMachineName").content
    if profile.quirk("invalid_utf8") is None:
        assert raw == f"name={profile.identity.name}\r\n".encode()
        return
    # Old OEM firmware stores the name as Latin-1 and still calls the body UTF-8.
    assert raw.startswith(b"name=" + profile.identity.name.encode("latin-1"))
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")


@pytest.mark.parametrize("profile", DAHUA, ids=ids(DAHUA))
def test_identity_calls_match_the_profile_for_an_authenticated_caller(start, profile):
    device = start(profile)
    _check_authentication(device, profile)
    dahua, identity = profile.dahua, profile.identity
    info = values(device, "magicBox.cgi?action=getSystemInfo")
    assert info["deviceType"] == dahua["device_type"]
    assert info["serialNumber"] == identity.serial
    assert info["updateSerial"] == dahua["update_serial"]
    assert info["hardwareVersion"] == identity.hardware_version
    assert list(info) == sorted(info)   # firmware lists table keys in byte order
    version = dahua.get("software_version", identity.firmware)
    assert values(device, "magicBox.cgi?action=getSoftwareVersion") == {
        "version": f"{version},build:{identity.build_date.isoformat()}"}
    assert values(device, "magicBox.cgi?action=getDeviceType") == {"type": dahua["device_type"]}
    assert values(device, "magicBox.cgi?action=getSerialNo") == {"sn": identity.serial}
    assert values(device, "magicBox.cgi?action=getVendor") == {"vendor": dahua["vendor"]}
    assert values(device, "magicBox.cgi?action=getDeviceClass") == {"class": dahua["device_class"]}
    assert values(device, "magicBox.cgi?action=getHardwareVersion") == {"version": identity.hardware_version}
    assert "version" in values(device, "IntervideoManager.cgi?action=getVersion&Name=Onvif")
    _check_machine_name(device, profile)
    if identity.brand != identity.manufacturer:
        # OEM: the label's brand in getVendor, the Dahua base model in updateSerial.
        assert dahua["vendor"] == identity.brand != "Dahua"
        assert info["deviceType"] == identity.model
        assert info["updateSerial"].startswith("IPC-") and info["updateSerial"] != identity.model
    shown = values(device, "global.cgi?action=getCurrentTime")["result"]
    clock = device.clock().replace(tzinfo=None)
    assert abs((clock - clock.strptime(shown, "%Y-%m-%d %H:%M:%S")).total_seconds()) < 5


def test_oem_profiles_are_covered():
    """The OEM checks above only bite if bundled OEM profiles exist (Honeywell, Amcrest)."""
    assert {p.identity.brand for p in OEM} >= {"Honeywell", "Amcrest"}


def test_locked_account_is_refused_even_with_the_right_password(start):
    profile = bundled_profile("honeywell-dahua-oem")
    device = start(profile)
    bad = HTTPDigestAuth("admin", "wrong")
    for _ in range(int(profile.quirk("lockout").params["max_failures"])):
        assert cgi(device, "magicBox.cgi?action=getSerialNo", auth=bad).status_code == 401
    locked = cgi(device, "magicBox.cgi?action=getSerialNo")
    assert locked.status_code == 401 and locked.content.startswith(b"Error")
    assert "WWW-Authenticate" in locked.headers
    assert device.log.entries()[-1].auth == "locked"


# -- analytics ----------------------------------------------------------------------------------

def _check_rules(device: SimDevice, profile: Profile) -> None:
    response = cgi(device, "configManager.cgi?action=getConfig&name=VideoAnalyseRule")
    rules = profile.dahua.get("rules") or []
    if not rules and not isinstance(profile.dahua.get("caps"), list):
        assert is_error(response)   # no IVS engine on this firmware
        return
    table = parse(response.text)
    assert sum(key.endswith("].Type") for key in table) == len(rules)
    seen: dict[int, int] = {}
    for rule in rules:
        index = seen[rule["channel"]] = seen.get(rule["channel"], -1) + 1
        prefix = f"table.VideoAnalyseRule[{rule['channel']}][{index}]"
        assert table[f"{prefix}.Type"] == rule["type"]
        assert table[f"{prefix}.Class"] == rule["class"]
        assert table[f"{prefix}.Name"] == rule["name"]
        assert table[f"{prefix}.Enable"] == str(rule["enable"]).lower()
        assert [table[f"{prefix}.ObjectTypes[{i}]"] for i in range(len(rule["object_types"]))] \
            == rule["object_types"]
        if "feature_enable" in rule:
            assert table[f"{prefix}.Config.FeatureEnable"] == str(rule["feature_enable"]).lower()
        features = rule.get("features", [])
        assert [table[f"{prefix}.Config.FeatureList[{i}]"] for i in range(len(features))] == features
        assert f"{prefix}.Config.FeatureList[{len(features)}]" not in table


def _check_caps(device: SimDevice, profile: Profile) -> None:
    caps = profile.dahua["caps"]
    response = cgi(device, "devVideoAnalyse.cgi?action=getCaps&channel=1")
    if caps == "unsupported":
        assert is_error(response)   # Intelbras-style refusal of the documented call
        return
    supported = [v for k, v in parse(response.text).items() if k.startswith("caps.SupportedRules[")]
    assert supported == caps
    beyond = profile.dahua.get("channels", 1) + 1
    assert is_error(cgi(device, f"devVideoAnalyse.cgi?action=getCaps&channel={beyond}"))


def _check_motion(device: SimDevice, profile: Profile) -> None:
    motion = values(device, "configManager.cgi?action=getConfig&name=MotionDetect")
    flags = profile.dahua.get("motion_detect", [])
    assert [motion[f"table.MotionDetect[{i}].Enable"] for i in range(len(flags))] \
        == [str(f).lower() for f in flags]
    smart = profile.dahua.get("smart_motion")
    response = cgi(device, "configManager.cgi?action=getConfig&name=SmartMotionDetect")
    if smart is None:
        assert is_error(response)
        return
    table = parse(response.text)
    assert table["table.SmartMotionDetect[0].Enable"] == str(smart["enable"]).lower()
    assert table["table.SmartMotionDetect[0].ObjectTypes.Human"] == str(smart["human"]).lower()
    assert table["table.SmartMotionDetect[0].ObjectTypes.Vehicle"] == str(smart["vehicle"]).lower()


@pytest.mark.parametrize("profile", DAHUA, ids=ids(DAHUA))
def test_analytics_rules_caps_and_motion_match_the_profile(start, profile):
    device = start(profile)
    _check_rules(device, profile)
    _check_caps(device, profile)
    _check_motion(device, profile)


@pytest.mark.parametrize("profile", DAHUA, ids=ids(DAHUA))
def test_face_groups_match_the_profile(start, profile):
    device = start(profile)
    groups = profile.dahua.get("face_groups")
    began = time.monotonic()
    response = cgi(device, "faceRecognitionServer.cgi?action=findGroup")
    slow = profile.quirk("slow_endpoints")
    if slow is not None and slow.applies_to("/cgi-bin/faceRecognitionServer.cgi"):
        # dahua-nvr: face-group listing is slow on that model; only a lower bound is fair.
        assert time.monotonic() - began >= float(slow.params["delay"])
    if groups is None:
        assert is_error(response)
        return
    table = parse(response.text)
    listed = [(table[f"GroupList[{i}].groupID"], table[f"GroupList[{i}].groupName"],
               int(table[f"GroupList[{i}].groupSize"]), table[f"GroupList[{i}].groupType"])
              for i in range(len(groups))]
    assert listed == [(g["id"], g["name"], g["size"], g["type"]) for g in groups]
    assert f"GroupList[{len(groups)}].groupID" not in table
    last = groups[-1]
    one = values(device, f"faceRecognitionServer.cgi?action=findGroup&groupID={last['id']}")
    assert one["GroupList[0].groupName"] == last["name"] and "GroupList[1].groupID" not in one


def test_a_profile_has_the_slow_face_group_quirk():
    """The slow-endpoint check above only bites if a bundled profile has the quirk."""
    assert bundled_profile("dahua-nvr").quirk("slow_endpoints").applies_to(
        "/cgi-bin/faceRecognitionServer.cgi")


# -- remote access and services -----------------------------------------------------------------

def _check_remote(table: dict[str, str], rid: str, cfg: dict) -> None:
    enabled = str(bool(cfg.get("enabled"))).lower()
    if rid == "dahua_p2p":
        assert table["table.T2UServer.Enable"] == enabled
    elif rid == "ntp":
        assert (table["table.NTP.Enable"], table["table.NTP.Address"], table["table.NTP.Port"]) \
            == (enabled, cfg["server"], str(cfg["port"]))
    elif rid == "email":
        assert (table["table.Email.Enable"], table["table.Email.Address"], table["table.Email.Port"],
                table["table.Email.SendAddress"]) == (enabled, cfg["server"], str(cfg["port"]), cfg["sender"])
        # Old firmware returns the mail password in clear; the simulator must too.
        assert table["table.Email.Password"] == cfg.get("password", "")
        receivers = cfg.get("receivers", [])
        assert [table[f"table.Email.Receivers[{i}]"] for i in range(len(receivers))] == receivers
    elif rid == "ddns":
        assert (table["table.DDNS[0].Enable"], table["table.DDNS[0].Address"],
                table["table.DDNS[0].Protocol"]) == (enabled, cfg["server"], cfg["provider"])
        assert table["table.DDNS[0].HostName"].startswith(cfg["domain"])
    elif rid == "upnp":
        assert table["table.UPnP.Enable"] == enabled
    elif rid == "auto_register":
        prefix = "table.DVRIP.RegisterServer"
        assert (table[f"{prefix}.Enable"], table[f"{prefix}.Servers[0].Address"],
                table[f"{prefix}.Servers[0].Port"]) == (enabled, cfg["server"], str(cfg["port"]))
    elif rid == "ftp":
        assert (table["table.NAS[0].Enable"], table["table.NAS[0].Protocol"], table["table.NAS[0].Address"],
                table["table.NAS[0].UserName"]) == (enabled, "FTP", cfg["server"], cfg["user"])


def _check_services(device: SimDevice, profile: Profile) -> None:
    services = profile.services
    telnet = values(device, "configManager.cgi?action=getConfig&name=Telnet")
    assert telnet == {"table.Telnet.Enable": str(services.telnet is not None).lower()}
    sshd = values(device, "configManager.cgi?action=getConfig&name=SSHD")
    assert sshd == {"table.SSHD.Enable": str(services.ssh is not None).lower()}
    net = values(device, "configManager.cgi?action=getConfig&name=Network")
    assert net["table.Network.eth0.PhysicalAddress"] == profile.identity.mac
    assert net["table.Network.eth0.IPAddress"] == device.address


@pytest.mark.parametrize("profile", DAHUA, ids=ids(DAHUA))
def test_remote_access_and_service_configs_reflect_the_profile(start, profile):
    device = start(profile)
    for rid, name in CONFIG_NAMES.items():
        response = cgi(device, f"configManager.cgi?action=getConfig&name={name}")
        cfg = profile.remote_access.get(rid)
        if cfg is None:
            assert is_error(response), (rid, response.status_code, response.content)
            continue
        assert response.status_code == 200, (rid, response.content)
        _check_remote(parse(response.text), rid, cfg)
    status = cgi(device, "netApp.cgi?action=getUPnPStatus")
    upnp = profile.remote_access.get("upnp")
    if upnp is None:
        assert is_error(status)
    else:
        assert parse(status.text)["status.Working"] == str(bool(upnp["enabled"])).lower()
    _check_services(device, profile)


# -- errors, paths and writes -------------------------------------------------------------------

def test_unknown_module_action_or_config_name_answers_the_dahua_error(start):
    device = start("dahua-wizmind-face")
    for query in ("magicBox.cgi?action=getNothing", "noSuchModule.cgi?action=getConfig",
                  "configManager.cgi?action=getConfig&name=NoSuchTable",
                  "configManager.cgi?action=getConfig",
                  "configManager.cgi?action=getConfig&name=General.NoSuchKey",
                  "configManager.cgi?action=getConfig&name=RegisterServer",
                  "devVideoAnalyse.cgi?action=getSceneList"):
        assert is_error(cgi(device, query)), query


def test_get_config_answers_a_path_inside_a_table(start):
    device = start("dahua-wizmind-face")
    assert values(device, "configManager.cgi?action=getConfig&name=General.MachineName") \
        == {"table.General.MachineName": "Leisure entrance"}
    assert values(device, "configManager.cgi?action=getConfig&name=VideoAnalyseRule[0][1].Enable") \
        == {"table.VideoAnalyseRule[0][1].Enable": "true"}


def test_set_config_is_acknowledged_but_changes_nothing(start):
    device = start("dahua-wizmind-face")
    read = "configManager.cgi?action=getConfig&name=T2UServer"
    assert values(device, read) == {"table.T2UServer.Enable": "true"}
    write = cgi(device, "configManager.cgi?action=setConfig&T2UServer.Enable=false")
    assert (write.status_code, write.content) == (200, b"OK\r\n")
    assert values(device, read) == {"table.T2UServer.Enable": "true"}
    assert any("action=setConfig" in e.path for e in device.log.entries())
    assert is_error(cgi(device, "configManager.cgi?action=setConfig&NoSuchTable.Enable=false"))
