"""Egress runs belong to a named site (--site), as audit runs do: traffic is linked only to audited
devices of the run's site, so two schools that both use 10.20.0.x never cross-link, and a device's
egress is read from the runs of its own site. On both engines (tests/conftest.py `store_url`)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest

from auditor.cli import main
from models.db import open_store
from models.egress.reads import get_device_egress, get_latest_settings, list_latest_egress
from models.egress.store import (
    find_device_id,
    get_egress_report,
    list_device_egress,
    list_egress_runs,
    record_egress_devices,
    record_egress_run_finished,
    record_egress_run_started,
)
from models.egress.values import EgressCapture, EgressDestination, EgressDevice
from models.store import list_devices
from tests.egress.conftest import Site, audit_of, needs_tshark, record_audits

T = dt.datetime(2026, 11, 21, 8, 0, tzinfo=dt.UTC)
NORTH, SOUTH = "Northgate School", "Southgate School"
ADDRESS = "10.20.0.20"


@pytest.fixture
def store(store_url):
    with open_store(store_url) as opened:
        yield opened


def _two_schools(store) -> dict[str, int]:
    """The same camera model at the same address in two schools (different MACs): two devices."""
    ids = {}
    for site, mac in ((NORTH, "44:19:b6:00:00:01"), (SOUTH, "44:19:b6:00:00:02")):
        ids[site], = record_audits(store, audit_of("hik-school-bullet", address=ADDRESS, mac=mac,
                                                   remote={"hik_connect": (True, None)}), site=site)
    return ids


def _egress_run(store, site: str, destination: str, *, mac: str | None = None) -> int:
    run_id = record_egress_run_started(store, kind="file", source=f"{site}.pcap", site_networks=["10.0.0.0/8"],
                                       started=T, site=site)
    dest = EgressDestination(address=destination, port=443, transport="tcp", label="unknown", country=None,
                             packets_out=3, packets_in=2, bytes_out=300, bytes_in=200, first_seen=T, last_seen=T)
    record_egress_devices(store, run_id=run_id, devices=[
        EgressDevice(address=ADDRESS, mac=mac, destinations=[dest]),
        EgressDevice(address="10.20.0.99", mac=None, destinations=[dataclasses.replace(dest)])])   # no audit
    record_egress_run_finished(store, run_id=run_id, capture=EgressCapture("file", f"{site}.pcap", 1, 1, T, T),
                               complete=True, finished=T)
    return run_id


def test_each_school_links_its_own_camera_and_reads_its_own_traffic(store):
    ids = _two_schools(store)
    north_run = _egress_run(store, NORTH, "203.0.113.1")
    south_run = _egress_run(store, SOUTH, "203.0.113.2")
    for site, run_id in ((NORTH, north_run), (SOUTH, south_run)):
        report = get_egress_report(store, run_id=run_id)
        assert report is not None and report.capture.site == site
        linked = {d.address: (d.device_id, d.linked_by) for d in report.devices}
        assert linked == {ADDRESS: (ids[site], "address"), "10.20.0.99": (None, None)}
    assert get_device_egress(store, device_id=ids[NORTH]).device.destinations[0].address == "203.0.113.1"
    assert get_device_egress(store, device_id=ids[SOUTH]).device.destinations[0].address == "203.0.113.2"
    assert [run for run, _ in list_device_egress(store, device_id=ids[NORTH])] == [north_run]
    latest = {(c.run.site, c.device.address, c.device.device_id) for c in list_latest_egress(store)}
    assert latest == {(NORTH, ADDRESS, ids[NORTH]), (SOUTH, ADDRESS, ids[SOUTH]),
                      (NORTH, "10.20.0.99", None), (SOUTH, "10.20.0.99", None)}   # unlinked: per site too
    assert [r.id for r in list_egress_runs(store, site=SOUTH)] == [south_run]


def test_a_site_without_the_camera_links_nothing_even_by_mac(store):
    ids = _two_schools(store)
    north_mac = next(d.mac for d in list_devices(store) if d.id == ids[NORTH])
    run_id = _egress_run(store, "Eastgate School", "203.0.113.3", mac=north_mac)
    report = get_egress_report(store, run_id=run_id)
    assert report is not None and all(d.device_id is None for d in report.devices)
    assert get_device_egress(store, device_id=ids[NORTH]) is None
    assert find_device_id(store, address=ADDRESS, mac=north_mac, site="Eastgate School") is None
    assert find_device_id(store, address="10.99.9.9", mac=north_mac, site=NORTH) == ids[NORTH]   # by MAC, moved
    assert find_device_id(store, address=ADDRESS, site=SOUTH) == ids[SOUTH]
    assert get_latest_settings(store, address=ADDRESS, site="Eastgate School") is None
    assert get_latest_settings(store, address=ADDRESS, site=SOUTH) is not None


def test_a_run_without_a_site_belongs_to_default(store):
    run_id = record_egress_run_started(store, kind="file", source="x.pcap", site_networks=[])
    assert [r.site for r in list_egress_runs(store)] == ["default"] and run_id


@needs_tshark[0]
@needs_tshark[1]
def test_egress_analyze_links_the_capture_to_the_named_sites_devices(site: Site, store_url, capsys):
    face = site.device("dahua-wizmind-face")["address"]
    with open_store(store_url) as store:
        for school in (NORTH, SOUTH):      # the same camera, by address, at both schools
            record_audits(store, audit_of("dahua-wizmind-face", address=face, mac=None,
                                          remote={"dahua_p2p": (True, "www.easy4ipcloud.com")}), site=school)
        ids = {d.site: d.id for d in list_devices(store)}
    for school in (SOUTH, NORTH):
        assert main(["egress", "analyze", str(site.pcap), "--db", store_url, "--site", school, "--json"]) == 0
        doc = json.loads(capsys.readouterr().out)
        assert doc["capture"]["site"] == school
        [device] = [d for d in doc["devices"] if d["address"] == face]
        assert (device["device_id"], device["linked_by"]) == (ids[school], "address")
    with open_store(store_url) as store:
        assert [r.site for r in list_egress_runs(store)] == [NORTH, SOUTH]
        for school in (NORTH, SOUTH):
            seen = get_device_egress(store, device_id=ids[school])
            assert seen is not None and seen.run.site == school


def test_the_capture_value_defaults_to_the_default_site():
    from models.location import DEFAULT_SITE

    assert EgressCapture("file", "x.pcap", 0, 0, None, None).site == DEFAULT_SITE


@needs_tshark[0]
@needs_tshark[1]
def test_a_file_analysis_is_stored_in_one_transaction_linked_within_its_site(site: Site, store):
    from sqlalchemy import event

    from auditor.run.egress import EgressOptions, analyze_files

    face = site.device("dahua-wizmind-face")["address"]
    for school, p2p in ((NORTH, True), (SOUTH, False)):     # South's audit says the P2P cloud is off
        record_audits(store, audit_of("dahua-wizmind-face", address=face, mac=None,
                                      remote={"dahua_p2p": (p2p, "www.easy4ipcloud.com")}), site=school)
    ids = {d.site: d.id for d in list_devices(store)}
    commits: list[object] = []
    event.listen(store.engine, "commit", commits.append)
    report = analyze_files(store, [site.pcap], EgressOptions(site_name=SOUTH))
    assert len(commits) == 1                          # the run, every device and the totals: one commit
    assert report.capture.site == SOUTH and report.capture.packets == site.truth["capture"]["packets"]
    linked = {d.address: d.device_id for d in report.devices if d.device_id is not None}
    assert linked == {face: ids[SOUTH]}
    [south] = [d for d in report.devices if d.address == face]
    assert "egress-undisclosed-cloud" in {f.id for f in south.findings}   # judged against South's audit
    north = analyze_files(store, [site.pcap], EgressOptions(site_name=NORTH))
    [face_north] = [d for d in north.devices if d.address == face]
    assert face_north.device_id == ids[NORTH]
    assert "egress-undisclosed-cloud" not in {f.id for f in face_north.findings}   # North's audit says on
