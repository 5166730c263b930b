"""The shared runtime: profiles load, addresses stay on loopback, digest auth and lockout work."""

from __future__ import annotations

import pytest
import requests
from requests.auth import HTTPDigestAuth

from device_simulators import Fleet, FleetError, ProfileError, bundled_profile, bundled_profiles
from device_simulators.profile import FEATURE_IDS, parse_profile
from device_simulators.runtime.fleet import loopback_addresses


def test_every_bundled_profile_loads_with_an_expect_block():
    profiles = bundled_profiles()
    assert len(profiles) >= 6
    assert len({p.id for p in profiles}) == len(profiles)
    for profile in profiles:
        assert profile.expect["manufacturer"] == profile.identity.manufacturer
        assert set(profile.expect["protocols"]) == set(profile.protocols)
        assert set(profile.expect["features"]) - {"default"} <= set(FEATURE_IDS)


def test_profile_errors_name_the_file_and_key(tmp_path):
    with pytest.raises(ProfileError, match="bad.yaml: missing required key 'identity'"):
        parse_profile({"id": "x", "protocols": ["onvif"], "onvif": {}, "auth": {"scheme": "none"}},
                      tmp_path / "bad.yaml")
    with pytest.raises(ProfileError, match="unknown quirk 'teleport'"):
        raw = dict(bundled_profile("axis-onvif-line").raw, quirks=["teleport"])
        parse_profile(raw, tmp_path / "q.yaml")


@pytest.mark.parametrize("base", ["10.0.0.1", "192.168.1.10", "127.0.0.0", "127.255.255.250"])
def test_fleet_refuses_addresses_outside_loopback(base):
    with pytest.raises(FleetError):
        loopback_addresses(base, 9)


def test_two_fleets_on_one_address_fail_with_a_clear_error(start_fleet):
    fleet = start_fleet("axis-onvif-line")
    clash = Fleet([bundled_profile("axis-onvif-line")], fleet.devices[0].address)
    with pytest.raises(FleetError, match="already running"):
        clash.start()


def test_digest_auth_good_bad_and_lockout(start_fleet):
    fleet = start_fleet("hik-school-bullet")
    device = fleet.devices[0]
    url = device.url() + "/ISAPI/System/deviceInfo"
    assert requests.get(url, timeout=5).status_code == 401
    assert requests.get(url, auth=HTTPDigestAuth("admin", "Gate-Cam-2019!"), timeout=5).status_code == 200
    for _ in range(7):
        assert requests.get(url, auth=HTTPDigestAuth("admin", "wrong"), timeout=5).status_code == 401
    # Locked now: even the right password is refused, and the log says why.
    assert requests.get(url, auth=HTTPDigestAuth("admin", "Gate-Cam-2019!"), timeout=5).status_code == 401
    outcomes = [e.auth for e in device.log.entries() if e.user == "admin"]
    assert outcomes.count("failed") == 7
    assert outcomes[-1] == "locked"


def test_request_log_records_method_path_source_and_outcome(start_fleet):
    device = start_fleet("hik-school-bullet").devices[0]
    requests.put(device.url() + "/ISAPI/System/deviceInfo", data=b"<x/>", timeout=5)
    entry = device.log.entries()[-1]
    assert (entry.method, entry.path, entry.source, entry.auth, entry.status) == \
        ("PUT", "/ISAPI/System/deviceInfo", "127.0.0.1", "challenge", 401)
    assert device.log.writes() == [entry]
