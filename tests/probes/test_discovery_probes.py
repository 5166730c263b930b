"""Discovery against the simulated site over loopback: one Target per device, the right
found_by, ports, ONVIF XAddr and hints per profile, and only reads on the wire.

Parsers get their edge cases (DHIP framing, hostile XML, replies to someone else) as unit
tests on bytes built here from PROTOCOLS.md, not from the simulators' code.
"""

from __future__ import annotations

import copy
import dataclasses
import ipaddress
import json
import socket
import struct
import time

import pytest

from device_simulators import bundled_profile, bundled_profiles
from device_simulators.profile import Profile, parse_profile
from probes.base import RemoteAccessObservation
from probes.discovery import (
    CAMERA_PORTS,
    DISCOVERY_PROTOCOLS,
    DiscoverySettings,
    Given,
    dhip,
    discover,
    discover_devices,
    multicast_allowed,
    sadp,
    wsd,
)
from probes.discovery.sweep import sweep
from probes.discovery.udp import _Exchange, _protocols, probe_pairs
from probes.errors import HostileResponse, MalformedResponse
from probes.text import decode_device_text
from tests.conftest import next_base_address

PROFILE_IDS = [p.id for p in bundled_profiles()]
TCP_SERVICES = ("http", "https", "rtsp", "sdk", "telnet", "ssh")
QUICK = DiscoverySettings(udp_wait=0.5, connect_timeout=0.3)


def tcp_ports(device) -> set[int]:
    return {port for name, port in device.ports.items() if name in TCP_SERVICES}


@pytest.fixture(scope="module")
def site_scan(site_fleet):
    """One discovery of the whole site /24 (254 addresses, 9 devices), as `camaudit discover` would."""
    network = ipaddress.ip_network(f"{site_fleet.devices[0].address}/24", strict=False)
    ports = tuple(dict.fromkeys([*CAMERA_PORTS, *(p for d in site_fleet for p in tcp_ports(d))]))
    marks = {d.profile.id: len(d.log) for d in site_fleet}
    report = discover_devices([str(h) for h in network.hosts()], settings=DiscoverySettings(ports=ports))
    return report, {d.profile.id: d.log.entries()[marks[d.profile.id]:] for d in site_fleet}


def discovered(site_fleet, site_scan, profile_id):
    device = site_fleet[profile_id]
    return device, next(d for d in site_scan[0].devices if d.target.address == device.address)


def hints(target) -> set[tuple[str, str, str]]:
    return {(h.field, h.value, h.source) for h in target.hints}


def test_a_mostly_empty_slash_24_yields_exactly_the_devices(site_fleet, site_scan):
    report, _ = site_scan
    assert [d.target.address for d in report.devices] == [d.address for d in site_fleet]
    assert report.outside_scope == []


@pytest.mark.parametrize("profile_id", PROFILE_IDS)
def test_each_device_is_one_target_with_its_ports_and_found_by(site_fleet, site_scan, profile_id):
    device, found = discovered(site_fleet, site_scan, profile_id)
    target, profile = found.target, device.profile
    assert set(target.found_by) == {p for p in DISCOVERY_PROTOCOLS if profile.speaks(p)} | {"tcp-sweep"}
    assert (target.port, target.scheme) == (device.ports["http"], "http")
    assert target.https_port == device.ports.get("https")
    assert set(target.open_ports) == tcp_ports(device)
    if profile.speaks("ws_discovery"):
        assert target.onvif_xaddr == f"http://{device.address}:{device.ports['http']}/onvif/device_service"
    else:
        assert target.onvif_xaddr is None


def shown_name(profile) -> str:
    """The name as camaudit shows it: a Latin-1 name (the invalid_utf8 quirk) with its bytes as \\xNN escapes."""
    name = profile.identity.name
    return decode_device_text(name.encode("latin-1"))[0] if profile.quirk("invalid_utf8") else name


@pytest.mark.parametrize("profile_id", PROFILE_IDS)
def test_hints_carry_what_each_discovery_protocol_said(site_fleet, site_scan, profile_id):
    device, found = discovered(site_fleet, site_scan, profile_id)
    profile, ident, got = device.profile, device.profile.identity, hints(found.target)
    if profile.speaks("sadp"):
        assert {("manufacturer", "Hikvision", "sadp"), ("serial", ident.serial, "sadp"),
                ("mac", ident.mac, "sadp"), ("model", ident.model, "sadp"), ("firmware", ident.firmware, "sadp"),
                ("firmware_date", ident.build_date.isoformat(), "sadp")} <= got
    if profile.speaks("dhip"):
        dahua = profile.dahua
        assert {("manufacturer", "Dahua", "dhip"), ("serial", ident.serial, "dhip"), ("mac", ident.mac, "dhip"),
                ("model", dahua.get("device_type") or ident.model, "dhip"),
                ("vendor", dahua.get("vendor") or ident.brand, "dhip"),
                ("firmware", dahua.get("software_version") or ident.firmware, "dhip"),
                ("name", shown_name(profile), "dhip")} <= got
    if profile.speaks("ws_discovery"):
        assert ("model", profile.onvif.get("model") or ident.model, "ws_discovery") in got
        assert any(f == "vendor" and s == "ws_discovery" and v in profile.onvif["scope_name"] for f, v, s in got)
    sources = {s for _, _, s in got}
    assert sources == {p for p in DISCOVERY_PROTOCOLS if profile.speaks(p)}


def test_sadp_reports_hik_connect_without_credentials(site_fleet, site_scan):
    for profile_id in ("hik-school-bullet", "hik-acusense-nvr", "ezviz-consumer", "truvision-thermal-oem"):
        device, found = discovered(site_fleet, site_scan, profile_id)
        expected = bool(device.profile.remote_access["hik_connect"]["enabled"])
        (observation,) = found.observations
        assert isinstance(observation, RemoteAccessObservation)
        assert (observation.setting, observation.enabled) == ("hik_connect", expected), profile_id
        assert observation.evidence.protocol == "sadp"
    _, bullet = discovered(site_fleet, site_scan, "hik-school-bullet")
    assert bullet.observations[0].enabled is True
    assert "HCPlatformEnable=true" in bullet.observations[0].evidence.excerpt
    _, nvr = discovered(site_fleet, site_scan, "hik-acusense-nvr")
    assert "HCPlatformEnable=flase" in nvr.observations[0].evidence.excerpt     # read as False


def test_dhip_shows_the_oem_brand_on_dahua_firmware(site_fleet, site_scan):
    _, found = discovered(site_fleet, site_scan, "honeywell-dahua-oem")
    got = hints(found.target)
    assert {("vendor", "Honeywell", "dhip"), ("manufacturer", "Dahua", "dhip"),
            ("serial", "5G04A1BPAG00123", "dhip"), ("vendor", "Honeywell", "ws_discovery")} <= got
    # The operator's accented name arrives as Latin-1 bytes; it is read, not mangled.
    assert ("name", "Salle r\\xe9union", "dhip") in got                    # as over HTTP (probes.text)
    assert any("not valid UTF-8" in n for n in site_scan[0].notes)


def test_truvision_oem_info_and_scope_name_give_the_brand_not_the_maker(site_fleet, site_scan):
    _, found = discovered(site_fleet, site_scan, "truvision-thermal-oem")
    got = hints(found.target)
    assert {("vendor", "TruVision", "sadp"), ("vendor", "TruVision", "ws_discovery"),
            ("manufacturer", "Hikvision", "sadp")} <= got
    assert not any(f == "manufacturer" and s == "ws_discovery" for f, _, s in got)


def test_discovery_only_reads(site_fleet, site_scan):
    _, logs = site_scan
    for profile_id, entries in logs.items():
        assert entries, profile_id
        assert {e.method for e in entries} <= {"UDP", "TCP"}, profile_id
        assert all(e.is_read and e.auth != "failed" for e in entries), profile_id
        udp_actions = {e.action for e in entries if e.method == "UDP"}
        assert udp_actions <= {"Probe", "inquiry", "DHDiscover.search"}, (profile_id, udp_actions)


def test_silent_addresses_are_targets_only_when_given(start_fleet):
    fleet = start_fleet("axis-onvif-line")
    device = fleet.devices[0]
    silent = str(ipaddress.ip_address(device.address) + 100)
    other = str(ipaddress.ip_address(device.address) + 101)
    targets = discover([device.address, silent, other], settings=QUICK,
                       given=[Given(silent, 8080, None, f"{silent}:8080")])
    assert [t.address for t in targets] == [device.address, silent]
    lone = targets[1]
    assert (lone.found_by, lone.port, lone.scheme, lone.open_ports, lone.hints) == (("given",), 8080, "http", (), ())


def test_a_given_port_and_scheme_win_over_discovery(start_fleet):
    fleet = start_fleet("dahua-wizmind-face")
    device = fleet.devices[0]
    (target,) = discover([], settings=QUICK,
                         given=[Given(device.address, device.ports["https"], "https", "https://x/")])
    assert (target.port, target.scheme, target.https_port) == (device.ports["https"], "https", device.ports["https"])
    assert "dhip" in target.found_by and device.ports["https"] in target.open_ports


def test_large_scopes_sweep_in_two_phases_and_find_the_same_ports(start_fleet):
    fleet = start_fleet("dahua-nvr", "ezviz-consumer")
    base = ipaddress.ip_address(fleet.devices[0].address)
    scope = [str(base + i) for i in range(6)]
    ports = tuple(dict.fromkeys([*CAMERA_PORTS, *(p for d in fleet for p in tcp_ports(d))]))
    targets = discover(scope, settings=DiscoverySettings(udp_wait=0.5, connect_timeout=0.3, ports=ports,
                                                         full_sweep_limit=0))
    assert [t.address for t in targets] == [d.address for d in fleet]
    for target, device in zip(targets, fleet, strict=True):
        # SDK (37777/8000) and telnet are not first-phase ports: found in the second phase.
        assert set(target.open_ports) == tcp_ports(device)


def test_protocols_and_sweep_can_be_switched_off(start_fleet):
    fleet = start_fleet("hik-school-bullet")
    device = fleet.devices[0]
    (target,) = discover([device.address], settings=DiscoverySettings(udp_wait=0.5, ports=(), protocols=("sadp",)))
    assert target.found_by == ("sadp",) and target.open_ports == () and target.onvif_xaddr is None
    assert {e.action for e in device.log.entries()} == {"inquiry"}


def test_multicast_needs_the_setting_and_a_non_loopback_address():
    on = DiscoverySettings(multicast=True)
    assert not multicast_allowed(["127.0.0.5", "::1"], on)
    assert not multicast_allowed(["192.168.1.20"], DiscoverySettings())
    assert multicast_allowed(["127.0.0.5", "192.168.1.20"], on)
    assert not multicast_allowed(["2001:db8::1"], on)        # the groups are IPv4 only


def test_group_replies_from_outside_the_scope_are_listed_not_audited(start_fleet, monkeypatch):
    """The multicast path, with the group addresses pointed at a loopback simulator so that no
    multicast datagram is ever sent: a device answering from outside the scope is reported only."""
    device = start_fleet("hik-school-bullet").devices[0]
    silent = str(ipaddress.ip_address(device.address) + 7)
    for module in (wsd, sadp, dhip):
        monkeypatch.setattr(module, "MULTICAST_V4", device.address)
    monkeypatch.setattr("probes.discovery.multicast_allowed", lambda addresses, settings: True)
    report = discover_devices([silent], settings=DiscoverySettings(udp_wait=0.5, ports=(), multicast=True))
    assert report.devices == [] and report.outside_scope == [device.address]
    assert {e.action for e in device.log.entries()} == {"Probe", "inquiry"}


def test_sweep_finds_open_ports_and_skips_closed_ones(start_fleet):
    device = start_fleet("amcrest-no-password").devices[0]
    closed = 1                                                # tcpmux: nothing listens on a simulator
    found = sweep([(device.address, device.ports["rtsp"]), (device.address, closed),
                   (device.address, device.ports["http"])], timeout=0.5, concurrency=2)
    assert found == {device.address: {device.ports["rtsp"], device.ports["http"]}}


# -- parsers on hand-built bytes -----------------------------------------------------------------
def test_dhip_probe_is_framed_with_the_ascii_magic():
    probe = dhip.build_probe()
    body = json.loads(probe[32:])
    assert probe[:8] == b"\x20\x00\x00\x00DHIP" and b"PIHD" not in probe
    assert probe[8:16] == bytes(8)
    assert struct.unpack_from("<QQ", probe, 16) == (len(probe) - 32, len(probe) - 32)
    assert body == {"method": "DHDiscover.search", "params": {"mac": "", "uni": 1}}


def _dhip_reply(info: dict, size: int = 32) -> bytes:
    payload = json.dumps({"mac": "3c:ef:8c:00:00:01", "method": "client.notifyDevInfo",
                          "params": {"deviceInfo": info}}).encode() + b"\n\x00"
    return struct.pack("<I", size) + b"DHIP" + bytes(size - 8) + payload if size != 32 else dhip.frame(payload)


def test_dhip_reply_parsing_is_lenient_about_headers_and_strict_about_content():
    reply = dhip.parse_reply(_dhip_reply({"SerialNo": "ABC", "HttpPort": 8080, "Port": 37777}), "10.0.0.9")
    assert reply is not None and reply.http_port == 8080 and reply.ports == (("sdk", 37777),)
    assert ("serial", "ABC") in {(s.field, s.value) for s in reply.signals}
    # A header of another size still yields the JSON (header sizes vary across firmware).
    odd = dhip.parse_reply(_dhip_reply({"SerialNo": "XYZ"}, size=100), "10.0.0.9")
    assert odd is not None and ("serial", "XYZ") in {(s.field, s.value) for s in odd.signals}
    assert dhip.parse_reply(b'{"method":"client.notifyDevInfo"}', "10.0.0.9") is None      # not framed
    assert dhip.parse_reply(dhip.frame(b'{"method":"DHDiscover.search","params":{}}'), "10.0.0.9") is None
    with pytest.raises(MalformedResponse):
        dhip.parse_reply(dhip.frame(b'{"method": "client.notifyDevInfo", "params": {'), "10.0.0.9")
    with pytest.raises(MalformedResponse):
        dhip.parse_reply(dhip.frame(b"[" * 100_000), "10.0.0.9")
    # Junk field types are ignored rather than stringified.
    junk = dhip.parse_reply(_dhip_reply({"SerialNo": {"x": 1}, "HttpPort": "http", "Vendor": ["a"]}), "10.0.0.9")
    assert junk is not None and junk.http_port is None
    assert {s.field for s in junk.signals} == {"manufacturer", "mac"}


def test_sadp_reply_parsing():
    probe_id = sadp.new_probe_id()
    reply = (f"<?xml version='1.0' encoding='UTF-8'?><ProbeMatch><Uuid>{probe_id.lower()}</Uuid>"
             "<DeviceSN>DS-2CD2386G2-IU20200101AAWRJ00000001</DeviceSN><MAC>44-19-B6-00-00-01</MAC>"
             "<SoftwareVersion>V5.7.15 build 230201</SoftwareVersion><HttpPort>81</HttpPort>"
             "<CommandPort>8000</CommandPort><SupportHCPlatform>true</SupportHCPlatform>"
             "<HCPlatformEnable>flase</HCPlatformEnable></ProbeMatch>").encode()
    parsed = sadp.parse_reply(reply, "10.0.0.5")
    assert parsed is not None and parsed.http_port == 81 and parsed.ports == (("sdk", 8000),)
    fields = {(s.field, s.value) for s in parsed.signals}
    assert {("mac", "44:19:b6:00:00:01"), ("firmware", "V5.7.15"), ("firmware_date", "2023-02-01")} <= fields
    assert parsed.observations[0].enabled is False
    # Firmware that answers with its own Uuid instead of echoing ours is still a ProbeMatch.
    own = sadp.parse_reply(reply.replace(probe_id.lower().encode(), b"11223344-5566-7788-9900-112233445566"),
                           "10.0.0.5")
    assert own is not None and {(s.field, s.value) for s in own.signals} == fields
    assert sadp.parse_reply(sadp.build_probe(probe_id), "10.0.0.5") is None       # our probe looped back
    with pytest.raises(HostileResponse):
        sadp.parse_reply(b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><ProbeMatch>&e;</ProbeMatch>',
                         "10.0.0.5")
    assert sadp.parse_software_version("V5.5.0build 991340") == ("V5.5.0", None)


@pytest.mark.parametrize(("mac", "expected"), [
    ("44-19-B6-00-00-01", "44:19:b6:00:00:01"),        # UniversalScanner Hikvision.selftest: upper, dashes
    ("aa-bb-cc-dd-ee-ff", "aa:bb:cc:dd:ee:ff"),        # hikvision-tooling scanner_test.go: lower, dashes
    ("C0:56:E3:12:34:56", "c0:56:e3:12:34:56"),
    ("c056e3123456", "c0:56:e3:12:34:56"),
    ("00-00-00-00-00-00", None), ("", None), ("not a mac", None),
])
def test_sadp_mac_spellings(mac, expected):
    reply = sadp.parse_reply(f"<ProbeMatch><Uuid>X</Uuid><MAC>{mac}</MAC></ProbeMatch>".encode(), "10.0.0.5")
    assert reply is not None
    assert next((s.value for s in reply.signals if s.field == "mac"), None) == expected


def test_sadp_parsing_is_lenient_where_firmware_varies():
    # The fields of UniversalScanner's Hikvision.selftest, written here from its field list: no
    # OEMInfo, no SDKOverTLSPort, `flase`, a trailing NUL some stacks pad datagrams with.
    bare = sadp.parse_reply(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ProbeMatch>\n"
                            b"<Uuid>11223344-5566-7788-9900-112233445566</Uuid>\n<Types>inquiry</Types>\n"
                            b"<DeviceType>123456</DeviceType>\n<MAC>00-11-22-33-44-55</MAC>\n"
                            b"<SupportHCPlatform>true</SupportHCPlatform>\n<HCPlatformEnable>flase</HCPlatformEnable>\n"
                            b"</ProbeMatch>\n\x00", "10.0.0.5")
    assert bare is not None and bare.http_port is None and bare.ports == ()
    assert {s.field for s in bare.signals} == {"manufacturer", "mac"}     # the numeric DeviceType is no model
    assert bare.observations[0].enabled is False
    # Nothing but the root: still Hikvision behaviour, nothing invented, Hik-Connect state unknown.
    empty = sadp.parse_reply(b"<ProbeMatch/>", "10.0.0.5")
    assert empty is not None and [(s.field, s.value) for s in empty.signals] == [("manufacturer", "Hikvision")]
    assert empty.observations == ()
    # Unreadable booleans stay unknown rather than becoming "off".
    odd = sadp.parse_reply(b"<ProbeMatch><SupportHCPlatform>maybe</SupportHCPlatform>"
                           b"<HCPlatformEnable></HCPlatformEnable></ProbeMatch>", "10.0.0.5")
    assert odd is not None and odd.observations == ()
    # SupportHCPlatform=true with an unreadable HCPlatformEnable: Hik-Connect supported, state unknown.
    claimed = sadp.parse_reply(b"<ProbeMatch><SupportHCPlatform>true</SupportHCPlatform>"
                               b"<HCPlatformEnable>maybe</HCPlatformEnable></ProbeMatch>", "10.0.0.5")
    assert claimed is not None
    assert [(o.setting, o.supported, o.enabled) for o in claimed.observations] == [("hik_connect", True, None)]
    # Element names in another case, a model only in DeviceType, the first of duplicated fields.
    varied = sadp.parse_reply(b"<ProbeMatch><devicetype>DS-2CD2042WD-I</devicetype><DeviceSN>A</DeviceSN>"
                              b"<DeviceSN>B</DeviceSN><HTTPPort>8080</HTTPPort></ProbeMatch>", "10.0.0.5")
    assert varied is not None and varied.http_port == 8080
    assert {("model", "DS-2CD2042WD-I"), ("serial", "A")} <= {(s.field, s.value) for s in varied.signals}


def test_wsd_reply_parsing():
    message_id = wsd.new_message_id()
    scopes = ("onvif://www.onvif.org/name/Lorex%20LNB4321 onvif://www.onvif.org/hardware/LNB4321 "
              "onvif://www.onvif.org/MAC/3c:ef:8c:00:00:02")
    reply = (f'<e:Envelope xmlns:e="{wsd.SOAP}" xmlns:a="{wsd.WSA}" xmlns:d="{wsd.WSD}"><e:Header>'
             f"<a:RelatesTo>{message_id}</a:RelatesTo></e:Header><e:Body><d:ProbeMatches><d:ProbeMatch>"
             f"<d:Scopes>{scopes}</d:Scopes><d:XAddrs>http://192.168.9.9/onvif/device_service "
             "http://10.0.0.7:8899/onvif/device_service</d:XAddrs></d:ProbeMatch></d:ProbeMatches>"
             "</e:Body></e:Envelope>").encode()
    parsed = wsd.parse_reply(reply, "10.0.0.7", message_id=message_id)
    assert parsed is not None
    assert (parsed.onvif_xaddr, parsed.http_port) == ("http://10.0.0.7:8899/onvif/device_service", 8899)
    assert {(s.field, s.value) for s in parsed.signals} == {("vendor", "Lorex"), ("model", "LNB4321"),
                                                            ("mac", "3c:ef:8c:00:00:02")}
    assert wsd.parse_reply(reply, "10.0.0.7", message_id="uuid:other") is None
    assert wsd.parse_reply(wsd.build_probe(message_id), "10.0.0.7") is None     # a Probe, not a match
    with pytest.raises(MalformedResponse):
        wsd.parse_reply(b"<e:Envelope", "10.0.0.7")


# -- real firmware, bad targets and load (issues 9.2 and 10.4) ------------------------------------
def with_quirks(profile_id: str, *quirks: dict) -> Profile:
    base = bundled_profile(profile_id)
    raw = copy.deepcopy(base.raw)
    raw["id"] = f"{profile_id}-quirked"
    raw["quirks"] = [*(raw.get("quirks") or []), *quirks]
    return parse_profile(raw, base.path)


def sadp_hints(target) -> set[tuple[str, str]]:
    return {(h.field, h.value) for h in target.hints if h.source == "sadp"}


def test_sadp_reply_with_the_devices_own_uuid_is_kept(start_fleet):
    device = start_fleet(with_quirks("hik-school-bullet", {"name": "sadp_own_uuid"})).devices[0]
    (target,) = discover([device.address], settings=QUICK)
    assert "sadp" in target.found_by
    assert {("manufacturer", "Hikvision"), ("serial", device.profile.identity.serial)} <= sadp_hints(target)


def test_lost_probes_are_retried_and_counted(start_fleet):
    drop_two = {"name": "drop_discovery", "first": 2}
    lossy = start_fleet(with_quirks("hik-school-bullet", drop_two), with_quirks("dahua-nvr", drop_two))
    no_retry = start_fleet(with_quirks("hik-school-bullet", drop_two))
    udp_only = DiscoverySettings(udp_wait=0.5, ports=())

    report = discover_devices([d.address for d in lossy], settings=udp_only)
    for found, device in zip(report.devices, lossy, strict=True):
        assert set(found.target.found_by) == {p for p in DISCOVERY_PROTOCOLS if device.profile.speaks(p)}
        actions = [e.action for e in device.log.entries()]
        assert actions.count("lost") == 4 and len(actions) == 6          # 2 protocols x (2 lost + 1 answered)
    assert report.recovered == 4 and report.retried == 6                # + DHIP to Hikvision, SADP to Dahua
    assert report.unanswered == 2 and report.reprobed == []
    (line,) = [n for n in report.notes if "retried" in n]
    assert line.startswith("Warning:") and "retried 6 unanswered probe(s)" in line
    assert "4 answered only on a retry, 2 never answered" in line

    # The same device without retries stays anonymous: the retries are what found it.
    assert discover([no_retry.devices[0].address], settings=dataclasses.replace(udp_only, retries=0)) == []


def test_a_device_live_on_tcp_but_silent_on_udp_is_probed_again(start_fleet):
    # Three lost probes per protocol outlast the two retries; only the re-probe after the sweep gets through.
    hik = start_fleet(with_quirks("hik-school-bullet", {"name": "drop_discovery", "first": 3})).devices[0]
    # SADP alone lost: WS-Discovery answered, but the Hikvision SDK port (8000) says SADP was due.
    sdk = start_fleet(with_quirks("hik-acusense-nvr", {"name": "drop_discovery", "first": 3,
                                                       "protocols": ["sadp"]})).devices[0]
    ports = tuple(sorted(tcp_ports(hik) | tcp_ports(sdk)))
    settings = DiscoverySettings(udp_wait=0.5, connect_timeout=0.3, ports=ports)
    report = discover_devices([hik.address, sdk.address], settings=settings)
    assert report.reprobed == [hik.address, sdk.address]
    for found, device in zip(report.devices, (hik, sdk), strict=True):
        assert {"sadp", "ws_discovery"} <= set(found.target.found_by)
        assert ("serial", device.profile.identity.serial) in sadp_hints(found.target)
        assert [e.action for e in device.log.entries() if e.protocol == "sadp"] == ["lost"] * 3 + ["inquiry"]
    assert [e.action for e in sdk.log.entries() if e.protocol == "ws_discovery"] == ["Probe"]   # not re-probed
    assert report.recovered == 3 and "2 address(es) that answered only on TCP were probed again" in report.notes[0]
    # Switched off, the same losses leave the device without its SADP identity.
    again = start_fleet(with_quirks("hik-school-bullet", {"name": "drop_discovery", "first": 3})).devices[0]
    (target,) = discover([again.address], settings=dataclasses.replace(settings, reprobe=False))
    assert target.found_by == ("tcp-sweep",) and sadp_hints(target) == set()


def test_one_unusable_target_does_not_stop_discovery_of_the_others(start_fleet):
    device = start_fleet("hik-school-bullet").devices[0]
    bad = "fe80::1%nosuch"
    report = discover_devices([device.address, bad, *(f"fe80::{n}%nosuch{n}" for n in range(2, 6))],
                              settings=QUICK, given=[Given(bad, None, None, bad)])
    good, lone = report.devices
    assert good.target.address == device.address and "sadp" in good.target.found_by
    assert ("manufacturer", "Hikvision") in sadp_hints(good.target) and good.target.discovery_errors == ()
    assert (lone.target.address, lone.target.found_by) == (bad, ("given",))
    (why,) = lone.target.discovery_errors
    assert why == report.errors[bad] and why.startswith(bad) and "no network interface 'nosuch'" in why
    assert len(report.errors) == 5
    # The named target gets its own line; the four others from the scope share one.
    assert report.notes[0] == why
    assert report.notes[1].startswith("4 addresses in the scope could not be probed, e.g. fe80::2%nosuch2")


def test_a_failing_udp_exchange_is_reported_not_lost(start_fleet, monkeypatch):
    device = start_fleet("axis-onvif-line").devices[0]

    def no_sockets(*args, **kwargs):
        raise OSError(24, "Too many open files")
    monkeypatch.setattr("probes.discovery.probe_udp", no_sockets)
    report = discover_devices([device.address], settings=QUICK)
    assert any(n.startswith("UDP discovery (WS-Discovery, SADP, DHIP) could not run (Too many open files)")
               for n in report.notes)
    # The sweep still ran, and the re-probe of a device live on TCP got its WS-Discovery reply.
    (found,) = report.devices
    assert found.target.found_by == ("ws_discovery", "tcp-sweep") and report.reprobed == [device.address]

    def bug(*args, **kwargs):
        raise RuntimeError("a bug in the UDP exchange")
    monkeypatch.setattr("probes.discovery.probe_udp", bug)
    with pytest.raises(RuntimeError, match="a bug in the UDP exchange"):     # raised here, not lost in a thread
        discover_devices([device.address], settings=QUICK)


def test_replies_are_keyed_by_address_and_mac():
    """Multicast answers: the same device twice counts once; two MACs behind one address count twice."""
    exchange = _Exchange(_protocols(["sadp"]), {socket.AF_INET}, False, 0.0, time.monotonic)
    try:
        def match(mac: str, uuid: str) -> bytes:
            return f"<ProbeMatch><Uuid>{uuid}</Uuid><MAC>{mac}</MAC></ProbeMatch>".encode()
        proto = exchange.protocols["sadp"]
        for data in (match("44-19-B6-00-00-01", "A"), match("44-19-b6-00-00-01", "B"), match("44-19-B6-00-00-02", "C")):
            exchange._handle(proto, data, "10.0.0.5")
        assert [next(s.value for s in r.signals if s.field == "mac") for r in exchange.result.replies] == [
            "44:19:b6:00:00:01", "44:19:b6:00:00:02"]
        assert exchange.result.answered == {("sadp", "10.0.0.5")}
    finally:
        exchange.close()


def test_sends_are_paced():
    base = ipaddress.ip_address(next_base_address())
    pairs = [(str(base + i), "dhip") for i in range(96)]          # silent loopback addresses
    started = time.monotonic()
    result = probe_pairs(pairs, wait=0.05, send_rate=400.0)
    assert time.monotonic() - started >= (96 - 32) / 400          # all but the first burst waited for their slot
    assert len(result.probed) == 96 and result.errors == {}


def test_retries_that_recover_nothing_add_no_line(start_fleet):
    """Every sweep retries empty addresses and protocols a device does not speak; that is no news."""
    (device,) = start_fleet("hik-school-bullet").devices
    empty = device.address.rsplit(".", 1)[0] + ".250"
    report = discover_devices([device.address, empty], settings=DiscoverySettings(udp_wait=0.3, ports=()))
    assert report.retried > 0 and report.recovered == 0 and report.unanswered > 0
    assert not [n for n in report.notes if "retried" in n]
