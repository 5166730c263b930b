"""Fingerprint against every simulated profile over loopback: the protocols that answer, the
unauthenticated maker signals (realm, Server header, OUI), the ONVIF clock, and a request log
holding nothing but GETs and ONVIF Get* with no failed login. Broken devices still yield a
Fingerprint with notes.
"""

from __future__ import annotations

import copy
import datetime as dt
import ipaddress

import pytest

from device_simulators import bundled_profile, bundled_profiles
from device_simulators.profile import parse_profile
from probes.base import Target
from probes.discovery import DiscoverySettings, discover
from probes.fingerprint import MATCHERS, Matcher, fingerprint
from probes.fingerprint.matchers import CONTROL, DEVICE_INFO, evaluate, signals_for
from probes.http import DeviceHttp, HttpAnswer, HttpSettings
from probes.login import LoginState
from probes.oui import organisation

PROFILE_IDS = [p.id for p in bundled_profiles()]
HIKVISION_SERVERS = ("App-webs/", "DNVRS-Webs", "Hikvision-Webs")
FAST = HttpSettings(connect_timeout=1.0, read_timeout=1.0, deadline=1.5)


def run(target: Target, settings: HttpSettings | None = None, **kwargs):
    http = DeviceHttp(target.base_url, LoginState(), settings)
    try:
        return fingerprint(target, http, **kwargs)
    finally:
        http.close()


@pytest.fixture(scope="module")
def site_prints(site_fleet):
    """Discover the site, fingerprint every device, and keep the requests each device saw meanwhile."""
    marks = {d.profile.id: len(d.log) for d in site_fleet}
    targets = discover([d.address for d in site_fleet], settings=DiscoverySettings(udp_wait=1.0, ports=()))
    by_address = {t.address: t for t in targets}
    # Devices no discovery reaches (profile 11: audited by address only) are given by address.
    prints = {d.profile.id: run(by_address.get(d.address) or Target(d.address, d.ports["http"], found_by=("given",)))
              for d in site_fleet}
    logs = {d.profile.id: d.log.entries()[marks[d.profile.id]:] for d in site_fleet}
    return prints, logs


def signals(fp) -> set[tuple[str, str, str]]:
    return {(s.field, s.value, s.source) for s in fp.signals}


@pytest.mark.parametrize("profile_id", PROFILE_IDS)
def confirmed_later(profile) -> set[str]:
    """Families firmware that challenges every path cannot prove without a login (confirm.py does)."""
    return {"isapi", "dahua_cgi"} if profile.quirk("challenge_every_path") else set()


@pytest.mark.parametrize("profile_id", PROFILE_IDS)
def test_protocols_are_the_ones_the_profile_speaks(site_prints, profile_id):
    fp, profile = site_prints[0][profile_id], bundled_profile(profile_id)
    assert fp.protocols == set(profile.expect["protocols"]) - confirmed_later(profile)
    for family in ({"isapi", "dahua_cgi"} & set(profile.protocols)) & confirmed_later(profile):
        gate = fp.families[family]
        assert gate.state == "ambiguous" and gate.pointers, gate      # never ruled out, and pointed at


@pytest.mark.parametrize("profile_id", PROFILE_IDS)
def test_maker_signals_per_profile(site_fleet, site_prints, profile_id):
    device, fp = site_fleet[profile_id], site_prints[0][profile_id]
    profile, ident, got = device.profile, device.profile.identity, signals(fp)
    assert (("manufacturer", "Hikvision", "isapi") in got) == (profile.speaks("isapi")
                                                                and "isapi" not in confirmed_later(profile))
    if profile.speaks("isapi") and profile.auth_scheme != "none":
        assert ("manufacturer", "Hikvision", "realm") in got      # IP Camera(...) or the recorder's model
    assert (("manufacturer", "Dahua", "dahua_cgi") in got) == profile.speaks("dahua_cgi")
    # Dahua-family firmware leaks the serial in the digest realm (when it has a login at all).
    realm = profile.speaks("dahua_cgi") and profile.auth_scheme != "none"
    assert (("serial", ident.serial, "realm") in got) == realm
    assert (("manufacturer", "Dahua", "realm") in got) == realm
    if realm:
        realm_evidence = next(s.evidence for s in fp.signals if s.source == "realm")
        assert realm_evidence.excerpt == f'Digest realm="Login to {ident.serial}"'
        assert realm_evidence.result == "HTTP 401"
    # The MAC known from discovery hints gives the registered organisation.
    org = organisation(ident.mac)
    assert org is not None
    assert (ident.brand if profile_id == "amcrest-no-password" else ident.manufacturer) in org
    # SADP, DHIP and Hikvision's WS-Discovery scopes publish the MAC; Axis publishes none.
    mac_hinted = profile.speaks("sadp") or profile.speaks("dhip") or \
        (profile.speaks("ws_discovery") and ident.manufacturer == "Hikvision")
    if mac_hinted:
        assert ("manufacturer", org, "oui") in got
    else:
        assert not any(s == "oui" for _, _, s in got)


@pytest.mark.parametrize("profile_id", PROFILE_IDS)
def test_server_header_is_a_signal_only_when_it_names_a_maker(site_fleet, site_prints, profile_id):
    fp = site_prints[0][profile_id]
    server = (site_fleet[profile_id].profile.raw.get("http") or {}).get("server")
    header_signals = [s for s in fp.signals if s.source == "http-header"]
    if server in HIKVISION_SERVERS:
        assert [(s.field, s.value, s.evidence.excerpt) for s in header_signals] == [
            ("manufacturer", "Hikvision", server)]
    else:
        assert header_signals == []
    if server and server not in HIKVISION_SERVERS:
        assert f"HTTP Server header {server!r} names no known maker" in fp.notes


@pytest.mark.parametrize("profile_id", PROFILE_IDS)
def test_onvif_clock_and_xaddr(site_fleet, site_prints, profile_id):
    device, fp = site_fleet[profile_id], site_prints[0][profile_id]
    if not device.profile.speaks("onvif"):
        assert fp.clock_offset is None and fp.onvif_xaddr is None
        gate = fp.families["onvif"]
        if gate.pointers:
            # A maker signal points at ONVIF: the GET is skipped and the SOAP POST's 404 is the "no".
            assert gate.state == "absent" and "(HTTP 404)" in gate.reason
        else:
            assert gate.state == "ambiguous"
            assert "ONVIF: no device service at /onvif/device_service (HTTP 404)" in fp.notes
        return
    assert fp.families["onvif"].state == "proven"
    assert fp.onvif_xaddr == f"{device.url()}/onvif/device_service"
    skew = device.profile.quirk("clock_skew")
    expected = dt.timedelta(seconds=float(skew.params["seconds"]) if skew else 0)
    assert fp.clock_offset is not None
    assert abs(fp.clock_offset - expected) <= dt.timedelta(seconds=5)


@pytest.mark.parametrize("profile_id", PROFILE_IDS)
def test_fingerprint_only_reads_and_never_logs_in(site_prints, profile_id):
    entries = [e for e in site_prints[1][profile_id] if e.method not in ("UDP", "TCP")]
    assert entries
    assert all(e.is_read for e in entries)
    assert {e.method for e in entries} <= {"GET", "POST"}
    assert {e.action for e in entries if e.method == "POST"} <= {"GetSystemDateAndTime"}
    assert not [e for e in entries if e.auth == "failed" or e.user]
    assert len(entries) <= 5


def test_open_device_info_and_magicbox_give_identity_without_login(start_fleet):
    open_hik = _variant("hik-school-bullet", "hik-open-deviceinfo", auth={"scheme": "none"})
    fleet = start_fleet(open_hik, "amcrest-no-password")
    hik, amcrest = fleet.devices
    fp = run(Target(hik.address, hik.ports["http"]), onvif=False)
    ident = hik.profile.identity
    assert "isapi" in fp.protocols
    assert {("model", ident.model, "isapi"), ("serial", ident.serial, "isapi"), ("mac", ident.mac, "isapi"),
            ("manufacturer", "Hikvision", "isapi")} <= signals(fp)
    # The MAC read from the open DeviceInfo feeds the OUI check, with no discovery hints at all.
    assert ("manufacturer", organisation(ident.mac), "oui") in signals(fp)
    fp = run(Target(amcrest.address, amcrest.ports["http"]), onvif=False)
    assert ("model", "IP2M-841B", "dahua_cgi") in signals(fp) and "dahua_cgi" in fp.protocols


def test_broken_answers_become_notes_not_exceptions(start_fleet):
    hostile = _variant("amcrest-no-password", "amcrest-hostile", quirks=[
        {"name": "reset", "paths": ["/cgi-bin/magicBox.cgi"]},
        {"name": "xxe", "paths": ["/onvif/device_service"]}])
    dripping = _variant("amcrest-no-password", "amcrest-dripping", quirks=[
        {"name": "slow_drip", "paths": ["/cgi-bin/magicBox.cgi"], "interval": 0.1}])
    fleet = start_fleet(hostile, dripping)
    first, second = fleet.devices
    fp = run(Target(first.address, first.ports["http"], found_by=("dhip", "ws_discovery")), FAST)
    assert fp.protocols == {"dhip", "ws_discovery"}         # neither CGI nor ONVIF could be read
    assert any(n.startswith("/cgi-bin/magicBox.cgi?action=getDeviceType: ") and "connection" in n for n in fp.notes)
    assert any(n.startswith("ONVIF /onvif/device_service: ") and "entity" in n for n in fp.notes)
    # 16 bytes at 0.1 s each against a 0.3 s deadline: cut off, whatever the machine's speed.
    fp = run(Target(second.address, second.ports["http"]), HttpSettings(read_timeout=2.0, deadline=0.3), onvif=False)
    assert "dahua_cgi" not in fp.protocols
    assert any(n.startswith("/cgi-bin/magicBox.cgi?action=getDeviceType: ") and "still sending after 0.3 s" in n
               for n in fp.notes)


def test_nothing_listening_is_a_note_and_no_onvif_attempt(start_fleet):
    device = start_fleet("axis-onvif-line").devices[0]
    silent = str(ipaddress.ip_address(device.address) + 50)
    fp = run(Target(silent, 80, found_by=("given",)), FAST)
    assert fp.protocols == set() and fp.signals == []
    assert fp.notes == [f"HTTP: nothing listens on {silent}:80"]


def _answer(path: str, status: int, **headers: str) -> HttpAnswer:
    return HttpAnswer(url=f"http://192.0.2.1{path}", status=status, headers=headers, body=b"", elapsed_ms=1, tls=False)


def test_a_challenge_proves_isapi_only_when_a_page_that_cannot_exist_is_not_challenged():
    """Some firmware challenges every path: its 401 on /ISAPI/ proves nothing about ISAPI, but its
    realm still names the maker (a pointer for the gate, never a verdict on the family)."""
    digest = {"www-authenticate": 'Digest realm="IP Camera(C2183)", nonce="n"'}
    answers = {DEVICE_INFO: _answer(DEVICE_INFO, 401, **digest)}

    def names(control):
        return sorted(h.matcher.name for h in evaluate(MATCHERS, answers, control=control))

    assert names(_answer(CONTROL, 404)) == ["hikvision-realm-ip-camera", "isapi-device-info-challenge"]
    assert names(_answer(CONTROL, 401, **digest)) == ["hikvision-realm-ip-camera"]
    assert names(None) == ["hikvision-realm-ip-camera"]
    # Basic-only firmware proves ISAPI the same way, under the same control-page rule.
    basic = {DEVICE_INFO: _answer(DEVICE_INFO, 401, **{"www-authenticate": 'Basic realm="x"'})}
    assert [h.matcher.name for h in evaluate(MATCHERS, basic, control=_answer(CONTROL, 404))] == \
        ["isapi-device-info-challenge"]
    assert evaluate(MATCHERS, basic, control=_answer(CONTROL, 401, **{"www-authenticate": 'Basic realm="x"'})) == []


@pytest.mark.parametrize(("realm", "model"), [
    ("IP Camera(C2183)", None), ("IP Camera(21388)", None),       # IPCs, public RTSP/HTTP captures
    ("DVRNVRDVS", None),                                          # recorders (Greenbone's Hikvision test)
    ("DS-7608NXI-I2", "DS-7608NXI-I2"), ("iDS-7204HUHI-M1", "iDS-7204HUHI-M1"),   # recorders naming their model
])
def test_hikvision_realms_are_maker_signals_with_the_realm_as_evidence(realm, model):
    challenge = {"www-authenticate": f'Digest realm="{realm}", qop="auth", nonce="abc", opaque="x"'}
    hits = evaluate(MATCHERS, {DEVICE_INFO: _answer(DEVICE_INFO, 401, **challenge)}, _answer(CONTROL, 401, **challenge))
    got = [s for h in hits for s in signals_for(h)]
    assert ("manufacturer", "Hikvision", "realm") in {(s.field, s.value, s.source) for s in got}
    assert any(s.evidence.excerpt == f'Digest realm="{realm}"' for s in got)
    assert [s.value for s in got if s.field == "model"] == ([model] if model else [])
    assert not any(h.matcher.protocol for h in hits)          # a maker pointer, not a family verdict


def test_realms_of_other_makers_point_nowhere():
    for realm in ("Login to 7H0ABCDPAZ00000", "AXIS_ACCC8E3A0A8F", "iPOLiS", "DCS-8000LH_00"):
        challenge = {"www-authenticate": f'Digest realm="{realm}", nonce="n"'}
        hits = evaluate(MATCHERS, {DEVICE_INFO: _answer(DEVICE_INFO, 401, **challenge)}, None)
        assert "Hikvision" not in {s.value for h in hits for s in signals_for(h)}, realm


def test_matchers_need_status_header_and_body_to_agree():
    magic = "/cgi-bin/magicBox.cgi?action=getDeviceType"
    realm = {"www-authenticate": 'Digest realm="Login to 7H0ABCDPAZ00000", qop="auth"'}
    names = {h.matcher.name for h in evaluate(MATCHERS, {magic: _answer(magic, 401, **realm)}, None)}
    assert names == {"dahua-magicbox-challenge", "dahua-realm"}
    # The same realm on a 200 is not a challenge; a 401 with another realm is not Dahua.
    assert evaluate(MATCHERS, {magic: _answer(magic, 200, **realm)}, None) == []
    other = {"www-authenticate": 'Digest realm="Hikvision", qop="auth"'}
    assert evaluate(MATCHERS, {magic: _answer(magic, 401, **other)}, None) == []
    custom = Matcher("test-body", "/x", (200,), body=r"^type=", protocol="dahua_cgi")
    assert evaluate((custom,), {"/x": HttpAnswer("http://h/x", 200, {}, b"type=IPC", 1, False)}, None)
    assert not evaluate((custom,), {"/x": HttpAnswer("http://h/x", 200, {}, b"kind=IPC", 1, False)}, None)
    assert not evaluate((custom,), {"/x": HttpAnswer("http://h/x", 500, {}, b"type=IPC", 1, False)}, None)


def _variant(base: str, new_id: str, **changes):
    profile = bundled_profile(base)
    raw = copy.deepcopy(profile.raw)
    raw["id"] = new_id
    for key, value in changes.items():
        if key == "quirks":
            raw["quirks"] = [*(raw.get("quirks") or []), *value]
        else:
            raw[key] = value
    return parse_profile(raw, profile.path)
