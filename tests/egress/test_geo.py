"""Where an egress destination's network is registered and who runs it, from the offline data the
geoip2fast package ships (no network: every look-up reads the bundled file)."""

from __future__ import annotations

import re
import socket

import pytest

from auditor.judge.egress.geo import _geo_data, _network_of, _reader, geo_data, network_of


def test_cloud_ranges_name_their_country_of_registration_and_owner():
    # Amazon eu-west-1 (Ireland): the registry allocation (iptocc) says US for this range.
    assert network_of("34.246.62.109").country == "IE"
    assert network_of("34.246.62.109").owner == "AMAZON-02"
    assert network_of("2a05:d018::1").country == "IE"                 # IPv6 too (AWS eu-west-1)


@pytest.mark.parametrize("address", ["10.1.2.3", "192.168.1.10", "127.0.0.1", "198.51.100.23", "fe80::1",
                                     "not-an-address", ""])
def test_private_documentation_and_malformed_addresses_say_nothing(address):
    assert network_of(address).country is None and network_of(address).owner is None


def test_the_data_is_dated_and_never_fetched(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("a geolocation look-up tried the network")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    for cached in (_reader, _geo_data, _network_of):     # load the data file again, under the guard
        cached.cache_clear()
    assert network_of("47.254.132.18").country == "DE"
    text = geo_data()
    assert text is not None and re.fullmatch(r"GeoLite2 data of \d{4}-\d{2}-\d{2}", text)


def test_the_child_process_answers_exactly_what_this_process_looks_up(monkeypatch, tmp_path):
    from auditor.judge.egress import geo
    from auditor.run.egress_geo import GeoLookups

    monkeypatch.setenv("CAMAUDIT_CACHE_DIR", str(tmp_path))
    addresses = ["34.246.62.109", "2a05:d018::1", "47.254.132.18", "10.1.2.3", "not-an-address"]
    for loaded, asked in ((True, addresses[:3]), (False, addresses[:2]), (True, addresses)):
        monkeypatch.setattr(geo, "_answered", {})
        monkeypatch.setattr(geo, "_answered_data", [])
        lookups = GeoLookups()
        assert lookups.resolve(asked) is True
        assert lookups.loaded is loaded           # kept answers: no load unless an address is new
        assert set(geo._answered) == set(asked)
        for address in asked:
            assert geo._answered[address] == geo._network_of(address)
        assert geo._answered_data == [geo._geo_data()]
    [kept] = tmp_path.glob("geo-*.json")
    assert "not-an-address" in kept.read_text()
    assert kept.stat().st_mode & 0o077 == 0            # it names the servers a site talks to: this user only


def test_a_child_that_fails_leaves_the_look_ups_to_this_process(monkeypatch):
    from auditor.judge.egress import geo
    from auditor.run import egress_geo

    monkeypatch.setattr(geo, "_answered", {})
    monkeypatch.setattr(geo, "_answered_data", [])
    monkeypatch.setattr(egress_geo, "CHILD", "import sys; sys.stdin.readline(); print('garbage')")
    lookups = egress_geo.GeoLookups()
    assert lookups.resolve(["34.246.62.109"]) is False
    assert geo._answered == {} and network_of("34.246.62.109").country == "IE"
