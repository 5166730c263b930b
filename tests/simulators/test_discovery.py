"""Discovery responders over real loopback UDP: WS-Discovery, Hikvision SADP, Dahua DHIP.

Replies are parsed here with a few lines of our own, not with the responders' code. Silence is
proven without waiting for timeouts: a responder handles datagrams in order, so when a bad
datagram is followed by a good one, the first reply must belong to the good one.
"""

from __future__ import annotations

import copy
import json
import random
import re
import socket
import struct
import uuid
import xml.etree.ElementTree as ET
from urllib.parse import unquote

import pytest

from device_simulators import SimDevice, bundled_profile, bundled_profiles
from device_simulators.discovery import dhip, sadp, wsd
from device_simulators.profile import Profile, parse_profile

PORTS = {"ws_discovery": 3702, "sadp": 37020, "dhip": 37810}
CLIENT = "127.0.0.1"
NS = {"s": "http://www.w3.org/2003/05/soap-envelope", "a": "http://schemas.xmlsoap.org/ws/2004/08/addressing",
      "d": "http://schemas.xmlsoap.org/ws/2005/04/discovery"}
SCOPE = "onvif://www.onvif.org/"


def speaking(protocol: str) -> list[str]:
    return [p.id for p in bundled_profiles() if p.speaks(protocol)]


@pytest.fixture
def client():
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((CLIENT, 0))
    sock.settimeout(1.0)
    yield sock
    sock.close()


def start(start_fleet, profile_id: str) -> SimDevice:
    return start_fleet(profile_id).devices[0]


def exchange(sock: socket.socket, device: SimDevice, protocol: str, *datagrams: bytes) -> bytes:
    """Send the datagrams in order and return the first reply, which must come from the device."""
    for datagram in datagrams:
        sock.sendto(datagram, (device.address, PORTS[protocol]))
    data, peer = sock.recvfrom(65535)
    assert peer == (device.address, PORTS[protocol])
    return data


# -- probes, built here from the public packet examples -----------------------------------------
def wsd_probe(message_id: str, types: str = "dn:NetworkVideoTransmitter", scopes: str | None = None) -> bytes:
    scope_el = f"<d:Scopes>{scopes}</d:Scopes>" if scopes is not None else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<e:Envelope xmlns:e="{NS["s"]}" xmlns:w="{NS["a"]}" xmlns:d="{NS["d"]}" '
        'xmlns:dn="http://www.onvif.org/ver10/network/wsdl" '
        'xmlns:wprt="http://schemas.microsoft.com/windows/2006/08/wdp/print">'
        f"<e:Header><w:MessageID>{message_id}</w:MessageID>"
        "<w:To>urn:schemas-xmlsoap-org:ws:2005:04:discovery</w:To>"
        f"<w:Action>{NS['d']}/Probe</w:Action></e:Header>"
        f"<e:Body><d:Probe><d:Types>{types}</d:Types>{scope_el}</d:Probe></e:Body></e:Envelope>"
    ).encode()


def sadp_probe(probe_uuid: str, types: str = "inquiry") -> bytes:
    return (f'<?xml version="1.0" encoding="utf-8"?><Probe><Uuid>{probe_uuid}</Uuid>'
            f"<Types>{types}</Types></Probe>").encode()


def dhip_frame(body: bytes, magic: bytes = b"DHIP") -> bytes:
    return struct.pack("<I", 0x20) + magic + bytes(8) + struct.pack("<QQ", len(body), len(body)) + body


DHIP_SEARCH = json.dumps({"method": "DHDiscover.search", "params": {"mac": "", "uni": 1}}).encode()


# -- reply parsers -------------------------------------------------------------------------------
def parse_probe_match(data: bytes) -> dict:
    root = ET.fromstring(data)
    match = root.find("s:Body/d:ProbeMatches/d:ProbeMatch", NS)
    return {
        "message_id": root.findtext("s:Header/a:MessageID", namespaces=NS),
        "relates_to": root.findtext("s:Header/a:RelatesTo", namespaces=NS),
        "action": root.findtext("s:Header/a:Action", namespaces=NS),
        "address": match.findtext("a:EndpointReference/a:Address", namespaces=NS),
        "types": match.findtext("d:Types", namespaces=NS).split(),
        "scopes": match.findtext("d:Scopes", namespaces=NS).split(),
        "xaddrs": match.findtext("d:XAddrs", namespaces=NS).split(),
        "metadata_version": match.findtext("d:MetadataVersion", namespaces=NS),
    }


def parse_sadp(data: bytes) -> dict[str, str]:
    root = ET.fromstring(data)
    assert root.tag == "ProbeMatch"
    return {child.tag: child.text or "" for child in root}


def lenient_bool(text: str) -> bool:
    # Hikvision firmware writes "flase" (PROTOCOLS.md quirk 17).
    assert text.lower() in {"true", "false", "flase"}, text
    return text.lower() == "true"


def parse_dhip(data: bytes) -> tuple[tuple[int, bytes, bytes, int, int], dict]:
    header = struct.unpack_from("<I4s8sQQ", data)
    text = data[32:].decode("utf-8", "replace").rstrip("\x00\n ")
    return header, json.loads(text)


def assert_silent_on_unspoken_ports(device: SimDevice) -> None:
    """A device has no socket for discovery protocols it does not speak (no DHIP on Hikvision)."""
    for protocol, port in PORTS.items():
        if device.profile.speaks(protocol):
            assert device.ports[protocol] == port
            continue
        assert protocol not in device.ports
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.settimeout(0.3)
            sock.connect((device.address, port))
            sock.send(dhip_frame(DHIP_SEARCH) if protocol == "dhip" else sadp_probe("X"))
            with pytest.raises((ConnectionRefusedError, TimeoutError)):
                sock.recv(65535)


# -- WS-Discovery --------------------------------------------------------------------------------
@pytest.mark.parametrize("profile_id", speaking("ws_discovery"))
def test_wsd_probe_match_carries_identity_and_bound_service_url(start_fleet, client, profile_id):
    device = start(start_fleet, profile_id)
    onvif, ident = device.profile.onvif, device.profile.identity
    probe_id = f"uuid:{uuid.uuid4()}"
    reply = parse_probe_match(exchange(client, device, "ws_discovery", wsd_probe(probe_id)))

    assert reply["relates_to"] == probe_id
    assert reply["message_id"] not in (None, probe_id)
    assert reply["action"].endswith("/discovery/ProbeMatches")
    assert reply["address"].startswith("urn:uuid:")
    uuid.UUID(reply["address"].removeprefix("urn:uuid:"))
    assert {t.split(":")[-1] for t in reply["types"]} >= {"NetworkVideoTransmitter", "Device"}
    assert reply["xaddrs"] == [f"http://{device.address}:{device.ports['http']}/onvif/device_service"]
    assert int(reply["metadata_version"]) >= 1
    scopes = {unquote(s.removeprefix(SCOPE)) for s in reply["scopes"]}
    # name/ is what OEM firmware rewrites (Honeywell on Dahua); hardware/ keeps the model.
    assert f"name/{onvif['scope_name']}" in scopes
    assert f"hardware/{onvif.get('model') or ident.model}" in scopes
    assert f"location/{onvif['scope_location']}" in scopes
    assert any(s.startswith("Profile/") for s in scopes)
    if ident.manufacturer == "Hikvision":
        assert f"MAC/{ident.mac}" in scopes
    if ident.manufacturer == "Dahua":
        assert "type/Network_Video_Transmitter" in scopes
    # The endpoint address is the device's identity: stable across probes.
    again = parse_probe_match(exchange(client, device, "ws_discovery", wsd_probe(f"uuid:{uuid.uuid4()}")))
    assert again["address"] == reply["address"] and again["message_id"] != reply["message_id"]
    assert_silent_on_unspoken_ports(device)


def test_wsd_honours_types_and_scopes_filters(start_fleet, client):
    device = start(start_fleet, "axis-onvif-line")
    cases = [("wprt:PrintDeviceType", None, False),
             ("dn:NetworkVideoTransmitter wprt:PrintDeviceType", None, False),
             ("dn:NetworkVideoTransmitter", f"{SCOPE}name/Nobody", False),
             ("", None, True),
             ("dn:NetworkVideoTransmitter", f"{SCOPE}location", True)]
    for types, scopes, answered in cases:
        device.log.clear()
        reply = parse_probe_match(exchange(client, device, "ws_discovery",
                                           wsd_probe("uuid:filtered", types, scopes), wsd_probe("uuid:plain")))
        if answered:
            assert reply["relates_to"] == "uuid:filtered", types
            client.recvfrom(65535)          # the plain probe's reply
        else:
            assert reply["relates_to"] == "uuid:plain", types
            assert device.log.entries()[0].action == "Probe:no-match"


# -- SADP ----------------------------------------------------------------------------------------
SADP_FIELDS = ("Uuid Types DeviceType DeviceDescription DeviceSN CommandPort HttpPort MAC IPv4Address "
               "IPv4SubnetMask IPv4Gateway DHCP SoftwareVersion DSPVersion BootTime Activated "
               "PasswordResetAbility SupportHCPlatform HCPlatformEnable").split()
# Hik-Connect state as SADP must report it, without credentials (PROTOCOLS.md d).
HIK_CONNECT = {"hik-school-bullet": True, "ezviz-consumer": True, "hik-acusense-nvr": False}
OEM_INFO = {"truvision-thermal-oem": "TruVision"}


@pytest.mark.parametrize("profile_id", speaking("sadp"))
def test_sadp_probe_match_fields(start_fleet, client, profile_id):
    device = start(start_fleet, profile_id)
    ident, sadp_cfg = device.profile.identity, device.profile.isapi["sadp"]
    probe_uuid = str(uuid.uuid4()).upper()
    match = parse_sadp(exchange(client, device, "sadp", sadp_probe(probe_uuid)))
    newer = parse_sadp(exchange(client, device, "sadp", sadp_probe("V32", "inquiry_v32")))

    assert set(SADP_FIELDS) <= set(match)
    assert (match["Uuid"], match["Types"]) == (probe_uuid, "inquiry")
    assert (newer["Uuid"], newer["Types"]) == ("V32", "inquiry_v32")
    assert int(match["DeviceType"]) == sadp_cfg["device_type_code"]
    assert (match["DeviceDescription"], match["DeviceSN"]) == (ident.model, ident.serial)
    assert int(match["CommandPort"]) == device.ports["sdk"]
    assert int(match["HttpPort"]) == device.ports["http"]
    assert re.fullmatch(r"[0-9a-f]{2}(-[0-9a-f]{2}){5}", match["MAC"].lower())
    assert match["MAC"].lower().replace("-", ":") == ident.mac
    assert match["IPv4Address"] == device.address
    channels = sadp_cfg.get("digital_channels", len(device.profile.isapi["channels"]))
    assert (int(match["AnalogChannelNum"]), int(match["DigitalChannelNum"])) == (0, channels)
    assert match["SoftwareVersion"] == f"{ident.firmware}build {ident.build_date:%y%m%d}"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", match["BootTime"])
    assert lenient_bool(match["Activated"])
    hik_connect = device.profile.remote_access.get("hik_connect")
    assert lenient_bool(match["SupportHCPlatform"]) is (hik_connect is not None)
    enabled = HIK_CONNECT.get(profile_id, bool(hik_connect and hik_connect["enabled"]))
    assert lenient_bool(match["HCPlatformEnable"]) is enabled
    assert match.get("OEMInfo") == OEM_INFO.get(profile_id, sadp_cfg.get("oem_info"))
    assert_silent_on_unspoken_ports(device)


def test_sadp_ignores_other_types_and_junk_then_still_answers(start_fleet, client):
    device = start(start_fleet, "hik-school-bullet")
    junk = [sadp_probe("X", "activate"), b"not xml at all", b"\x00\xff" * 40, b"<Probe><Uuid>",
            b'<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x "y">]><Probe><Uuid>&x;</Uuid>'
            b"<Types>inquiry</Types></Probe>",
            b"<ProbeMatch><Uuid>1</Uuid><Types>inquiry</Types></ProbeMatch>",
            b"<Probe><Uuid>2</Uuid><MAC>00-11-22-33-44-55</MAC><Types>inquiry</Types></Probe>"]
    match = parse_sadp(exchange(client, device, "sadp", *junk, sadp_probe("GOOD")))
    assert match["Uuid"] == "GOOD"
    actions = [e.action for e in device.log.entries()]
    assert len(actions) == len(junk) + 1 and actions[-1] == "inquiry"
    assert "inquiry" not in actions[:-1] and "unparseable" not in actions


def with_quirks(profile_id: str, *quirks: dict) -> Profile:
    base = bundled_profile(profile_id)
    raw = copy.deepcopy(base.raw)
    raw["id"] = f"{profile_id}-quirked"
    raw["quirks"] = [*(raw.get("quirks") or []), *quirks]
    return parse_profile(raw, base.path)


def test_sadp_own_uuid_quirk_answers_with_the_devices_uuid(start_fleet, client):
    device = start(start_fleet, with_quirks("hik-school-bullet", {"name": "sadp_own_uuid"}))
    first = parse_sadp(exchange(client, device, "sadp", sadp_probe("PROBE-ONE")))
    second = parse_sadp(exchange(client, device, "sadp", sadp_probe("PROBE-TWO")))
    assert first["Uuid"] not in ("PROBE-ONE", "") and first["Uuid"] == second["Uuid"]
    assert uuid.UUID(first["Uuid"]) and first["Uuid"] == first["Uuid"].upper()
    assert first["DeviceSN"] == device.profile.identity.serial      # otherwise the same ProbeMatch


def test_drop_discovery_quirk_loses_the_first_probes_then_answers(start_fleet, client):
    device = start(start_fleet, with_quirks("hik-school-bullet", {"name": "drop_discovery", "first": 2,
                                                                  "protocols": ["sadp"]}))
    client.settimeout(0.3)
    for n in range(2):
        client.sendto(sadp_probe(f"LOST-{n}"), (device.address, PORTS["sadp"]))
        with pytest.raises(TimeoutError):
            client.recvfrom(65535)
    assert parse_sadp(exchange(client, device, "sadp", sadp_probe("THIRD")))["Uuid"] == "THIRD"
    # Only the listed protocols lose datagrams: WS-Discovery answers the first Probe.
    assert parse_probe_match(exchange(client, device, "ws_discovery", wsd_probe("uuid:w")))["relates_to"] == "uuid:w"
    assert [e.action for e in device.log.entries() if e.protocol == "sadp"] == ["lost", "lost", "inquiry"]


def test_drop_discovery_rate_is_repeatable_per_device():
    profile = with_quirks("dahua-nvr", {"name": "drop_discovery", "rate": 0.5})
    runs = []
    for _ in range(2):
        handler = dhip.make_responder(SimDevice(profile, "127.0.0.1"))
        runs.append([handler(dhip_frame(DHIP_SEARCH), (CLIENT, 9))[1] for _ in range(200)])
    assert runs[0] == runs[1]
    assert 60 < runs[0].count("lost") < 140 and runs[0].count("DHDiscover.search") == 200 - runs[0].count("lost")


# -- DHIP ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("profile_id", speaking("dhip"))
def test_dhip_reply_framing_and_device_info(start_fleet, client, profile_id):
    device = start(start_fleet, profile_id)
    ident, dahua_cfg = device.profile.identity, device.profile.dahua
    data = exchange(client, device, "dhip", dhip_frame(DHIP_SEARCH))
    (size, magic, zeros, length, length_again), reply = parse_dhip(data)

    assert (size, magic, zeros) == (0x20, b"DHIP", bytes(8))
    assert length == length_again == len(data) - 32
    assert (reply["method"], reply["mac"]) == ("client.notifyDevInfo", ident.mac)
    info = reply["params"]["deviceInfo"]
    assert info["DeviceClass"] == dahua_cfg["device_class"]
    assert info["DeviceType"] == dahua_cfg["device_type"]
    assert info["SerialNo"] == ident.serial
    # OEM firmware names its own brand in both fields.
    assert info["Vendor"] == info["Manufacturer"] == dahua_cfg["vendor"]
    assert info["Version"] == dahua_cfg.get("software_version", ident.firmware)
    assert (info["HttpPort"], info["Port"]) == (device.ports["http"], device.ports["sdk"])
    assert info["IPv4Address"]["IPAddress"] == device.address
    assert {"DhcpEnable", "SubnetMask", "DefaultGateway"} <= set(info["IPv4Address"])
    assert info["VideoInputChannels"] + info["RemoteVideoInputChannels"] == dahua_cfg["channels"]
    assert "MachineName" in info
    if profile_id == "honeywell-dahua-oem":
        # The label says Honeywell; serial and version are Dahua-shaped.
        assert info["Vendor"] == info["Manufacturer"] == "Honeywell"
        assert re.fullmatch(r"[0-9A-Z]{15}", info["SerialNo"])
        assert re.fullmatch(r"\d\.\d{3}\.\d{7}\.\d+\.R", info["Version"])
    if device.profile.quirk("invalid_utf8"):
        # Old firmware sends the operator's name as Latin-1 bytes inside the UTF-8 JSON.
        assert ident.name.encode("latin-1") in data and ident.name.encode() not in data
    assert_silent_on_unspoken_ports(device)


def test_dhip_silent_on_bare_json_swapped_magic_and_junk_then_still_answers(start_fleet, client):
    device = start(start_fleet, "dahua-wizmind-face")
    other = json.dumps({"method": "DHDiscover.setConfig", "params": {}}).encode()
    elsewhere = json.dumps({"method": "DHDiscover.search", "params": {"mac": "00:11:22:33:44:55"}}).encode()
    junk = [DHIP_SEARCH, dhip_frame(DHIP_SEARCH, magic=b"PIHD"), b"\x00" * 7, b"\xff" * 64,
            dhip_frame(b"{not json"), dhip_frame(other), dhip_frame(b"[1, 2]"), dhip_frame(elsewhere),
            dhip_frame(DHIP_SEARCH)[:40], struct.pack("<I", 0x20) + b"DHIP" + bytes(8) + b"\xff" * 16]
    data = exchange(client, device, "dhip", *junk, dhip_frame(DHIP_SEARCH))
    assert parse_dhip(data)[1]["method"] == "client.notifyDevInfo"
    actions = [e.action for e in device.log.entries()]
    assert actions[:2] == ["bare-json", "bad-magic"]
    assert actions[-1] == "DHDiscover.search" and "DHDiscover.search" not in actions[:-1]
    assert len(actions) == len(junk) + 1 and "unparseable" not in actions


# -- across protocols ----------------------------------------------------------------------------
def test_request_log_records_each_datagram_with_its_action(start_fleet, client):
    device = start(start_fleet, "hik-school-bullet")
    exchange(client, device, "ws_discovery", b"garbage", wsd_probe("uuid:1"))
    exchange(client, device, "sadp", sadp_probe("U", "inquiry_v32"))
    entries = device.log.entries()
    assert [(e.protocol, e.action) for e in entries] == [
        ("ws_discovery", "malformed"), ("ws_discovery", "Probe"), ("sadp", "inquiry_v32")]
    assert all((e.method, e.path, e.source, e.status) == ("UDP", "-", CLIENT, None) for e in entries)
    assert all(e.is_read for e in entries)


def test_responders_never_raise_on_mutated_datagrams(start_fleet):
    hik, dahua_nvr = start_fleet("hik-school-bullet", "dahua-nvr").devices
    rng = random.Random(20240601)
    for module, device, good in [(wsd, hik, wsd_probe("uuid:fuzz")), (sadp, hik, sadp_probe("FUZZ")),
                                 (dhip, dahua_nvr, dhip_frame(DHIP_SEARCH))]:
        handler = module.make_responder(device)
        for _ in range(400):
            data = bytearray(good)
            for _ in range(rng.randint(1, 6)):
                data[rng.randrange(len(data))] = rng.randrange(256)
            if rng.random() < 0.3:
                data = data[: rng.randint(0, len(data))]
            reply, action = handler(bytes(data), (CLIENT, 9))
            assert reply is None or isinstance(reply, bytes)
            assert isinstance(action, str) and len(action) <= 64
        assert handler(good, (CLIENT, 9))[0], module.__name__
